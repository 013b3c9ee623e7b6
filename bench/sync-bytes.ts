// What one first sync of a Personio company sends to PostgreSQL, by statement kind: bytes on the
// wire (every message the driver writes for the statement), statements, and the sync's wall and
// CPU time. Not part of `npm run bench`: a tool for looking at the write path.
//   DATABASE_URL=postgres://… node bench/sync-bytes.ts --employees 500 --syncs 3
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { parseArgs } from 'node:util'

import pg from 'pg'

import { personioConnector } from '../src/connectors/personio/personio-connector.ts'
import { Engine } from '../src/engine/engine.ts'
import { createDb } from '../src/storage/db.ts'
import { SqlStore } from '../src/storage/sql-store.ts'
import { Vault } from '../src/storage/vault.ts'
import { DirectoryTarget } from '../src/targets/directory/directory-target.ts'
import { startPersonioSim } from '../sim/personio/start-personio-sim.ts'
import { freshDatabase } from './scale-fleet.ts'

const { values } = parseArgs({
  options: {
    employees: { type: 'string', default: '500' },
    syncs: { type: 'string', default: '3' },
    // leaves the database for a look at what was written
    keep: { type: 'boolean', default: false },
  },
})
const employees = Number(values.employees)
const syncs = Number(values.syncs)
const base = process.env['DATABASE_URL']
if (!base) throw new Error('set DATABASE_URL (a PostgreSQL server; a database of its own is made)')

/** `insert audit_log`, `update people`, `select plan_changes`…: the verb and its first table. */
function kindOf(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim().toLowerCase()
  const name = (re: RegExp) => re.exec(s)?.[1] ?? '?'
  if (s.startsWith('insert')) return `insert ${name(/^insert into "?(\w+)"?/)}`
  if (s.startsWith('update')) return `update ${name(/^update "?(\w+)"?/)}`
  if (s.startsWith('delete')) return `delete ${name(/^delete from "?(\w+)"?/)}`
  if (s.startsWith('select')) return `select ${name(/ from "?(\w+)"?/)}`
  return s.split(' ')[0] ?? '?'
}

// a statement's messages are written while its query is submitted: bytes written then are its own
let current: string | null = null
const sent = new Map<string, { bytes: number; statements: number }>()
const write = Reflect.get(net.Socket.prototype, 'write') as (...a: unknown[]) => boolean
net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
  if (current !== null) {
    const entry = sent.get(current) ?? { bytes: 0, statements: 0 }
    entry.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Buffer).length
    sent.set(current, entry)
  }
  return write.call(this, chunk, ...rest)
}
const submit = (pg.Query.prototype as unknown as { submit: (c: unknown) => unknown }).submit
;(pg.Query.prototype as unknown as { submit: (c: unknown) => unknown }).submit = function (
  this: { text: string },
  connection: unknown,
) {
  current = kindOf(this.text)
  const entry = sent.get(current) ?? { bytes: 0, statements: 0 }
  entry.statements++
  sent.set(current, entry)
  try {
    return submit.call(this, connection)
  } finally {
    current = null
  }
}

const sim = await startPersonioSim({ employees, seed: 'scale-0', rateLimits: false })
const db = await freshDatabase(base, `hris_sync_bytes_${String(process.pid)}`)
const store = new SqlStore(await createDb({ databaseUrl: db.url, dataDir: 'memory' }))
const engine = new Engine({
  store,
  connectors: { personio: personioConnector },
  vault: new Vault(randomBytes(32)),
  target: (ws) => new DirectoryTarget(store.directory(ws)),
  now: () => new Date(),
})
const [credential] = sim.credentials
const walls: number[] = []
const cpus: number[] = []
try {
  for (let i = 0; i < syncs; i++) {
    const ws = await store.ensureWorkspace(`company-${String(i + 1)}`)
    const connection = await engine.connect({
      workspaceId: ws.id,
      name: 'personio',
      connector: 'personio',
      config: { baseUrl: sim.url, appId: 'hris-sync-bytes' },
      secret: { clientId: credential?.clientId, clientSecret: credential?.clientSecret },
      check: false,
    })
    sent.clear()
    const cpu = process.cpuUsage()
    const started = performance.now()
    const result = await engine.sync(connection)
    walls.push(performance.now() - started)
    const used = process.cpuUsage(cpu)
    cpus.push((used.user + used.system) / 1000)
    if (result.status !== 'applied') throw new Error(`the sync ended ${result.status}`)
    if (i === 0) {
      console.log(`first sync of ${String(employees)} employees:`, JSON.stringify(result.counts))
      const rows = [...sent].sort((a, b) => b[1].bytes - a[1].bytes)
      let total = 0
      let statements = 0
      for (const [kind, { bytes, statements: n }] of rows) {
        total += bytes
        statements += n
        console.log(`${kind.padEnd(28)} ${String(bytes).padStart(10)} B ${String(n).padStart(5)}`)
      }
      console.log(
        `${'total'.padEnd(28)} ${String(total).padStart(10)} B ${String(statements).padStart(5)}`,
      )
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  console.log(
    `wall ms: ${walls.map((w) => w.toFixed(0)).join(', ')} (median ${median(walls).toFixed(0)}); ` +
      `process CPU ms: ${cpus.map((c) => c.toFixed(0)).join(', ')} (median ${median(cpus).toFixed(0)})`,
  )
} finally {
  await store.close()
  if (values.keep) console.log(`kept: ${db.url}`)
  else await db.drop()
  await sim.close()
}
