import { sql } from 'kysely'
import type { Kysely, Selectable, Transaction } from 'kysely'

import { SyncError } from '../core/errors.ts'
import type { FieldValue } from '../core/model/field-value.ts'
import type { Person, SourceKey, Team } from '../core/model/person.ts'
import { emailKey } from '../core/apply/apply-change.ts'
import type { Database } from './schema.ts'

type PersonRow = Selectable<Database['people']>

const PAGE = 1000

/** Unique violations, named in words an admin can act on. */
const CONSTRAINTS: Record<string, string> = {
  people_identifier_unique: 'another person has this identifier',
  people_email_unique: 'another person has this email',
  people_source_unique: 'another person is linked to this employee',
  teams_source_unique: 'another team is linked to this department',
  runs_one_open: 'this connection has a run in progress already',
}

/**
 * Row versions (`xmin`) by `person:<id>` / `team:<id>`, as a batch loaded them. The batch's
 * updates apply only to rows still at those versions (optimistic locking: reading with a row lock
 * would write every row twice); a row that moved on fails the batch, which is tried again change
 * by change against fresh rows.
 */
export type Versions = Map<string, string>

const movedOn = () =>
  new SyncError('conflict', 'a person or team changed while the batch was being written', {
    retryable: true,
  })

/** A Postgres unique (or exclusion) violation as a `conflict`; anything else as it came. */
export function asConflict(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string; message?: string }
  if (e.code !== '23505' && e.code !== '23P01') return error
  const why = CONSTRAINTS[e.constraint ?? ''] ?? e.message ?? 'a uniqueness rule was broken'
  // a run in progress ends: trying again later can work
  const retryable = e.constraint === 'runs_one_open'
  return new SyncError('conflict', why, { cause: error, retryable })
}

export function toPerson(row: PersonRow, teamIds: readonly string[]): Person {
  const source: SourceKey | null =
    row.source_connection_id === null || row.source_external_id === null
      ? null
      : { connectionId: row.source_connection_id, externalId: row.source_external_id }
  return {
    id: row.id,
    fields: row.fields as Record<string, FieldValue>,
    identifier: row.identifier,
    sourceKey: source,
    status: row.status as Person['status'],
    leaverDate: row.leaver_date,
    groups: row.groups,
    managerId: row.manager_id,
    teamIds: [...teamIds].sort(),
    inviteStatus: row.invite_status as Person['inviteStatus'],
    hash: row.hash,
  }
}

export function toTeam(row: {
  id: string
  name: string
  source_connection_id: string | null
  source_external_id: string | null
  hash: string
}): Team {
  return {
    id: row.id,
    name: row.name,
    sourceKey:
      row.source_connection_id === null || row.source_external_id === null
        ? null
        : { connectionId: row.source_connection_id, externalId: row.source_external_id },
    hash: row.hash,
  }
}

/** Team ids by person, for the people given. */
export async function teamsOf(
  db: Kysely<Database>,
  workspaceId: string,
  personIds: readonly string[],
) {
  const byPerson = new Map<string, string[]>()
  if (personIds.length === 0) return byPerson
  const rows = await db
    .selectFrom('team_members')
    .select(['person_id', 'team_id'])
    .where('workspace_id', '=', workspaceId)
    .where('person_id', '=', sql<string>`any(${sql.val([...personIds])}::text[])`)
    .execute()
  for (const row of rows) {
    const list = byPerson.get(row.person_id)
    if (list) list.push(row.team_id)
    else byPerson.set(row.person_id, [row.team_id])
  }
  return byPerson
}

/** Every person of a workspace, by id, a page at a time (keyset paging: no offset scans). */
export async function* listPeople(
  db: Kysely<Database>,
  workspaceId: string,
): AsyncGenerator<Person> {
  let after = ''
  for (;;) {
    const rows = await db
      .selectFrom('people')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute()
    if (rows.length === 0) return
    const teams = await teamsOf(
      db,
      workspaceId,
      rows.map((r) => r.id),
    )
    for (const row of rows) yield toPerson(row, teams.get(row.id) ?? [])
    after = rows[rows.length - 1]?.id ?? after
    if (rows.length < PAGE) return
  }
}

/** A row without its null columns: `json(b)_to_recordset` reads a missing key as null. */
const withoutNulls = (row: object) =>
  Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null))

/**
 * Rows as one JSON parameter, for `jsonb_to_recordset`: JSON.stringify encodes it and the server
 * parses it, both in native code (the driver's array encoding is JavaScript, and slow). A row's
 * null columns are left out (read back as null): they are most of some rows (a result's message).
 */
export const jsonRows = (rows: readonly object[]) => sql.val(JSON.stringify(rows.map(withoutNulls)))

/**
 * What a write changes of a person's row: `content` (what a sync decides, the invitation: the
 * whole row is written), only `manager` (the link alone is written), or nothing (memberships are
 * rows of `team_members`).
 */
export function rowChange(person: Person, before: Person): 'content' | 'manager' | 'none' {
  const same =
    person.hash === before.hash &&
    person.inviteStatus === before.inviteStatus &&
    person.identifier === before.identifier &&
    person.status === before.status &&
    person.leaverDate === before.leaverDate &&
    // a manager or team change keeps the very objects: anything else is written whole
    person.fields === before.fields &&
    person.groups === before.groups &&
    person.sourceKey === before.sourceKey
  if (!same) return 'content'
  return person.managerId === before.managerId ? 'none' : 'manager'
}

const anyText = (values: readonly string[]) => sql<string>`any(${sql.val([...values])}::text[])`

/**
 * The directory of one workspace in the database: what `DirectoryTarget` reads and writes. A
 * batch is one transaction; its rows are locked (`for update`) from load to commit, so a change
 * checked against a person is written against that same person.
 */
export class SqlDirectory {
  readonly #db: Kysely<Database>
  readonly #workspaceId: string

  /** Batches that can be written at once: PGlite is one session; PostgreSQL has a pool. */
  readonly parallelism: number

  constructor(db: Kysely<Database>, workspaceId: string, parallelism = 1) {
    this.#db = db
    this.#workspaceId = workspaceId
    this.parallelism = parallelism
  }

  listPeople(): AsyncIterable<Person> {
    return listPeople(this.#db, this.#workspaceId)
  }

  async *listTeams(): AsyncIterable<Team> {
    const rows = await this.#db
      .selectFrom('teams')
      .select(['id', 'name', 'source_connection_id', 'source_external_id', 'hash'])
      .where('workspace_id', '=', this.#workspaceId)
      .orderBy('id')
      .execute()
    for (const row of rows) yield toTeam(row)
  }

  async transaction<T>(
    work: (tx: {
      load: (keys: Parameters<SqlDirectory['load']>[0]) => ReturnType<SqlDirectory['load']>
      write: (w: Parameters<SqlDirectory['write']>[0]) => Promise<void>
    }) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.#db.transaction().execute((trx) => {
        // the row versions the batch decided on: its write applies only where they still hold
        const versions: Versions = new Map()
        return work({
          load: (keys) => this.load(keys, trx, versions),
          write: (w) => this.write(w, trx, versions),
        })
      })
    } catch (error) {
      throw asConflict(error)
    }
  }

  async load(
    keys: {
      readonly personIds: readonly string[]
      readonly personSources: readonly SourceKey[]
      readonly identifiers: readonly string[]
      readonly emails: readonly string[]
      readonly teamIds: readonly string[]
      readonly teamSources: readonly SourceKey[]
    },
    trx?: Transaction<Database>,
    versions?: Versions,
  ): Promise<{ people: Person[]; teams: Team[] }> {
    const db = trx ?? this.#db
    const ws = this.#workspaceId
    const bySourceConnection = (sources: readonly SourceKey[]) => {
      const map = new Map<string, string[]>()
      for (const s of sources) {
        const list = map.get(s.connectionId)
        if (list) list.push(s.externalId)
        else map.set(s.connectionId, [s.externalId])
      }
      return [...map]
    }
    const personSources = bySourceConnection(keys.personSources)
    const wantPeople =
      keys.personIds.length + personSources.length + keys.identifiers.length + keys.emails.length >
      0
    const peopleRows = wantPeople
      ? await db
          .selectFrom('people')
          .selectAll()
          .select(sql<string>`xmin::text`.as('row_version'))
          .where('workspace_id', '=', ws)
          .where((eb) =>
            eb.or([
              eb('id', '=', anyText(keys.personIds)),
              // as the constraint compares them, so its index finds them
              eb(
                eb.fn<string>('lower', ['identifier']),
                '=',
                anyText(keys.identifiers.map((i) => i.toLowerCase())),
              ),
              eb('email_key', '=', anyText(keys.emails)),
              ...personSources.map(([connectionId, ids]) =>
                eb.and([
                  eb('source_connection_id', '=', connectionId),
                  eb('source_external_id', '=', anyText(ids)),
                ]),
              ),
            ]),
          )
          .execute()
      : []
    for (const r of peopleRows) versions?.set(`person:${r.id}`, r.row_version)
    const teams = await teamsOf(
      db,
      ws,
      peopleRows.map((r) => r.id),
    )
    const teamSources = bySourceConnection(keys.teamSources)
    const teamRows =
      keys.teamIds.length + teamSources.length > 0
        ? await db
            .selectFrom('teams')
            .select(['id', 'name', 'source_connection_id', 'source_external_id', 'hash'])
            .select(sql<string>`xmin::text`.as('row_version'))
            .where('workspace_id', '=', ws)
            .where((eb) =>
              eb.or([
                eb('id', '=', anyText(keys.teamIds)),
                ...teamSources.map(([connectionId, ids]) =>
                  eb.and([
                    eb('source_connection_id', '=', connectionId),
                    eb('source_external_id', '=', anyText(ids)),
                  ]),
                ),
              ]),
            )
            .execute()
        : []
    for (const r of teamRows) versions?.set(`team:${r.id}`, r.row_version)
    return {
      people: peopleRows.map((row) => toPerson(row, teams.get(row.id) ?? [])),
      teams: teamRows.map(toTeam),
    }
  }

  async write(
    w: {
      readonly people: readonly { readonly person: Person; readonly before: Person | null }[]
      readonly teams: readonly { readonly team: Team; readonly before: Team | null }[]
      readonly events: readonly {
        kind: string
        dedupeKey: string
        payload: Readonly<Record<string, unknown>>
      }[]
      readonly audit: readonly {
        action: string
        entityType: 'person' | 'team' | 'batch'
        entityId: string | null
        details: Readonly<Record<string, unknown>>
      }[]
    },
    trx: Transaction<Database>,
    versions?: Versions,
  ): Promise<void> {
    const ws = this.#workspaceId
    // one statement per table, its rows as one JSON parameter: a batch is a few round trips
    if (w.teams.length > 0) {
      const row = (team: Team) => ({
        id: team.id,
        name: team.name,
        sc: team.sourceKey?.connectionId ?? null,
        se: team.sourceKey?.externalId ?? null,
        hash: team.hash,
        v: versions?.get(`team:${team.id}`) ?? null,
      })
      const columns = sql`(id text, name text, sc text, se text, hash text, v text)`
      const created = w.teams.filter((t) => t.before === null).map((t) => row(t.team))
      const changed = w.teams.filter((t) => t.before !== null).map((t) => row(t.team))
      if (created.length > 0) {
        await sql`
          insert into teams (id, workspace_id, name, source_connection_id, source_external_id, hash)
          select id, ${ws}, name, sc, se, hash
          from jsonb_to_recordset(${jsonRows(created)}::jsonb) as x${columns}
        `.execute(trx)
      }
      if (changed.length > 0) {
        const updated = await sql<{ id: string }>`
          update teams set name = x.name, source_connection_id = x.sc, source_external_id = x.se,
            hash = x.hash, updated_at = now()
          from jsonb_to_recordset(${jsonRows(changed)}::jsonb) as x${columns}
          where teams.workspace_id = ${ws} and teams.id = x.id
            and (x.v is null or teams.xmin::text = x.v)
          returning teams.id
        `.execute(trx)
        if (updated.rows.length !== changed.length) throw movedOn()
      }
    }
    if (w.people.length > 0) {
      const row = (p: Person) => ({
        id: p.id,
        identifier: p.identifier,
        email_key: emailKey(p),
        sc: p.sourceKey?.connectionId ?? null,
        se: p.sourceKey?.externalId ?? null,
        status: p.status,
        leaver_date: p.leaverDate,
        fields: p.fields,
        groups: p.groups,
        manager_id: p.managerId,
        invite_status: p.inviteStatus,
        hash: p.hash,
        v: versions?.get(`person:${p.id}`) ?? null,
      })
      const columns = sql`(id text, identifier text, email_key text, sc text, se text, status text,
        leaver_date text, fields jsonb, groups jsonb, manager_id text, invite_status text, hash text,
        v text)`
      // new people are inserted, the others updated in place (no speculative insert per row):
      // whole rows where their content changed, the manager link alone where only it did
      const created = w.people.filter((p) => p.before === null).map((p) => row(p.person))
      const changed: ReturnType<typeof row>[] = []
      const managed: { id: string; m: string | null; v: string | null }[] = []
      for (const { person, before } of w.people) {
        if (before === null) continue
        const what = rowChange(person, before)
        if (what === 'content') changed.push(row(person))
        if (what === 'manager') {
          const v = versions?.get(`person:${person.id}`) ?? null
          managed.push({ id: person.id, m: person.managerId, v })
        }
      }
      if (created.length > 0) {
        await sql`
          insert into people (id, workspace_id, identifier, email_key, source_connection_id,
            source_external_id, status, leaver_date, fields, groups, manager_id, invite_status,
            hash)
          select id, ${ws}, identifier, email_key, sc, se, status, leaver_date, fields, groups,
            manager_id, invite_status, hash
          from jsonb_to_recordset(${jsonRows(created)}::jsonb) as x${columns}
        `.execute(trx)
      }
      if (changed.length > 0) {
        const updated = await sql<{ id: string }>`
          update people set identifier = x.identifier, email_key = x.email_key,
            source_connection_id = x.sc, source_external_id = x.se, status = x.status,
            leaver_date = x.leaver_date, fields = x.fields, groups = x.groups,
            manager_id = x.manager_id, invite_status = x.invite_status, hash = x.hash,
            updated_at = now()
          from jsonb_to_recordset(${jsonRows(changed)}::jsonb) as x${columns}
          where people.workspace_id = ${ws} and people.id = x.id
            and (x.v is null or people.xmin::text = x.v)
          returning people.id
        `.execute(trx)
        if (updated.rows.length !== changed.length) throw movedOn()
      }
      if (managed.length > 0) {
        const updated = await sql<{ id: string }>`
          update people set manager_id = x.m, updated_at = now()
          from jsonb_to_recordset(${jsonRows(managed)}::jsonb) as x(id text, m text, v text)
          where people.workspace_id = ${ws} and people.id = x.id
            and (x.v is null or people.xmin::text = x.v)
          returning people.id
        `.execute(trx)
        if (updated.rows.length !== managed.length) throw movedOn()
      }
      const joins: { t: string; p: string }[] = []
      const leaves: { t: string; p: string }[] = []
      for (const { person, before } of w.people) {
        const had = new Set(before?.teamIds ?? [])
        const has = new Set(person.teamIds)
        for (const t of has) if (!had.has(t)) joins.push({ t, p: person.id })
        for (const t of had) if (!has.has(t)) leaves.push({ t, p: person.id })
      }
      if (joins.length > 0) {
        await sql`
          insert into team_members (team_id, person_id, workspace_id)
          select t, p, ${ws} from jsonb_to_recordset(${jsonRows(joins)}::jsonb) as x(t text, p text)
          on conflict do nothing
        `.execute(trx)
      }
      if (leaves.length > 0) {
        await sql`
          delete from team_members m
          using jsonb_to_recordset(${jsonRows(leaves)}::jsonb) as x(t text, p text)
          where m.workspace_id = ${ws} and m.team_id = x.t and m.person_id = x.p
        `.execute(trx)
      }
    }
    if (w.events.length > 0) {
      const rows = w.events.map((e) => ({ kind: e.kind, key: e.dedupeKey, payload: e.payload }))
      await sql`
        insert into outbox (workspace_id, kind, dedupe_key, payload)
        select ${ws}, kind, key, payload
        from jsonb_to_recordset(${jsonRows(rows)}::jsonb) as x(kind text, key text, payload jsonb)
        on conflict (dedupe_key) do nothing
      `.execute(trx)
    }
    if (w.audit.length > 0) {
      const rows = w.audit.map((a) => ({
        action: a.action,
        type: a.entityType,
        entity: a.entityId,
        details: a.details,
      }))
      await sql`
        insert into audit_log (workspace_id, actor, action, entity_type, entity_id, details)
        select ${ws}, 'sync', action, type, entity, details
        from jsonb_to_recordset(${jsonRows(rows)}::jsonb)
          as x(action text, type text, entity text, details jsonb)
      `.execute(trx)
    }
  }
}
