import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startBambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import type { BambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import type { Workspace } from '../../src/storage/store.ts'
import { apiHarness, applied as appliedRun, bodyOf, settled } from './api-harness.ts'
import type { Client } from './api-harness.ts'

interface ConfigBody {
  version: number | null
  config: { filter: unknown } & Record<string, unknown>
}
interface ChangeRow {
  change: { id: string; kind: string; action: string; reason: string }
}
interface Page<T> {
  total: number
  items: T[]
}

const HIRE_DATE_ONLY = { field: 'hireDate', op: 'exists' }

// a BambooHR connection made through the API, as the console makes it: nothing but the domain and
// the key, then preview and apply; its default filter is there, shown and changeable
describe('a BambooHR connection through the API', { timeout: 120_000 }, () => {
  let h: Awaited<ReturnType<typeof apiHarness>>
  let sim: BambooHRSim
  let c: Client
  let base: string
  let apiKey: string
  let workspace: Workspace
  beforeAll(async () => {
    h = await apiHarness()
    sim = await startBambooHRSim({ employees: 40, seed: 'api', withoutHireDate: 0.15 })
    apiKey = sim.apiKeys[0]?.key ?? ''
    const acme = await h.tenant('acme')
    c = h.client()
    await c.signIn(acme.email, acme.password)
    workspace = acme.workspace
    base = `/api/v1/workspaces/${workspace.id}`
  }, 60_000)
  afterAll(async () => {
    await sim.close()
    await h.close()
  })

  /** A preview of the connection, settled: its plan's id and its person changes. */
  const preview = async (connectionId: string) => {
    const started = await c.post(`${base}/connections/${connectionId}/previews`)
    expect(started.status, started.text).toBe(202)
    const run = await settled(c, workspace, bodyOf<{ run: { id: string } }>(started).run.id)
    expect(run.run.state).toBe('planned')
    const planId = run.run.planId ?? ''
    const changes: ChangeRow['change'][] = []
    for (let offset = 0; ; offset += 200) {
      const page = bodyOf<Page<ChangeRow>>(
        await c.get(
          `${base}/plans/${planId}/changes?kind=person&limit=200&offset=${String(offset)}`,
        ),
      )
      changes.push(...page.items.map((i) => i.change))
      if (changes.length >= page.total) break
    }
    return { planId, changes }
  }

  it('starts with the hire-date filter, leaves out who has none, and brings them in without it', async () => {
    const meta = bodyOf<{ connectors: { id: string; defaultFilter: unknown }[] }>(
      await c.get('/api/v1/meta'),
    )
    expect(meta.connectors.find((x) => x.id === 'bamboohr')?.defaultFilter).toEqual(HIRE_DATE_ONLY)
    expect(meta.connectors.find((x) => x.id === 'personio')?.defaultFilter).toBeNull()

    const made = await c.post(`${base}/connections`, {
      name: 'BambooHR',
      connector: 'bamboohr',
      config: { companyDomain: `${sim.companyDomain}.bamboohr.com`, baseUrl: sim.url },
      secret: { apiKey },
    })
    expect(made.status, made.text).toBe(201)
    expect(made.text).not.toContain(apiKey)
    const connectionId = bodyOf<{ connection: { id: string } }>(made).connection.id

    // nothing saved yet: the connector's default filter, shown like any other
    const configPath = `${base}/connections/${connectionId}/config`
    const initial = bodyOf<ConfigBody>(await c.get(configPath))
    expect(initial).toMatchObject({ version: null, config: { filter: HIRE_DATE_ONLY } })

    const withoutHire = sim.admin.employees().filter((p) => p.hireDate === null)
    expect(withoutHire.length).toBeGreaterThan(2)
    const ids = (people: readonly { id: number }[]) =>
      people.map((p) => `person:${String(p.id)}`).sort()

    const first = await preview(connectionId)
    const skipped = first.changes.filter((x) => x.reason === 'filtered_out')
    expect(skipped.every((x) => x.action === 'skip')).toBe(true)
    expect(skipped.map((x) => x.id).sort()).toEqual(ids(withoutHire))
    const created = first.changes.filter((x) => x.action === 'create').length
    expect(created).toBeGreaterThan(20)
    const applied = await c.post(`${base}/plans/${first.planId}/apply`, { selection: 'all' })
    expect(applied.status, applied.text).toBe(202)
    const ran = await appliedRun(c, workspace, bodyOf<{ run: { id: string } }>(applied).run.id)
    expect(ran.run.state).toBe('succeeded')
    const people = bodyOf<Page<unknown>>(await c.get(`${base}/people?limit=200`))
    expect(people.total).toBe(created)

    // the filter changed to none: the people without a hire date come in
    const saved = await c.put(configPath, { config: { ...initial.config, filter: null } })
    expect(saved.status, saved.text).toBe(200)
    expect(bodyOf<ConfigBody>(saved)).toMatchObject({ version: 1, config: { filter: null } })
    expect(bodyOf<ConfigBody>(await c.get(configPath)).config.filter).toBeNull()

    const second = await preview(connectionId)
    expect(second.changes.filter((x) => x.reason === 'filtered_out')).toEqual([])
    const byId = new Map(second.changes.map((x) => [x.id, x]))
    // the active ones are created; those who left before ever being synced stay out as such
    const active = withoutHire.filter((p) => p.status !== 'inactive')
    expect(active.length).toBeGreaterThan(0)
    for (const id of ids(active)) expect(byId.get(id)?.action).toBe('create')
    const again = await c.post(`${base}/plans/${second.planId}/apply`, { selection: 'all' })
    expect(again.status, again.text).toBe(202)
    const ranAgain = await appliedRun(c, workspace, bodyOf<{ run: { id: string } }>(again).run.id)
    expect(ranAgain.run.state).toBe('succeeded')
    const everyone = bodyOf<Page<unknown>>(await c.get(`${base}/people?limit=200`))
    expect(everyone.total).toBe(created + active.length)
  })
})
