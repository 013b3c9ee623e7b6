import { CompiledQuery, sql } from 'kysely'

import type { Db } from './db.ts'

/** What pg-boss (v10) needs of a database: its `db` option. */
export interface QueueDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}

/**
 * pg-boss over the project's database handle, on PostgreSQL and on the embedded PGlite alike.
 * A statement with parameters goes through Kysely (PGlite: its one-session lock). pg-boss's schema
 * scripts are several statements without parameters, which the extended protocol refuses: on
 * PGlite they go to `exec` (holding the same lock), on PostgreSQL to the pool's simple protocol.
 */
export function queueDb(db: Db): QueueDb {
  const raw = db.raw
  return {
    async executeSql(text, values) {
      if (values !== undefined && values.length > 0) {
        const result = await db.kysely.executeQuery(CompiledQuery.raw(text, values))
        return { rows: [...result.rows] }
      }
      if ('pool' in raw) {
        const result = await raw.pool.query(text)
        // a script answers one result per statement: its last says what pg-boss asked
        const last = Array.isArray(result) ? (result.at(-1) as typeof result) : result
        return { rows: last.rows }
      }
      return db.kysely.connection().execute(async () => {
        const results = await raw.pglite.exec(text)
        return { rows: results.at(-1)?.rows ?? [] }
      })
    },
  }
}

/**
 * The schema pg-boss keeps its tables in: apart from ours, and one per schema of ours (tests give
 * each suite a schema of its own).
 */
export async function queueSchema(db: Db): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
    db.kysely,
  )
  const own = rows[0]?.schema ?? 'public'
  return own === 'public' ? 'hris_sync_jobs' : `${own}_jobs`
}
