// Full BambooHR reads of 20,000 employees from the simulator, with its modelled limit (10 requests
// a second, 120 a minute) and 100 ms latency: wall time, requests, 429s, and the ratio to the
// floor (the fastest the limit and the latency allow). Then incremental reads, each after 10 edits.
// The simulator runs in a process of its own, as BambooHR runs on machines of its own; it is
// driven through its test-only admin API. Prints one JSON line.
import path from 'node:path'
import { performance } from 'node:perf_hooks'

import { bamboohrConnector } from '../../src/connectors/bamboohr/bamboohr-connector.ts'
import { BambooHRConfig } from '../../src/connectors/bamboohr/bamboohr-config.ts'
import type { ReadOptions } from '../../src/connectors/connector.ts'
import { SyncConfig, sourceFieldsOf } from '../../src/core/plan/sync-config.ts'
import { BAMBOOHR_RATE_LIMIT } from '../../sim/bamboohr/bamboohr-state.ts'
import { adminClient } from '../../sim/shared/admin.ts'
import { spawnSimulator } from '../../sim/shared/run-alone.ts'
import { minimumDurationMs } from '../../sim/shared/sliding-window-limiter.ts'
import type { RequestStats } from '../../sim/shared/stats.ts'

const EMPLOYEES = Number(process.env['BENCH_BAMBOOHR_EMPLOYEES'] ?? 20_000)
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 100)
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3)
const { windows } = BAMBOOHR_RATE_LIMIT

interface Measured {
  readonly ms: number
  readonly requests: number
  readonly tooMany: number
  readonly records: number
  readonly complete: boolean
  readonly watermark: string | null
}

/**
 * The floor of a read of `requests` requests made in `rounds` one after another: each round
 * answered after the latency, the requests sent as early as the limit's windows allow.
 */
const floor = (requests: number, rounds: number) =>
  minimumDurationMs(requests, windows) + rounds * LATENCY_MS

const median = (xs: readonly Measured[]): Measured => {
  const sorted = [...xs].sort((a, b) => a.ms - b.ms)
  const mid = sorted[Math.floor(sorted.length / 2)]
  if (mid === undefined) throw new Error('no runs')
  return mid
}

async function main() {
  const alone = await spawnSimulator(
    path.join(import.meta.dirname, '../../sim/bamboohr/main.ts'),
    ['--employees', String(EMPLOYEES), '--latency', String(LATENCY_MS), '--seed', '1'],
    'admin',
  )
  const url = alone.field('BambooHR simulator')
  const admin = adminClient(url)
  try {
    const config = BambooHRConfig.parse({
      companyDomain: alone.field('companyDomain'),
      baseUrl: url,
    })
    const secret = { apiKey: alone.field('apiKey') }
    const ctx = { now: () => new Date() }

    const measure = async (options: ReadOptions): Promise<Measured> => {
      await admin('POST', 'stats/reset')
      const start = performance.now()
      const reading = bamboohrConnector.read(config, secret, ctx, options)
      let records = 0
      let step = await reading.next()
      while (step.done !== true) {
        records += step.value.records.length
        step = await reading.next()
      }
      const ms = performance.now() - start
      const stats = (await admin('GET', 'stats')) as RequestStats
      return {
        ms,
        requests: stats.requests,
        tooMany: stats.rateLimited,
        records,
        complete: step.value.complete,
        watermark: step.value.watermark,
      }
    }
    const runs = async (options: ReadOptions) => {
      const measured: Measured[] = []
      for (let i = 0; i < RUNS; i++) measured.push(await measure(options))
      return median(measured)
    }

    // every field, as a connection without a sync config reads: the field list, then the report
    const full = await runs({})
    // the fields the default BambooHR sync reads (its mapping, identifiers, hire date filter):
    // the report alone
    const fields = sourceFieldsOf(
      SyncConfig.parse({ filter: bamboohrConnector.defaultFilter ?? null }),
    )
    const withFields = await runs({ fields })
    // before each incremental read, someone edits 10 employees in BambooHR; each read asks only
    // for what changed since the one before
    const incrementals: Measured[] = []
    let since = withFields.watermark ?? ''
    for (let run = 1; run <= RUNS; run++) {
      for (let id = 1; id <= 10; id++) {
        await admin('PATCH', `employees/${String(id)}`, {
          position: `Edited ${String(id)} (${String(run)})`,
        })
      }
      const measured = await measure({ since })
      incrementals.push(measured)
      since = measured.watermark ?? since
    }
    const off = incrementals.find((m) => m.records !== 10)
    if (off) throw new Error(`an incremental read after 10 edits read ${String(off.records)}`)
    const incremental = median(incrementals)
    const result = {
      latencyMs: LATENCY_MS,
      employees: EMPLOYEES,
      runs: RUNS,
      limit: windows,
      fieldCount: fields.length,
      full: { ...full, floorMs: floor(2, 2), minimumRequests: 2 },
      withFields: { ...withFields, floorMs: floor(1, 1), minimumRequests: 1 },
      incremental: { ...incremental, floorMs: floor(2, 2), minimumRequests: 2 },
    }
    process.stderr.write(
      `  ${String(EMPLOYEES)}: full ${full.ms.toFixed(0)} ms (${String(full.requests)} requests, floor ${String(floor(2, 2))}), with the sync's fields ${withFields.ms.toFixed(0)} ms (${String(withFields.requests)}), incremental ${incremental.ms.toFixed(0)} ms (${String(incremental.requests)} requests, ${String(incremental.records)} records)\n`,
    )
    console.log(JSON.stringify(result))
  } finally {
    alone.stop()
  }
}

await main()
