import { sql } from 'kysely'
import type { Kysely, Migration } from 'kysely'

/**
 * Identifiers are unique per workspace ignoring case, as the identifier import and matching compare
 * them (`E7` and `e7` are one person). A unique index cannot be deferred, and a unique constraint
 * cannot be on `lower()`: an exclusion constraint with `=` is both, so a batch may still swap two
 * people's identifiers and be checked when it commits. A workspace whose people hold identifiers
 * that differ only in case stops the migration with their names: nothing is guessed.
 */
export const identifierCase: Migration = {
  async up(db: Kysely<unknown>) {
    const { rows } = await sql<{ workspace_id: string; people: string; identifiers: string }>`
      select workspace_id, string_agg(id, ', ' order by id) as people,
        string_agg(identifier, ', ' order by id) as identifiers
      from people where identifier is not null
      group by workspace_id, lower(identifier) having count(*) > 1
      order by 1, 2 limit 20`.execute(db)
    if (rows.length > 0) {
      const clashes = rows.map(
        (r) => `workspace ${r.workspace_id}: people ${r.people} (${r.identifiers})`,
      )
      throw new Error(
        `people hold identifiers that differ only in case; give each a distinct identifier, then start again: ${clashes.join('; ')}`,
      )
    }
    await sql`alter table people drop constraint people_identifier_unique`.execute(db)
    await sql`
      alter table people add constraint people_identifier_unique
        exclude using btree (workspace_id with =, lower(identifier) with =)
        deferrable initially deferred`.execute(db)
  },
}
