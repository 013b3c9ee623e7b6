import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { PGlite } from '@electric-sql/pglite'
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely'
import type { MigrationResultSet } from 'kysely'
import pg from 'pg'

import { SyncError } from '../core/errors.ts'
import { MIGRATIONS } from './migrations/index.ts'
import { PGliteDialect } from './pglite-dialect.ts'
import type { Database } from './schema.ts'

export interface DbConfig {
  /** PostgreSQL; when null, the embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | null
  /** The data directory of the embedded database; `memory` keeps it in memory (tests). */
  readonly dataDir: string
}

/** Session-level advisory locks on a connection of their own (they die with it, and with us). */
export interface LockSession {
  tryLock(key: bigint): Promise<boolean>
  unlock(key: bigint): Promise<void>
}

export interface Db {
  readonly kysely: Kysely<Database>
  readonly kind: 'postgres' | 'pglite'
  /** PostgreSQL only: PGlite is one process's database, locks in memory do. */
  readonly locks: LockSession | null
  /** The driver under Kysely, for what Kysely cannot say (pg-boss's multi-statement scripts). */
  readonly raw: { readonly pglite: PGlite } | { readonly pool: pg.Pool }
  close(): Promise<void>
}

/**
 * One connection outside the pool holds every advisory lock of this process: a lock held through
 * a pooled connection would keep that connection from the work it guards (a pool of 8 could hold
 * 8 locks and then wait forever for a connection).
 */
function lockSession(connectionString: string): LockSession & { close(): Promise<void> } {
  let connecting: Promise<pg.Client> | null = null
  let current: pg.Client | null = null
  const opened: pg.Client[] = []
  // each lock is released on the client that took it
  const holder = new Map<bigint, pg.Client>()
  const connect = () =>
    (connecting ??= (async () => {
      const c = new pg.Client({ connectionString })
      opened.push(c)
      // a lost lock connection releases its locks on the server: the next lock opens a new one
      c.on('error', () => {
        if (current === c) connecting = current = null
      })
      current = c
      try {
        await c.connect()
      } catch (error) {
        connecting = null
        throw error
      }
      return c
    })())
  return {
    async tryLock(key) {
      const c = await connect()
      const r = await c.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
        key.toString(),
      ])
      const locked = r.rows[0]?.locked === true
      if (locked) holder.set(key, c)
      return locked
    },
    async unlock(key) {
      const c = holder.get(key)
      holder.delete(key)
      await c?.query('select pg_advisory_unlock($1)', [key.toString()]).catch(() => undefined)
    },
    async close() {
      connecting = current = null
      holder.clear()
      await Promise.all(opened.splice(0).map((c) => c.end().catch(() => undefined)))
    },
  }
}

/** Whether a process with this id is alive (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * PGlite is one process's database: a second process on the same directory would corrupt it.
 * The lock file names the owner; a lock left by a process that died is taken over.
 */
function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'hris-sync.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    // the pid is in the file before the file has its name: a reader never sees it empty
    const temp = `${file}.${String(process.pid)}.tmp`
    writeFileSync(temp, String(process.pid), { mode: 0o600 })
    try {
      linkSync(temp, file)
      return () => {
        rmSync(file, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    } finally {
      rmSync(temp, { force: true })
    }
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10)
    if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
      throw new SyncError(
        'conflict',
        `the data directory ${dir} is in use by another hris-sync process (pid ${String(owner)}); stop it, or set DATABASE_URL to share a PostgreSQL database`,
      )
    }
    rmSync(file, { force: true })
  }
  throw new SyncError('conflict', `could not lock the data directory ${dir}`)
}

/** Applies every pending migration; Kysely holds an advisory lock while it does. */
export async function migrate(kysely: Kysely<Database>): Promise<MigrationResultSet> {
  // the schema this session works in: another schema's migration table is not ours
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(kysely)
  const schema = rows[0]?.schema ?? 'public'
  const migrator = new Migrator({
    db: kysely,
    migrationTableSchema: schema,
    provider: { getMigrations: () => Promise.resolve({ ...MIGRATIONS }) },
    migrationTableName: 'hris_sync_migrations',
    migrationLockTableName: 'hris_sync_migrations_lock',
    // migrations of parallel work land in any order (0003 before 0002): each runs once
    allowUnorderedMigrations: true,
  })
  const result = await migrator.migrateToLatest()
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? '?'
    const why = result.error instanceof Error ? `: ${result.error.message}` : ''
    throw new SyncError('internal', `migration ${failed} failed${why}`, { cause: result.error })
  }
  return result
}

/**
 * Opens the database: PostgreSQL when `databaseUrl` is set, else the embedded PGlite in
 * `dataDir`; migrations are applied before it is returned.
 */
export async function createDb(config: DbConfig): Promise<Db> {
  let kysely: Kysely<Database>
  let release = () => {}
  let kind: Db['kind']
  let locks: (LockSession & { close(): Promise<void> }) | null = null
  let raw: Db['raw']
  if (config.databaseUrl !== null) {
    locks = lockSession(config.databaseUrl)
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 8 })
    raw = { pool }
    // an idle client that loses its server must not crash the process
    pool.on('error', () => {})
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    kind = 'postgres'
  } else {
    let pglite: PGlite
    if (config.dataDir === 'memory') {
      pglite = new PGlite()
    } else {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
      release = lockDataDir(config.dataDir)
      pglite = new PGlite(path.join(config.dataDir, 'db'))
    }
    kysely = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
    kind = 'pglite'
    raw = { pglite }
  }
  try {
    await migrate(kysely)
  } catch (error) {
    await kysely.destroy()
    release()
    if (error instanceof SyncError) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new SyncError('upstream_unavailable', `cannot open the database: ${message}`, {
      cause: error,
      retryable: true,
    })
  }
  return {
    kysely,
    kind,
    locks,
    raw,
    async close() {
      await locks?.close()
      await kysely.destroy()
      release()
    },
  }
}
