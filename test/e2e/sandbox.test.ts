import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startSandbox } from './console-sandbox.ts'
import type { Sandbox } from './console-sandbox.ts'
import { hrisSync, userEnv } from './run-cli.ts'

// npm start -- --no-console as a newcomer runs it: the Personio sandbox comes up with the
// database left to the command, then the CLI plans against it (the console's own run of npm
// start is the browser test's)
describe('npm start -- --no-console: the sandbox for the command', { timeout: 120_000 }, () => {
  let dir: string
  let sandbox: Sandbox | null = null
  let said = ''

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-sandbox-'))
    sandbox = await startSandbox(dir, userEnv(dir), ['--no-console'])
    said = sandbox.said()
  }, 90_000)
  afterAll(async () => {
    await sandbox?.stop()
    await rm(dir, { recursive: true, force: true })
  }, 30_000)

  it('says where the simulator is and what to run, and never prints the secret', async () => {
    expect(said).toMatch(/a Personio simulator with 250 employees at http:\/\/127\.0\.0\.1:\d+/)
    expect(said).toContain('npx hris-sync plan')
    expect(said).not.toContain('The console:')
    const file = await readFile(path.join(dir, 'hris-sync.yaml'), 'utf8')
    expect(file).toContain('connector: personio')
    expect(file).not.toMatch(/clientSecret|client_secret/)
  })

  it('plans and syncs the made-up company with hris-sync, no credentials needed', async () => {
    const env = userEnv(dir)
    const fields = await hrisSync(['fields', '--json'], { cwd: dir, env })
    expect(fields.code, fields.stderr).toBe(0)
    const paths = (JSON.parse(fields.stdout) as { fields: { path: string }[] }).fields.map(
      (f) => f.path,
    )
    expect(paths).toEqual(
      expect.arrayContaining(['workEmail', 'terminationDate', 'employeeNumber']),
    )

    const plan = await hrisSync(['plan', '--json'], { cwd: dir, env })
    expect(plan.code, plan.stderr).toBe(0)
    const body = JSON.parse(plan.stdout) as { summary: { people: Record<string, number> } }
    const { create = 0, skip = 0 } = body.summary.people
    expect(create).toBeGreaterThan(200)
    expect(create + skip).toBe(250)

    const applied = await hrisSync(['apply', '--yes'], { cwd: dir, env })
    expect(applied.code, applied.stderr).toBe(0)
    const again = await hrisSync(['plan', '--json'], { cwd: dir, env })
    const after = JSON.parse(again.stdout) as { summary: { people: Record<string, number> } }
    expect(after.summary.people['create']).toBe(0)
    expect(after.summary.people['update']).toBe(0)
  })
})
