import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { BambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import { startBambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import { hrisSync, userEnv } from './run-cli.ts'

interface PlanJson {
  summary: { people: Record<string, number> }
  changes: { kind?: string; action: string; reason: string; externalId?: string }[]
}

// a BambooHR connection as a user makes one: init, the domain and the key, then plan and apply
describe('hris-sync with BambooHR', { timeout: 120_000 }, () => {
  let dir: string
  let sim: BambooHRSim
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-bamboohr-'))
    sim = await startBambooHRSim({ employees: 60, seed: 'e2e', withoutHireDate: 0.1 })
  })
  afterAll(async () => {
    await sim.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('creates a connection from the init template, syncs it, and leaves out who has no hire date', async () => {
    const env = userEnv(dir, { BAMBOOHR_COMPANY_DOMAIN: `${sim.companyDomain}.bamboohr.com` })
    const run = (args: string[], input?: string) =>
      hrisSync(args, { cwd: dir, env, ...(input === undefined ? {} : { input }) })

    const init = await run(['init', '--connector', 'bamboohr'])
    expect(init.code, init.stderr).toBe(0)
    const file = path.join(dir, 'hris-sync.yaml')
    const written = await readFile(file, 'utf8')
    // the default filter is in the file, to be seen and changed
    expect(written).toMatch(/^filter: \{ field: hireDate, op: exists \}$/m)
    // the simulator is the BambooHR here; the key goes to the vault rather than the file
    await writeFile(
      file,
      written
        .replace(/^ {4}apiKey: .*$/m, '')
        .replace(/^( {4}companyDomain: .*)$/m, `$1\n    baseUrl: ${sim.url}`),
    )
    const key = sim.apiKeys[0]?.key ?? ''
    const connect = await run(['connect', '--secret-stdin'], `apiKey=${key}\n`)
    expect(connect.code, connect.stderr).toBe(0)
    expect(connect.stdout + connect.stderr).not.toContain(key)

    const plan = await run(['plan', '--json'])
    expect(plan.code, plan.stderr).toBe(0)
    const planned = JSON.parse(plan.stdout) as PlanJson
    const withoutHire = sim.admin.employees().filter((p) => p.hireDate === null)
    expect(withoutHire.length).toBeGreaterThan(0)
    const filtered = planned.changes.filter((c) => c.reason === 'filtered_out')
    expect(filtered.map((c) => c.externalId).sort()).toEqual(
      withoutHire.map((p) => String(p.id)).sort(),
    )
    const { create = 0, skip = 0 } = planned.summary.people
    expect(create).toBeGreaterThan(40)
    expect(create + skip).toBe(60)

    const applied = await run(['apply', '--yes'])
    expect(applied.code, applied.stderr).toBe(0)

    // someone edits in BambooHR; the next sync brings that, and nothing else
    const edited = sim.admin.employees().find((p) => p.hireDate !== null && p.status === 'active')
    if (!edited) throw new Error('nobody to edit')
    sim.admin.editEmployee(edited.id, { position: 'Chief of Staff' })
    const sync = await run(['sync', '--json'])
    expect(sync.code, sync.stderr).toBe(0)
    expect(JSON.parse(sync.stdout)).toMatchObject({ status: 'applied', counts: { applied: 1 } })
  })
})
