import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createDb } from '../../src/storage/db.ts'
import { queueSchema } from '../../src/storage/job-queue-db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import { openStore } from '../helpers/stores.ts'
import { startSmtpSink } from '../helpers/smtp-sink.ts'
import { hrisSync, start, userEnv } from './run-cli.ts'

// big enough that an apply takes several batches; every employee has a work email
const CONFIG = `workspace: acme
connection:
  source:
    connector: fake
    employees: 800
    seed: 42
policy:
  inviteNewPeople: true
`

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hris-sync-worker-kill-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

/** The directory in words that do not depend on generated ids. */
async function snapshot(store: SqlStore) {
  const ws = await store.ensureWorkspace('acme')
  const teams = new Map<string, string>()
  for await (const t of store.directory(ws.id).listTeams()) teams.set(t.id, t.name)
  const all = []
  for await (const p of store.listPeople(ws.id)) all.push(p)
  const external = new Map(all.map((p) => [p.id, p.sourceKey?.externalId ?? p.id]))
  return all
    .map((p) => ({
      externalId: external.get(p.id),
      fields: p.fields,
      identifier: p.identifier,
      status: p.status,
      groups: p.groups,
      inviteStatus: p.inviteStatus,
      manager: p.managerId === null ? null : external.get(p.managerId),
      teams: p.teamIds.map((t) => teams.get(t)).sort(),
    }))
    .sort((a, b) => Number(a.externalId) - Number(b.externalId))
}

/** Lines of a worker's log (pino JSON on stdout), as they come. */
function onLog(child: ChildProcess, each: (line: Record<string, unknown>) => void) {
  let buffer = ''
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      try {
        each(JSON.parse(line) as Record<string, unknown>)
      } catch {
        // not a log line
      }
    }
  })
}

const until = async (check: () => Promise<boolean>, ms: number, what: string) => {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else
      child.once('close', () => {
        resolve()
      })
  })

describe.skipIf(!process.env['DATABASE_URL'])(
  'a worker killed mid-run (SIGKILL), on PostgreSQL',
  () => {
    it(
      'is retried by another worker; the directory ends as after a clean run, and nobody is invited twice',
      { timeout: 240_000 },
      async () => {
        const cleanups: (() => Promise<void>)[] = []
        const children: ChildProcess[] = []
        // what the workers said, shown when the test fails
        const logs: string[] = []
        try {
          const user = async (name: string) => {
            const dir = path.join(root, name)
            await mkdir(dir)
            await writeFile(path.join(dir, 'hris-sync.yaml'), CONFIG)
            const db = await openStore('postgres')
            const schema = await queueSchema(db.store.db)
            await db.store.close()
            const smtp = await startSmtpSink()
            cleanups.push(async () => {
              await smtp.close()
              const admin = new SqlStore(await createDb({ databaseUrl: db.url, dataDir: 'memory' }))
              await sql.raw(`drop schema if exists ${schema} cascade`).execute(admin.db.kysely)
              await admin.close()
              await db.close()
            })
            const env = userEnv(dir, {
              DATABASE_URL: db.url ?? '',
              SMTP_URL: smtp.url,
              HRIS_SYNC_MAIL_FROM: 'people@acme.test',
              HRIS_SYNC_WORKER_CONCURRENCY: '1',
              HRIS_SYNC_JOB_TIMEOUT_SECONDS: '15',
              HRIS_SYNC_RETRY_DELAY_SECONDS: '1',
              HRIS_SYNC_LOG_LEVEL: 'info',
            })
            const open = async () =>
              new SqlStore(await createDb({ databaseUrl: db.url, dataDir: 'memory' }))
            const worker = () => {
              const child = start(['worker'], { cwd: dir, env })
              children.push(child)
              child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()))
              child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()))
              return child
            }
            /** The run succeeded and every invitation went out. */
            const settled = async () => {
              const store = await open()
              try {
                const ws = await store.ensureWorkspace('acme')
                const [run] = await store.listRuns(ws.id, null, 1)
                const pending = await store.db.kysely
                  .selectFrom('outbox')
                  .select((eb) => eb.fn.countAll<string>().as('n'))
                  .where('kind', '=', 'invitation')
                  .where('sent_at', 'is', null)
                  .executeTakeFirstOrThrow()
                return run?.state === 'succeeded' && Number(pending.n) === 0
              } finally {
                await store.close()
              }
            }
            return { dir, env, smtp, open, worker, settled }
          }

          const clean = await user('clean')
          expect(
            (await hrisSync(['queue', '--full'], { cwd: clean.dir, env: clean.env })).code,
          ).toBe(0)
          const calm = clean.worker()
          await until(clean.settled, 30_000, 'the clean run')
          calm.kill('SIGTERM')
          await stopped(calm)

          const crashed = await user('crashed')
          const queued = await hrisSync(['queue', '--full'], { cwd: crashed.dir, env: crashed.env })
          expect(queued.code, queued.stderr).toBe(0)
          const a = crashed.worker()
          let killedAt: unknown = null
          onLog(a, (line) => {
            const progress = line['progress'] as { phase?: string } | undefined
            if (
              killedAt === null &&
              line['msg'] === 'run progress' &&
              progress?.phase === 'applying'
            ) {
              killedAt = progress
              a.kill('SIGKILL')
            }
          })
          await stopped(a)
          expect(a.signalCode).toBe('SIGKILL')
          expect(killedAt).not.toBeNull()
          {
            // killed mid-apply: the run is left applying, the directory half done
            const store = await crashed.open()
            const ws = await store.ensureWorkspace('acme')
            const [run] = await store.listRuns(ws.id, null, 1)
            expect(run?.state).toBe('applying')
            const reference = await clean.open()
            expect(await snapshot(store)).not.toEqual(await snapshot(reference))
            await reference.close()
            await store.close()
          }
          const b = crashed.worker()
          await until(crashed.settled, 150_000, 'the retried run')
          b.kill('SIGTERM')
          await stopped(b)

          const [x, y] = [await clean.open(), await crashed.open()]
          try {
            const expected = await snapshot(x)
            const actual = await snapshot(y)
            expect(actual.length).toBeGreaterThan(700)
            expect(actual).toEqual(expected)
            for (const p of actual) expect(p.inviteStatus).toBe('sent')
            // one invitation per person with an email, whatever was killed and retried
            for (const [name, u, people] of [
              ['clean', clean, expected],
              ['crashed', crashed, actual],
            ] as const) {
              const invites = u.smtp.mails.filter((m) => m.subject === 'You are invited')
              const to = invites.flatMap((m) => m.to)
              expect(to.length, name).toBe(people.length)
              expect(new Set(to).size, name).toBe(to.length)
              expect(new Set(to)).toEqual(new Set(people.map((p) => String(p.fields['email']))))
              expect(invites[0]?.from).toBe('people@acme.test')
            }
          } finally {
            await x.close()
            await y.close()
          }
        } catch (error) {
          const tail = logs.join('').split('\n').slice(-30).join('\n')
          throw new Error(`${String(error)}\nthe workers' last lines:\n${tail}`, { cause: error })
        } finally {
          for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
          await Promise.all(children.map(stopped))
          for (const cleanup of cleanups) await cleanup()
        }
      },
    )
  },
)
