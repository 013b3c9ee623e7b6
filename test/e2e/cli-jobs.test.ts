import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { hrisSync, userEnv } from './run-cli.ts'

const CONFIG = `connection:
  source:
    connector: fake
    employees: 5
`

// the ongoing sync's commands that need no worker: who is notified, quarantine, webhooks
describe('hris-sync notify, quarantine and webhooks', { timeout: 60_000 }, () => {
  let dir: string
  const run = (args: string[]) => hrisSync(args, { cwd: dir, env: userEnv(dir) })

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-cli-jobs-'))
    await writeFile(path.join(dir, 'hris-sync.yaml'), CONFIG)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('keeps who else is notified, and says when nobody would be', async () => {
    const none = await run(['notify', 'list'])
    expect(none.code, none.stderr).toBe(0)
    expect(none.stdout).toMatch(/nobody is notified/)
    const added = await run(['notify', 'add', 'Ops@Acme.test', '--json'])
    expect(added.code, added.stderr).toBe(0)
    expect(JSON.parse(added.stdout)).toEqual({
      recipients: ['ops@acme.test'],
      notified: ['ops@acme.test'],
    })
  })

  it('clears a quarantine of a healthy connection as a no-op', async () => {
    const cleared = await run(['quarantine', 'clear', '--json'])
    expect(cleared.code, cleared.stderr).toBe(0)
    expect(JSON.parse(cleared.stdout)).toMatchObject({
      health: { status: 'active', consecutiveFailures: 0 },
    })
  })

  it('adds a webhook with its secret shown once, and an empty delivery log', async () => {
    const added = await run(['webhooks', 'add', 'https://hooks.acme.test/in', '--json'])
    expect(added.code, added.stderr).toBe(0)
    const { endpoint, secret } = JSON.parse(added.stdout) as {
      endpoint: { id: string }
      secret: string
    }
    expect(secret).toMatch(/^whsec_/)
    const listed = await run(['webhooks', 'list'])
    expect(listed.stdout).toContain(endpoint.id)
    expect(listed.stdout).not.toContain(secret)
    const log = await run(['webhooks', 'deliveries', endpoint.id])
    expect(log.code, log.stderr).toBe(0)
    expect(log.stdout).toMatch(/no deliveries yet/)
  })
})
