import { PGlite } from '@electric-sql/pglite'
import { Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PGliteDialect } from '../pglite-dialect.ts'
import { applies } from './0007-applies.ts'
import { MIGRATIONS } from './index.ts'

describe('0007-applies on a database with results recorded before it', () => {
  let db: Kysely<unknown>

  beforeAll(async () => {
    db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
    for (const [name, migration] of Object.entries(MIGRATIONS)) {
      if (name < '0007') await migration.up(db)
    }
    await sql`
      insert into workspaces (id, name) values ('w', 'acme');
    `.execute(db)
    await sql`
      insert into connections (id, workspace_id, name, connector, config)
      values ('c', 'w', 'hr', 'fake', '{}')
    `.execute(db)
    for (const run of ['r1', 'r2', 'r3']) {
      await sql`
        insert into runs (id, workspace_id, connection_id, kind, state, plan_id)
        values (${run}, 'w', 'c', 'preview', 'succeeded', ${`p-${run}`})
      `.execute(db)
      await sql`
        insert into plans (id, workspace_id, connection_id, run_id, header, changes)
        values (${`p-${run}`}, 'w', 'c', ${run}, '{}', 3)
      `.execute(db)
    }
    // r1: two applied, one failed; r2: one applied; r3: nothing applied
    for (const [plan, run, change, status] of [
      ['p-r1', 'r1', 'person:1', 'applied'],
      ['p-r1', 'r1', 'person:2', 'applied'],
      ['p-r1', 'r1', 'person:3', 'failed'],
      ['p-r2', 'r2', 'person:1', 'applied'],
    ]) {
      await sql`
        insert into change_results (plan_id, change_id, run_id, status)
        values (${plan}, ${change}, ${run}, ${status})
      `.execute(db)
    }
    await applies.up(db)
  })

  afterAll(async () => {
    await db.destroy()
  })

  it('makes what was applied apply 0 of its run, with its counts', async () => {
    const { rows } = await sql<{
      run_id: string
      seq: number
      state: string
      selection: number | null
      counts: Record<string, number>
    }>`select run_id, seq, state, selection, counts from applies order by run_id`.execute(db)
    expect(rows).toEqual([
      {
        run_id: 'r1',
        seq: 0,
        state: 'failed',
        selection: null,
        counts: { applied: 2, stale: 0, skipped: 0, failed: 1 },
      },
      {
        run_id: 'r2',
        seq: 0,
        state: 'succeeded',
        selection: null,
        counts: { applied: 1, stale: 0, skipped: 0, failed: 0 },
      },
    ])
  })

  it('keeps a result per change and apply', async () => {
    await sql`
      insert into change_results (plan_id, change_id, run_id, apply_seq, status)
      values ('p-r1', 'person:3', 'r1', 1, 'applied')
    `.execute(db)
    const { rows } = await sql<{ apply_seq: number; status: string }>`
      select apply_seq, status from change_results
      where plan_id = 'p-r1' and change_id = 'person:3' order by apply_seq
    `.execute(db)
    expect(rows).toEqual([
      { apply_seq: 0, status: 'failed' },
      { apply_seq: 1, status: 'applied' },
    ])
    await expect(
      sql`
        insert into change_results (plan_id, change_id, run_id, apply_seq, status)
        values ('p-r1', 'person:3', 'r1', 1, 'stale')
      `.execute(db),
    ).rejects.toThrow(/duplicate key/)
  })
})
