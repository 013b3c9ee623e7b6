import { describe, expect, it } from 'vitest'

import { personioConnector } from '../../src/connectors/personio/personio-connector.ts'
import { PersonioConfig } from '../../src/connectors/personio/personio-config.ts'
import type { PersonioSecret } from '../../src/connectors/personio/personio-config.ts'
import type { SyncError } from '../../src/core/errors.ts'
import { isSourcePath, sourceRoot } from '../../src/core/model/source-path.ts'
import { validateEmployees } from '../../src/core/model/validate-employees.ts'
import { SyncConfig, connectionFieldIssues } from '../../src/core/plan/sync-config.ts'
import { ATTRIBUTES } from '../../sim/personio/personio-attributes.ts'
import { fakeClock } from '../../sim/personio/personio-test-kit.ts'
import type { CredentialOptions, Scope } from '../../sim/personio/personio-state.ts'
import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../../sim/personio/start-personio-sim.ts'
import { generateCompany } from '../../sim/shared/generate-company.ts'
import type { Person } from '../../sim/shared/company.ts'
import { connectorContract, ctx, readAll } from './connector-contract.ts'
import type { ConnectorHarness, Expected } from './connector-contract.ts'

const TODAY = new Date().toISOString().slice(0, 10)
const SEED = 7

const expected = (people: readonly Person[], departments: Map<number, string>): Expected[] =>
  people.map((p) => ({
    externalId: String(p.id),
    firstName: p.firstName,
    lastName: p.lastName,
    workEmail: p.workEmail,
    employeeNumber: p.employeeNumber,
    hireDate: p.hireDate,
    terminationDate: p.terminationDate,
    status:
      p.status === 'inactive' && p.terminationDate !== null && p.terminationDate <= TODAY
        ? 'terminated'
        : p.status,
    department: departments.get(p.departmentId) ?? null,
    supervisorExternalId: p.supervisorId === null ? null : String(p.supervisorId),
  }))

const HIDDEN = new Set(['email', 'termination_date', 'department'])

function harness(apiVersion: 'v1' | 'v2'): ConnectorHarness<PersonioConfig, PersonioSecret> {
  return {
    connector: personioConnector,
    readsDepartments: apiVersion === 'v1',
    // v2 needs a request per person for the employment: smaller companies, the same cases
    ...(apiVersion === 'v2' ? { sizes: { company: 120, chaos: 80, many: 120 } } : {}),
    async start({ employees }) {
      // v2 persons and employments have no documented limit: the simulator applies the v1 pace
      const pace = {
        windows: [
          { limit: 300, windowMs: 60_000 },
          { limit: 15, windowMs: 1000 },
        ],
      }
      const sim = await startPersonioSim({
        employees,
        seed: SEED,
        today: TODAY,
        latencyMs: 2,
        rateLimits: { v2Persons: pace, v2Employments: pace },
      })
      const departments = new Map(
        generateCompany({ employees, seed: SEED, today: TODAY }).departments.map((d) => [
          d.id,
          d.name,
        ]),
      )
      const [credential] = sim.credentials
      if (!credential) throw new Error('no credential')
      const secret = { clientId: credential.clientId, clientSecret: credential.clientSecret }
      return {
        config: PersonioConfig.parse({ baseUrl: sim.url, apiVersion, appId: 'contract-test' }),
        secret,
        wrongSecret: { ...secret, clientSecret: 'not-the-secret-0123456789' },
        expected: () => expected(sim.admin.employees(), departments),
        restricted: () => {
          const c = sim.admin.addCredential({
            attributes: ATTRIBUTES.map((a) => a.key).filter((k) => !HIDDEN.has(k)),
          })
          return Promise.resolve({ clientId: c.clientId, clientSecret: c.clientSecret })
        },
        edit: (count) => {
          const ids = sim.admin
            .employees()
            .slice(0, count)
            .map((p) => sim.admin.editEmployee(p.id, { position: `Edited ${String(p.id)}` }).id)
          return Promise.resolve(ids.map(String))
        },
        rotate: () => {
          sim.admin.rotateCredential(credential.clientId)
          return Promise.resolve()
        },
        chaos: (chaos) => {
          sim.admin.setChaos(chaos)
          return Promise.resolve()
        },
        stats: () => {
          const s = sim.stats()
          const auth = Object.entries(s.routes)
            .filter(([route]) => route.includes('auth'))
            .reduce((n, [, r]) => n + r.requests, 0)
          return { requests: s.requests, tooMany: s.rateLimited, auth }
        },
        close: () => sim.close(),
      }
    },
  }
}

connectorContract('Personio v1', harness('v1'))
connectorContract('Personio v2', harness('v2'))

describe('Personio connector, beyond the contract', { timeout: 60_000 }, () => {
  it('reads labels in German by their keys, and sends the app id', async () => {
    const sim = await startPersonioSim({ employees: 40, seed: SEED, today: TODAY, language: 'de' })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url, appId: 'acme-hr-sync' })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      const read = await readAll(personioConnector.read(config, secret, ctx()))
      const { employees, invalid } = validateEmployees(read.records)
      expect(invalid).toEqual([])
      expect(employees).toHaveLength(40)
      expect(employees.every((e) => e.firstName !== null && e.hireDate !== null)).toBe(true)
      const fields = await personioConnector.discoverFields(config, secret, ctx())
      if (!fields.ok) throw fields.error
      expect(fields.value.find((f) => f.path === 'terminationDate')?.label).toBe('Austrittsdatum')
      expect(sim.stats().appIds).toEqual(['acme-hr-sync'])
    } finally {
      await sim.close()
    }
  })

  it('asks for a token once per credential and reuses it across reads', async () => {
    const sim = await startPersonioSim({ employees: 250, seed: SEED, today: TODAY })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      await readAll(personioConnector.read(config, secret, ctx()))
      await readAll(personioConnector.read(config, secret, ctx(), { sizeHint: 250 }))
      const routes = sim.stats().routes
      expect(routes['POST /v1/auth']?.requests).toBe(1)
      // 3 pages a read: the second asked for all three at once
      expect(routes['GET /v1/company/employees']?.requests).toBe(6)
    } finally {
      await sim.close()
    }
  })

  it('asks Personio only for the attributes the sync reads', async () => {
    const sim = await startPersonioSim({ employees: 120, seed: SEED, today: TODAY })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      const fields = ['workEmail', 'employeeNumber', 'department', 'custom.dynamic_1146706']
      const read = await readAll(personioConnector.read(config, secret, ctx(), { fields }))
      const { employees } = validateEmployees(read.records)
      expect(employees).toHaveLength(120)
      const e = employees.find((x) => x.department !== null && x.employeeNumber !== null)
      expect(e?.workEmail).toMatch(/@/)
      // what nobody maps stays in Personio: the IBAN, the salary, the birthday
      expect(employees.every((x) => x.salary === null && !('dynamic_21827' in x.custom))).toBe(true)
      expect(employees.some((x) => 'dynamic_1146706' in x.custom)).toBe(true)
      expect(read.end.readableFields).not.toContain('salary')
      expect(read.end.readableFields).toEqual(
        expect.arrayContaining([...fields, 'terminationDate']),
      )
      // and an incremental read asks for the same attributes
      await readAll(
        personioConnector.read(config, secret, ctx(), { fields, since: read.end.watermark ?? '' }),
      )
      expect(sim.stats().routes['GET /v1/company/employees/attributes']?.requests).toBe(1)
    } finally {
      await sim.close()
    }
  })

  it('asks for a new token when the old one has expired (24 h)', async () => {
    const clock = fakeClock()
    const sim = await startPersonioSim({ employees: 30, seed: SEED, now: clock.now })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url, appId: 'token-expiry' })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      await readAll(personioConnector.read(config, secret, { now: clock.now }))
      clock.advance(25 * 60 * 60 * 1000)
      const again = await readAll(personioConnector.read(config, secret, { now: clock.now }))
      expect(validateEmployees(again.records).employees).toHaveLength(30)
      expect(sim.stats().routes['POST /v1/auth']?.requests).toBe(2)
    } finally {
      await sim.close()
    }
  })

  it('v2: stops at a next link that repeats, and calls the read incomplete', async () => {
    const sim = await startPersonioSim({
      employees: 60,
      seed: SEED,
      today: TODAY,
      chaos: { repeatNextRate: 1 },
    })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url, apiVersion: 'v2' })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      const read = await readAll(personioConnector.read(config, secret, ctx()))
      expect(read.end.complete).toBe(false)
      expect(read.end.issues.map((i) => i.message).join('\n')).toContain('same next page twice')
      expect(validateEmployees(read.records).employees.length).toBeLessThanOrEqual(60)
    } finally {
      await sim.close()
    }
  })

  it.each([
    [
      'a cursor that does not move on (a page of people already read)',
      60,
      { stuckCursorRate: 1 },
      'already read after the first 50 (its cursor did not move on)',
    ],
    [
      'an empty page that still links to a next one',
      120,
      { emptyPageRate: 1 },
      'an empty page of persons after the first 50, yet a next page',
    ],
  ] as const)('v2: %s ends the read incomplete', async (_, employees, chaos, said) => {
    const sim = await startPersonioSim({ employees, seed: SEED, today: TODAY, chaos })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url, apiVersion: 'v2' })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      const read = await readAll(personioConnector.read(config, secret, ctx()))
      expect(read.end.complete).toBe(false)
      const messages = read.end.issues.map((i) => i.message).join('\n')
      expect(messages).toContain(said)
      expect(messages).toContain('nobody is marked a leaver for being missing')
      expect(validateEmployees(read.records).employees).toHaveLength(50)
      expect(sim.stats().routes['GET /v2/persons']?.requests).toBe(2)
    } finally {
      await sim.close()
    }
  })

  it('a first read asks for the other pages as soon as the first answer gives the total, before that page is taken', async () => {
    const sim = await startPersonioSim({ employees: 430, seed: SEED, today: TODAY, latencyMs: 5 })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      const reading = personioConnector.read(config, secret, ctx(), {})
      const first = await reading.next()
      if (first.done === true) throw new Error('no page')
      // the first page is in hand and nobody has asked for the next: the other four are on their way
      await new Promise((resolve) => setTimeout(resolve, 200))
      const asked = () => sim.stats().routes['GET /v1/company/employees']?.requests ?? 0
      expect(asked()).toBe(5)
      const rest = await readAll(reading)
      expect(first.value.records.length + rest.records.length).toBe(430)
      expect(rest.end.complete).toBe(true)
      expect(asked()).toBe(5)
    } finally {
      await sim.close()
    }
  })

  it('reads a company that grew past the size hint, and one that shrank below it', async () => {
    const sim = await startPersonioSim({ employees: 230, seed: SEED, today: TODAY })
    try {
      const [c] = sim.credentials
      if (!c) throw new Error('no credential')
      const config = PersonioConfig.parse({ baseUrl: sim.url })
      const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
      const grew = await readAll(personioConnector.read(config, secret, ctx(), { sizeHint: 90 }))
      expect(grew.end.complete).toBe(true)
      expect(validateEmployees(grew.records).employees).toHaveLength(230)
      const shrank = await readAll(personioConnector.read(config, secret, ctx(), { sizeHint: 900 }))
      expect(shrank.end.complete).toBe(true)
      expect(validateEmployees(shrank.records).employees).toHaveLength(230)
    } finally {
      await sim.close()
    }
  })
})

describe('Personio errors a person can act on', { timeout: 60_000 }, () => {
  const SCREEN = 'In Personio, Settings → Integrations → API credentials'
  const start = async (credentials: CredentialOptions[]) => {
    const sim = await startPersonioSim({ employees: 12, seed: SEED, today: TODAY, credentials })
    const secrets = sim.credentials.map((c) => ({
      clientId: c.clientId,
      clientSecret: c.clientSecret,
    }))
    const config = (apiVersion: 'v1' | 'v2') =>
      PersonioConfig.parse({ baseUrl: sim.url, apiVersion })
    return { sim, secrets, config }
  }
  const failure = async (result: Promise<{ ok: boolean; error?: unknown }>) => {
    const r = await result
    if (r.ok) throw new Error('expected a failure')
    const error = r.error as SyncError
    return { code: error.code, message: error.message }
  }

  it('auth_failed "Personio rejected the client id or secret": a wrong secret (v1 401, v2 unauthorized_client), an unknown client (v2 invalid_client)', async () => {
    const { sim, secrets, config } = await start([{ attributes: 'all' }])
    try {
      const [secret] = secrets
      if (!secret) throw new Error('no credential')
      const wrong = { ...secret, clientSecret: 'papi-not-the-secret' }
      const unknown = { clientId: 'papi-nobody', clientSecret: 'papi-not-the-secret' }
      const expected = {
        code: 'auth_failed',
        message:
          'Personio rejected the client id or secret: check them, or generate new credentials in Personio (Settings → Integrations → API credentials) and store them with "hris-sync connect"',
      }
      for (const [apiVersion, s] of [
        ['v1', wrong],
        ['v2', wrong],
        ['v2', unknown],
      ] as const) {
        expect(await failure(personioConnector.check(config(apiVersion), s, ctx()))).toEqual(
          expected,
        )
      }
    } finally {
      await sim.close()
    }
  })

  it('v1: no read access to Employees is permission_denied saying to tick it, in check, fields and read', async () => {
    const { sim, secrets, config } = await start([
      { attributes: 'all', scopes: ['personio:persons:read', 'personio:employments:read'] },
    ])
    try {
      const [secret] = secrets
      if (!secret) throw new Error('no credential')
      const refused = (what: string) => ({
        code: 'permission_denied',
        message: `Personio refused ${what} (Provided authorization is not valid): this API credential may not read it. ${SCREEN}, tick Read for Employees`,
      })
      expect(await failure(personioConnector.check(config('v1'), secret, ctx()))).toEqual(
        refused('GET /v1/company/employees'),
      )
      const fields = await failure(personioConnector.discoverFields(config('v1'), secret, ctx()))
      expect(fields.code).toBe('permission_denied')
      expect(fields.message).toContain(`${SCREEN}, tick Read for Employees`)
      await expect(
        readAll(personioConnector.read(config('v1'), secret, ctx())),
      ).rejects.toMatchObject(refused('GET /v1/company/employees'))
    } finally {
      await sim.close()
    }
  })

  it('v2: a credential without the employments scope is refused its token (invalid_scope): permission_denied naming the scopes', async () => {
    const { sim, secrets, config } = await start([
      { attributes: 'all', scopes: ['employees:read', 'personio:persons:read'] },
    ])
    try {
      const [secret] = secrets
      if (!secret) throw new Error('no credential')
      const expected = {
        code: 'permission_denied',
        message:
          'Personio refused this credential the access a read needs (invalid_scope: One of the requested scopes is invalid.): in Personio, Settings → Integrations → API credentials, give it read access to Persons and Employments (scopes personio:persons:read and personio:employments:read) and the employee attributes to sync',
      }
      expect(await failure(personioConnector.check(config('v2'), secret, ctx()))).toEqual(expected)
      await expect(
        readAll(personioConnector.read(config('v2'), secret, ctx())),
      ).rejects.toMatchObject(expected)
      // refused once each, not retried
      expect(sim.stats().routes['POST /v2/auth/token']?.statuses).toEqual({ 400: 2 })
    } finally {
      await sim.close()
    }
  })

  it('a scope taken away while the connector holds its token: 403 → permission_denied naming it (v2 persons, v2 employments, v1)', async () => {
    const { sim, secrets, config } = await start([{ attributes: 'all' }])
    try {
      const [secret] = secrets
      if (!secret) throw new Error('no credential')
      const read = (apiVersion: 'v1' | 'v2') =>
        readAll(personioConnector.read(config(apiVersion), secret, ctx()))
      await read('v2')
      await read('v1')
      const take = (scopes: Scope[]) => sim.admin.setCredentialAccess(secret.clientId, { scopes })
      take(['employees:read', 'personio:persons:read'])
      await expect(read('v2')).rejects.toMatchObject({
        code: 'permission_denied',
        message: `Personio refused GET /v2/persons/{id}/employments (The access token does not grant the scope this endpoint requires.): this API credential may not read it. ${SCREEN}, give it read access to Employments (scope personio:employments:read)`,
      })
      take(['employees:read', 'personio:employments:read'])
      await expect(read('v2')).rejects.toMatchObject({
        code: 'permission_denied',
        message: `Personio refused GET /v2/persons (The access token does not grant the scope this endpoint requires.): this API credential may not read it. ${SCREEN}, give it read access to Persons (scope personio:persons:read)`,
      })
      take(['personio:persons:read', 'personio:employments:read'])
      await expect(read('v1')).rejects.toMatchObject({
        code: 'permission_denied',
        message: expect.stringContaining(`${SCREEN}, tick Read for Employees`) as unknown,
      })
      // no new token was asked for: a 403 is not a 401
      const auth = sim.stats().routes
      expect(auth['POST /v1/auth']?.requests).toBe(1)
      expect(auth['POST /v2/auth/token']?.requests).toBe(1)
    } finally {
      await sim.close()
    }
  })
})

describe('Personio tokens: renewed once on a 401, never in a loop', { timeout: 60_000 }, () => {
  const AUTH_ROUTE = { v1: 'POST /v1/auth', v2: 'POST /v2/auth/token' } as const
  const DATA_ROUTE = { v1: 'GET /v1/company/employees', v2: 'GET /v2/persons' } as const
  const connect = (sim: PersonioSim, apiVersion: 'v1' | 'v2') => {
    const [c] = sim.credentials
    if (!c) throw new Error('no credential')
    return {
      config: PersonioConfig.parse({ baseUrl: sim.url, apiVersion }),
      secret: { clientId: c.clientId, clientSecret: c.clientSecret },
    }
  }

  it.each(['v1', 'v2'] as const)(
    '%s: tokens Personio revoked while the connector holds one: the read succeeds with exactly one more token request',
    async (apiVersion) => {
      const employees = apiVersion === 'v1' ? 250 : 60
      const sim = await startPersonioSim({ employees, seed: SEED, today: TODAY })
      try {
        const { config, secret } = connect(sim, apiVersion)
        await readAll(personioConnector.read(config, secret, ctx()))
        expect(sim.admin.revokeTokens(secret.clientId)).toBe(1)
        // v1 asks for its three pages at once: each meets the 401, one token request serves all
        const again = await readAll(
          personioConnector.read(config, secret, ctx(), { sizeHint: employees }),
        )
        expect(again.end.complete).toBe(true)
        expect(validateEmployees(again.records).employees).toHaveLength(employees)
        const routes = sim.stats().routes
        expect(routes[AUTH_ROUTE[apiVersion]]?.requests).toBe(2)
        expect(routes[DATA_ROUTE[apiVersion]]?.statuses['401']).toBeGreaterThanOrEqual(1)
      } finally {
        await sim.close()
      }
    },
  )

  it('a token that expired on Personio’s clock but not on the connector’s: renewed once on the 401', async () => {
    const clock = fakeClock()
    const sim = await startPersonioSim({ employees: 30, seed: SEED, now: clock.now })
    try {
      const { config, secret } = connect(sim, 'v1')
      await readAll(personioConnector.read(config, secret, ctx()))
      clock.advance(25 * 60 * 60 * 1000)
      const again = await readAll(personioConnector.read(config, secret, ctx()))
      expect(validateEmployees(again.records).employees).toHaveLength(30)
      const routes = sim.stats().routes
      expect(routes['POST /v1/auth']?.requests).toBe(2)
      expect(routes['GET /v1/company/employees']?.statuses).toEqual({ 200: 2, 401: 1 })
    } finally {
      await sim.close()
    }
  })

  it.each(['v1', 'v2'] as const)(
    '%s: a 401 right after the renewal is auth_failed, after one renewal and no more',
    async (apiVersion) => {
      const sim = await startPersonioSim({
        employees: 30,
        seed: SEED,
        today: TODAY,
        chaos: { lostTokenRate: 1 },
      })
      try {
        const { config, secret } = connect(sim, apiVersion)
        await expect(readAll(personioConnector.read(config, secret, ctx()))).rejects.toMatchObject({
          code: 'auth_failed',
          message: expect.stringMatching(/^Personio rejected the client id or secret: /) as unknown,
        })
        const routes = sim.stats().routes
        expect(routes[AUTH_ROUTE[apiVersion]]?.requests).toBe(2)
        expect(routes[DATA_ROUTE[apiVersion]]?.statuses).toEqual({ 401: 2 })
      } finally {
        await sim.close()
      }
    },
  )
})

describe(
  'Personio fields: every readable attribute, and what a missing one disables',
  { timeout: 60_000 },
  () => {
    it('v1 lists every attribute the credential reads once, each under a path a mapping can read', async () => {
      const sim = await startPersonioSim({ employees: 40, seed: SEED, today: TODAY })
      try {
        const [c] = sim.credentials
        if (!c) throw new Error('no credential')
        const config = PersonioConfig.parse({ baseUrl: sim.url })
        const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
        const result = await personioConnector.discoverFields(config, secret, ctx())
        if (!result.ok) throw result.error
        const fields = result.value
        expect(fields.map((f) => f.key).sort()).toEqual(ATTRIBUTES.map((a) => a.key).sort())
        expect(new Set(fields.map((f) => f.path)).size).toBe(fields.length)
        for (const f of fields) expect(isSourcePath(f.path), f.path).toBe(true)
        const byKey = new Map(fields.map((f) => [f.key, f]))
        expect(byKey.get('termination_type')).toMatchObject({
          path: 'custom.termination_type',
          label: 'Termination type',
          type: 'text',
          custom: false,
        })
        expect(byKey.get('fix_salary')).toMatchObject({ path: 'salary.amount', custom: false })
        expect(byKey.get('hourly_salary')).toMatchObject({
          path: 'custom.hourly_salary',
          type: 'number',
          custom: false,
        })
        expect(byKey.get('contract_end_date')).toMatchObject({
          path: 'custom.contract_end_date',
          type: 'date',
        })
        expect(byKey.get('holiday_calendar')?.sample).toEqual(expect.any(String))
        expect(byKey.get('absence_entitlement')).toMatchObject({ type: 'list' })
        expect(byKey.get('dynamic_1146706')).toMatchObject({
          path: 'custom.dynamic_1146706',
          custom: true,
        })
        // a mapping reads them: asked for by key, and nothing else of the kind comes along
        const read = await readAll(
          personioConnector.read(config, secret, ctx(), {
            fields: ['custom.termination_type', 'custom.hourly_salary'],
          }),
        )
        const employees = validateEmployees(read.records).employees
        const leaver = employees.find((e) => e.terminationDate !== null)
        expect(leaver?.custom['termination_type']?.value).toEqual(expect.any(String))
        expect(employees.every((e) => e.custom['hourly_salary']?.type === 'number')).toBe(true)
        expect(employees.every((e) => !('vacation_day_balance' in e.custom))).toBe(true)
        expect(read.end.readableFields).toEqual(
          expect.arrayContaining(['custom.termination_type', 'custom.hourly_salary']),
        )
      } finally {
        await sim.close()
      }
    })

    it('v2 lists the employment fields the model has no field for under the v1 keys', async () => {
      const sim = await startPersonioSim({ employees: 40, seed: SEED, today: TODAY })
      try {
        const [c] = sim.credentials
        if (!c) throw new Error('no credential')
        const config = PersonioConfig.parse({ baseUrl: sim.url, apiVersion: 'v2' })
        const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
        const result = await personioConnector.discoverFields(config, secret, ctx())
        if (!result.ok) throw result.error
        const paths = result.value.map((f) => f.path)
        expect(paths).toEqual(
          expect.arrayContaining(['custom.contract_end_date', 'custom.probation_period_end']),
        )
        expect(new Set(paths).size).toBe(paths.length)
        const read = await readAll(personioConnector.read(config, secret, ctx()))
        const employees = validateEmployees(read.records).employees
        const leaver = employees.find((e) => e.terminationDate !== null)
        expect(leaver?.custom['termination_type']?.value).toEqual(expect.any(String))
        expect(employees.every((e) => e.custom['contract_end_date']?.type === 'date')).toBe(true)
      } finally {
        await sim.close()
      }
    })

    it.each(['v1', 'v2'] as const)(
      '%s: a credential without email, names, hire date, status nor supervisor: a warning for each, naming the attribute to tick in Personio',
      async (apiVersion) => {
        const hidden = new Set(['email', 'first_name', 'hire_date', 'status', 'supervisor'])
        const sim = await startPersonioSim({
          employees: 10,
          seed: SEED,
          today: TODAY,
          credentials: [{ attributes: ATTRIBUTES.map((a) => a.key).filter((k) => !hidden.has(k)) }],
        })
        try {
          const [c] = sim.credentials
          if (!c) throw new Error('no credential')
          const config = PersonioConfig.parse({ baseUrl: sim.url, apiVersion })
          const secret = { clientId: c.clientId, clientSecret: c.clientSecret }
          const result = await personioConnector.discoverFields(config, secret, ctx())
          if (!result.ok) throw result.error
          const readable = new Set(result.value.map((f) => sourceRoot(f.path)))
          // as the engine does for a connection (a mapping that reads none of them)
          const issues = connectionFieldIssues(
            SyncConfig.parse({
              mapping: { displayName: { from: 'lastName' } },
              identifiers: ['name'],
            }),
            readable,
            (path) => personioConnector.enableHint?.(path, config) ?? null,
          )
          const tick = (name: string) =>
            `In Personio, Settings → Integrations → API credentials, add "${name}" to this credential's readable employee attributes`
          const messages = issues.map((i) => i.message)
          for (const [label, name] of [
            ['work email', 'Email'],
            ['first name', 'First name'],
            ['hire date', 'Hire date'],
            ['status', 'Status'],
            ['supervisor', 'Supervisor'],
          ] as const) {
            const about = messages.filter((m) => m.startsWith(`${label} is not readable`))
            expect(about, label).toHaveLength(1)
            expect(about[0], label).toMatch(
              /^[a-z ]+ is not readable with these credentials: .+\. /,
            )
            expect(about[0]?.endsWith(`. ${tick(name)}`), about[0]).toBe(true)
          }
          expect(messages.some((m) => m.startsWith('last name'))).toBe(false)
          expect(messages.some((m) => m.startsWith('termination date'))).toBe(false)
        } finally {
          await sim.close()
        }
      },
    )
  },
)
