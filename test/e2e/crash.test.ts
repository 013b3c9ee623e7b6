import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'
import { hrisSync, start, userEnv } from './run-cli.ts'

// a company big enough that an apply takes many batches (plan order: people, teams, joins, managers)
const CONFIG = `connection:
  source:
    connector: fake
    employees: 6000
    seed: 42
policy:
  inviteNewPeople: true
`

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hris-sync-crash-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

/** The directory in words that do not depend on generated ids. */
async function snapshot(store: SqlStore) {
  const ws = await store.ensureWorkspace('default')
  const teams = new Map<string, string>()
  for await (const t of store.directory(ws.id).listTeams()) teams.set(t.id, t.name)
  const people = []
  const external = new Map<string, string>()
  const all = []
  for await (const p of store.listPeople(ws.id)) all.push(p)
  for (const p of all) external.set(p.id, p.sourceKey?.externalId ?? p.id)
  for (const p of all) {
    people.push({
      externalId: external.get(p.id),
      fields: p.fields,
      identifier: p.identifier,
      status: p.status,
      groups: p.groups,
      inviteStatus: p.inviteStatus,
      manager: p.managerId === null ? null : external.get(p.managerId),
      teams: p.teamIds.map((t) => teams.get(t)).sort(),
    })
  }
  people.sort((a, b) => Number(a.externalId) - Number(b.externalId))
  const outbox = await store.db.kysely
    .selectFrom('outbox')
    .select(['kind', 'dedupe_key'])
    .where('workspace_id', '=', ws.id)
    .execute()
  const invitations = outbox.filter((o) => o.kind === 'invitation')
  return {
    people,
    teams: [...teams.values()].sort(),
    invitations: invitations.length,
    distinctInvitations: new Set(invitations.map((o) => o.dedupe_key)).size,
  }
}

describe.each(BACKENDS)('apply killed mid-way (SIGKILL), on %s', (backend) => {
  it(
    'finishes the rest when run again, and ends exactly as an uninterrupted apply',
    { timeout: 300_000 },
    async () => {
      const databases: { url: string | null; close: () => Promise<void> }[] = []
      const user = async (name: string) => {
        const dir = path.join(root, `${backend}-${name}`)
        await mkdir(dir)
        await writeFile(path.join(dir, 'hris-sync.yaml'), CONFIG)
        let extra: Record<string, string> = {}
        if (backend === 'postgres') {
          // a schema of its own for each user, dropped at the end
          const db = await openStore('postgres')
          await db.store.close()
          databases.push(db)
          extra = { DATABASE_URL: db.url ?? '' }
        }
        return { dir, env: userEnv(dir, extra) }
      }
      const open = async (u: { dir: string; env: NodeJS.ProcessEnv }) =>
        new SqlStore(
          await createDb({
            databaseUrl: u.env['DATABASE_URL'] ?? null,
            dataDir: path.join(u.dir, '.hris-sync'),
          }),
        )
      try {
        const clean = await user('clean')
        expect((await hrisSync(['plan'], { cwd: clean.dir, env: clean.env })).code).toBe(0)
        expect((await hrisSync(['apply', '--yes'], { cwd: clean.dir, env: clean.env })).code).toBe(
          0,
        )

        const crashed = await user('crashed')
        expect((await hrisSync(['plan'], { cwd: crashed.dir, env: crashed.env })).code).toBe(0)
        const child = start(['apply', '--yes', '--progress', 'json'], {
          cwd: crashed.dir,
          env: crashed.env,
        })
        let killedAt = 0
        let total = 0
        await new Promise<void>((resolve) => {
          let buffer = ''
          child.stderr?.on('data', (d: Buffer) => {
            buffer += d.toString()
            for (const line of buffer.split('\n').slice(0, -1)) {
              const p = (JSON.parse(line) as { progress: { done: number; total: number } }).progress
              // past the people, into the memberships: several kinds of change are half done
              if (killedAt === 0 && p.done >= p.total / 2) {
                killedAt = p.done
                total = p.total
                child.kill('SIGKILL')
              }
            }
            buffer = buffer.slice(buffer.lastIndexOf('\n') + 1)
          })
          child.on('close', () => {
            resolve()
          })
        })
        expect(child.signalCode).toBe('SIGKILL')
        expect(killedAt).toBeGreaterThan(0)
        expect(killedAt).toBeLessThan(total)

        const resumed = await hrisSync(['apply', '--yes', '--json'], {
          cwd: crashed.dir,
          env: crashed.env,
        })
        expect(resumed.code).toBe(0)
        const report = JSON.parse(resumed.stdout) as {
          run: { state: string }
          counts: { applied: number }
        }
        expect(report.run.state).toBe('succeeded')
        expect(report.counts.applied).toBe(total)

        const [a, b] = [await open(clean), await open(crashed)]
        try {
          const expected = await snapshot(a)
          const actual = await snapshot(b)
          expect(actual.people.length).toBeGreaterThan(5000)
          expect(actual).toEqual(expected)
          // one invitation per created person, whatever was retried
          expect(actual.invitations).toBe(actual.people.length)
          expect(actual.distinctInvitations).toBe(actual.invitations)
          // and planning again finds nothing left
          const ws = await b.ensureWorkspace('default')
          const runs = await b.listRuns(ws.id, null, 10)
          expect(runs[0]?.state).toBe('succeeded')
        } finally {
          await a.close()
          await b.close()
        }
        const again = JSON.parse(
          (await hrisSync(['plan', '--json'], { cwd: crashed.dir, env: crashed.env })).stdout,
        ) as {
          state: string
        }
        expect(again.state).toBe('succeeded')
      } finally {
        for (const db of databases) await db.close()
      }
    },
  )
})
