// Full Personio reads of 1,000 / 10,000 / 50,000 employees (BENCH_PERSONIO_SIZES) from the
// simulator, with Personio's documented limits and 100 ms latency (BENCH_LATENCY_MS): wall time,
// requests, 429s, and the ratio to the floor (the fastest the limits and the latency allow a client
// that knows what it knows). Then an incremental read after 10 edits. The simulator runs in a
// process of its own (npm run sim:personio), as Personio runs on machines of its own; it is driven
// through its test-only admin API. Prints one JSON line.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

import { personioConnector } from '../../src/connectors/personio/personio-connector.ts'
import { PersonioConfig } from '../../src/connectors/personio/personio-config.ts'
import type { ReadOptions } from '../../src/connectors/connector.ts'
import { SyncConfig, sourceFieldsOf } from '../../src/core/plan/sync-config.ts'
import { PERSONIO_RATE_LIMITS } from '../../sim/personio/personio-rate-limits.ts'
import type { PersonioSimStats } from '../../sim/personio/personio-stats.ts'
import { minimumDurationMs } from '../../sim/shared/sliding-window-limiter.ts'

const SIZES = (process.env['BENCH_PERSONIO_SIZES'] ?? '1000,10000,50000').split(',').map(Number)
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 100)
const PAGE = 100
const windows = PERSONIO_RATE_LIMITS.v1Employees?.windows ?? []

/** `npm run sim:personio` in a child process: its URL and credential, and a way to stop it. */
async function simulator(employees: number) {
  const child = spawn(
    process.execPath,
    [
      path.join(import.meta.dirname, '../../sim/personio/main.ts'),
      '--employees',
      String(employees),
      '--latency',
      String(LATENCY_MS),
      '--seed',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('admin:')) resolve()
    })
    child.on('exit', (code) => {
      reject(new Error(`the simulator stopped (${String(code)})`))
    })
  })
  const field = (name: string) => new RegExp(`${name}:\\s+(\\S+)`).exec(out)?.[1] ?? ''
  const url = field('Personio simulator')
  const admin = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${url}/_admin/${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return response.json()
  }
  return {
    url,
    secret: { clientId: field('client_id'), clientSecret: field('client_secret') },
    stats: () => admin('GET', 'stats') as Promise<PersonioSimStats>,
    resetStats: () => admin('POST', 'stats/reset'),
    edit: (id: number) =>
      admin('PATCH', `employees/${String(id)}`, { position: `Edited ${String(id)}` }),
    close: () => {
      child.kill()
    },
  }
}

interface Measured {
  readonly ms: number
  readonly requests: number
  readonly authRequests: number
  readonly tooMany: number
  readonly records: number
  readonly complete: boolean
  readonly watermark: string | null
  /** The client's CPU time during the read (user + system): parsing, checking, normalizing. */
  readonly cpuMs: number
  /** The bodies of the answers, as their Content-Length says. */
  readonly bytes: number
}

async function main() {
  const results = []
  for (const employees of SIZES) {
    const sim = await simulator(employees)
    const config = PersonioConfig.parse({ baseUrl: sim.url, appId: 'hris-sync-bench' })
    const { secret } = sim
    let bytes = 0
    const ctx = {
      now: () => new Date(),
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        const response = await fetch(input, init)
        bytes += Number(response.headers.get('content-length') ?? 0)
        return response
      },
    }

    const measure = async (options: ReadOptions): Promise<Measured> => {
      await sim.resetStats()
      bytes = 0
      const cpu = process.cpuUsage()
      const start = performance.now()
      const reading = personioConnector.read(config, secret, ctx, options)
      let records = 0
      let step = await reading.next()
      while (step.done !== true) {
        records += step.value.records.length
        step = await reading.next()
      }
      const ms = performance.now() - start
      const used = process.cpuUsage(cpu)
      const stats = await sim.stats()
      const auth = stats.routes['POST /v1/auth']?.requests ?? 0
      return {
        ms,
        requests: stats.requests,
        authRequests: auth,
        tooMany: stats.rateLimited,
        records,
        complete: step.value.complete,
        watermark: step.value.watermark,
        cpuMs: (used.user + used.system) / 1000,
        bytes,
      }
    }

    const pages = Math.ceil(employees / PAGE)
    // the floors: what the limits and the latency allow a client that knows what it knows.
    // A first read knows neither a token nor the company's size: the token's round trip, then
    // the first page's (its total says how many pages follow), the others sent as early as the
    // windows allow but not before that answer, the last answered a round trip after it left.
    const firstFloor =
      LATENCY_MS + minimumDurationMs(pages, windows, (i) => (i === 0 ? 0 : LATENCY_MS)) + LATENCY_MS
    // a next read has its token and the last read's size: every page asked for at once, as
    // early as the windows allow, the last answered a round trip after it left
    const nextFloor = minimumDurationMs(pages, windows) + LATENCY_MS

    // first read: no token yet, no idea of the company's size (the first page tells)
    const first = await measure({})
    // a later read, as the next scheduled one: the token is cached, the last read's size is the
    // hint, and the rate windows of the first read have passed (a minute when it filled one)
    const settle = (requests: number) =>
      new Promise((resolve) => setTimeout(resolve, requests > 15 * 4 ? 61_000 : 1_500))
    await settle(first.requests)
    const repeat = await measure({ sizeHint: first.records })
    await settle(repeat.requests)
    // the same, asking only for the attributes the default sync reads (attributes[]), as a sync
    // does: nothing it does not map leaves Personio
    const fields = sourceFieldsOf(SyncConfig.parse({}))
    // once unmeasured, as the first read did for every attribute: the simulator renders an
    // employee once per version and attribute set (Personio's own time is not what is measured)
    await settle((await measure({ sizeHint: first.records, fields })).requests)
    const synced = await measure({ sizeHint: first.records, fields })
    await settle(synced.requests)
    // someone edits 10 employees in Personio; the next read asks only for changes
    for (let id = 1; id <= 10; id++) await sim.edit(id)
    const incremental = await measure({ since: repeat.watermark ?? '' })
    const onEmployees = (await sim.stats()).routes['GET /v1/company/employees'] ?? { requests: 0 }
    results.push({
      employees,
      pages,
      first: { ...first, floorMs: firstFloor, minimumRequests: pages + 1 },
      repeat: { ...repeat, floorMs: nextFloor, minimumRequests: pages },
      synced: { ...synced, floorMs: nextFloor, minimumRequests: pages, fields: fields.length },
      incremental: { ...incremental, employeeRequests: onEmployees.requests, minimumRequests: 1 },
    })
    sim.close()
    process.stderr.write(
      `  ${String(employees)}: first ${first.ms.toFixed(0)} ms (floor ${String(firstFloor)}), repeat ${repeat.ms.toFixed(0)} ms (floor ${String(nextFloor)}), with the sync's ${String(fields.length)} fields ${synced.ms.toFixed(0)} ms, ${String(repeat.requests)} requests, ${String(first.tooMany + repeat.tooMany)} 429s; incremental ${incremental.ms.toFixed(0)} ms, ${String(incremental.requests)} requests, ${String(incremental.records)} records\n`,
    )
  }
  console.log(JSON.stringify({ latencyMs: LATENCY_MS, results }))
}

await main()
