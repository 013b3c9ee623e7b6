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

/** A Postgres unique violation as a `conflict`; anything else as it came. */
export function asConflict(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string; message?: string }
  if (e.code !== '23505') return error
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

function toTeam(row: {
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
async function teamsOf(db: Kysely<Database>, workspaceId: string, personIds: readonly string[]) {
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

const anyText = (values: readonly string[]) => sql<string>`any(${sql.val([...values])}::text[])`

/**
 * The directory of one workspace in the database: what `DirectoryTarget` reads and writes. A
 * batch is one transaction; its rows are locked (`for update`) from load to commit, so a change
 * checked against a person is written against that same person.
 */
export class SqlDirectory {
  readonly #db: Kysely<Database>
  readonly #workspaceId: string

  constructor(db: Kysely<Database>, workspaceId: string) {
    this.#db = db
    this.#workspaceId = workspaceId
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
      return await this.#db.transaction().execute((trx) =>
        work({
          load: (keys) => this.load(keys, trx),
          write: (w) => this.write(w, trx),
        }),
      )
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
          .where('workspace_id', '=', ws)
          .where((eb) =>
            eb.or([
              eb('id', '=', anyText(keys.personIds)),
              eb('identifier', '=', anyText(keys.identifiers)),
              eb('email_key', '=', anyText(keys.emails)),
              ...personSources.map(([connectionId, ids]) =>
                eb.and([
                  eb('source_connection_id', '=', connectionId),
                  eb('source_external_id', '=', anyText(ids)),
                ]),
              ),
            ]),
          )
          .forUpdate()
          .execute()
      : []
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
            .forUpdate()
            .execute()
        : []
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
        entityType: 'person' | 'team'
        entityId: string
        details: Readonly<Record<string, unknown>>
      }[]
    },
    trx: Transaction<Database>,
  ): Promise<void> {
    const ws = this.#workspaceId
    const now = new Date()
    if (w.teams.length > 0) {
      await trx
        .insertInto('teams')
        .values(
          w.teams.map(({ team }) => ({
            id: team.id,
            workspace_id: ws,
            name: team.name,
            source_connection_id: team.sourceKey?.connectionId ?? null,
            source_external_id: team.sourceKey?.externalId ?? null,
            hash: team.hash,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            source_connection_id: eb.ref('excluded.source_connection_id'),
            source_external_id: eb.ref('excluded.source_external_id'),
            hash: eb.ref('excluded.hash'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute()
    }
    if (w.people.length > 0) {
      await trx
        .insertInto('people')
        .values(
          w.people.map(({ person }) => ({
            id: person.id,
            workspace_id: ws,
            identifier: person.identifier,
            email_key: emailKey(person),
            source_connection_id: person.sourceKey?.connectionId ?? null,
            source_external_id: person.sourceKey?.externalId ?? null,
            status: person.status,
            leaver_date: person.leaverDate,
            fields: JSON.stringify(person.fields),
            groups: JSON.stringify(person.groups),
            manager_id: person.managerId,
            invite_status: person.inviteStatus,
            hash: person.hash,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            identifier: eb.ref('excluded.identifier'),
            email_key: eb.ref('excluded.email_key'),
            source_connection_id: eb.ref('excluded.source_connection_id'),
            source_external_id: eb.ref('excluded.source_external_id'),
            status: eb.ref('excluded.status'),
            leaver_date: eb.ref('excluded.leaver_date'),
            fields: eb.ref('excluded.fields'),
            groups: eb.ref('excluded.groups'),
            manager_id: eb.ref('excluded.manager_id'),
            invite_status: eb.ref('excluded.invite_status'),
            hash: eb.ref('excluded.hash'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute()
      const joins: { team_id: string; person_id: string; workspace_id: string }[] = []
      const leaves: [string, string][] = []
      for (const { person, before } of w.people) {
        const had = new Set(before?.teamIds ?? [])
        const has = new Set(person.teamIds)
        for (const t of has)
          if (!had.has(t)) joins.push({ team_id: t, person_id: person.id, workspace_id: ws })
        for (const t of had) if (!has.has(t)) leaves.push([t, person.id])
      }
      if (joins.length > 0) {
        await trx
          .insertInto('team_members')
          .values(joins)
          .onConflict((oc) => oc.doNothing())
          .execute()
      }
      if (leaves.length > 0) {
        await trx
          .deleteFrom('team_members')
          .where('workspace_id', '=', ws)
          .where((eb) =>
            eb.or(
              leaves.map(([team, person]) =>
                eb.and([eb('team_id', '=', team), eb('person_id', '=', person)]),
              ),
            ),
          )
          .execute()
      }
    }
    if (w.events.length > 0) {
      await trx
        .insertInto('outbox')
        .values(
          w.events.map((e) => ({
            workspace_id: ws,
            kind: e.kind,
            dedupe_key: e.dedupeKey,
            payload: JSON.stringify(e.payload),
          })),
        )
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .execute()
    }
    if (w.audit.length > 0) {
      await trx
        .insertInto('audit_log')
        .values(
          w.audit.map((a) => ({
            workspace_id: ws,
            actor: 'sync',
            action: a.action,
            entity_type: a.entityType,
            entity_id: a.entityId,
            details: JSON.stringify(a.details),
          })),
        )
        .execute()
    }
  }
}
