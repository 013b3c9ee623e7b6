// The apply case: 100,000 creates, then 10,000 updates, into the built-in directory on PGlite or
// PostgreSQL (BENCH_BACKEND), through the engine as `hris-sync apply` does it: the stored plan is
// loaded, applied in batches, and every change result recorded. Prints one JSON line.
import { performance } from 'node:perf_hooks'

import { sql } from 'kysely'
import { z } from 'zod'

import type { Connector, ReadEnd, ReadPage } from '../../src/connectors/connector.ts'
import { ok } from '../../src/core/errors.ts'
import { blankEmployee } from '../../src/core/model/employee.ts'
import type { Employee } from '../../src/core/model/employee.ts'
import { Engine } from '../../src/engine/engine.ts'
import { Vault, generateKey } from '../../src/storage/vault.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import { openStore } from '../../test/helpers/stores.ts'

/** PGlite as `hris-sync` runs it: in a data directory on disk (in memory, files grow by copying). */
async function open() {
  if (BACKEND === 'postgres') return openStore('postgres')
  const dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-bench-'))
  const store = new SqlStore(await createDb({ databaseUrl: null, dataDir: dir }))
  return {
    store,
    close: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const BACKEND = process.env['BENCH_BACKEND'] === 'postgres' ? 'postgres' : 'pglite'
const CREATES = Number(process.env['BENCH_CREATES'] ?? 100_000)
const UPDATES = Number(process.env['BENCH_UPDATES'] ?? 10_000)
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3)

const company = (edited: number): Employee[] =>
  Array.from({ length: CREATES }, (_, i) => ({
    ...blankEmployee(String(i + 1)),
    employeeNumber: `E${String(i + 1)}`,
    firstName: `Person ${String(i + 1)}`,
    lastName: 'Müller',
    workEmail: `p${String(i + 1)}@acme.example`,
    hireDate: '2024-01-01',
    position: { id: null, name: i < edited ? 'Senior Engineer' : 'Engineer' },
    office: { id: 'ber', name: 'Berlin' },
  }))

let employees: Employee[] = []
const source: Connector = {
  id: 'fake',
  configSchema: z.object({}),
  secretSchema: null,
  capabilities: { incremental: false, includesTerminated: true, customFields: false },
  check: () => Promise.resolve(ok(undefined)),
  discoverFields: () => Promise.resolve(ok([])),
  async *read(): AsyncGenerator<ReadPage, ReadEnd> {
    await Promise.resolve()
    for (let i = 0; i < employees.length; i += 1000) yield { records: employees.slice(i, i + 1000) }
    return { complete: true, readableFields: null, watermark: null, issues: [] }
  },
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const createRates: number[] = []
const updateRates: number[] = []
let applied = { creates: 0, updates: 0 }
let version = ''
for (let run = 0; run < RUNS; run++) {
  const { store, close } = await open()
  try {
    const engine = new Engine({
      store,
      connectors: { fake: source },
      vault: new Vault(generateKey()),
      target: (ws) => new DirectoryTarget(store.directory(ws)),
      now: () => new Date('2026-11-21T09:00:00Z'),
    })
    const ws = await store.ensureWorkspace('bench')
    const connection = await engine.connect({
      workspaceId: ws.id,
      name: 'hr',
      connector: 'fake',
      config: {},
      secret: null,
    })
    // people rows only: no teams or manager links, so a row is a person
    await engine.configure(
      connection,
      { policy: { teamsFromDepartments: false, managersFromSupervisors: false } },
      {},
    )
    employees = company(0)
    if (run === 0 && BACKEND === 'postgres') {
      const v = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(
        store.db.kysely,
      )
      version = v.rows[0]?.v ?? ''
    }
    const first = await engine.preview(connection)
    let t = performance.now()
    const created = await engine.apply(ws.id, first.planId)
    createRates.push(created.counts.applied / ((performance.now() - t) / 1000))
    employees = company(UPDATES)
    const second = await engine.preview(connection)
    t = performance.now()
    const updated = await engine.apply(ws.id, second.planId)
    updateRates.push(updated.counts.applied / ((performance.now() - t) / 1000))
    applied = { creates: created.counts.applied, updates: updated.counts.applied }
    process.stderr.write(
      `  ${BACKEND} run ${String(run + 1)}: ${String(Math.round(createRates.at(-1) ?? 0))} creates/s, ${String(Math.round(updateRates.at(-1) ?? 0))} updates/s\n`,
    )
  } finally {
    await close()
  }
}
console.log(
  JSON.stringify({
    backend: BACKEND,
    version,
    runs: RUNS,
    ...applied,
    createsPerSecond: median(createRates),
    updatesPerSecond: median(updateRates),
    createRates,
    updateRates,
  }),
)
