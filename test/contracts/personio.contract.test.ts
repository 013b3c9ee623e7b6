import { describe, expect, it } from 'vitest'

import { personioConnector } from '../../src/connectors/personio/personio-connector.ts'
import { PersonioConfig } from '../../src/connectors/personio/personio-config.ts'
import type { PersonioSecret } from '../../src/connectors/personio/personio-config.ts'
import { validateEmployees } from '../../src/core/model/validate-employees.ts'
import { ATTRIBUTES } from '../../sim/personio/personio-attributes.ts'
import { fakeClock } from '../../sim/personio/personio-test-kit.ts'
import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
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
