import { describe, expect, it } from 'vitest'

import { loadConfigFile } from '../../src/config/config-file.ts'
import { initTemplate } from '../../src/config/init-template.ts'
import { bamboohrConnector } from '../../src/connectors/bamboohr/bamboohr-connector.ts'
import { BambooHRConfig } from '../../src/connectors/bamboohr/bamboohr-config.ts'
import type { BambooHRSecret } from '../../src/connectors/bamboohr/bamboohr-config.ts'
import { SyncError } from '../../src/core/errors.ts'
import { validateEmployees } from '../../src/core/model/validate-employees.ts'
import { Engine } from '../../src/engine/engine.ts'
import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import { Vault, generateKey } from '../../src/storage/vault.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import type { BambooPerson } from '../../sim/bamboohr/bamboohr-fields.ts'
import { startBambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import type { BambooHRSimOptions } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import { generateCompany } from '../../sim/shared/generate-company.ts'
import { fakeEnv } from '../fixtures/config/fake-sources.ts'
import { connectorContract, ctx, readAll } from './connector-contract.ts'
import type { ConnectorHarness, Expected } from './connector-contract.ts'

const TODAY = new Date().toISOString().slice(0, 10)
const SEED = 7

const expected = (people: readonly BambooPerson[], departments: Map<number, string>): Expected[] =>
  people.map(({ id, status, hireDate, departmentId, supervisorId, ...p }) => ({
    externalId: String(id),
    firstName: p.firstName,
    lastName: p.lastName,
    workEmail: p.workEmail,
    employeeNumber: p.employeeNumber,
    hireDate,
    terminationDate: p.terminationDate,
    // a future hire whose record has no hire date reads as active: nothing says otherwise
    status:
      status === 'inactive'
        ? 'terminated'
        : status === 'onboarding' && hireDate === null
          ? 'active'
          : status,
    department: departments.get(departmentId) ?? null,
    supervisorExternalId: supervisorId === null ? null : String(supervisorId),
  }))

/** A simulator, and the connection to it that a user would write. */
async function simulator(options: BambooHRSimOptions = {}) {
  const sim = await startBambooHRSim({ seed: SEED, today: TODAY, latencyMs: 2, ...options })
  const [apiKey] = sim.apiKeys
  if (!apiKey) throw new Error('no API key')
  const config = BambooHRConfig.parse({ companyDomain: sim.companyDomain, baseUrl: sim.url })
  return { sim, config, secret: { apiKey: apiKey.key } }
}

const harness: ConnectorHarness<BambooHRConfig, BambooHRSecret> = {
  connector: bamboohrConnector,
  readsDepartments: true,
  readsInOneRequest: true,
  async start({ employees }) {
    const { sim, config, secret } = await simulator({ employees })
    const departments = new Map(
      generateCompany({ employees, seed: SEED, today: TODAY }).departments.map((d) => [
        d.id,
        d.name,
      ]),
    )
    return {
      config,
      secret,
      wrongSecret: { apiKey: 'not-the-key-0123456789' },
      expected: () => expected(sim.admin.employees(), departments),
      restricted: () => {
        const key = sim.admin.addApiKey({ hidden: ['workEmail', 'terminationDate', 'department'] })
        return Promise.resolve({ apiKey: key.key })
      },
      edit: (count) =>
        Promise.resolve(
          sim.admin
            .employees()
            .slice(0, count)
            .map((p) =>
              String(sim.admin.editEmployee(p.id, { position: `Edited ${String(p.id)}` }).id),
            ),
        ),
      rotate: () => Promise.resolve(void sim.admin.rotateApiKey(secret.apiKey)),
      chaos: (chaos) => {
        sim.admin.setChaos(chaos)
        return Promise.resolve()
      },
      stats: () => {
        const s = sim.stats()
        return { requests: s.requests, tooMany: s.rateLimited, auth: 0 }
      },
      close: () => sim.close(),
    }
  },
}

connectorContract('BambooHR', harness)

describe('BambooHR connector, beyond the contract', { timeout: 60_000 }, () => {
  it('reads a company in one report when the sync says what it reads, and nothing else', async () => {
    const { sim, config, secret } = await simulator({ employees: 300 })
    try {
      const fields = ['workEmail', 'hireDate', 'department', 'custom.customShirtSize']
      const read = await readAll(bamboohrConnector.read(config, secret, ctx(), { fields }))
      const { employees, invalid } = validateEmployees(read.records)
      expect(invalid).toEqual([])
      expect(employees).toHaveLength(300)
      expect(sim.stats().requests).toBe(1)
      // the IBAN (a custom field nobody maps) and the phones stay in BambooHR
      expect(employees.every((e) => e.mobilePhone === null && !('4052' in e.custom))).toBe(true)
      expect(employees.some((e) => e.custom['customShirtSize']?.value !== null)).toBe(true)
      expect([...(read.end.readableFields ?? [])].sort()).toEqual(
        ['custom.customShirtSize', 'department', 'externalId', 'hireDate', 'workEmail'].sort(),
      )
    } finally {
      await sim.close()
    }
  })

  it('reads every custom field by alias or id, 0000-00-00 as no date, and who has no hire date', async () => {
    const { sim, config, secret } = await simulator({ employees: 200, withoutHireDate: 0.1 })
    try {
      const read = await readAll(bamboohrConnector.read(config, secret, ctx()))
      const { employees } = validateEmployees(read.records)
      const withoutHire = sim.admin.employees().filter((p) => p.hireDate === null)
      expect(withoutHire.length).toBeGreaterThan(5)
      const byId = new Map(employees.map((e) => [e.externalId, e]))
      for (const p of withoutHire) expect(byId.get(String(p.id))?.hireDate).toBeNull()
      const sample = employees.find((e) => e.custom['customAnniversaryDate']?.value !== null)
      expect(sample?.custom['customAnniversaryDate']).toMatchObject({
        label: 'Anniversary date',
        type: 'date',
        value: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown,
      })
      expect(employees[0]?.custom['4052']).toMatchObject({ label: 'IBAN', type: 'text' })
      expect(employees[0]?.custom['customShirtSize']?.type).toBe('options')
      const ceo = byId.get('1')
      expect(ceo?.legalEntity?.name).toMatch(/Nordlicht/)
      expect(ceo?.office?.name).toBeDefined()
      expect(ceo?.sourceUpdatedAt).toMatch(/Z$/)
      const fields = await bamboohrConnector.discoverFields(config, secret, ctx())
      if (!fields.ok) throw fields.error
      expect(fields.value.find((f) => f.key === 'division')).toMatchObject({
        path: 'legalEntity',
        custom: false,
      })
      expect(fields.value.find((f) => f.key === '4052')).toMatchObject({
        path: 'custom.4052',
        label: 'IBAN',
        custom: true,
      })
    } finally {
      await sim.close()
    }
  })

  it('reads changes in two requests, and says who was deleted', async () => {
    const { sim, config, secret } = await simulator({ employees: 100 })
    try {
      const full = await readAll(bamboohrConnector.read(config, secret, ctx()))
      sim.admin.editEmployee(10, { position: 'Chief of Staff' })
      sim.admin.terminateEmployee(11, { terminationDate: TODAY })
      sim.admin.deleteEmployee(12)
      sim.admin.resetStats()
      const since = full.end.watermark ?? ''
      const changes = await readAll(bamboohrConnector.read(config, secret, ctx(), { since }))
      const { employees } = validateEmployees(changes.records)
      expect(employees.map((e) => e.externalId).sort()).toEqual(['10', '11'])
      expect(employees.find((e) => e.externalId === '11')?.status).toBe('terminated')
      expect(changes.end.issues).toMatchObject([{ code: 'deleted_in_source', record: '12' }])
      expect(sim.stats().requests).toBe(2)
      // nothing changed since: one request, nobody
      const later = new Date(Date.now() + 60_000).toISOString()
      const none = await readAll(bamboohrConnector.read(config, secret, ctx(), { since: later }))
      expect(none.records).toEqual([])
      expect(sim.stats().requests).toBe(3)
    } finally {
      await sim.close()
    }
  })

  it('waits out a 429 or a 503 with Retry-After, for every request at once', async () => {
    const { sim, config, secret } = await simulator({
      employees: 20,
      rateLimit: { windows: [{ limit: 2, windowMs: 1000 }] },
      throttleStatus: 503,
    })
    try {
      const checks = await Promise.all(
        Array.from({ length: 5 }, () => bamboohrConnector.check(config, secret, ctx())),
      )
      expect(checks.every((c) => c.ok)).toBe(true)
      expect(sim.stats().routes['POST /v1/reports/custom']?.statuses['503']).toBeGreaterThan(0)
    } finally {
      await sim.close()
    }
  })

  it('paces itself: many requests at once meet no refusal at the default pace', async () => {
    const { sim, config, secret } = await simulator({ employees: 10 })
    try {
      const checks = await Promise.all(
        Array.from({ length: 12 }, () => bamboohrConnector.check(config, secret, ctx())),
      )
      expect(checks.every((c) => c.ok)).toBe(true)
      expect(sim.stats().rateLimited).toBe(0)
    } finally {
      await sim.close()
    }
  })

  it('says which company it does not know, and never shows the API key', async () => {
    const { sim, secret } = await simulator({ employees: 5 })
    try {
      const config = BambooHRConfig.parse({ companyDomain: 'globex', baseUrl: sim.url })
      const result = await bamboohrConnector.check(config, secret, ctx())
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_config' } })
      if (result.ok) return
      expect(result.error.message).toContain('"globex"')
      expect(result.error).toBeInstanceOf(SyncError)
      expect(JSON.stringify([result.error.message, String(result.error.cause)])).not.toContain(
        secret.apiKey,
      )
    } finally {
      await sim.close()
    }
  })

  it('calls BambooHR at {companyDomain}.bamboohr.com unless baseUrl says otherwise', async () => {
    const urls: string[] = []
    const fetchSpy: typeof fetch = (input) => {
      urls.push(String(input instanceof Request ? input.url : input))
      return Promise.resolve(
        new Response(JSON.stringify({ fields: [], employees: [] }), {
          headers: { 'content-type': 'application/json' },
        }),
      )
    }
    const config = BambooHRConfig.parse({ companyDomain: 'https://acme.bamboohr.com/home' })
    expect(config.companyDomain).toBe('acme')
    await bamboohrConnector.check(config, { apiKey: 'k' }, { ...ctx(), fetch: fetchSpy })
    const gateway = BambooHRConfig.parse({
      companyDomain: 'acme',
      baseUrl: 'https://api.bamboohr.com/',
    })
    await bamboohrConnector.check(gateway, { apiKey: 'k' }, { ...ctx(), fetch: fetchSpy })
    expect(urls).toEqual([
      'https://acme.bamboohr.com/api/v1/reports/custom?format=JSON&onlyCurrent=true',
      'https://api.bamboohr.com/api/gateway.php/acme/v1/reports/custom?format=JSON&onlyCurrent=true',
    ])
    expect(BambooHRConfig.safeParse({ companyDomain: 'not a domain' }).success).toBe(false)
  })

  it('syncs only employees with a hire date unless the file says otherwise, as hris-sync init writes it', async () => {
    // the sources as main.ts hands them to the CLI: the connector's schemas, nothing else
    const sources = {
      bamboohr: { config: bamboohrConnector.configSchema, secret: bamboohrConnector.secretSchema },
    }
    const loaded = loadConfigFile(initTemplate({ connector: 'bamboohr' }), {
      env: fakeEnv,
      sources,
    })
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error))
    expect(loaded.value.sync.filter).toEqual(bamboohrConnector.defaultFilter)

    // a file that names no filter gets the connector's from the engine; `filter: null` is none
    const { sim, secret } = await simulator({ employees: 40, withoutHireDate: 0.15 })
    const store = new SqlStore(await createDb({ databaseUrl: null, dataDir: 'memory' }))
    try {
      const engine = new Engine({
        store,
        connectors: { bamboohr: bamboohrConnector },
        vault: new Vault(generateKey()),
        target: (workspaceId) => new DirectoryTarget(store.directory(workspaceId)),
        now: () => new Date(),
      })
      const workspace = await store.ensureWorkspace('default')
      const withoutHire = sim.admin
        .employees()
        .filter((p) => p.hireDate === null)
        .map((p) => `person:${String(p.id)}`)
        .sort()
      expect(withoutHire.length).toBeGreaterThan(0)
      const source = `connection:\n  source:\n    connector: bamboohr\n    companyDomain: ${sim.companyDomain}\n    baseUrl: ${sim.url}\n`
      // as "hris-sync plan" does: the file's connection and sync config stored, then a preview
      const planned = async (extra: string) => {
        const file = loadConfigFile(`${source}${extra}`, { env: {}, sources })
        if (!file.ok) throw new Error(JSON.stringify(file.error))
        const connection = await engine.connect({
          workspaceId: workspace.id,
          name: file.value.connection.name,
          connector: file.value.connection.source.connector,
          config: Object.fromEntries(
            Object.entries(file.value.connection.source).filter(([k]) => k !== 'connector'),
          ),
          secret,
        })
        await engine.configure(connection, file.value.sync, file.value.schedule)
        const { plan } = await engine.preview(connection)
        return plan.changes.filter((c) => c.reason === 'filtered_out').map((c) => c.id)
      }
      expect((await planned('')).sort()).toEqual(withoutHire)
      expect(await planned('filter: null\n')).toEqual([])
    } finally {
      await store.close()
      await sim.close()
    }
  })
})
