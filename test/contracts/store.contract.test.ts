import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { unpackPersonEvents } from '../../src/core/apply/person-events.ts'
import { SyncError } from '../../src/core/errors.ts'
import { contentOf, personHash } from '../../src/core/model/person.ts'
import { plan } from '../../src/core/plan/plan.ts'
import type { SyncPlan } from '../../src/core/plan/sync-plan.ts'
import { RUN_STATES, RUN_TRANSITIONS } from '../../src/core/run/run-state.ts'
import type { RunState } from '../../src/core/run/run-state.ts'
import { applyPlan } from '../../src/engine/apply-plan.ts'
import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import type { Connection, Run, Workspace } from '../../src/storage/store.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { NOW, config, employee, person, ref, source } from '../helpers/factories.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'
import { CFG, POLICY, collect, company, edit, planFor, snapshot } from './target-contract.ts'

/** How a fresh run gets to each state. */
const PATH: Record<RunState, readonly RunState[]> = {
  queued: [],
  reading: ['reading'],
  planned: ['reading', 'planned'],
  awaiting_approval: ['reading', 'planned', 'awaiting_approval'],
  applying: ['reading', 'planned', 'applying'],
  succeeded: ['reading', 'planned', 'succeeded'],
  failed: ['failed'],
  cancelled: ['cancelled'],
}

const conflict = { code: 'conflict' }

/** Runs are ordered by when they were created, which PGlite knows to the millisecond only. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

for (const backend of BACKENDS) {
  describe(`SqlStore on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    beforeAll(async () => {
      opened = await openStore(backend)
      store = opened.store
    }, 60_000)
    afterAll(() => opened.close())

    const workspace = () => store.ensureWorkspace(`ws-${randomUUID()}`)
    const connection = (
      ws: Workspace,
      name = `conn-${randomUUID()}`,
      secret: string | null = null,
    ) =>
      store.createConnection({
        workspaceId: ws.id,
        name,
        connector: 'personio',
        config: { baseUrl: 'https://api.personio.de' },
        secret,
      })
    const run = (c: Connection) =>
      store.createRun({
        workspaceId: c.workspaceId,
        connectionId: c.id,
        kind: 'sync',
        configVersion: null,
      })
    async function runIn(state: RunState): Promise<Run> {
      const c = await connection(await workspace())
      let r = await run(c)
      for (const to of PATH[state]) r = await store.transitionRun(r.id, to)
      expect(r.state).toBe(state)
      return r
    }
    /** The people of a workspace made by a sync of `company()`, through the directory target. */
    async function directory(ws: Workspace) {
      const target = new DirectoryTarget(store.directory(ws.id))
      const planned = await planFor(target, company())
      await applyPlan(target, planned, { policy: POLICY })
      return target
    }
    /** The person events of the outbox: each batch's are one `people.changed` entry. */
    const personEvents = (outbox: readonly { kind: string; payload: unknown }[]) =>
      outbox
        .filter((o) => o.kind === 'people.changed')
        .flatMap((o) => unpackPersonEvents(o.payload as Record<string, unknown>))
        .map((e) => ({ kind: e.kind, ...(e.data as { personId: string }) }))
    const auditedChanges = (row: { details: unknown }) =>
      (row.details as { changes?: { changeId: string; action: string; personId?: string }[] })
        .changes ?? []
    const rows = (table: 'outbox' | 'audit_log', ws: Workspace) =>
      store.db.kysely.selectFrom(table).selectAll().where('workspace_id', '=', ws.id).execute()

    describe('workspaces', () => {
      it('ensures a workspace once, whatever the number of calls', async () => {
        const name = `ws-${randomUUID()}`
        const [a, b] = await Promise.all([store.ensureWorkspace(name), store.ensureWorkspace(name)])
        const c = await store.ensureWorkspace(name)
        expect(a).toEqual({ id: expect.any(String) as string, name })
        expect(b).toEqual(a)
        expect(c).toEqual(a)
        expect(await store.workspaceByName(name)).toEqual(a)
        expect(await store.workspaceByName(`ws-${randomUUID()}`)).toBeNull()
        expect((await workspace()).id).not.toBe(a.id)
      })
    })

    describe('connections', () => {
      it('creates a connection, with a name unique in its workspace', async () => {
        const ws = await workspace()
        const c = await connection(ws, 'Personio', 'sealed-1')
        expect(c).toMatchObject({
          workspaceId: ws.id,
          name: 'Personio',
          connector: 'personio',
          config: { baseUrl: 'https://api.personio.de' },
          hasSecret: true,
          status: 'active',
          watermark: null,
        })
        expect(Date.parse(c.createdAt)).not.toBeNaN()
        const again = connection(ws, 'Personio')
        await expect(again).rejects.toBeInstanceOf(SyncError)
        await expect(again).rejects.toMatchObject(conflict)
        // another workspace may use the name
        const other = await connection(await workspace(), 'Personio')
        expect(other.id).not.toBe(c.id)
        expect(await store.listConnections(ws.id)).toEqual([c])
      })

      it('never shows a connection to another workspace', async () => {
        const ws = await workspace()
        const intruder = await workspace()
        const c = await connection(ws, 'BambooHR', 'sealed')
        expect(await store.connection(ws.id, c.id)).toEqual(c)
        expect(await store.connectionByName(ws.id, 'BambooHR')).toEqual(c)
        expect(await store.connection(intruder.id, c.id)).toBeNull()
        expect(await store.connectionByName(intruder.id, 'BambooHR')).toBeNull()
        expect(await store.listConnections(intruder.id)).toEqual([])
        await expect(
          store.updateConnection(intruder.id, c.id, { status: 'paused' }),
        ).rejects.toMatchObject({ code: 'not_found' })
        await expect(store.sealedSecret(intruder.id, c.id)).rejects.toMatchObject({
          code: 'not_found',
        })
        expect(await store.connection(ws.id, c.id)).toEqual(c)
      })

      it('updates what it is given and keeps the rest', async () => {
        const ws = await workspace()
        const c = await connection(ws, 'Personio', 'sealed-1')
        const watermarked = await store.updateConnection(ws.id, c.id, {
          watermark: '2026-11-20T00:00:00Z',
        })
        expect(watermarked).toEqual({ ...c, watermark: '2026-11-20T00:00:00Z' })
        const updated = await store.updateConnection(ws.id, c.id, {
          config: { baseUrl: 'https://eu.personio.de', pageSize: 50 },
          status: 'paused',
          secret: null,
        })
        expect(updated).toEqual({
          ...c,
          config: { baseUrl: 'https://eu.personio.de', pageSize: 50 },
          status: 'paused',
          hasSecret: false,
          watermark: '2026-11-20T00:00:00Z',
        })
        expect(await store.connection(ws.id, c.id)).toEqual(updated)
        expect(await store.sealedSecret(ws.id, c.id)).toBeNull()
        await store.updateConnection(ws.id, c.id, { secret: 'sealed-2' })
        expect(await store.sealedSecret(ws.id, c.id)).toBe('sealed-2')
        await expect(
          store.updateConnection(ws.id, randomUUID(), { status: 'paused' }),
        ).rejects.toMatchObject({ code: 'not_found' })
      })

      it('reseals every secret in one transaction', async () => {
        const ws = await workspace()
        const a = await connection(ws, 'a', 'old:a')
        const b = await connection(ws, 'b', 'old:b')
        const none = await connection(ws, 'none', null)
        const secrets = async () =>
          store.db.kysely.selectFrom('connections').select(['id', 'secret']).orderBy('id').execute()
        const before = await secrets()
        const sealed = before.filter((r) => r.secret !== null).length
        const pending = before.filter((r) => r.secret?.startsWith('old:')).length
        expect(pending).toBeGreaterThanOrEqual(2)
        // the rotation breaks on its last secret: nothing is resealed
        let calls = 0
        await expect(
          store.resealSecrets((secret) => {
            calls++
            if (calls === sealed) throw new Error('the old key is gone')
            return secret.replace(/^old:/, 'new:')
          }),
        ).rejects.toThrow('the old key is gone')
        expect(calls).toBe(sealed)
        expect(await secrets()).toEqual(before)

        const count = await store.resealSecrets((secret) => secret.replace(/^old:/, 'new:'))
        expect(count).toEqual({ credentials: pending, webhookSecrets: 0 })
        expect(await store.sealedSecret(ws.id, a.id)).toBe('new:a')
        expect(await store.sealedSecret(ws.id, b.id)).toBe('new:b')
        expect(await store.sealedSecret(ws.id, none.id)).toBeNull()
        // what is sealed with the current key already is not counted
        expect(await store.resealSecrets((secret) => secret)).toEqual({
          credentials: 0,
          webhookSecrets: 0,
        })
      })
    })

    describe('sync configs', () => {
      it('numbers versions, and gives the latest back for the same config', async () => {
        const c = await connection(await workspace())
        expect(await store.latestSyncConfig(c.id)).toBeNull()
        const config = { identifiers: ['work_email'], policy: { leaverGroup: 'Ex', invite: true } }
        const schedule = { cron: '0 6 * * *', timeZone: 'Europe/Berlin' }
        expect(await store.saveSyncConfig(c.id, config, schedule)).toBe(1)
        // the same config, its keys in another order
        const reordered = {
          policy: { invite: true, leaverGroup: 'Ex' },
          identifiers: ['work_email'],
        }
        expect(await store.saveSyncConfig(c.id, reordered, schedule)).toBe(1)
        expect(await store.saveSyncConfig(c.id, config, null)).toBe(2)
        const changed = { ...config, identifiers: ['employee_number'] }
        expect(await store.saveSyncConfig(c.id, changed, null)).toBe(3)
        expect(await store.saveSyncConfig(c.id, changed, null)).toBe(3)
        // only the latest counts: going back is a new version
        expect(await store.saveSyncConfig(c.id, config, schedule)).toBe(4)
        expect(await store.latestSyncConfig(c.id)).toMatchObject({
          connectionId: c.id,
          version: 4,
          config,
          schedule,
        })
      })

      it('refuses a config for a connection that does not exist', async () => {
        await expect(store.saveSyncConfig(randomUUID(), { a: 1 }, null)).rejects.toMatchObject({
          code: 'not_found',
        })
      })

      it('gives two concurrent saves of different configs two versions', async () => {
        const c = await connection(await workspace())
        const versions = await Promise.all([
          store.saveSyncConfig(c.id, { a: 1 }, null),
          store.saveSyncConfig(c.id, { a: 2 }, null),
        ])
        expect(versions.sort()).toEqual([1, 2])
      })
    })

    describe('runs', () => {
      it('knows how many employees the last full read found, past any number of incremental runs', async () => {
        const c = await connection(await workspace())
        expect(await store.lastFullReadSize(c.id)).toBeNull()
        const ended = async (kind: 'sync' | 'incremental' | 'preview', employees: number) => {
          const r = await store.createRun({
            workspaceId: c.workspaceId,
            connectionId: c.id,
            kind,
            configVersion: null,
          })
          await store.transitionRun(r.id, 'reading')
          await store.transitionRun(r.id, 'planned', { counts: { create: 1, employees } })
          // an apply adds what it came to beside the plan's counts
          await store.transitionRun(r.id, 'succeeded', {
            counts: { create: 1, employees, applied: 1 },
          })
        }
        await ended('sync', 480)
        await ended('preview', 0)
        for (let i = 0; i < 25; i++) await ended('incremental', 3)
        expect(await store.lastFullReadSize(c.id)).toBe(480)
        await ended('preview', 502)
        expect(await store.lastFullReadSize(c.id)).toBe(502)
      })

      it('creates a run, and refuses a second open run of the same connection', async () => {
        const ws = await workspace()
        const c = await connection(ws)
        const first = await store.createRun({
          workspaceId: ws.id,
          connectionId: c.id,
          kind: 'preview',
          configVersion: 3,
        })
        expect(first).toMatchObject({
          workspaceId: ws.id,
          connectionId: c.id,
          kind: 'preview',
          state: 'queued',
          planId: null,
          configVersion: 3,
          error: null,
          counts: null,
          finishedAt: null,
        })
        await expect(run(c)).rejects.toMatchObject(conflict)
        expect(await store.openRun(c.id)).toEqual(first)
        // another connection is free
        await expect(run(await connection(ws))).resolves.toMatchObject({ state: 'queued' })
        await store.transitionRun(first.id, 'cancelled')
        expect(await store.openRun(c.id)).toBeNull()
        await tick()
        const second = await run(c)
        expect(await store.openRun(c.id)).toEqual(second)
        expect((await store.latestRun(c.id))?.id).toBe(second.id)
      })

      it('starts one run of two created at once', async () => {
        const c = await connection(await workspace())
        const results = await Promise.allSettled([run(c), run(c)])
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        const refused = results.find((r) => r.status === 'rejected')
        expect(refused?.reason).toMatchObject(conflict)
      })

      for (const from of RUN_STATES) {
        const allowed = RUN_TRANSITIONS[from]
        it(`from ${from}: accepts ${allowed.join(', ') || 'nothing'}, refuses the rest`, async () => {
          for (const to of RUN_STATES) {
            const r = await runIn(from)
            if (allowed.includes(to)) {
              const moved = await store.transitionRun(r.id, to)
              expect(moved.state, `${from} → ${to}`).toBe(to)
              expect(moved.finishedAt === null, `${from} → ${to} finished`).toBe(
                ['queued', 'reading', 'planned', 'awaiting_approval', 'applying'].includes(to),
              )
            } else {
              const refused = store.transitionRun(r.id, to)
              await expect(refused, `${from} → ${to}`).rejects.toMatchObject(conflict)
              expect((await store.run(r.workspaceId, r.id))?.state).toBe(from)
            }
          }
        })
      }

      it('keeps what a transition records, and refuses an unknown run', async () => {
        const r = await runIn('reading')
        const planned = await store.transitionRun(r.id, 'planned', {
          planId: 'plan-1',
          counts: { create: 3, update: 1 },
        })
        expect(planned).toMatchObject({ planId: 'plan-1', counts: { create: 3, update: 1 } })
        const failed = await store.transitionRun(r.id, 'failed', {
          error: { code: 'upstream_unavailable', message: 'Personio answered 503' },
        })
        expect(failed).toMatchObject({
          state: 'failed',
          planId: 'plan-1',
          counts: { create: 3, update: 1 },
          error: { code: 'upstream_unavailable', message: 'Personio answered 503' },
        })
        expect(failed.finishedAt).not.toBeNull()
        expect(await store.run(r.workspaceId, r.id)).toEqual(failed)
        // applied again after a failure: open once more
        const again = await store.transitionRun(r.id, 'applying', { error: null })
        expect(again).toMatchObject({ state: 'applying', error: null, finishedAt: null })
        await expect(store.transitionRun(randomUUID(), 'reading')).rejects.toMatchObject({
          code: 'not_found',
        })
      })

      it('refuses to reopen a failed run while another run of its connection is open', async () => {
        const ws = await workspace()
        const c = await connection(ws)
        const failed = await run(c)
        await store.transitionRun(failed.id, 'failed')
        const open = await run(c)
        await expect(store.transitionRun(failed.id, 'applying')).rejects.toMatchObject(conflict)
        expect((await store.run(ws.id, failed.id))?.state).toBe('failed')
        expect((await store.openRun(c.id))?.id).toBe(open.id)
      })

      it.each([
        ['queued', 'reading', 'reading'],
        ['planned', 'applying', 'applying'],
        ['planned', 'applying', 'cancelled'],
        ['applying', 'succeeded', 'failed'],
      ] as const)(
        'lets one of two concurrent transitions from %s win (%s, %s)',
        async (from, a, b) => {
          const r = await runIn(from)
          const results = await Promise.allSettled([
            store.transitionRun(r.id, a),
            store.transitionRun(r.id, b),
          ])
          const won = results.filter((x) => x.status === 'fulfilled')
          expect(won).toHaveLength(1)
          const lost = results.find((x) => x.status === 'rejected')
          expect(lost?.reason).toMatchObject(conflict)
          const winner = won[0]?.status === 'fulfilled' ? won[0].value : null
          expect((await store.run(r.workspaceId, r.id))?.state).toBe(winner?.state)
        },
      )

      it('lists runs of a workspace only, newest first', async () => {
        const ws = await workspace()
        const other = await workspace()
        const c1 = await connection(ws)
        const c2 = await connection(ws)
        const theirs = await run(await connection(other))
        const a = await run(c1)
        await store.transitionRun(a.id, 'cancelled')
        await tick()
        const b = await run(c1)
        await tick()
        const c = await run(c2)
        const ids = (runs: Run[]) => runs.map((r) => r.id)
        expect(ids(await store.listRuns(ws.id, null, 10))).toEqual([c.id, b.id, a.id])
        expect(ids(await store.listRuns(ws.id, c1.id, 10))).toEqual([b.id, a.id])
        expect(ids(await store.listRuns(ws.id, null, 1))).toEqual([c.id])
        expect(ids(await store.listRuns(other.id, null, 10))).toEqual([theirs.id])
        // another workspace's connection gives nothing
        expect(await store.listRuns(other.id, c1.id, 10)).toEqual([])
        expect(await store.run(other.id, a.id)).toBeNull()
        expect(await store.run(ws.id, a.id)).toMatchObject({ id: a.id, state: 'cancelled' })
      })
    })

    describe('withConnectionLock', () => {
      it('runs one piece of work per connection at a time in this process', async () => {
        const ws = await workspace()
        const c = await connection(ws)
        const d = await connection(ws)
        let release = () => {}
        const gate = new Promise<void>((resolve) => (release = resolve))
        let entered = () => {}
        const inside = new Promise<void>((resolve) => (entered = resolve))
        const held = store.withConnectionLock(c.id, async () => {
          entered()
          await gate
          return 'first'
        })
        await inside
        const second = store.withConnectionLock(c.id, () => Promise.resolve('second'))
        await expect(second).rejects.toMatchObject({ ...conflict, retryable: true })
        await expect(store.withConnectionLock(d.id, () => Promise.resolve('d'))).resolves.toBe('d')
        release()
        await expect(held).resolves.toBe('first')
        await expect(store.withConnectionLock(c.id, () => Promise.resolve('second'))).resolves.toBe(
          'second',
        )
        // work that throws lets go of the connection too
        await expect(
          store.withConnectionLock(c.id, () => Promise.reject(new Error('boom'))),
        ).rejects.toThrow('boom')
        await expect(store.withConnectionLock(c.id, () => Promise.resolve(1))).resolves.toBe(1)
      })

      it.runIf(backend === 'postgres')(
        'runs one piece of work per connection across processes',
        async () => {
          const other = new SqlStore(await createDb({ databaseUrl: opened.url, dataDir: 'memory' }))
          try {
            const c = await connection(await workspace())
            let release = () => {}
            const gate = new Promise<void>((resolve) => (release = resolve))
            let entered = () => {}
            const inside = new Promise<void>((resolve) => (entered = resolve))
            const held = store.withConnectionLock(c.id, async () => {
              entered()
              await gate
              return 'first'
            })
            await inside
            await expect(
              other.withConnectionLock(c.id, () => Promise.resolve('second')),
            ).rejects.toMatchObject(conflict)
            release()
            await expect(held).resolves.toBe('first')
            await expect(
              other.withConnectionLock(c.id, () => Promise.resolve('second')),
            ).resolves.toBe('second')
            // and the other way round
            const reversed = other.withConnectionLock(c.id, async () => {
              await expect(
                store.withConnectionLock(c.id, () => Promise.resolve('nested')),
              ).rejects.toMatchObject(conflict)
              return 'other'
            })
            await expect(reversed).resolves.toBe('other')
          } finally {
            await other.close()
          }
        },
      )
    })

    describe('plans and results', () => {
      const eng = ref('Engineering', 'd1')
      const many = Array.from({ length: 1100 }, (_, i) =>
        employee(`e${String(i).padStart(4, '0')}`, {
          firstName: `First${i}`,
          lastName: 'Person',
          workEmail: `p${i}@acme.example`,
          department: i % 2 === 0 ? eng : ref(`Team ${i % 7}`, `t${i % 7}`),
          supervisorExternalId: i === 0 ? null : 'e0000',
        }),
      )

      async function saved(changes: SyncPlan) {
        const ws = await workspace()
        const c = await connection(ws)
        const r = await run(c)
        return { ws, c, r, id: await store.savePlan(r, changes) }
      }

      it('keeps a plan of more than 2,000 changes whole and in order, in its workspace only', async () => {
        const big = plan({
          connectionId: 'personio-acme',
          source: source(many),
          target: { people: [], teams: [] },
          config: CFG,
          now: NOW,
        })
        expect(big.changes.length).toBeGreaterThan(2000)
        const { ws, c, r, id } = await saved(big)
        const stored = await store.plan(ws.id, id)
        expect(stored).toMatchObject({ id, runId: r.id, workspaceId: ws.id, connectionId: c.id })
        expect(stored?.plan.changes.map((ch) => ch.id)).toEqual(big.changes.map((ch) => ch.id))
        expect(stored?.plan).toEqual(big)
        expect(await store.planChanges(id, 999, 3)).toEqual(big.changes.slice(999, 1002))
        expect(await store.planChanges(id, big.changes.length - 1, 10)).toEqual(
          big.changes.slice(-1),
        )
        expect(await store.plan((await workspace()).id, id)).toBeNull()
        expect(await store.plan(ws.id, randomUUID())).toBeNull()
      })

      it('records results by change id, and lists them in plan order', async () => {
        const small = plan({
          connectionId: 'personio-acme',
          source: source(company()),
          target: { people: [], teams: [] },
          config: CFG,
          now: NOW,
        })
        const { r, id } = await saved(small)
        const ids = small.changes.map((ch) => ch.id)
        expect(ids.length).toBeGreaterThan(5)
        const result = (changeId: string, status: 'applied' | 'failed' = 'applied') => ({
          changeId,
          status,
          entityId: status === 'applied' ? `entity-${changeId}` : null,
          message: null,
          errorCode: status === 'failed' ? 'conflict' : null,
        })
        // recorded out of order, over two batches
        await store.recordResults(id, r.id, 1, [
          result(ids[4] ?? ''),
          result(ids[0] ?? '', 'failed'),
        ])
        await store.recordResults(id, r.id, 1, [result(ids[2] ?? '')])
        expect((await store.results(id)).map((x) => x.changeId)).toEqual([ids[0], ids[2], ids[4]])
        // tried again by a later apply: its answer is the change's outcome
        await store.recordResults(id, r.id, 2, [result(ids[0] ?? '')])
        const results = await store.results(id)
        expect(results).toHaveLength(3)
        expect(results[0]).toMatchObject({
          changeId: ids[0],
          status: 'applied',
          entityId: `entity-${ids[0] ?? ''}`,
          errorCode: null,
        })
        expect(Date.parse(results[0]?.at ?? '')).not.toBeNaN()
        expect(await store.results(randomUUID())).toEqual([])
      })

      it('numbers the applies of a run, each with its own outcome; an interrupted one is failed', async () => {
        const { ws, r, id } = await saved(
          plan({
            connectionId: 'personio-acme',
            source: source(company()),
            target: { people: [], teams: [] },
            config: CFG,
            now: NOW,
          }),
        )
        const start = (selection: number | null) =>
          store.startApply({
            workspaceId: ws.id,
            runId: r.id,
            planId: id,
            selection,
            approved: false,
            actor: 'ada@example.com',
          })
        const first = await start(3)
        expect(first).toMatchObject({ seq: 1, state: 'applying', selection: 3, counts: null })
        const done = await store.finishApply(r.id, 1, {
          state: 'succeeded',
          counts: { applied: 5 },
          error: null,
        })
        expect(done).toMatchObject({ seq: 1, state: 'succeeded', counts: { applied: 5 } })
        expect(Date.parse(done.finishedAt ?? '')).not.toBeNaN()
        await expect(
          store.finishApply(r.id, 1, { state: 'failed', counts: {}, error: null }),
        ).rejects.toMatchObject({ code: 'conflict' })
        // a process died during apply 2: the next apply fails it as interrupted
        await start(null)
        const third = await start(null)
        expect(third.seq).toBe(3)
        const all = await store.applies(ws.id, r.id)
        expect(all.map((a) => [a.seq, a.state, a.selection])).toEqual([
          [1, 'succeeded', 3],
          [2, 'failed', null],
          [3, 'applying', null],
        ])
        expect(all[1]?.error?.code).toBe('interrupted')
        expect(await store.applies((await workspace()).id, r.id)).toEqual([])
      })

      it('lists the people of a workspace page by page, each once', async () => {
        const ws = await workspace()
        const target = new DirectoryTarget(store.directory(ws.id))
        const report = await applyPlan(target, await planFor(target, many), { policy: POLICY })
        expect(report.counts).toMatchObject({ applied: report.results.length })
        const people = await collect(store.listPeople(ws.id))
        expect(people).toHaveLength(many.length)
        expect(new Set(people.map((p) => p.id)).size).toBe(many.length)
        const boss = people.find((p) => p.sourceKey?.externalId === 'e0000')
        expect(people.filter((p) => p.managerId === boss?.id)).toHaveLength(many.length - 1)
        expect(people.every((p) => p.teamIds.length === 1)).toBe(true)
        expect(await collect(store.listPeople((await workspace()).id))).toEqual([])
      }, 60_000)
    })

    describe('setIdentifiers', () => {
      it('sets identifiers all or nothing, and a plan made before is stale', async () => {
        const ws = await workspace()
        const target = await directory(ws)
        const people = await collect(store.listPeople(ws.id))
        const [bea, dev, sam] = ['e1', 'e2', 'e3'].map((e) =>
          people.find((p) => p.sourceKey?.externalId === e),
        )
        if (!bea || !dev || !sam) throw new Error('the directory is missing people')
        const audited = async () =>
          (await rows('audit_log', ws)).filter((a) => a.action === 'person.set_identifier')

        // Dev would take Sam's identifier: nothing changes, Bea's neither
        const taken = store.setIdentifiers(
          ws.id,
          [
            { personId: bea.id, identifier: 'BEA-1' },
            { personId: dev.id, identifier: sam.identifier ?? '' },
          ],
          'admin@acme.example',
        )
        await expect(taken).rejects.toBeInstanceOf(SyncError)
        await expect(taken).rejects.toMatchObject(conflict)
        // the import names who holds it
        await expect(taken).rejects.toThrow(sam.id)
        await expect(taken).rejects.toThrow(dev.id)
        expect(await collect(store.listPeople(ws.id))).toEqual(people)
        expect(await audited()).toEqual([])
        // a person of another workspace is not found
        await expect(
          store.setIdentifiers(
            (await workspace()).id,
            [{ personId: bea.id, identifier: 'X' }],
            'a',
          ),
        ).rejects.toMatchObject({ code: 'not_found' })

        const before = await planFor(target, edit(company(), 'e2', { position: ref('Lead') }))
        const count = await store.setIdentifiers(
          ws.id,
          [
            { personId: bea.id, identifier: 'BEA-1' },
            { personId: dev.id, identifier: 'DEV-2' },
            { personId: sam.id, identifier: sam.identifier ?? '' },
          ],
          'admin@acme.example',
        )
        expect(count).toBe(2)
        const now = await collect(store.listPeople(ws.id))
        const devNow = now.find((p) => p.id === dev.id)
        expect(devNow?.identifier).toBe('DEV-2')
        expect(devNow?.hash).not.toBe(dev.hash)
        expect(devNow && personHash(contentOf(devNow))).toBe(devNow?.hash)
        expect(now.find((p) => p.id === sam.id)).toEqual(sam)
        expect((await audited()).map((a) => [a.entity_id, a.actor, a.details]).sort()).toEqual(
          [
            [bea.id, 'admin@acme.example', { before: bea.identifier, after: 'BEA-1' }],
            [dev.id, 'admin@acme.example', { before: dev.identifier, after: 'DEV-2' }],
          ].sort(),
        )
        const report = await applyPlan(target, before, { policy: POLICY })
        expect(report.results).toEqual([
          expect.objectContaining({ changeId: 'person:e2', status: 'stale' }),
        ])
      })

      it('lets two people swap identifiers in one call', async () => {
        const ws = await workspace()
        await directory(ws)
        const people = await collect(store.listPeople(ws.id))
        const [a, b] = people
        if (!a?.identifier || !b?.identifier) throw new Error('people without identifiers')
        await store.setIdentifiers(
          ws.id,
          [
            { personId: a.id, identifier: b.identifier },
            { personId: b.id, identifier: a.identifier },
          ],
          'admin',
        )
        const now = await collect(store.listPeople(ws.id))
        expect(now.find((p) => p.id === a.id)?.identifier).toBe(b.identifier)
        expect(now.find((p) => p.id === b.id)?.identifier).toBe(a.identifier)
      })
    })

    describe('the directory outbox and audit', () => {
      const team = [
        ...company(),
        // no email, nobody to invite
        employee('e4', { firstName: 'No', lastName: 'Mail' }),
        // created as a leaver: not invited
        employee('e5', { firstName: 'Old', lastName: 'Timer', workEmail: 'old@acme.example' }),
      ]
      const cfg = config({
        policy: { inviteNewPeople: true, terminatedNeverImported: 'create_as_leaver' },
      })
      const leaverTeam = edit(team, 'e5', { terminationDate: '2025-01-31' })

      it('queues one invitation per invited person, however often the create is applied', async () => {
        const ws = await workspace()
        const target = new DirectoryTarget(store.directory(ws.id))
        const planned = await planFor(target, leaverTeam, { config: cfg })
        expect(planned.summary.people.create).toBe(5)
        await applyPlan(target, planned, { policy: POLICY })
        await applyPlan(target, planned, { policy: POLICY })
        const { people } = await snapshot(target)
        expect(people).toHaveLength(5)
        const invited = people
          .filter((p) => ['e1', 'e2', 'e3'].includes(p.sourceKey?.externalId ?? ''))
          .map((p) => p.id)
          .sort()
        const outbox = await rows('outbox', ws)
        const invitations = outbox.filter((o) => o.kind === 'invitation')
        expect(invitations.map((o) => (o.payload as { personId: string }).personId).sort()).toEqual(
          invited,
        )
        expect(invitations.map((o) => (o.payload as { email: string }).email).sort()).toEqual([
          'bea@acme.example',
          'dev@acme.example',
          'sam@acme.example',
        ])
        expect(personEvents(outbox).filter((e) => e.kind === 'person.created')).toHaveLength(5)
        const leaver = people.find((p) => p.sourceKey?.externalId === 'e5')
        expect(leaver).toMatchObject({ status: 'leaver', inviteStatus: 'not_invited' })
        for (const id of invited) {
          expect(people.find((p) => p.id === id)?.inviteStatus).toBe('pending')
        }
      })

      it('creates each person once when the same plan is applied twice at once', async () => {
        const ws = await workspace()
        const target = new DirectoryTarget(store.directory(ws.id))
        const planned = await planFor(target, company())
        const reports = await Promise.all([
          applyPlan(target, planned, { policy: POLICY }),
          applyPlan(new DirectoryTarget(store.directory(ws.id)), planned, { policy: POLICY }),
        ])
        for (const report of reports) {
          expect(report.counts).toEqual({
            applied: planned.changes.length,
            stale: 0,
            skipped: 0,
            failed: 0,
          })
        }
        const { people, teams } = await snapshot(target)
        expect(people).toHaveLength(3)
        expect(teams).toHaveLength(2)
        const invitations = (await rows('outbox', ws)).filter((o) => o.kind === 'invitation')
        expect(invitations).toHaveLength(3)
      })

      it('writes what each applied batch changed to the audit log, and nothing for a replay', async () => {
        const ws = await workspace()
        const target = new DirectoryTarget(store.directory(ws.id))
        const planned = await planFor(target, company())
        await applyPlan(target, planned, { policy: POLICY })
        const audit = await rows('audit_log', ws)
        expect(audit.every((a) => a.actor === 'sync' && a.action === 'sync.apply')).toBe(true)
        const entries = audit.flatMap((a) => auditedChanges(a))
        expect(entries.map((e) => `${e.action} ${e.changeId}`).sort()).toEqual(
          planned.changes.map((c) => `${c.kind}.${c.action} ${c.id}`).sort(),
        )
        const { people } = await snapshot(target)
        const creates = entries.filter((e) => e.action === 'person.create')
        expect(creates.map((e) => e.personId).sort()).toEqual(people.map((p) => p.id).sort())
        // the fields each create set: its own list, or the one its batch tells once for most
        for (const row of audit) {
          const told = (row.details as { createdFields?: string[] }).createdFields
          for (const e of auditedChanges(row).filter((x) => x.action === 'person.create')) {
            const set = people.find((p) => p.id === e.personId)?.fields ?? {}
            expect((e as { fields?: string[] }).fields ?? told).toEqual(Object.keys(set).sort())
          }
        }

        // applied again: nothing changes, nothing is written
        await applyPlan(target, planned, { policy: POLICY })
        expect(await rows('audit_log', ws)).toHaveLength(audit.length)
        const next = edit(company(), 'e3', { terminationDate: '2026-10-31' })
        await applyPlan(target, await planFor(target, next), { policy: POLICY })
        const later = (await rows('audit_log', ws)).slice(audit.length).flatMap(auditedChanges)
        expect(later.map((e) => e.action).sort()).toEqual([
          'membership.leave',
          'person.mark_leaver',
        ])
        // an update tells the fields it changed; a membership's change goes without saying
        expect(later.find((e) => e.action === 'person.mark_leaver')).toMatchObject({
          fields: expect.arrayContaining(['status', 'terminationDate']) as unknown,
        })
        expect(later.find((e) => e.action === 'membership.leave')).not.toHaveProperty('fields')
        const left = personEvents(await rows('outbox', ws)).filter((e) => e.kind === 'person.left')
        expect(left).toHaveLength(1)
      })

      it('leaves no outbox entry and no audit row of a batch that fails', async () => {
        const ws = await workspace()
        const batch = (id: string, email: string) => ({
          people: [{ person: person(id, { fields: { email } }), before: null }],
          teams: [],
          events: [
            { kind: 'invitation', dedupeKey: `invite:${ws.id}:${id}`, payload: { personId: id } },
          ],
          audit: [
            {
              action: 'sync.apply',
              entityType: 'batch' as const,
              entityId: null,
              details: { personId: id },
            },
          ],
        })
        const merge = (...parts: ReturnType<typeof batch>[]) => ({
          people: parts.flatMap((b) => b.people),
          teams: [],
          events: parts.flatMap((b) => b.events),
          audit: parts.flatMap((b) => b.audit),
        })
        const directory = store.directory(ws.id)
        await directory.transaction((tx) => tx.write(batch('p1', 'taken@acme.example')))
        const before = { outbox: await rows('outbox', ws), audit: await rows('audit_log', ws) }
        expect([before.outbox.length, before.audit.length]).toEqual([1, 1])

        // the email is checked when the batch commits: its outbox and audit rows are in by then
        await expect(
          directory.transaction((tx) =>
            tx.write(merge(batch('p2', 'fresh@acme.example'), batch('p3', 'Taken@acme.example'))),
          ),
        ).rejects.toMatchObject({ code: 'conflict', message: 'another person has this email' })
        expect(await rows('outbox', ws)).toEqual(before.outbox)
        expect(await rows('audit_log', ws)).toEqual(before.audit)
        const people = await collect(store.listPeople(ws.id))
        expect(people.map((p) => p.id)).toEqual(['p1'])

        // the same batch without the clash writes all of it
        await directory.transaction((tx) =>
          tx.write(merge(batch('p2', 'fresh@acme.example'), batch('p3', 'other@acme.example'))),
        )
        expect(await rows('outbox', ws)).toHaveLength(3)
        expect(await rows('audit_log', ws)).toHaveLength(3)
      })

      it('writes only the manager link of a person whose link alone changed, and nothing of one whose teams alone did', async () => {
        const ws = await workspace()
        const directory = store.directory(ws.id)
        const ada = person('p-ada', { fields: { email: 'ada@acme.example', jobTitle: 'CTO' } })
        const bob = person('p-bob', { fields: { email: 'bob@acme.example', jobTitle: 'Dev' } })
        const write = (people: { person: typeof ada; before: typeof ada | null }[]) =>
          directory.transaction((tx) => tx.write({ people, teams: [], events: [], audit: [] }))
        await write([
          { person: ada, before: null },
          { person: bob, before: null },
        ])
        // edited elsewhere after this write's rows were read: a whole-row write would undo it
        await store.db.kysely
          .updateTable('people')
          .set({ fields: JSON.stringify({ email: 'bob@acme.example', jobTitle: 'Lead' }) })
          .where('id', '=', bob.id)
          .execute()
        const [team] = await store.db.kysely
          .insertInto('teams')
          .values({ id: 't-eng', workspace_id: ws.id, name: 'Eng', hash: 'h' })
          .returning('id')
          .execute()
        await write([
          { person: { ...bob, managerId: ada.id }, before: bob },
          { person: { ...ada, teamIds: [team?.id ?? ''] }, before: ada },
        ])
        const people = await collect(store.listPeople(ws.id))
        expect(people.find((p) => p.id === bob.id)).toMatchObject({
          managerId: ada.id,
          fields: { jobTitle: 'Lead' },
          hash: bob.hash,
        })
        expect(people.find((p) => p.id === ada.id)).toMatchObject({
          managerId: null,
          teamIds: ['t-eng'],
          fields: ada.fields,
        })
        // a content change is still written whole, manager link and all
        const edited = { ...bob, fields: { ...bob.fields, jobTitle: 'CTO' }, managerId: null }
        await write([{ person: { ...edited, hash: personHash(contentOf(edited)) }, before: bob }])
        expect((await collect(store.listPeople(ws.id))).find((p) => p.id === bob.id)).toMatchObject(
          { managerId: null, fields: { jobTitle: 'CTO' } },
        )
      })

      it('stores audit entries given to it, in its workspace', async () => {
        const ws = await workspace()
        await store.audit([])
        await store.audit([
          {
            workspaceId: ws.id,
            actor: 'admin@acme.example',
            action: 'connection.create',
            entityType: 'connection',
            entityId: 'c1',
            details: { name: 'Personio' },
          },
        ])
        expect(await rows('audit_log', ws)).toEqual([
          expect.objectContaining({
            actor: 'admin@acme.example',
            action: 'connection.create',
            entity_type: 'connection',
            entity_id: 'c1',
            details: { name: 'Personio' },
          }),
        ])
      })
    })
  })
}
