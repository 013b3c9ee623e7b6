import { PGlite } from '@electric-sql/pglite'
import { Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { PGliteDialect } from '../pglite-dialect.ts'
import { connectorTokens } from './0008-connector-tokens.ts'
import { MIGRATIONS } from './index.ts'

describe('0008-connector-tokens on a database with connections', () => {
  let db: Kysely<unknown>

  beforeAll(async () => {
    db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) })
    for (const [name, migration] of Object.entries(MIGRATIONS)) {
      if (name < '0008') await migration.up(db)
    }
    await sql`insert into workspaces (id, name) values ('w', 'acme')`.execute(db)
    for (const id of ['c1', 'c2']) {
      await sql`
        insert into connections (id, workspace_id, name, connector, config, secret)
        values (${id}, 'w', ${`hr-${id}`}, 'personio', '{}', 'hsv1:sealed')
      `.execute(db)
    }
    await connectorTokens.up(db)
  })

  afterAll(async () => {
    await db.destroy()
  })

  it('keeps one token per connection and key, and leaves the connections as they were', async () => {
    const insert = (connectionId: string, sealed: string) =>
      sql`
        insert into connector_tokens (connection_id, key, sealed, expires_at)
        values (${connectionId}, 'personio:k', ${sealed}, '2026-03-03T09:00:00Z')
      `.execute(db)
    await insert('c1', 'hsv1:t1')
    await insert('c2', 'hsv1:t2')
    await expect(insert('c1', 'hsv1:t3')).rejects.toThrow(/duplicate key/)
    await expect(insert('nowhere', 'hsv1:t3')).rejects.toThrow(/foreign key/)
    const { rows } = await sql<{ id: string; secret: string }>`
      select id, secret from connections order by id
    `.execute(db)
    expect(rows).toEqual([
      { id: 'c1', secret: 'hsv1:sealed' },
      { id: 'c2', secret: 'hsv1:sealed' },
    ])
  })

  it('drops the tokens of a connection that goes', async () => {
    await sql`delete from connections where id = 'c1'`.execute(db)
    const { rows } = await sql<{ connection_id: string }>`
      select connection_id from connector_tokens
    `.execute(db)
    expect(rows).toEqual([{ connection_id: 'c2' }])
  })
})
