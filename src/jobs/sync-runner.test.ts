import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { personioConnector } from '../connectors/personio/personio-connector.ts'
import { SyncError } from '../core/errors.ts'
import { Engine } from '../engine/engine.ts'
import { queueDb, queueSchema } from '../storage/job-queue-db.ts'
import { SqlOutbox } from '../storage/sql-outbox.ts'
import { SqlSchedules } from '../storage/sql-schedules.ts'
import type { SqlStore } from '../storage/sql-store.ts'
import type { Connection } from '../storage/store.ts'
import { Vault, generateKey } from '../storage/vault.ts'
import { DirectoryTarget } from '../targets/directory/directory-target.ts'
import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../../sim/personio/start-personio-sim.ts'
import { BACKENDS, openStore } from '../../test/helpers/stores.ts'
import { SYNC_QUEUE } from './job-types.ts'
import type { Logger, SyncJob } from './job-types.ts'
import type { Scheduler } from './scheduler.ts'
import { SyncRunner } from './sync-runner.ts'
import { Workers, jobEnd, openQueue } from './workers.ts'

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} }

/**
 * Personio as seen through a gateway that can be down: while it refuses, every request gets 503
 * with `Retry-After: 0` (so the connector's own tries pass at once); the others go to the
 * simulator.
 */
async function startGate(target: string) {
  let refusing = 0
  let refused = 0
  const server = createServer((req, res) => {
    if (refusing > 0) {
      refusing--
      refused++
      req.resume()
      res.writeHead(503, { 'retry-after': '0' }).end()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (d: Buffer) => chunks.push(d))
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).flatMap(([k, v]) =>
          ['host', 'connection', 'content-length'].includes(k) || v === undefined
            ? []
            : [[k, String(v)]],
        ),
      )
      const body = Buffer.concat(chunks)
      fetch(`${target}${req.url ?? ''}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      })
        .then(async (answer) => {
          const kept = [...answer.headers].filter(
            ([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k),
          )
          res.writeHead(answer.status, Object.fromEntries(kept))
          res.end(Buffer.from(await answer.arrayBuffer()))
        })
        .catch(() => res.writeHead(502).end())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${String(port)}`,
    /** Refuses the next `n` requests. */
    refuse(n: number) {
      refusing = n
    },
    get refused() {
      return refused
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  }
}

const until = async (check: () => Promise<boolean>, what: string) => {
  for (let i = 0; i < 400; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('jobEnd: how a job leaves the queue', () => {
  it('completes a run that came to an end, and sends back one the runner returns', () => {
    expect(jobEnd({ outcome: { done: true, state: 'failed', runId: 'r1' } })).toEqual({
      complete: true,
      output: { done: true, state: 'failed', runId: 'r1' },
    })
    const busy = new SyncError('upstream_unavailable', 'Personio did not answer', {
      retryable: true,
    })
    expect(jobEnd({ outcome: { done: false, error: busy } })).toEqual({
      complete: false,
      error: { code: 'upstream_unavailable', message: 'Personio did not answer' },
    })
  })

  it('tries a thrown error again when it may pass, never one that cannot', () => {
    const gone = new SyncError('not_found', 'connection c1 not found')
    expect(jobEnd({ thrown: gone })).toEqual({
      complete: true,
      output: {
        done: true,
        state: 'failed',
        error: { code: 'not_found', message: 'connection c1 not found' },
      },
    })
    const down = new SyncError('upstream_unavailable', 'down', { retryable: true })
    expect(jobEnd({ thrown: down })).toMatchObject({ complete: false })
    // not ours to judge (a database gone for a moment): tried again
    expect(jobEnd({ thrown: new Error('Connection terminated') })).toEqual({
      complete: false,
      error: { code: 'internal', message: 'Connection terminated' },
    })
  })
})

for (const backend of BACKENDS) {
  describe(`retries of a sync, on ${backend}`, { timeout: 90_000 }, () => {
    let sim: PersonioSim
    let gate: Awaited<ReturnType<typeof startGate>>
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let engine: Engine
    let schedules: SqlSchedules
    let outbox: SqlOutbox
    let workspaceId: string
    let count = 0

    const runner = () =>
      new SyncRunner({
        engine,
        store,
        schedules,
        outbox,
        now: () => new Date(),
        logger: quiet,
        quarantineAfter: 2,
      })
    /** A connection to Personio through the gate; `broken`: a sync config no run can work with. */
    async function connection(broken = false): Promise<Connection> {
      const [credential] = sim.credentials
      const made = await engine.connect({
        workspaceId,
        name: `personio-${String(++count)}`,
        connector: 'personio',
        config: { baseUrl: gate.url },
        secret: { clientId: credential?.clientId, clientSecret: credential?.clientSecret },
      })
      // a custom attribute the credential cannot read: every run fails, and trying cannot help
      await engine.configure(made, broken ? { identifiers: [{ custom: 'dynamic_404' }] } : {}, {})
      return made
    }
    const job = (c: Connection): SyncJob => ({
      workspaceId,
      connectionId: c.id,
      kind: 'full',
      reason: 'test',
    })

    beforeAll(async () => {
      sim = await startPersonioSim({ employees: 15, seed: 'retries', rateLimits: false })
      gate = await startGate(sim.url)
      opened = await openStore(backend)
      store = opened.store
      const vault = new Vault(generateKey())
      engine = new Engine({
        store,
        connectors: { personio: personioConnector },
        vault,
        target: (ws) => new DirectoryTarget(store.directory(ws)),
        now: () => new Date(),
      })
      schedules = new SqlSchedules(store.db)
      outbox = new SqlOutbox(store.db)
      workspaceId = (await store.ensureWorkspace('acme')).id
    }, 60_000)
    afterAll(async () => {
      await gate.close()
      await sim.close()
      await opened.close()
    })

    it('sends a retryable error back while tries are left, and counts no failure for it', async () => {
      const c = await connection()
      // the connector tries each request 6 times before it gives up
      gate.refuse(6)
      const outcome = await runner().run(job(c), { retryCount: 0, retryLimit: 2 })
      expect(outcome.done).toBe(false)
      if (outcome.done) return
      expect(outcome.error).toMatchObject({ code: 'upstream_unavailable', retryable: true })
      expect(await schedules.health(c.id)).toMatchObject({
        status: 'active',
        consecutiveFailures: 0,
      })
      // its last try is a failure of the connection
      gate.refuse(6)
      const last = await runner().run(job(c), { retryCount: 2, retryLimit: 2 })
      expect(last).toMatchObject({ done: true, state: 'failed' })
      expect(await schedules.health(c.id)).toMatchObject({
        consecutiveFailures: 1,
        lastError: { code: 'upstream_unavailable' },
      })
    })

    it('never sends a non-retryable error back, and counts it toward quarantine', async () => {
      const c = await connection(true)
      const first = await runner().run(job(c), { retryCount: 0, retryLimit: 4 })
      expect(first).toMatchObject({ done: true, state: 'failed' })
      expect(await schedules.health(c.id)).toMatchObject({
        status: 'active',
        consecutiveFailures: 1,
      })
      const second = await runner().run(job(c), { retryCount: 0, retryLimit: 4 })
      expect(second).toMatchObject({ done: true, state: 'failed' })
      expect(await schedules.health(c.id)).toMatchObject({
        status: 'quarantined',
        consecutiveFailures: 2,
      })
      const told = (await outbox.messages(workspaceId, 'notification', 50)).filter(
        (m) => m.payload['connectionId'] === c.id,
      )
      expect(told.map((m) => m.payload['topic'])).toEqual(['quarantined'])
    })

    it('ticks the scheduler when the next slot it knows of comes due, not at its next round', async () => {
      const settings = { db: queueDb(store.db), schema: await queueSchema(store.db), logger: quiet }
      const ticks: number[] = []
      const scheduler = {
        tick: () => {
          ticks.push(Date.now())
          // a slot 300 ms away, then none
          return Promise.resolve({
            queued: [],
            held: [],
            nextDueInMs: ticks.length === 1 ? 300 : null,
          })
        },
      } as unknown as Scheduler
      const workers = await Workers.start({
        ...settings,
        runner: runner(),
        scheduler,
        deliverer: null,
        concurrency: 0,
        tickMs: 60_000,
      })
      try {
        await until(() => Promise.resolve(ticks.length >= 2), 'a second tick')
        const [first = 0, second = 0] = ticks
        expect(second - first).toBeGreaterThanOrEqual(300)
        expect(second - first).toBeLessThan(5000)
        // with nothing coming due, the next round is the longest wait
        await new Promise((resolve) => setTimeout(resolve, 500))
        expect(ticks).toHaveLength(2)
      } finally {
        await workers.stop()
      }
    })

    it('through pg-boss: a retryable failure is tried again and then syncs; a non-retryable one is not', async () => {
      const db = { db: queueDb(store.db), schema: await queueSchema(store.db), logger: quiet }
      const settings = { ...db, retryLimit: 2, retryDelaySeconds: 0, jobTimeoutSeconds: 60 }
      const workers = await Workers.start({
        ...settings,
        runner: runner(),
        scheduler: null,
        deliverer: null,
        concurrency: 1,
        pollMs: 50,
      })
      const queue = await openQueue(settings)
      try {
        const ended = async (id: string) => {
          let state = ''
          await until(async () => {
            const found = await queue.boss.getJobById(SYNC_QUEUE, id, { includeArchive: true })
            state = found?.state ?? ''
            return state === 'completed' || state === 'failed'
          }, `job ${id}`)
          return queue.boss.getJobById(SYNC_QUEUE, id, { includeArchive: true })
        }

        const flaky = await connection()
        const refusedBefore = gate.refused
        gate.refuse(6)
        const first = await workers.queue.send(job(flaky))
        if (first === null) throw new Error('not queued')
        const retried = await ended(first)
        expect(retried).toMatchObject({ state: 'completed', retryCount: 1 })
        expect(retried?.output).toMatchObject({ done: true, state: 'succeeded' })
        expect(gate.refused - refusedBefore).toBe(6)
        const runs = await store.listRuns(workspaceId, flaky.id, 10)
        expect(runs.map((r) => r.state)).toEqual(['succeeded', 'failed'])
        expect(runs[1]?.error?.code).toBe('upstream_unavailable')
        expect(await schedules.health(flaky.id)).toMatchObject({ consecutiveFailures: 0 })

        const broken = await connection(true)
        const second = await workers.queue.send(job(broken))
        if (second === null) throw new Error('not queued')
        const once = await ended(second)
        expect(once).toMatchObject({ state: 'completed', retryCount: 0 })
        expect(once?.output).toMatchObject({ done: true, state: 'failed' })
        expect(await store.listRuns(workspaceId, broken.id, 10)).toHaveLength(1)
        expect(await schedules.health(broken.id)).toMatchObject({ consecutiveFailures: 1 })
      } finally {
        await workers.stop()
        await queue.close()
      }
    })
  })
}
