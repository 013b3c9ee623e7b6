import { sql } from 'kysely'
import type { ExpressionBuilder, Kysely } from 'kysely'

import { emailKey } from '../core/apply/apply-change.ts'
import { SyncError } from '../core/errors.ts'
import type { FieldValue } from '../core/model/field-value.ts'
import { contentOf, personHash } from '../core/model/person.ts'
import type { Person, Team } from '../core/model/person.ts'
import type { Change, SyncPlan } from '../core/plan/sync-plan.ts'
import type { Db } from './db.ts'
import type { Database } from './schema.ts'
import type { AccountTables } from './sql-accounts.ts'
import { asConflict, teamsOf, toPerson, toTeam } from './sql-directory.ts'
import { expand } from './stored-change.ts'
import type { StoredChange } from './stored-change.ts'
import type {
  ApiViews,
  AuditRecord,
  OwnedKind,
  Page,
  PlanChangeRow,
  PlanHeader,
  RecordedResult,
  RunResultRow,
} from './store.ts'

type Tables = Database & AccountTables

/** Where each kind of workspace-scoped id lives; `live`: a revoked row is no longer there. */
const OWNED: Readonly<Record<OwnedKind, { table: string; column: string; live?: true }>> = {
  connection: { table: 'connections', column: 'id' },
  plan: { table: 'plans', column: 'id' },
  run: { table: 'runs', column: 'id' },
  person: { table: 'people', column: 'id' },
  team: { table: 'teams', column: 'id' },
  token: { table: 'api_tokens', column: 'id', live: true },
  member: { table: 'workspace_members', column: 'user_id' },
  webhook: { table: 'webhook_endpoints', column: 'id' },
}

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString())

/** `%`, `_` and `\` match themselves in an `ilike` pattern. */
const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

const given = (values: readonly string[] | undefined): values is readonly string[] =>
  values !== undefined && values.length > 0

function toResult(row: {
  change_id: string
  status: string
  entity_id: string | null
  message: string | null
  error_code: string | null
  at: Date | string
}): RecordedResult {
  return {
    changeId: row.change_id,
    status: row.status as RecordedResult['status'],
    entityId: row.entity_id,
    message: row.message,
    errorCode: row.error_code,
    at: iso(row.at),
  }
}

/** A result `r` that a later apply of the same change replaced. */
const laterThan = (
  eb: ExpressionBuilder<
    Tables & { later: Tables['change_results']; r: Tables['change_results'] },
    'later' | 'r'
  >,
) =>
  eb.and([
    eb('later.plan_id', '=', eb.ref('r.plan_id')),
    eb('later.change_id', '=', eb.ref('r.change_id')),
    eb('later.apply_seq', '>', eb.ref('r.apply_seq')),
  ])

/** The `ApiViews` on PostgreSQL or PGlite. */
export class SqlViews implements ApiViews {
  readonly #k: Kysely<Tables>

  constructor(db: Db) {
    this.#k = db.kysely.withTables<AccountTables>()
  }

  async owns(workspaceId: string, kind: OwnedKind, id: string): Promise<boolean> {
    const { table, column, live } = OWNED[kind]
    const { rows } = await sql<{ one: number }>`
      select 1 as one from ${sql.table(table)}
      where workspace_id = ${workspaceId} and ${sql.ref(column)} = ${id}
        ${live ? sql`and revoked_at is null` : sql``}
      limit 1
    `.execute(this.#k)
    return rows.length > 0
  }

  async planHeader(workspaceId: string, planId: string): Promise<PlanHeader | null> {
    const row = await this.#k
      .selectFrom('plans')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', planId)
      .executeTakeFirst()
    if (!row) return null
    const [counts, results] = await Promise.all([
      this.#k
        .selectFrom('plan_changes')
        .select(['kind', 'action', 'reason', (eb) => eb.fn.countAll<string>().as('n')])
        .where('plan_id', '=', planId)
        .groupBy(['kind', 'action', 'reason'])
        .orderBy('kind')
        .orderBy('action')
        .orderBy('reason')
        .execute(),
      // each change's outcome is its latest apply's result
      this.#k
        .selectFrom('change_results as r')
        .select(['r.status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('r.plan_id', '=', planId)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('change_results as later').select('later.apply_seq').where(laterThan),
            ),
          ),
        )
        .groupBy('r.status')
        .execute(),
    ])
    return {
      id: row.id,
      runId: row.run_id,
      connectionId: row.connection_id,
      createdAt: iso(row.created_at),
      plan: row.header as unknown as Omit<SyncPlan, 'changes'>,
      counts: counts.map((c) => ({
        kind: c.kind as Change['kind'],
        action: c.action,
        reason: c.reason,
        count: Number(c.n),
      })),
      results: Object.fromEntries(results.map((r) => [r.status, Number(r.n)])),
    }
  }

  async planChanges(
    workspaceId: string,
    planId: string,
    query: {
      kinds?: readonly string[]
      actions?: readonly string[]
      reasons?: readonly string[]
      statuses?: readonly string[]
      offset: number
      limit: number
    },
  ): Promise<Page<PlanChangeRow>> {
    const owned = await this.owns(workspaceId, 'plan', planId)
    if (!owned) throw new SyncError('not_found', `plan ${planId} not found`)
    let q = this.#k
      .selectFrom('plan_changes as c')
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('change_results as x')
            .selectAll('x')
            .whereRef('x.plan_id', '=', 'c.plan_id')
            .whereRef('x.change_id', '=', 'c.change_id')
            .orderBy('x.apply_seq', 'desc')
            .limit(1)
            .as('r'),
        (join) => join.onTrue(),
      )
      .where('c.plan_id', '=', planId)
    if (given(query.kinds)) q = q.where('c.kind', 'in', [...query.kinds])
    if (given(query.actions)) q = q.where('c.action', 'in', [...query.actions])
    if (given(query.reasons)) q = q.where('c.reason', 'in', [...query.reasons])
    const statuses = query.statuses
    if (given(statuses)) {
      const recorded = statuses.filter((s) => s !== 'pending')
      q = q.where((eb) =>
        eb.or([
          ...(statuses.includes('pending') ? [eb('r.status', 'is', null)] : []),
          ...(recorded.length > 0 ? [eb('r.status', 'in', recorded)] : []),
        ]),
      )
    }
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      q
        .select([
          'c.body',
          'c.change_id as id',
          'c.kind',
          'c.action',
          'c.reason',
          'r.change_id',
          'r.status',
          'r.entity_id',
          'r.message',
          'r.error_code',
          'r.at',
        ])
        .orderBy('c.seq')
        .offset(query.offset)
        .limit(query.limit)
        .execute(),
    ])
    return {
      total: Number(total.n),
      items: rows.map((r) => ({
        change: expand({ ...r, change_id: r.id }, JSON.parse(r.body) as StoredChange),
        result:
          r.change_id === null || r.status === null || r.at === null
            ? null
            : toResult({ ...r, change_id: r.change_id, status: r.status, at: r.at }),
      })),
    }
  }

  async runResults(
    workspaceId: string,
    runId: string,
    query: { statuses?: readonly string[]; apply?: number; offset: number; limit: number },
  ): Promise<Page<RunResultRow>> {
    const owned = await this.owns(workspaceId, 'run', runId)
    if (!owned) throw new SyncError('not_found', `run ${runId} not found`)
    let q = this.#k
      .selectFrom('change_results as r')
      .innerJoin('plan_changes as c', (j) =>
        j.onRef('c.plan_id', '=', 'r.plan_id').onRef('c.change_id', '=', 'r.change_id'),
      )
      .where('r.run_id', '=', runId)
    q =
      query.apply === undefined
        ? q.where((eb) =>
            eb.not(
              eb.exists(
                eb.selectFrom('change_results as later').select('later.apply_seq').where(laterThan),
              ),
            ),
          )
        : q.where('r.apply_seq', '=', query.apply)
    if (given(query.statuses)) q = q.where('r.status', 'in', [...query.statuses])
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      q
        .select([
          'r.change_id',
          'r.apply_seq',
          'r.status',
          'r.entity_id',
          'r.message',
          'r.error_code',
          'r.at',
          'c.kind',
          'c.action',
          'c.reason',
          'c.body',
        ])
        .orderBy('c.seq')
        .offset(query.offset)
        .limit(query.limit)
        .execute(),
    ])
    return {
      total: Number(total.n),
      items: rows.map((r) => ({
        ...toResult(r),
        apply: r.apply_seq,
        kind: r.kind as Change['kind'],
        action: r.action,
        reason: r.reason,
        label: (JSON.parse(r.body) as { label: string }).label,
      })),
    }
  }

  async people(
    workspaceId: string,
    query: {
      q?: string
      status?: string
      teamId?: string
      managerId?: string
      offset: number
      limit: number
    },
  ): Promise<Page<Person>> {
    let q = this.#k.selectFrom('people as p').where('p.workspace_id', '=', workspaceId)
    const text = query.q?.trim()
    if (text !== undefined && text !== '') {
      const pattern = likeText(text)
      q = q.where((eb) =>
        eb.or([
          eb(sql`p.fields->>'displayName'`, 'ilike', pattern),
          eb(sql`concat_ws(' ', p.fields->>'firstName', p.fields->>'lastName')`, 'ilike', pattern),
          eb(sql`p.fields->>'employeeNumber'`, 'ilike', pattern),
          eb('p.email_key', 'ilike', pattern),
          eb('p.identifier', 'ilike', pattern),
        ]),
      )
    }
    if (query.status !== undefined) q = q.where('p.status', '=', query.status)
    if (query.managerId !== undefined) q = q.where('p.manager_id', '=', query.managerId)
    const teamId = query.teamId
    if (teamId !== undefined) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('team_members as m')
            .select(sql<number>`1`.as('one'))
            .whereRef('m.person_id', '=', 'p.id')
            .where('m.team_id', '=', teamId),
        ),
      )
    }
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      q
        .selectAll('p')
        .orderBy(sql`lower(coalesce(p.fields->>'displayName', p.fields->>'lastName', ''))`)
        .orderBy('p.id')
        .offset(query.offset)
        .limit(query.limit)
        .execute(),
    ])
    const teams = await teamsOf(
      this.#k,
      workspaceId,
      rows.map((r) => r.id),
    )
    return {
      total: Number(total.n),
      items: rows.map((r) => toPerson(r, teams.get(r.id) ?? [])),
    }
  }

  peopleByIds(workspaceId: string, ids: readonly string[]): Promise<Person[]> {
    return peopleByIds(this.#k, workspaceId, ids)
  }

  async person(workspaceId: string, id: string): Promise<Person | null> {
    const [found] = await this.peopleByIds(workspaceId, [id])
    return found ?? null
  }

  async teams(workspaceId: string): Promise<(Team & { readonly members: number })[]> {
    const rows = await this.#k
      .selectFrom('teams as t')
      .leftJoin('team_members as m', 'm.team_id', 't.id')
      .select([
        't.id',
        't.name',
        't.source_connection_id',
        't.source_external_id',
        't.hash',
        (eb) => eb.fn.count<string>('m.person_id').as('n'),
      ])
      .where('t.workspace_id', '=', workspaceId)
      .groupBy(['t.id', 't.name', 't.source_connection_id', 't.source_external_id', 't.hash'])
      .orderBy(sql`lower(t.name)`)
      .execute()
    return rows.map((r) => ({ ...toTeam(r), members: Number(r.n) }))
  }

  async team(workspaceId: string, id: string): Promise<Team | null> {
    const row = await this.#k
      .selectFrom('teams')
      .select(['id', 'name', 'source_connection_id', 'source_external_id', 'hash'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? toTeam(row) : null
  }

  async editPerson(
    workspaceId: string,
    personId: string,
    fields: Readonly<Record<string, FieldValue>>,
    actor: string,
  ): Promise<Person> {
    try {
      return await this.#k.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('people')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', personId)
          .forUpdate()
          .executeTakeFirst()
        if (!row) throw new SyncError('not_found', `person ${personId} not found`)
        const before = toPerson(row, [])
        const next: Record<string, FieldValue> = { ...before.fields, ...fields }
        const content = { ...contentOf(before), fields: next }
        const hash = personHash(content)
        await trx
          .updateTable('people')
          .set({
            fields: JSON.stringify(next),
            email_key: emailKey(content),
            hash,
            updated_at: new Date(),
          })
          .where('id', '=', personId)
          .execute()
        await trx
          .insertInto('audit_log')
          .values({
            workspace_id: workspaceId,
            actor,
            action: 'person.edited',
            entity_type: 'person',
            entity_id: personId,
            details: JSON.stringify({
              fields: Object.fromEntries(
                Object.keys(fields).map((f) => [
                  f,
                  { before: before.fields[f] ?? null, after: fields[f] ?? null },
                ]),
              ),
            }),
          })
          .execute()
        const [edited] = await peopleByIds(trx, workspaceId, [personId])
        if (!edited) throw new SyncError('internal', 'the edited person is gone')
        return edited
      })
    } catch (error) {
      throw asConflict(error)
    }
  }

  async auditOf(
    workspaceId: string,
    entityType: string,
    entityIds: readonly string[],
  ): Promise<AuditRecord[]> {
    if (entityIds.length === 0) return []
    const rows = await this.#k
      .selectFrom('audit_log')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('entity_type', '=', entityType)
      .where('entity_id', 'in', [...entityIds])
      .orderBy('id')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      at: iso(r.at),
      workspaceId: r.workspace_id,
      actor: r.actor,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      details: r.details,
    }))
  }
}

async function peopleByIds(
  db: Kysely<Tables>,
  workspaceId: string,
  ids: readonly string[],
): Promise<Person[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('people')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...new Set(ids)])
    .execute()
  const teams = await teamsOf(
    db,
    workspaceId,
    rows.map((r) => r.id),
  )
  return rows.map((r) => toPerson(r, teams.get(r.id) ?? []))
}
