import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { hrisSync, userEnv } from './run-cli.ts'

const MAIN = path.resolve(import.meta.dirname, '../../src/main.ts')

// npm start as a newcomer runs it: the Personio sandbox comes up, then the CLI plans against it
describe('npm start: the Personio sandbox', { timeout: 120_000 }, () => {
  let dir: string
  let sandbox: ReturnType<typeof spawn> | null = null
  let said = ''

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-sandbox-'))
    // port 0: any free one, so tests never collide with a sandbox someone runs
    sandbox = spawn(process.execPath, [MAIN, 'sandbox'], {
      cwd: dir,
      env: userEnv(dir, { HRIS_SYNC_SANDBOX_PORT: '0' }),
      stdio: 'pipe',
    })
    sandbox.stderr?.on('data', (d: Buffer) => (said += d.toString()))
    await new Promise<void>((resolve, reject) => {
      sandbox?.stdout?.on('data', (d: Buffer) => {
        said += d.toString()
        if (said.includes('Ctrl+C')) resolve()
      })
      sandbox?.on('exit', (code) => {
        reject(new Error(`the sandbox stopped (${String(code)}): ${said}`))
      })
    })
  })
  afterAll(async () => {
    if (sandbox && sandbox.exitCode === null) {
      const stopped = new Promise((resolve) => sandbox?.on('exit', resolve))
      sandbox.kill('SIGINT')
      await stopped
    }
    await rm(dir, { recursive: true, force: true })
  })

  it('says where the simulator is and what to run, and never prints the secret', async () => {
    expect(said).toMatch(/a Personio simulator with 250 employees at http:\/\/127\.0\.0\.1:\d+/)
    expect(said).toContain('npx hris-sync plan')
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
