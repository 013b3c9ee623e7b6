import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { Employee } from '../../core/model/employee.ts'
import { attributesOf, normalizeV1, V1Employee } from './normalize-v1.ts'
import { heldKeys } from './personio-attributes.ts'
import { PersonioConfig } from './personio-config.ts'

// the example employee of Personio's own API description
const example: unknown = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/personio/v1-employee-example.json', import.meta.url),
    'utf8',
  ),
)

type Attrs = Record<
  string,
  { label: string; value: unknown; type: string; universal_id: string | null }
>
const withAttrs = (change: (a: Attrs) => void): unknown => {
  const copy = structuredClone(example) as { attributes: Attrs }
  change(copy.attributes)
  return copy
}
const config = PersonioConfig.parse({})
const normalize = (raw: unknown, today = '2026-12-01') => {
  const parsed = V1Employee.parse(raw)
  return normalizeV1(raw, heldKeys(config, attributesOf(parsed)), today)
}
const record = (raw: unknown, today?: string) => {
  const result = normalize(raw, today)
  if (!('record' in result)) throw new Error(JSON.stringify(result.invalid.issues))
  return Employee.parse(result.record)
}

describe('normalizeV1', () => {
  it('reads the example employee of the reference document into a valid Employee', () => {
    const e = record(example)
    expect(e).toMatchObject({
      externalId: '1',
      firstName: 'Alexander',
      lastName: 'Bergmann',
      // Personio's preferred name is a whole name: it says nothing the first name does not
      preferredName: null,
      workEmail: 'alexander.bergmann@demo.email',
      gender: 'male',
      status: 'active',
      position: { id: null, name: 'CTO' },
      supervisorExternalId: '2',
      employmentType: 'external',
      weeklyHours: 40,
      // the calendar date the company meant, not the UTC instant (which is the 8th)
      hireDate: '2014-11-09',
      terminationDate: null,
      legalEntity: { id: '7033', name: 'CS Demo GmbH' },
      office: { id: '131014', name: 'Munich' },
      department: { id: '281521', name: 'Customer Support' },
      team: { id: '59026', name: 'T_X' },
      costCenters: [{ id: '82957', name: 'Cost center 1' }],
      salary: { amount: 3000, currency: 'EUR', interval: 'monthly' },
      sourceUpdatedAt: '2020-11-18T16:33:55.000Z',
    })
    expect(e.custom['dynamic_33400']).toEqual({
      label: 'Anniversary Date',
      type: 'date',
      value: '2021-01-01',
    })
    expect(e.custom['dynamic_24407']).toEqual({ label: 'Titel', type: 'text', value: 'Dr' })
  })

  it('reads standard attributes without a model field of their own as custom fields by key', () => {
    const e = record(
      withAttrs((a) => {
        const set = (key: string, value: unknown) => {
          const attr = a[key]
          if (attr) attr.value = value
        }
        set('termination_type', 'Resignation')
        set('contract_end_date', '2027-03-31T00:00:00+02:00')
      }),
    )
    const { custom } = e
    expect(custom['termination_type']).toEqual({
      label: 'Termination type',
      type: 'text',
      value: 'Resignation',
    })
    expect(custom['contract_end_date']?.value).toBe('2027-03-31')
    expect(custom['probation_period_end']).toMatchObject({ type: 'date', value: null })
    expect(custom['created_at']).toMatchObject({ type: 'date', value: '2017-05-23' })
    // nested objects by their name, lists of them by their names
    expect(custom['holiday_calendar']?.value).toMatch(/^Deutschland \(Bayern/)
    expect(custom['work_schedule']?.value).toMatch(/^Full-time, 40 hour/)
    expect(custom['absence_entitlement']).toMatchObject({ type: 'list', value: ['Paid vacation'] })
    // an hourly salary is read on its own too; the fixed one feeds the salary
    expect(custom['hourly_salary']).toMatchObject({ type: 'number', value: 0 })
    expect(custom['vacation_day_balance']).toMatchObject({ type: 'number', value: 2 })
    expect(custom['profile_picture']?.value).toMatch(/^https:/)
    // what has a model field stays out of custom
    for (const key of ['first_name', 'termination_date', 'fix_salary', 'office', 'id'])
      expect(custom).not.toHaveProperty(key)
  })

  it('keys by attribute key, whatever the language of the labels', () => {
    const german = withAttrs((a) => {
      for (const [key, label] of [
        ['first_name', 'Vorname'],
        ['termination_date', 'Austrittsdatum'],
      ] as const) {
        const attr = a[key]
        if (attr) attr.label = label
      }
      const t = a['termination_date']
      if (t) t.value = '2025-03-31T00:00:00+02:00'
      const s = a['status']
      if (s) s.value = 'inactive'
    })
    const e = record(german)
    expect(e.firstName).toBe('Alexander')
    expect(e.terminationDate).toBe('2025-03-31')
    expect(e.status).toBe('terminated')
  })

  it('keeps a future leaver active until the day, with the date', () => {
    const e = record(
      withAttrs((a) => {
        const t = a['termination_date']
        if (t) t.value = '2027-01-31T00:00:00+01:00'
      }),
    )
    expect(e).toMatchObject({ status: 'active', terminationDate: '2027-01-31' })
  })

  it('leaves out what the credential cannot read: unknown, never blank', () => {
    const e = record(
      withAttrs((a) => {
        delete a['email']
        delete a['department']
        delete a['fix_salary']
      }),
    )
    expect(e.workEmail).toBeNull()
    expect(e.department).toBeNull()
    expect(e.salary).toBeNull()
  })

  it('finds the employee number and phones kept in custom attributes, by universal id or label', () => {
    const raw = withAttrs((a) => {
      a['dynamic_900'] = {
        label: 'Personalnummer',
        value: 'P-0042',
        type: 'standard',
        universal_id: null,
      }
      a['dynamic_901'] = {
        label: 'Mobile',
        value: '0151 2345678',
        type: 'standard',
        universal_id: 'mobile_phone',
      }
      a['dynamic_902'] = {
        label: 'Private E-Mail',
        value: 'alex@example.org',
        type: 'standard',
        universal_id: null,
      }
    })
    expect(record(raw)).toMatchObject({
      employeeNumber: 'P-0042',
      mobilePhone: '0151 2345678',
      personalEmail: 'alex@example.org',
    })
  })

  it('names the employee and the attribute of a value that cannot be read, and keeps the rest', () => {
    const result = normalize(
      withAttrs((a) => {
        const h = a['hire_date']
        if (h) h.value = '2014-02-31T00:00:00+01:00'
        const w = a['weekly_working_hours']
        if (w) w.value = 'forty'
      }),
    )
    expect('invalid' in result).toBe(true)
    if (!('invalid' in result)) return
    expect(result.invalid.externalId).toBe('1')
    expect(result.invalid.issues.map((i) => i.message).sort()).toEqual([
      'employee 1: hire_date: "2014-02-31T00:00:00+01:00" is not a date',
      'employee 1: weekly_working_hours: "forty" is not a number',
    ])
  })

  it('refuses a payload that is not an employee, naming it', () => {
    const result = normalizeV1(
      { attributes: { id: { label: 'ID', value: 7 }, first_name: 'x' } },
      {},
      '2026-12-01',
    )
    expect(result).toMatchObject({ invalid: { externalId: '7' } })
    const none = normalizeV1({ nothing: true }, {}, '2026-12-01')
    expect(none).toMatchObject({ invalid: { externalId: null } })
  })
})
