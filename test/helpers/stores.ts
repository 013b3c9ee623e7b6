import { randomUUID } from 'node:crypto'

import pg from 'pg'

import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'

/** Where the storage suites run: the embedded PGlite always, PostgreSQL when DATABASE_URL is set. */
export const BACKENDS: readonly ('pglite' | 'postgres')[] = process.env['DATABASE_URL']
  ? ['pglite', 'postgres']
  : ['pglite']

/**
 * A fresh, migrated store: PGlite in memory, or a schema of its own in the DATABASE_URL database
 * (dropped by `close`), so suites never see each other's rows.
 */
export async function openStore(
  backend: 'pglite' | 'postgres',
): Promise<{ store: SqlStore; url: string | null; close: () => Promise<void> }> {
  if (backend === 'pglite') {
    const store = new SqlStore(await createDb({ databaseUrl: null, dataDir: 'memory' }))
    return { store, url: null, close: () => store.close() }
  }
  const base = process.env['DATABASE_URL']
  if (!base) throw new Error('DATABASE_URL is not set')
  const schema = `t_${randomUUID().replaceAll('-', '')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const url = withSchema(base, schema)
  const store = new SqlStore(await createDb({ databaseUrl: url, dataDir: 'memory' }))
  return {
    store,
    url,
    close: async () => {
      await store.close()
      const c = new pg.Client({ connectionString: base })
      await c.connect()
      await c.query(`drop schema ${schema} cascade`)
      await c.end()
    },
  }
}

/** A connection string whose sessions use `schema` first. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}
