import { afterEach, describe, expect, it } from 'vitest'

import { SyncError } from '../../src/core/errors.ts'
import type { Employee } from '../../src/core/model/employee.ts'
import { validateEmployees } from '../../src/core/model/validate-employees.ts'
import type {
  Connector,
  ConnectorContext,
  ReadEnd,
  ReadPage,
} from '../../src/connectors/connector.ts'

/** What the HR system holds for one employee, as the model should read it. */
export interface Expected {
  readonly externalId: string
  readonly firstName: string | null
  readonly lastName: string | null
  readonly workEmail: string | null
  readonly employeeNumber: string | null
  readonly hireDate: string | null
  readonly terminationDate: string | null
  readonly status: Employee['status']
  readonly department: string | null
  readonly supervisorExternalId: string | null
}

/** Faults a simulator can be told to make, as shares of requests. */
export interface Chaos {
  readonly errorRate?: number
  readonly dropRate?: number
  readonly duplicateRate?: number
}

/** A simulator running for one test, with a connection to it. */
export interface RunningSim<Config, Secret> {
  readonly config: Config
  readonly secret: Secret
  /** The same client, a wrong secret. */
  readonly wrongSecret: Secret
  /** What every employee should read as, in the model. */
  expected(): Expected[]
  /** A credential that cannot read the work email, the termination date nor the department. */
  restricted(): Promise<Secret>
  /** Changes the job title of `count` employees (as someone editing in the HR system). */
  edit(count: number): Promise<string[]>
  /** Generates new credentials: the old ones stop working. */
  rotate(): Promise<void>
  chaos(chaos: Chaos): Promise<void>
  /** Requests the simulator answered, and how many of them with 429. */
  stats(): { requests: number; tooMany: number; auth: number }
  /** Whether the read of `fields` may name `path` readable (the model field it feeds). */
  close(): Promise<void>
}

export interface ConnectorHarness<Config, Secret> {
  readonly connector: Connector<Config, Secret>
  start(options: { employees: number }): Promise<RunningSim<Config, Secret>>
  /** Model fields the connector reads by name from this HR system (not every API names them). */
  readonly readsDepartments: boolean
  /**
   * Company sizes: a whole read, a read under faults, a read of many requests (enough to meet the
   * rate limit). An API that needs a request per employee gets smaller ones.
   */
  readonly sizes?: { readonly company: number; readonly chaos: number; readonly many: number }
  /**
   * A full read is one request (BambooHR's custom report holds every employee): there is no later
   * page that can fail while others came, so a request that fails for good fails the read, as a
   * retryable error, rather than end it incomplete. Default false: a read of pages.
   */
  readonly readsInOneRequest?: boolean
}

export const ctx = (now = new Date()): ConnectorContext => ({ now: () => now })

export async function readAll(
  reading: AsyncGenerator<ReadPage, ReadEnd>,
  between?: (page: number) => Promise<void>,
): Promise<{ records: unknown[]; invalid: number; end: ReadEnd; pages: number }> {
  const records: unknown[] = []
  let invalid = 0
  let pages = 0
  for (;;) {
    const step = await reading.next()
    if (step.done === true) return { records, invalid, end: step.value, pages }
    pages++
    records.push(...step.value.records)
    invalid += step.value.invalid?.length ?? 0
    await between?.(pages)
  }
}

const pick = (e: Employee): Expected => ({
  externalId: e.externalId,
  firstName: e.firstName,
  lastName: e.lastName,
  workEmail: e.workEmail,
  employeeNumber: e.employeeNumber,
  hireDate: e.hireDate,
  terminationDate: e.terminationDate,
  status: e.status,
  department: e.department?.name ?? null,
  supervisorExternalId: e.supervisorExternalId,
})

const byId = (a: { externalId: string }, b: { externalId: string }) =>
  a.externalId.localeCompare(b.externalId, 'en', { numeric: true })

/**
 * What every HR connector must do against its simulator: check credentials with errors a person
 * can act on, list readable fields with samples, read every employee into valid `Employee`
 * records, read only changes since a watermark, leave unreadable fields unknown, survive faults
 * without losing or doubling anyone, and say when a read was incomplete.
 */
export function connectorContract<Config, Secret>(
  name: string,
  harness: ConnectorHarness<Config, Secret>,
): void {
  const { connector } = harness
  const sizes = harness.sizes ?? { company: 250, chaos: 300, many: 2500 }
  describe(`${name}: the connector contract`, { timeout: 120_000 }, () => {
    let sim: RunningSim<Config, Secret> | null = null
    const start = async (employees: number) => {
      sim = await harness.start({ employees })
      return sim
    }
    afterEach(async () => {
      await sim?.close()
      sim = null
    })

    it('accepts good credentials and refuses a wrong secret as auth_failed, never echoing it', async () => {
      const s = await start(5)
      expect(await connector.check(s.config, s.secret, ctx())).toEqual({
        ok: true,
        value: undefined,
      })
      const wrong = await connector.check(s.config, s.wrongSecret, ctx())
      expect(wrong.ok).toBe(false)
      if (wrong.ok) return
      expect(wrong.error).toBeInstanceOf(SyncError)
      expect(wrong.error.code).toBe('auth_failed')
      expect(
        JSON.stringify({ m: wrong.error.message, c: String(wrong.error.cause) }),
      ).not.toContain(JSON.stringify(s.wrongSecret).slice(2, -2))
    })

    it('reads every employee once, valid, as the HR system holds them, in a complete read', async () => {
      const n = sizes.company
      const s = await start(n)
      const progress: number[] = []
      const read = await readAll(
        connector.read(s.config, s.secret, { ...ctx(), progress: (p) => progress.push(p.read) }),
      )
      const { employees, invalid } = validateEmployees(read.records)
      expect(invalid).toEqual([])
      expect(read.invalid).toBe(0)
      expect(read.end.complete).toBe(true)
      expect(read.end.watermark).not.toBeNull()
      expect(new Set(employees.map((e) => e.externalId)).size).toBe(n)
      const expected = s.expected().sort(byId)
      const got = employees.map(pick).sort(byId)
      if (harness.readsDepartments) expect(got).toEqual(expected)
      else expect(got).toEqual(expected.map((e) => ({ ...e, department: null })))
      expect(progress.at(-1)).toBe(n)
      // a credential that reads everything: nothing it reads is left out
      expect(read.end.readableFields).toEqual(
        expect.arrayContaining([
          'workEmail',
          'firstName',
          'lastName',
          'hireDate',
          'terminationDate',
        ]),
      )
    })

    it('lists the readable fields with their source key and a sample', async () => {
      const s = await start(20)
      const result = await connector.discoverFields(s.config, s.secret, ctx())
      if (!result.ok) throw result.error
      const byPath = new Map(result.value.map((f) => [f.path, f]))
      for (const path of ['firstName', 'lastName', 'workEmail', 'hireDate', 'terminationDate']) {
        expect(byPath.get(path), path).toBeDefined()
      }
      expect(byPath.get('workEmail')?.sample).toMatch(/@/)
      expect(byPath.get('hireDate')?.sample).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(result.value.some((f) => f.custom)).toBe(true)
      for (const f of result.value) expect(f.key).not.toBe('')
    })

    it('leaves what a credential cannot read unknown, and says it cannot read it', async () => {
      const s = await start(30)
      const secret = await s.restricted()
      const read = await readAll(connector.read(s.config, secret, ctx()))
      const { employees } = validateEmployees(read.records)
      expect(employees).toHaveLength(30)
      expect(employees.every((e) => e.workEmail === null && e.terminationDate === null)).toBe(true)
      expect(read.end.readableFields).not.toContain('workEmail')
      expect(read.end.readableFields).not.toContain('terminationDate')
      expect(read.end.readableFields).toContain('firstName')
      const fields = await connector.discoverFields(s.config, secret, ctx())
      if (!fields.ok) throw fields.error
      expect(fields.value.map((f) => f.path)).not.toContain('workEmail')
    })

    it('reads only what changed since the watermark of the last read', async () => {
      const s = await start(120)
      const full = await readAll(connector.read(s.config, s.secret, ctx()))
      const edited = await s.edit(3)
      const since = full.end.watermark ?? ''
      const before = s.stats().requests
      const changes = await readAll(connector.read(s.config, s.secret, ctx(), { since }))
      const ids = validateEmployees(changes.records).employees.map((e) => e.externalId)
      expect(ids).toEqual(expect.arrayContaining(edited))
      expect(ids.length).toBeLessThan(120)
      // a read of changes is never complete: nobody is missing from it
      expect(changes.end.complete).toBe(false)
      expect(s.stats().requests - before).toBeLessThanOrEqual(harness.readsDepartments ? 2 : 10)
    })

    it('survives 5xx answers and dropped connections: nobody lost, nobody twice', async () => {
      const s = await start(sizes.chaos)
      await s.chaos({ errorRate: 0.2, dropRate: 0.1, duplicateRate: 0.3 })
      const read = await readAll(connector.read(s.config, s.secret, ctx()))
      const ids = validateEmployees(read.records).employees.map((e) => e.externalId)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBe(sizes.chaos)
      expect(read.end.complete).toBe(true)
    })

    if (harness.readsInOneRequest === true) {
      it('fails a read whose one request fails for good, retryably, and never calls it complete', async () => {
        const s = await start(sizes.company)
        await s.chaos({ errorRate: 1 })
        const reading = readAll(connector.read(s.config, s.secret, ctx()))
        await expect(reading).rejects.toMatchObject({
          code: 'upstream_unavailable',
          retryable: true,
        })
      })
    } else {
      it('makes a read incomplete when a page fails for good, and says so', async () => {
        const s = await start(sizes.company)
        const read = await readAll(connector.read(s.config, s.secret, ctx()), async (page) => {
          if (page === 1) await s.chaos({ errorRate: 1 })
        })
        expect(read.end.complete).toBe(false)
        expect(read.end.issues.map((i) => i.message).join('\n')).toMatch(/leaver/)
      })
    }

    it('refuses credentials that were replaced by new ones', async () => {
      const s = await start(5)
      expect((await connector.check(s.config, s.secret, ctx())).ok).toBe(true)
      await s.rotate()
      const again = await connector.check(s.config, s.secret, ctx())
      expect(again).toMatchObject({ ok: false, error: { code: 'auth_failed' } })
      const reading = readAll(connector.read(s.config, s.secret, ctx()))
      await expect(reading).rejects.toMatchObject({ code: 'auth_failed' })
    })

    it('stays under the rate limit: no 429 in a read of many pages', async () => {
      const s = await start(sizes.many)
      const read = await readAll(connector.read(s.config, s.secret, ctx()))
      expect(validateEmployees(read.records).employees).toHaveLength(sizes.many)
      expect(s.stats().tooMany).toBe(0)
    })
  })
}
