import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { SqlStore } from '../sql-store.ts'
import { BACKENDS, openStore } from '../../../test/helpers/stores.ts'

/** The rows each scan of a query's plan read (EXPLAIN ANALYZE's JSON), as "node: rows". */
function scansOf(plan: unknown): string[] {
  if (Array.isArray(plan)) return plan.flatMap(scansOf)
  if (typeof plan !== 'object' || plan === null) return []
  const node = plan as Record<string, unknown>
  const type = node['Node Type']
  const own =
    typeof type === 'string' && type.includes('Scan')
      ? [
          `${type} ${String(node['Index Name'] ?? node['Relation Name'])}: ${String(node['Actual Rows'])}`,
        ]
      : []
  return [...own, ...Object.values(node).flatMap(scansOf)]
}

for (const backend of BACKENDS) {
  describe(`a workspace's directory among many, on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let small = ''
    const ids: string[] = []

    beforeAll(async () => {
      opened = await openStore(backend)
      store = opened.store
      const k = store.db.kysely
      // a company beside twenty as big: its snapshot must not read their rows
      for (const [name, size] of [
        ['small', 500],
        ['big', 10_000],
      ] as const) {
        const ws = await store.ensureWorkspace(name)
        if (name === 'small') small = ws.id
        const team = `${name}-team`
        await k
          .insertInto('teams')
          .values({ id: team, workspace_id: ws.id, name: team, hash: '' })
          .execute()
        const people = Array.from({ length: size }, (_, i) => ({
          id: `${name}-${String(i).padStart(5, '0')}`,
          workspace_id: ws.id,
          status: 'active',
          fields: JSON.stringify({}),
          groups: JSON.stringify([]),
          invite_status: 'none',
          hash: '',
        }))
        if (name === 'small') ids.push(...people.map((p) => p.id))
        for (let i = 0; i < people.length; i += 2000) {
          const part = people.slice(i, i + 2000)
          await k.insertInto('people').values(part).execute()
          await k
            .insertInto('team_members')
            .values(part.map((p) => ({ team_id: team, person_id: p.id, workspace_id: ws.id })))
            .execute()
        }
      }
      await sql`analyze`.execute(k)
    }, 60_000)
    afterAll(() => opened.close())

    /** The most rows any scan of the query read. */
    const widestScan = async (query: ReturnType<typeof sql>) => {
      const { rows } = await sql<{
        'QUERY PLAN': unknown
      }>`explain (analyze, format json) ${query}`.execute(store.db.kysely)
      const plan = rows[0]?.['QUERY PLAN']
      const scans = scansOf(typeof plan === 'string' ? JSON.parse(plan) : plan)
      return Math.max(...scans.map((s) => Number(s.split(': ')[1])))
    }

    it('has the indexes', async () => {
      const { rows } = await sql<{ name: string; definition: string }>`
        select indexname as name, indexdef as definition from pg_indexes
        where indexname in ('people_by_workspace', 'team_members_by_workspace')
          and schemaname = current_schema()
        order by 1`.execute(store.db.kysely)
      expect(rows.map((r) => r.definition.replace(/^.* USING /, ''))).toEqual([
        'btree (workspace_id, id)',
        'btree (workspace_id, person_id)',
      ])
    })

    it("pages through its people without reading everyone else's", async () => {
      const read = await widestScan(
        sql`select * from people where workspace_id = ${small} and id > ${''} order by id limit 1000`,
      )
      expect(read).toBeLessThanOrEqual(ids.length)
    })

    it("finds its team memberships without reading everyone else's", async () => {
      const read = await widestScan(
        sql`select person_id, team_id from team_members
          where workspace_id = ${small} and person_id = any(${ids}::text[])`,
      )
      expect(read).toBeLessThanOrEqual(ids.length)
    })
  })
}
