// The scale case (issue 7): 200 workspaces, each with a Personio connection to a company of 500
// employees, synced on PostgreSQL by one `hris-sync worker` process, then (same data, fresh
// database) by two. A cycle is every connection's scheduled run once: the bench moves every
// connection's slot to now, the workers' scheduler queues them, the workers run them. Checked from
// the database: each connection ran exactly once per cycle. Then the edit→directory latency under
// the default schedule (every 15 minutes, its wait for the slot skipped by moving the slot) and
// under a schedule of every minute (real time). Prints one JSON line.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { sql } from 'kysely'

import { personioConnector } from '../../src/connectors/personio/personio-connector.ts'
import { Engine } from '../../src/engine/engine.ts'
import { nextCronTime } from '../../src/jobs/cron-next.ts'
import { createDb } from '../../src/storage/db.ts'
import { SqlSchedules } from '../../src/storage/sql-schedules.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import type { Connection } from '../../src/storage/store.ts'
import { loadVault } from '../../src/storage/vault.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { createRandom } from '../../sim/shared/random.ts'
import { CpuMeter, loadAverage, machineCpuSeconds } from '../process-cpu.ts'
import { freshDatabase, startSimulators, startWorker } from '../scale-fleet.ts'
import type { Simulators, WorkerProcess } from '../scale-fleet.ts'
import { ratio } from '../scale-report.ts'
import type { CycleResult, PassResult, ScaleResult } from '../scale-report.ts'
import type { ScaleCompany } from '../scale-sims.ts'

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const WORKSPACES = num('BENCH_SCALE_WORKSPACES', 200)
const EMPLOYEES = num('BENCH_SCALE_EMPLOYEES', 500)
const LATENCY_MS = num('BENCH_SCALE_LATENCY_MS', 75)
const SIM_PROCESSES = num('BENCH_SCALE_SIM_PROCESSES', 4)
const WORKER_COUNTS = (process.env['BENCH_SCALE_WORKERS'] ?? '1,2').split(',').map(Number)
/** Employees edited in each company before each incremental cycle. */
const EDITS = num('BENCH_SCALE_EDITS', 5)
const INCREMENTAL_CYCLES = num('BENCH_SCALE_INCREMENTAL_CYCLES', 2)
/** Slots of the default schedule reached by moving the clock, and edits before each. */
const QUARTER_ROUNDS = num('BENCH_SCALE_QUARTER_ROUNDS', 2)
const QUARTER_EDITS = num('BENCH_SCALE_QUARTER_EDITS', 4)
/** Edits at random moments of this many seconds, under a schedule of every minute. */
const MINUTE_EDITS = num('BENCH_SCALE_MINUTE_EDITS', 12)
const MINUTE_SECONDS = num('BENCH_SCALE_MINUTE_SECONDS', 120)
/** Worker settings; unset: the defaults of `hris-sync worker` (config/worker-env.ts). */
const CONCURRENCY = process.env['BENCH_SCALE_CONCURRENCY'] ?? ''
/** The scheduler's tick while throughput is measured (a cycle starts within it of its slot). */
/** How far ahead of now a latency round puts the slots: more than the scheduler's 30 s round. */
const SLOT_AHEAD_MS = 40_000
const TICK_SECONDS = num('BENCH_SCALE_TICK_SECONDS', 2)
/** A file the workers' logs are appended to, to see what they did. */
const WORKER_LOG = process.env['BENCH_SCALE_WORKER_LOG'] || undefined
/** Statements slower than this (ms) go to PostgreSQL's log, to see what the workers wait for. */
const LOG_SLOW_MS = process.env['BENCH_SCALE_LOG_SLOW_MS']
  ? Number(process.env['BENCH_SCALE_LOG_SLOW_MS'])
  : undefined
/** Leaves each pass's database behind (for EXPLAIN and the like). */
const KEEP_DATABASE = process.env['BENCH_SCALE_KEEP_DATABASE'] === '1'
const BASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

const QUARTER = '*/15 * * * *'
const MINUTE = '* * * * *'
// slots that never come due while the bench runs: only the bench's moves start a cycle
const NEVER = { incremental: '0 0 1 1 *', full: '0 0 1 7 *' }
const OPEN_STATES = ['queued', 'reading', 'planned', 'applying']

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const log = (text: string) => process.stderr.write(`  ${text}\n`)
const random = createRandom('scale')

/** One workspace of the fleet: its connection and its Personio company. */
interface Tenant {
  readonly connection: Connection
  readonly company: ScaleCompany
}

/** Everything a pass (one worker count) works with. */
interface Pass {
  readonly dbName: string
  readonly store: SqlStore
  readonly engine: Engine
  readonly schedules: SqlSchedules
  readonly tenants: readonly Tenant[]
  readonly sims: Simulators
  workers: WorkerProcess[]
}

/** An edit in Personio: who, what, when, and whether the directory has the person at all. */
interface Edit {
  readonly tenant: Tenant
  readonly id: number
  readonly position: string
  readonly at: number
  /** Terminated before it was ever synced: never in the directory. */
  readonly gone: boolean
}

async function edit(tenant: Tenant, id: number, position: string): Promise<Edit> {
  const at = Date.now()
  const response = await fetch(`${tenant.company.url}/_admin/employees/${String(id)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ position }),
  })
  const e = (await response.json()) as { terminationDate: string | null; status: string }
  const today = new Date().toISOString().slice(0, 10)
  const gone = e.terminationDate !== null && e.terminationDate <= today
  return { tenant, id, position, at, gone }
}

/** Does each edit show in the directory? The time each was first seen is set in `seen`. */
async function visible(pass: Pass, edits: readonly Edit[], seen: Map<Edit, number>) {
  const pending = edits.filter((e) => !e.gone && !seen.has(e))
  if (pending.length === 0) return
  // by the source key's unique index: (workspace, connection, external id) triples
  const { rows } = await sql<{ c: string; x: string; t: string | null }>`
    select p.source_connection_id as c, p.source_external_id as x, p.fields->>'jobTitle' as t
    from people p
    join unnest(
      ${pending.map((e) => e.tenant.connection.workspaceId)}::text[],
      ${pending.map((e) => e.tenant.connection.id)}::text[],
      ${pending.map((e) => String(e.id))}::text[]
    ) as k(w, c, x)
      on p.workspace_id = k.w and p.source_connection_id = k.c and p.source_external_id = k.x`.execute(
    pass.store.db.kysely,
  )
  const titles = new Map(rows.map((r) => [`${r.c}/${r.x}`, r.t]))
  const now = Date.now()
  for (const e of pending) {
    if (titles.get(`${e.tenant.connection.id}/${String(e.id)}`) === e.position) seen.set(e, now)
  }
}

/** Every connection's slots as the scheduler would set them for this schedule. */
async function schedule(pass: Pass, crons: { incremental: string; full: string }) {
  const now = new Date()
  for (const t of pass.tenants) {
    await pass.engine.configure(t.connection, {}, { enabled: true, ...crons })
    for (const kind of ['incremental', 'full'] as const) {
      const cron = crons[kind]
      await pass.schedules.setSlot(t.connection.id, kind, {
        cron,
        timeZone: 'UTC',
        nextAt: nextCronTime(cron, now, 'UTC').toISOString(),
      })
    }
  }
}

/**
 * Every connection's incremental slot comes due: one statement moves them all to now, or to
 * `inMs` from now (to the millisecond, as the scheduler keeps times). Returns that time.
 */
async function slotsDue(pass: Pass, inMs = 0): Promise<Date> {
  const { rows } = await sql<{ at: Date }>`
    update schedule_state
    set next_at = date_trunc('milliseconds', now()) + make_interval(secs => ${inMs / 1000})
    where kind = 'incremental' returning next_at as at`.execute(pass.store.db.kysely)
  return rows[0]?.at ?? new Date()
}

/** Jobs of the sync queue not yet done. */
async function openJobs(pass: Pass): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from hris_sync_jobs.job
    where name = 'sync' and state in ('created', 'retry', 'active')`.execute(pass.store.db.kysely)
  return Number(rows[0]?.n ?? 0)
}

/** The database's backends of this pass (pids), for their CPU. */
async function backends(pass: Pass): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = ${pass.dbName}`.execute(pass.store.db.kysely)
  return rows.map((r) => r.pid)
}

/** The database's counters: transactions (each statement outside one is one) and rows. */
async function dbCounters(pass: Pass) {
  const { rows } = await sql<{ xacts: string; returned: string; fetched: string; written: string }>`
    select xact_commit + xact_rollback as xacts, tup_returned as returned, tup_fetched as fetched,
      tup_inserted + tup_updated + tup_deleted as written
    from pg_stat_database where datname = ${pass.dbName}`.execute(pass.store.db.kysely)
  const r = rows[0]
  const tables = await sql<{ name: string; scanned: string }>`
    select schemaname || '.' || relname as name, coalesce(seq_tup_read, 0) as scanned
    from pg_stat_user_tables`.execute(pass.store.db.kysely)
  return {
    scannedByTable: new Map(tables.rows.map((t) => [t.name, Number(t.scanned)])),
    transactions: Number(r?.xacts ?? 0),
    rowsScanned: Number(r?.returned ?? 0),
    rowsFetched: Number(r?.fetched ?? 0),
    rowsWritten: Number(r?.written ?? 0),
  }
}

/** CPU of each part of the fleet from now on: workers, simulators, PostgreSQL, the machine. */
async function cpuFrom(pass: Pass) {
  const counters = await dbCounters(pass)
  const workers = new CpuMeter()
  const sims = new CpuMeter()
  const postgres = new CpuMeter()
  const machine = machineCpuSeconds()
  const bench = process.cpuUsage()
  const started = Date.now()
  // the bench's own statements (3 a poll of the cycle's loop) are not the workers'
  let polls = 0
  const sample = async () => {
    polls++
    workers.sample(pass.workers.map((w) => w.pid))
    sims.sample(pass.sims.pids)
    postgres.sample(await backends(pass))
  }
  return {
    sample,
    async end() {
      await sample()
      const seconds = (Date.now() - started) / 1000
      const after = machineCpuSeconds()
      const used = process.cpuUsage(bench)
      const busy = machine && after ? after.busy - machine.busy : null
      const ours = workers.seconds() + sims.seconds() + postgres.seconds()
      const benchSeconds = (used.user + used.system) / 1e6
      // as a share of one core over the time measured
      const share = (s: number | null) => (s === null ? null : s / seconds)
      // the statistics collector reports every 0.5 s or so: counted after the cycle settled
      const db = async () => {
        const after = await dbCounters(pass)
        const scans = [...after.scannedByTable].map(
          ([name, n]) => [name, n - (counters.scannedByTable.get(name) ?? 0)] as const,
        )
        return {
          // the tables read row by row (sequential scans) the most
          seqScanRows: Object.fromEntries(
            scans
              .filter(([, n]) => n > 0)
              .sort((a, b) => b[1] - a[1])
              .slice(0, 5),
          ),
          transactions: after.transactions - counters.transactions - 3 * polls,
          rowsScanned: after.rowsScanned - counters.rowsScanned,
          rowsFetched: after.rowsFetched - counters.rowsFetched,
          rowsWritten: after.rowsWritten - counters.rowsWritten,
        }
      }
      return {
        db,
        seconds,
        workers: share(workers.seconds()),
        simulators: share(sims.seconds()),
        postgres: share(postgres.seconds()),
        bench: share(benchSeconds),
        machine: share(busy),
        others: share(busy === null ? null : Math.max(0, busy - ours - benchSeconds)),
      }
    },
  }
}

/** What the runs of a cycle (created at `since` or after) came to, from the database. */
async function cycleFigures(pass: Pass, since: Date) {
  const k = pass.store.db.kysely
  const perConnection = await sql<{ c: string; n: string }>`
    select connection_id as c, count(*) as n from runs where created_at >= ${since}
    group by connection_id`.execute(k)
  const counts = perConnection.rows.map((r) => Number(r.n))
  // what each run read and planned, from its plan (a run's counts become its results once applied)
  const { rows: runRows } = await sql<{
    kind: string
    state: string
    n: string
    employees: string | null
    creates: string | null
    updates: string | null
  }>`
    select r.kind, r.state, count(*) as n,
      sum((p.header->'basis'->>'employees')::int) as employees,
      sum((p.header->'summary'->'people'->>'create')::int) as creates,
      sum((p.header->'summary'->'people'->>'update')::int) as updates
    from runs r left join plans p on p.run_id = r.id
    where r.created_at >= ${since} group by r.kind, r.state`.execute(k)
  const { rows: jobRows } = await sql<{
    jobs: string
    retries: string | null
    first: Date | null
    dupes: string
  }>`
    select count(*) as jobs, sum(retry_count) as retries, min(created_on) as first,
      count(*) - count(distinct singleton_key) as dupes
    from hris_sync_jobs.job where name = 'sync' and created_on >= ${since}`.execute(k)
  const { rows: ends } = await sql<{ last: Date | null }>`
    select max(coalesce(finished_at, updated_at)) as last from runs
    where created_at >= ${since}`.execute(k)
  const { rows: claims } = await sql<{ n: string }>`
    select count(*) as n from schedule_state
    where kind = 'incremental' and last_enqueued_at >= ${since}`.execute(k)
  const job = jobRows[0]
  const first = job?.first ?? since
  const last = ends[0]?.last ?? since
  const seconds = (last.getTime() - first.getTime()) / 1000
  const sum = (key: 'employees' | 'creates' | 'updates') =>
    runRows.reduce((a, r) => a + Number(r[key] ?? 0), 0)
  return {
    connections: pass.tenants.length,
    ranOnce: counts.filter((n) => n === 1).length,
    ranMoreThanOnce: counts.filter((n) => n > 1).length,
    didNotRun: pass.tenants.length - counts.length,
    slotsClaimed: Number(claims[0]?.n ?? 0),
    runs: runRows.map((r) => ({ kind: r.kind, state: r.state, n: Number(r.n) })),
    jobs: Number(job?.jobs ?? 0),
    jobsForAConnectionTwice: Number(job?.dupes ?? 0),
    retries: Number(job?.retries ?? 0),
    employeesRead: sum('employees'),
    creates: sum('creates'),
    updates: sum('updates'),
    seconds,
    connectionsPerMinute: (counts.length / seconds) * 60,
    employeesPerSecond: sum('employees') / seconds,
  }
}

/**
 * One cycle: every incremental slot comes due at once; waits until every connection has a run
 * that ended and the queue is empty, then a little more (a late second run would show).
 */
async function cycle(
  pass: Pass,
  label: string,
  kind: CycleResult['kind'],
  edits: readonly Edit[] = [],
  slotInMs = 0,
): Promise<CycleResult & { slotAt: Date }> {
  const finishedBefore = pass.workers.map((w) => w.runsFinished())
  const since = await slotsDue(pass, slotInMs)
  let cpu: Awaited<ReturnType<typeof cpuFrom>> | null = null
  const deadline = Date.now() + 20 * 60_000
  for (;;) {
    const { rows } = await sql<{ ended: string }>`
      select count(distinct connection_id) as ended from runs
      where created_at >= ${since} and state not in (${sql.join(OPEN_STATES)})`.execute(
      pass.store.db.kysely,
    )
    const open = await openJobs(pass)
    // CPU from the first job on: the wait for the tick is idle time
    if (cpu === null && (open > 0 || Number(rows[0]?.ended ?? 0) > 0)) cpu = await cpuFrom(pass)
    await cpu?.sample()
    if (Number(rows[0]?.ended ?? 0) >= pass.tenants.length && open === 0) break
    if (Date.now() > deadline) throw new Error(`cycle ${label} did not end`)
    await sleep(250)
  }
  const load = (await cpu?.end()) ?? null
  await sleep(3000)
  const database = (await load?.db()) ?? null
  const figures = await cycleFigures(pass, since)
  const seen = new Map<Edit, number>()
  await visible(pass, edits, seen)
  const expected = edits.filter((e) => !e.gone).length
  const perWorker = pass.workers.map((w, i) => w.runsFinished() - (finishedBefore[i] ?? 0))
  log(
    `${label}: ${String(figures.ranOnce)}/${String(figures.connections)} once, ${String(figures.ranMoreThanOnce)} twice, ${figures.seconds.toFixed(1)} s, ${figures.connectionsPerMinute.toFixed(0)} connections/min, ${figures.employeesPerSecond.toFixed(0)} employees/s; runs per worker ${perWorker.join('/')}; edits seen ${String(seen.size)}/${String(expected)}`,
  )
  return {
    label,
    kind,
    slotAt: since,
    ...figures,
    runsPerWorker: perWorker,
    edits: edits.length,
    editsExpected: expected,
    editsSeen: seen.size,
    cpu:
      load === null
        ? null
        : {
            seconds: load.seconds,
            workers: load.workers,
            simulators: load.simulators,
            postgres: load.postgres,
            bench: load.bench,
            machine: load.machine,
            others: load.others,
          },
    database,
  }
}

/** EDITS employees of every company edited (ids spread over the company). */
async function editEveryCompany(pass: Pass, round: number): Promise<Edit[]> {
  const edits: Promise<Edit>[] = []
  for (const [i, tenant] of pass.tenants.entries()) {
    for (let k = 0; k < EDITS; k++) {
      const id = 1 + ((i * 37 + round * 101 + k * Math.ceil(EMPLOYEES / EDITS)) % EMPLOYEES)
      edits.push(edit(tenant, id, `Scale ${String(round)}.${String(i)}.${String(k)}`))
    }
  }
  return Promise.all(edits)
}

/** A workspace and an edit in it, at random, of someone in the directory. */
async function randomEdit(pass: Pass, label: string): Promise<Edit> {
  for (;;) {
    const tenant = random.pick(pass.tenants)
    const e = await edit(tenant, random.int(1, EMPLOYEES), label)
    if (!e.gone) return e
  }
}

const stats = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return { n: sorted.length, median: at(0.5), max: sorted.at(-1) ?? 0, min: sorted[0] ?? 0 }
}

/**
 * The default schedule (every 15 minutes). Each edit is given a moment of the 15 minutes before
 * its slot, at random: its wait for the slot. The bench then skips most of that wait: the edits
 * are made, and every slot is moved to SLOT_AHEAD_MS from now, so that the scheduler, ticking as
 * it does by default (at most 30 s apart), knows the slot before it comes, as it knows a real
 * quarter hour. Measured: from the slot until the directory has the edit (the tick at the slot,
 * the queue of 200 runs due at once, the run). Latency = wait + the time measured.
 */
async function quarterHourLatency(pass: Pass) {
  await schedule(pass, { incremental: QUARTER, full: NEVER.full })
  const samples: { waitSeconds: number; measuredSeconds: number; seconds: number }[] = []
  const cycles = []
  for (let round = 0; round < QUARTER_ROUNDS; round++) {
    // a real quarter-hour slot must not come during a round: it would start the cycle itself
    const boundary = nextCronTime(QUARTER, new Date(), 'UTC').getTime()
    if (boundary - Date.now() < 180_000) {
      log('waiting for a real quarter-hour slot to pass and its runs to end')
      await sleep(boundary - Date.now() + 1000)
      while ((await openJobs(pass)) > 0) await sleep(500)
      await sleep(35_000)
      while ((await openJobs(pass)) > 0) await sleep(500)
    }
    const edits: Edit[] = []
    for (let k = 0; k < QUARTER_EDITS; k++) {
      edits.push(await randomEdit(pass, `Quarter ${String(round)}.${String(k)}`))
    }
    const waits = edits.map(() => random.next() * 15 * 60)
    const seen = new Map<Edit, number>()
    const watching = (async () => {
      const end = Date.now() + 10 * 60_000
      while (seen.size < edits.length && Date.now() < end) {
        await visible(pass, edits, seen)
        await sleep(100)
      }
    })()
    const slot = await cycle(
      pass,
      `every 15 minutes, slot ${String(round + 1)}`,
      'latency',
      [],
      SLOT_AHEAD_MS,
    )
    cycles.push(slot)
    await watching
    edits.forEach((e, k) => {
      const at = seen.get(e)
      const wait = waits[k] ?? 0
      if (at === undefined) throw new Error(`edit ${e.position} never reached the directory`)
      const measured = (at - slot.slotAt.getTime()) / 1000
      samples.push({ waitSeconds: wait, measuredSeconds: measured, seconds: wait + measured })
    })
  }
  return {
    samples,
    seconds: stats(samples.map((s) => s.seconds)),
    measuredSeconds: stats(samples.map((s) => s.measuredSeconds)),
    cycles,
  }
}

/** Every minute, in real time: edits at random moments, each timed until the directory has it. */
async function minuteLatency(pass: Pass) {
  await schedule(pass, { incremental: MINUTE, full: NEVER.full })
  const started = new Date()
  const moments = Array.from({ length: MINUTE_EDITS }, () => random.next() * MINUTE_SECONDS * 1000)
  moments.sort((a, b) => a - b)
  const edits: Edit[] = []
  const seen = new Map<Edit, number>()
  const t0 = Date.now()
  for (const [k, moment] of moments.entries()) {
    await sleep(Math.max(0, t0 + moment - Date.now()))
    edits.push(await randomEdit(pass, `Minute ${String(k)}`))
    await visible(pass, edits, seen)
  }
  const end = Date.now() + 5 * 60_000
  while (seen.size < edits.length && Date.now() < end) {
    await visible(pass, edits, seen)
    await sleep(100)
  }
  // the slot that brought an edit is the last minute before the directory had it (a cycle of
  // every connection takes seconds): before it, the edit waited for it
  const minute = 60_000
  const timed = edits.map((e) => {
    const at = seen.get(e)
    if (at === undefined) throw new Error(`edit ${e.position} never reached the directory`)
    const slot = Math.floor(at / minute) * minute
    return { seconds: (at - e.at) / 1000, afterSlotSeconds: (at - slot) / 1000 }
  })
  const samples = timed.map((t) => t.seconds)
  // the schedule off again, what is queued let finish
  await schedule(pass, NEVER)
  while ((await openJobs(pass)) > 0) await sleep(500)
  // each minute's slot queued once per connection: no connection has two jobs of one minute
  const { rows } = await sql<{ slots: string; jobs: string; twice: string }>`
    select count(distinct date_trunc('minute', created_on)) as slots, count(*) as jobs,
      count(*) - count(distinct (singleton_key, date_trunc('minute', created_on))) as twice
    from hris_sync_jobs.job where name = 'sync' and created_on >= ${started}`.execute(
    pass.store.db.kysely,
  )
  return {
    seconds: stats(samples),
    afterSlotSeconds: stats(timed.map((t) => t.afterSlotSeconds)),
    samples,
    slots: Number(rows[0]?.slots ?? 0),
    jobs: Number(rows[0]?.jobs ?? 0),
    jobsForAConnectionTwiceInAMinute: Number(rows[0]?.twice ?? 0),
  }
}

async function setUp(dbName: string, url: string, key: string, sims: Simulators): Promise<Pass> {
  const store = new SqlStore(await createDb({ databaseUrl: url, dataDir: 'memory' }))
  const vault = await loadVault({ envKey: key, keyFile: '/nonexistent', create: false })
  const engine = new Engine({
    store,
    connectors: { personio: personioConnector },
    vault,
    target: (ws) => new DirectoryTarget(store.directory(ws)),
    now: () => new Date(),
  })
  const tenants: Tenant[] = []
  for (const [i, company] of sims.companies.entries()) {
    const ws = await store.ensureWorkspace(`company-${String(i + 1)}`)
    const connection = await engine.connect({
      workspaceId: ws.id,
      name: 'personio',
      connector: 'personio',
      config: { baseUrl: company.url, appId: 'hris-sync-bench' },
      secret: { clientId: company.clientId, clientSecret: company.clientSecret },
      check: false,
    })
    tenants.push({ connection, company })
  }
  const pass: Pass = {
    dbName,
    store,
    engine,
    schedules: new SqlSchedules(store.db),
    tenants,
    sims,
    workers: [],
  }
  await schedule(pass, NEVER)
  return pass
}

async function runPass(workers: number, withLatency: boolean): Promise<PassResult> {
  const loadBefore = loadAverage()
  log(`${String(workers)} worker process(es): ${String(WORKSPACES)} companies …`)
  const sims = await startSimulators({
    companies: WORKSPACES,
    processes: SIM_PROCESSES,
    employees: EMPLOYEES,
    latencyMs: LATENCY_MS,
  })
  const dbName = `hris_sync_scale_${String(process.pid)}_${String(workers)}`
  const db = await freshDatabase(BASE_URL, dbName, LOG_SLOW_MS)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hris-sync-scale-'))
  const key = randomBytes(32).toString('base64')
  let pass: Pass | null = null
  try {
    pass = await setUp(dbName, db.url, key, sims)
    const env = (tick: number | null) => ({
      DATABASE_URL: db.url,
      HRIS_SYNC_SECRET_KEY: key,
      HRIS_SYNC_DATA_DIR: dir,
      HRIS_SYNC_LOG_LEVEL: 'info',
      HRIS_SYNC_WORKER_CONCURRENCY: CONCURRENCY,
      HRIS_SYNC_TICK_SECONDS: tick === null ? '' : String(tick),
      // e.g. --cpu-prof, to see where a worker's time goes
      NODE_OPTIONS: process.env['BENCH_SCALE_WORKER_NODE_OPTIONS'] ?? '',
    })
    const start = (tick: number | null) =>
      Promise.all(Array.from({ length: workers }, () => startWorker(env(tick), dir, WORKER_LOG)))
    const p = pass
    p.workers = await start(TICK_SECONDS)
    const cycles = [await cycle(p, 'first sync (full read)', 'first')]
    for (let round = 1; round <= INCREMENTAL_CYCLES; round++) {
      const edits = await editEveryCompany(p, round)
      cycles.push(await cycle(p, `incremental ${String(round)}`, 'incremental', edits))
    }
    let latency = null
    if (withLatency && QUARTER_ROUNDS + MINUTE_EDITS > 0) {
      // the workers as they run by default: the scheduler ticks every 30 s
      await Promise.all(p.workers.map((w) => w.stop()))
      p.workers = await start(null)
      const quarterHour = await quarterHourLatency(p)
      log(
        `every 15 minutes: median ${(quarterHour.seconds.median / 60).toFixed(1)} min, max ${(quarterHour.seconds.max / 60).toFixed(1)} min (measured part: median ${quarterHour.measuredSeconds.median.toFixed(1)} s, max ${quarterHour.measuredSeconds.max.toFixed(1)} s)`,
      )
      const minute = await minuteLatency(p)
      log(
        `every minute: median ${minute.seconds.median.toFixed(1)} s, max ${minute.seconds.max.toFixed(1)} s over ${String(minute.samples.length)} edits`,
      )
      latency = { quarterHour, minute }
    }
    const errors = p.workers.flatMap((w) => w.errors())
    return { workers, load: { before: loadBefore, after: loadAverage() }, cycles, latency, errors }
  } finally {
    if (pass) await Promise.all(pass.workers.map((w) => w.stop()))
    await pass?.store.close()
    await sims.stop()
    if (KEEP_DATABASE) log(`database ${dbName} left for a look (drop it by hand)`)
    else await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}

const began = Date.now()
const passes: PassResult[] = []
for (const [i, workers] of WORKER_COUNTS.entries()) {
  passes.push(await runPass(workers, i === WORKER_COUNTS.length - 1))
}
const result: ScaleResult = {
  workspaces: WORKSPACES,
  employees: EMPLOYEES,
  latencyMs: LATENCY_MS,
  simProcesses: SIM_PROCESSES,
  edits: EDITS,
  concurrency: CONCURRENCY === '' ? 'default' : Number(CONCURRENCY),
  tickSeconds: TICK_SECONDS,
  cores: os.availableParallelism(),
  minutes: (Date.now() - began) / 60_000,
  passes,
}
log(
  `2 vs 1 worker processes: ${ratio(result, 'first')?.toFixed(2) ?? '?'}× on the first sync, ${ratio(result, 'incremental')?.toFixed(2) ?? '?'}× incremental; ${result.minutes.toFixed(1)} min in all`,
)
console.log(JSON.stringify(result))
