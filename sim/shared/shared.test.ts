import { describe, expect, it } from 'vitest'

import { formatBerlinDay, formatBerlinInstant, parseBerlinTime } from './dates.ts'
import { editPerson } from './edit-person.ts'
import { generateCompany } from './generate-company.ts'
import { createSlidingWindowLimiter, minimumDurationMs } from './sliding-window-limiter.ts'

describe('generateCompany', () => {
  const company = generateCompany({ employees: 2000, seed: 7, today: '2026-03-02' })
  const people = company.people

  it('is the same company for the same seed, another for another seed', () => {
    expect(generateCompany({ employees: 2000, seed: 7, today: '2026-03-02' })).toEqual(company)
    expect(
      generateCompany({ employees: 2000, seed: 8, today: '2026-03-02' }).people[5],
    ).not.toEqual(people[5])
  })

  it('has a supervisor tree: everyone but the CEO reports to an earlier employee', () => {
    expect(people[0]?.supervisorId).toBeNull()
    for (const person of people.slice(1)) {
      expect(person.supervisorId).not.toBeNull()
      expect(person.supervisorId ?? Infinity).toBeLessThan(person.id)
    }
  })

  it('has about 5% terminated, some of them in the future, and a few not yet started', () => {
    const terminated = people.filter((p) => p.terminationDate !== null)
    expect(terminated.length / people.length).toBeGreaterThan(0.03)
    expect(terminated.length / people.length).toBeLessThan(0.07)
    const future = terminated.filter((p) => (p.terminationDate ?? '') > '2026-03-02')
    expect(future.length).toBeGreaterThan(0)
    expect(future.every((p) => p.status !== 'inactive')).toBe(true)
    expect(
      terminated
        .filter((p) => (p.terminationDate ?? '') <= '2026-03-02')
        .every((p) => p.status === 'inactive'),
    ).toBe(true)
    expect(people.some((p) => p.status === 'onboarding')).toBe(true)
  })

  it('has names with umlauts and accents, missing optional values, local phone numbers', () => {
    expect(people.some((p) => /[äöüß]/i.test(p.firstName + p.lastName))).toBe(true)
    expect(people.some((p) => /[éèçñł]/i.test(p.firstName + p.lastName))).toBe(true)
    expect(people.every((p) => /^[a-z0-9.-]+@nordlicht\.example$/.test(p.workEmail))).toBe(true)
    expect(new Set(people.map((p) => p.workEmail)).size).toBe(people.length)
    expect(people.some((p) => p.personalEmail === null)).toBe(true)
    expect(people.some((p) => p.teamId === null)).toBe(true)
    expect(people.some((p) => p.workPhone === null && p.mobilePhone === null)).toBe(true)
    expect(people.some((p) => p.workPhone?.startsWith('0'))).toBe(true)
    expect(people.some((p) => p.workPhone?.startsWith('+49'))).toBe(true)
    expect(people.every((p) => /^\d+(\.\d+)?$/.test(p.weeklyHours))).toBe(true)
    expect(new Set(people.map((p) => p.legalEntityId)).size).toBe(2)
  })
})

describe('editPerson', () => {
  it('moves the changed fields and updatedAt to the edit time, and nothing for no change', () => {
    const [person] = generateCompany({ employees: 1, seed: 1, today: '2026-03-02' }).people
    if (!person) throw new Error('no person')
    const at = '2026-03-02T10:00:00.000Z'
    expect(editPerson(person, { lastName: person.lastName }, at)).toBe(person)
    const edited = editPerson(person, { lastName: 'Groß', custom: { shirt_size: 'XXL' } }, at)
    expect(edited).toMatchObject({ lastName: 'Groß', updatedAt: at })
    expect(edited.fieldUpdatedAt).toMatchObject({ lastName: at, 'custom.shirt_size': at })
  })
})

describe('Berlin dates', () => {
  it('formats days and instants with the offset of the day', () => {
    expect(formatBerlinDay('2014-11-09')).toBe('2014-11-09T00:00:00+01:00')
    expect(formatBerlinDay('2016-06-05')).toBe('2016-06-05T00:00:00+02:00')
    expect(formatBerlinInstant(new Date('2020-11-18T16:33:55Z'))).toBe('2020-11-18T17:33:55+01:00')
    expect(formatBerlinInstant(new Date('2017-05-23T07:49:03Z'))).toBe('2017-05-23T09:49:03+02:00')
  })

  it('reads the forms updated_since takes', () => {
    expect(parseBerlinTime('2022-12-24')?.toISOString()).toBe('2022-12-23T23:00:00.000Z')
    expect(parseBerlinTime('2022-12-24T08:15:30')?.toISOString()).toBe('2022-12-24T07:15:30.000Z')
    expect(parseBerlinTime('2022-07-24T08:15:30')?.toISOString()).toBe('2022-07-24T06:15:30.000Z')
    expect(parseBerlinTime('2022-12-24T08:15:30Z')?.toISOString()).toBe('2022-12-24T08:15:30.000Z')
    expect(parseBerlinTime('2020-11-18T17:33:55+01:00')?.toISOString()).toBe(
      '2020-11-18T16:33:55.000Z',
    )
    expect(parseBerlinTime('yesterday')).toBeNull()
    expect(parseBerlinTime('2022-02-30')).toBeNull()
  })
})

describe('sliding windows', () => {
  const v1 = [
    { limit: 300, windowMs: 60_000 },
    { limit: 15, windowMs: 1_000 },
  ]

  it('computes the floor: bursts of 15 a second, 300 a minute', () => {
    expect(minimumDurationMs(1, v1)).toBe(0)
    expect(minimumDurationMs(15, v1)).toBe(0)
    expect(minimumDurationMs(16, v1)).toBe(1_000)
    expect(minimumDurationMs(50, v1)).toBe(3_000)
    expect(minimumDurationMs(300, v1)).toBe(19_000)
    expect(minimumDurationMs(301, v1)).toBe(60_000)
    expect(minimumDurationMs(600, v1)).toBe(79_000)
  })

  it('computes the floor when the requests after the first wait for its answer (100 ms)', () => {
    const afterFirst = (i: number) => (i === 0 ? 0 : 100)
    expect(minimumDurationMs(1, v1, afterFirst)).toBe(0)
    expect(minimumDurationMs(10, v1, afterFirst)).toBe(100)
    // the 16th must wait until the first has left the second's window, the 17th the second
    expect(minimumDurationMs(16, v1, afterFirst)).toBe(1_000)
    expect(minimumDurationMs(17, v1, afterFirst)).toBe(1_100)
  })

  it('refuses exactly the requests a greedy schedule at the floor would not send', () => {
    const limiter = createSlidingWindowLimiter({ windows: v1 })
    let t = 0
    let sent = 0
    while (sent < 301) {
      const decision = limiter.take(t)
      if (decision.ok) sent++
      else t += decision.retryAfterMs
    }
    expect(t).toBe(minimumDurationMs(301, v1))
  })

  it('applies a penalty after a refusal', () => {
    const limiter = createSlidingWindowLimiter({
      windows: [{ limit: 2, windowMs: 60_000 }],
      penalty: { forMs: 60_000, windows: [{ limit: 1, windowMs: 1_000 }] },
    })
    expect(limiter.take(0).ok).toBe(true)
    expect(limiter.take(0).ok).toBe(true)
    expect(limiter.take(0)).toEqual({ ok: false, retryAfterMs: 1_000 })
    expect(limiter.take(1_000).ok).toBe(true)
    expect(limiter.take(1_500).ok).toBe(false)
    expect(limiter.take(2_000).ok).toBe(true)
  })
})
