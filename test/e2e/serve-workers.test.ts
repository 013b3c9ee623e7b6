import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createDb } from '../../src/storage/db.ts'
import { withJobTables } from '../../src/storage/sql-jobs-schema.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import { startSmtpSink } from '../helpers/smtp-sink.ts'
import { hrisSync, start, userEnv } from './run-cli.ts'

// the workspace the console's first admin is made in, so the API sees the connection
const CONFIG = `connection:
  source:
    connector: fake
    employees: 30
    seed: 7
policy:
  inviteNewPeople: true
schedule:
  enabled: true
`
const PASSWORD = 'a long enough password'

const until = async (check: () => boolean | Promise<boolean>, ms: number, what: string) => {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// hris-sync serve on the embedded database: a sync queued before it starts is run by the
// workers it starts beside the API, their invitations go out, and the scheduler ticks
describe('hris-sync serve runs the workers', { timeout: 120_000 }, () => {
  let dir: string
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>
  let child: ChildProcess | null = null
  let said = ''
  const lines: Record<string, unknown>[] = []

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-serve-'))
    await writeFile(path.join(dir, 'hris-sync.yaml'), CONFIG)
    smtp = await startSmtpSink()
  })
  afterAll(async () => {
    if (child !== null && child.exitCode === null) child.kill('SIGKILL')
    await smtp.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('syncs a queued connection, sends its invitations, ticks the schedule, and stops cleanly', async () => {
    const env = userEnv(dir, {
      PORT: '0',
      SMTP_URL: smtp.url,
      HRIS_SYNC_MAIL_FROM: 'people@acme.test',
      HRIS_SYNC_ADMIN_PASSWORD: PASSWORD,
      HRIS_SYNC_LOG_LEVEL: 'info',
      HRIS_SYNC_TICK_SECONDS: '1',
      HRIS_SYNC_WORKER_CONCURRENCY: '1',
    })
    const queued = await hrisSync(['queue', '--full'], { cwd: dir, env })
    expect(queued.code, queued.stderr).toBe(0)
    expect(queued.stdout).toMatch(/queued a full sync/)

    const serve = start(['serve'], { cwd: dir, env })
    child = serve
    const orphan = () => serve.kill('SIGKILL')
    process.on('exit', orphan)
    let buffer = ''
    serve.stderr?.on('data', (d: Buffer) => (said += d.toString()))
    serve.stdout?.on('data', (d: Buffer) => {
      said += d.toString()
      buffer += d.toString()
      const parts = buffer.split('\n')
      buffer = parts.pop() ?? ''
      for (const part of parts) {
        try {
          lines.push(JSON.parse(part) as Record<string, unknown>)
        } catch {
          // the lines for people: the console's address
        }
      }
    })
    try {
      await until(() => /the console at (http:\/\/\S+),/.test(said), 60_000, 'the server')
      const url = /the console at (http:\/\/\S+),/.exec(said)?.[1] ?? ''
      expect(lines.some((l) => l['msg'] === 'workers started')).toBe(true)
      await until(
        () => lines.some((l) => l['msg'] === 'run finished'),
        60_000,
        'the queued run to finish',
      )
      expect(lines.find((l) => l['msg'] === 'run finished')).toMatchObject({
        kind: 'full',
        state: 'succeeded',
      })

      // what the run did, as the API tells it
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email: 'admin@example.com', password: PASSWORD }),
      })
      expect(login.status).toBe(200)
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
      const { workspaces } = (await login.json()) as { workspaces: { id: string }[] }
      const api = async <T>(rest: string) =>
        (await (
          await fetch(`${url}/api/v1/workspaces/${workspaces[0]?.id ?? ''}${rest}`, {
            headers: { cookie },
          })
        ).json()) as T
      const { runs } = await api<{ runs: { state: string; kind: string }[] }>('/runs')
      expect(runs).toEqual([expect.objectContaining({ kind: 'sync', state: 'succeeded' })])
      const people = await api<{ total: number }>('/people')
      expect(people.total).toBeGreaterThan(20)

      // the deliverer sends each of them an invitation
      const invited = () => smtp.mails.filter((m) => m.subject === 'You are invited')
      await until(() => invited().length === people.total, 30_000, 'the invitations')
      expect(invited()[0]?.from).toBe('people@acme.test')
    } finally {
      const stopped = new Promise((resolve) => serve.once('close', resolve))
      serve.kill('SIGINT')
      const timer = setTimeout(() => serve.kill('SIGKILL'), 25_000)
      await stopped
      clearTimeout(timer)
      process.off('exit', orphan)
    }
    expect(serve.exitCode, said.split('\n').slice(-20).join('\n')).toBe(0)

    // the scheduler ticked while it served: each slot of the connection is set, to come later
    const store = new SqlStore(
      await createDb({ databaseUrl: null, dataDir: path.join(dir, '.hris-sync') }),
    )
    try {
      const slots = await withJobTables(store.db.kysely)
        .selectFrom('schedule_state')
        .select(['kind', 'cron'])
        .orderBy('kind')
        .execute()
      expect(slots).toEqual([
        { kind: 'full', cron: '0 3 * * *' },
        { kind: 'incremental', cron: '*/15 * * * *' },
      ])
    } finally {
      await store.close()
    }
  })
})
