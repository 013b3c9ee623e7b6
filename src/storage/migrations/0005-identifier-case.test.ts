import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Person } from '../../core/model/person.ts'
import { migrate } from '../db.ts'
import type { SqlStore } from '../sql-store.ts'
import { person } from '../../../test/helpers/factories.ts'
import { BACKENDS, openStore } from '../../../test/helpers/stores.ts'

for (const backend of BACKENDS) {
  describe(`identifiers unique ignoring case, on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore

    beforeEach(async () => {
      opened = await openStore(backend)
      store = opened.store
    })
    afterEach(() => opened.close())

    const write = (workspaceId: string, people: { person: Person; before: Person | null }[]) =>
      store
        .directory(workspaceId)
        .transaction((tx) => tx.write({ people, teams: [], events: [], audit: [] }))

    it('keeps "e7" from a workspace where "E7" is taken, and lets another workspace have it', async () => {
      const acme = (await store.ensureWorkspace('acme')).id
      const other = (await store.ensureWorkspace('other')).id
      await write(acme, [{ person: person('p1', { identifier: 'E7' }), before: null }])
      await expect(
        write(acme, [{ person: person('p2', { identifier: 'e7' }), before: null }]),
      ).rejects.toMatchObject({ code: 'conflict', message: 'another person has this identifier' })
      await write(other, [{ person: person('q1', { identifier: 'e7' }), before: null }])
      const rows = await store.db.kysely
        .selectFrom('people')
        .select(['id', 'identifier'])
        .orderBy('id')
        .execute()
      expect(rows).toEqual([
        { id: 'p1', identifier: 'E7' },
        { id: 'q1', identifier: 'e7' },
      ])
    })

    it('checks at commit: a batch may swap two identifiers across case', async () => {
      const acme = (await store.ensureWorkspace('acme')).id
      const p1 = person('p1', { identifier: 'E7' })
      const p2 = person('p2', { identifier: 'F8' })
      await write(acme, [
        { person: p1, before: null },
        { person: p2, before: null },
      ])
      await write(acme, [
        { person: person('p1', { identifier: 'f8' }), before: p1 },
        { person: person('p2', { identifier: 'e7' }), before: p2 },
      ])
      const rows = await store.db.kysely
        .selectFrom('people')
        .select(['id', 'identifier'])
        .orderBy('id')
        .execute()
      expect(rows).toEqual([
        { id: 'p1', identifier: 'f8' },
        { id: 'p2', identifier: 'e7' },
      ])
    })

    it('stops on a database whose people hold identifiers that differ only in case, naming them', async () => {
      const k = store.db.kysely
      const acme = (await store.ensureWorkspace('acme')).id
      // the database as it was before the migration, with twins it allowed
      await sql`alter table people drop constraint people_identifier_unique`.execute(k)
      await sql`alter table people add constraint people_identifier_unique
        unique (workspace_id, identifier) deferrable initially deferred`.execute(k)
      await sql`delete from hris_sync_migrations where name = '0005-identifier-case'`.execute(k)
      await write(acme, [
        { person: person('p1', { identifier: 'E7' }), before: null },
        { person: person('p2', { identifier: 'e7' }), before: null },
      ])
      await expect(migrate(k)).rejects.toThrow(
        `migration 0005-identifier-case failed: people hold identifiers that differ only in case; give each a distinct identifier, then start again: workspace ${acme}: people p1, p2 (E7, e7)`,
      )
      // nothing changed: the old constraint is still there, and migrating works once they differ
      await sql`update people set identifier = 'E8' where id = 'p2'`.execute(k)
      await migrate(k)
      await expect(
        write(acme, [{ person: person('p3', { identifier: 'e8' }), before: null }]),
      ).rejects.toMatchObject({ code: 'conflict' })
    })
  })
}
