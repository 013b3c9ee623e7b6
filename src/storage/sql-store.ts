import { createHash, randomUUID } from 'node:crypto'

import { sql } from 'kysely'
import type { Kysely, Selectable } from 'kysely'

import { SyncError } from '../core/errors.ts'
import { canonicalJson, contentOf, personHash } from '../core/model/person.ts'
import type { Person } from '../core/model/person.ts'
import { RUN_TRANSITIONS } from '../core/run/run-state.ts'
import type { RunState } from '../core/run/run-state.ts'
import type { Change, SyncPlan } from '../core/plan/sync-plan.ts'
import type { Db } from './db.ts'
import type { Database } from './schema.ts'
import type { JobsDatabase } from './sql-jobs-schema.ts'
import { SqlDirectory, asConflict, listPeople, toPerson } from './sql-directory.ts'
import { SqlTokens } from './sql-tokens.ts'
import { compact, expand } from './stored-change.ts'
import type { StoredChange } from './stored-change.ts'
import type {
  ApplyRecord,
  ApplyState,
  AuditEntry,
  Connection,
  RecordedResult,
  Run,
  RunKind,
  Store,
  StoredPlan,
  StoredSyncConfig,
  Workspace,
} from './store.ts'

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString())
const CHUNK = 1000

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

function toConnection(row: Selectable<Database['connections']>): Connection {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    connector: row.connector,
    config: row.config,
    hasSecret: row.secret !== null,
    status: row.status,
    watermark: row.watermark,
    createdAt: iso(row.created_at),
  }
}

function toApply(row: Selectable<Database['applies']>): ApplyRecord {
  return {
    runId: row.run_id,
    seq: row.seq,
    planId: row.plan_id,
    selection: row.selection,
    approved: row.approved,
    actor: row.actor,
    state: row.state as ApplyState,
    counts: row.counts,
    error: row.error,
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  }
}

function toRun(row: Selectable<Database['runs']>): Run {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    connectionId: row.connection_id,
    kind: row.kind as RunKind,
    state: row.state as RunState,
    planId: row.plan_id,
    configVersion: row.config_version,
    error: row.error,
    counts: row.counts,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  }
}

/** A 64-bit advisory lock key for a connection. */
const lockKey = (connectionId: string) =>
  createHash('sha256').update(`hris-sync:connection:${connectionId}`).digest().readBigInt64BE(0)

/** The `Store` on PostgreSQL or PGlite (one dialect, two drivers). */
export class SqlStore implements Store {
  readonly kind: Db['kind']
  readonly #db: Db
  readonly #k: Kysely<Database>
  /** Connections this process runs now: PGlite has one session, so advisory locks cannot tell. */
  readonly #held = new Set<string>()
  readonly tokens: SqlTokens

  constructor(db: Db) {
    this.#db = db
    this.#k = db.kysely
    this.tokens = new SqlTokens(db.kysely)
    this.kind = db.kind
  }

  /** The directory of one workspace, for the directory target. */
  directory(workspaceId: string): SqlDirectory {
    return new SqlDirectory(this.#k, workspaceId, this.kind === 'postgres' ? 3 : 1)
  }

  async ensureWorkspace(name: string): Promise<Workspace> {
    await this.#k
      .insertInto('workspaces')
      .values({ id: randomUUID(), name })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    const row = await this.#k
      .selectFrom('workspaces')
      .select(['id', 'name'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow()
    return row
  }

  async workspaceByName(name: string): Promise<Workspace | null> {
    const row = await this.#k
      .selectFrom('workspaces')
      .select(['id', 'name'])
      .where('name', '=', name)
      .executeTakeFirst()
    return row ?? null
  }

  async createConnection(input: {
    workspaceId: string
    name: string
    connector: string
    config: Readonly<Record<string, unknown>>
    secret: string | null
  }): Promise<Connection> {
    try {
      const row = await this.#k
        .insertInto('connections')
        .values({
          id: randomUUID(),
          workspace_id: input.workspaceId,
          name: input.name,
          connector: input.connector,
          config: JSON.stringify(input.config),
          secret: input.secret,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toConnection(row)
    } catch (error) {
      const conflict = asConflict(error)
      if (conflict instanceof SyncError) {
        throw new SyncError('conflict', `a connection named "${input.name}" exists already`)
      }
      throw conflict
    }
  }

  async connection(workspaceId: string, id: string): Promise<Connection | null> {
    const row = await this.#k
      .selectFrom('connections')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? toConnection(row) : null
  }

  async connectionByName(workspaceId: string, name: string): Promise<Connection | null> {
    const row = await this.#k
      .selectFrom('connections')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst()
    return row ? toConnection(row) : null
  }

  async listConnections(workspaceId: string): Promise<Connection[]> {
    const rows = await this.#k
      .selectFrom('connections')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('name')
      .execute()
    return rows.map(toConnection)
  }

  async updateConnection(
    workspaceId: string,
    id: string,
    patch: {
      config?: Readonly<Record<string, unknown>>
      secret?: string | null
      status?: string
      watermark?: string | null
    },
  ): Promise<Connection> {
    const row = await this.#k
      .updateTable('connections')
      .set({
        ...(patch.config === undefined ? {} : { config: JSON.stringify(patch.config) }),
        ...(patch.secret === undefined ? {} : { secret: patch.secret }),
        ...(patch.status === undefined ? {} : { status: patch.status }),
        ...(patch.watermark === undefined ? {} : { watermark: patch.watermark }),
        updated_at: new Date(),
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
    if (!row) throw new SyncError('not_found', `connection ${id} not found`)
    return toConnection(row)
  }

  async sealedSecret(workspaceId: string, connectionId: string): Promise<string | null> {
    const row = await this.#k
      .selectFrom('connections')
      .select('secret')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', connectionId)
      .executeTakeFirst()
    if (!row) throw new SyncError('not_found', `connection ${connectionId} not found`)
    return row.secret
  }

  async resealSecrets(
    reseal: (sealed: string, context: string) => string,
  ): Promise<{ credentials: number; webhookSecrets: number }> {
    return this.#k.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('connections')
        .select(['id', 'secret'])
        .where('secret', 'is not', null)
        .forUpdate()
        .execute()
      // each secret sealed anew for what it was sealed for; what the new key sealed already is
      // not counted
      const resealAll = async (
        sealed: readonly { id: string; secret: string | null }[],
        contextOf: (id: string) => string,
        write: (id: string, secret: string) => Promise<unknown>,
      ) => {
        let changed = 0
        for (const row of sealed) {
          if (row.secret === null) continue
          const next = reseal(row.secret, contextOf(row.id))
          if (next === row.secret) continue
          await write(row.id, next)
          changed++
        }
        return changed
      }
      const credentials = await resealAll(
        rows,
        (id) => id,
        (id, secret) =>
          trx.updateTable('connections').set({ secret }).where('id', '=', id).execute(),
      )
      // the webhooks' signing secrets, sealed for their endpoint: a key gone with the rotation
      // would leave every delivery unsigned-and-failing
      const jobs = trx.withTables<Pick<JobsDatabase, 'webhook_endpoints'>>()
      const webhookSecrets = await resealAll(
        await jobs.selectFrom('webhook_endpoints').select(['id', 'secret']).forUpdate().execute(),
        (id) => `webhook:${id}`,
        (id, secret) =>
          jobs.updateTable('webhook_endpoints').set({ secret }).where('id', '=', id).execute(),
      )
      // sealed with the old key: cheaper to ask for again than to reseal
      await trx.deleteFrom('connector_tokens').execute()
      return { credentials, webhookSecrets }
    })
  }

  async saveSyncConfig(connectionId: string, config: unknown, schedule: unknown): Promise<number> {
    return this.#k.transaction().execute(async (trx) => {
      // the connection row is the lock that keeps two saves from taking one version
      const connection = await trx
        .selectFrom('connections')
        .select('id')
        .where('id', '=', connectionId)
        .forUpdate()
        .executeTakeFirst()
      if (!connection) throw new SyncError('not_found', `connection ${connectionId} not found`)
      const latest = await trx
        .selectFrom('sync_configs')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst()
      if (
        latest &&
        canonicalJson(latest.config) === canonicalJson(config) &&
        canonicalJson(latest.schedule) === canonicalJson(schedule)
      ) {
        return latest.version
      }
      const version = (latest?.version ?? 0) + 1
      await trx
        .insertInto('sync_configs')
        .values({
          connection_id: connectionId,
          version,
          config: JSON.stringify(config),
          schedule: JSON.stringify(schedule),
        })
        .execute()
      return version
    })
  }

  async latestSyncConfig(connectionId: string): Promise<StoredSyncConfig | null> {
    const row = await this.#k
      .selectFrom('sync_configs')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (!row) return null
    return {
      connectionId: row.connection_id,
      version: row.version,
      config: row.config,
      schedule: row.schedule,
      createdAt: iso(row.created_at),
    }
  }

  async withConnectionLock<T>(connectionId: string, work: () => Promise<T>): Promise<T> {
    const busy = () =>
      new SyncError('conflict', 'another sync of this connection is running', { retryable: true })
    if (this.#held.has(connectionId)) throw busy()
    this.#held.add(connectionId)
    try {
      const locks = this.#db.locks
      if (locks === null) return await work()
      const key = lockKey(connectionId)
      if (!(await locks.tryLock(key))) throw busy()
      try {
        return await work()
      } finally {
        await locks.unlock(key)
      }
    } finally {
      this.#held.delete(connectionId)
    }
  }

  async createRun(input: {
    workspaceId: string
    connectionId: string
    kind: RunKind
    configVersion: number | null
  }): Promise<Run> {
    // a run is for a connection of its own workspace, never another's
    const owner = await this.connection(input.workspaceId, input.connectionId)
    if (!owner) throw new SyncError('not_found', `connection ${input.connectionId} not found`)
    try {
      const row = await this.#k
        .insertInto('runs')
        .values({
          id: randomUUID(),
          workspace_id: input.workspaceId,
          connection_id: input.connectionId,
          kind: input.kind,
          state: 'queued',
          config_version: input.configVersion,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toRun(row)
    } catch (error) {
      throw asConflict(error)
    }
  }

  async transitionRun(
    runId: string,
    to: RunState,
    patch: {
      planId?: string
      error?: { code: string; message: string } | null
      counts?: Record<string, number>
    } = {},
  ): Promise<Run> {
    const from = (Object.keys(RUN_TRANSITIONS) as RunState[]).filter((s) =>
      RUN_TRANSITIONS[s].includes(to),
    )
    const finished = !['queued', 'reading', 'planned', 'awaiting_approval', 'applying'].includes(to)
    let row
    try {
      row = await this.#k
        .updateTable('runs')
        .set({
          state: to,
          updated_at: new Date(),
          finished_at: finished ? new Date() : null,
          ...(patch.planId === undefined ? {} : { plan_id: patch.planId }),
          ...(patch.error === undefined ? {} : { error: JSON.stringify(patch.error) }),
          ...(patch.counts === undefined ? {} : { counts: JSON.stringify(patch.counts) }),
        })
        .where('id', '=', runId)
        .where('state', 'in', from.length > 0 ? from : ['-'])
        .returningAll()
        .executeTakeFirst()
    } catch (error) {
      throw asConflict(error)
    }
    if (!row) {
      const now = await this.#k
        .selectFrom('runs')
        .select('state')
        .where('id', '=', runId)
        .executeTakeFirst()
      if (!now) throw new SyncError('not_found', `run ${runId} not found`)
      throw new SyncError('conflict', `run ${runId} cannot go from ${now.state} to ${to}`)
    }
    return toRun(row)
  }

  async run(workspaceId: string, id: string): Promise<Run | null> {
    const row = await this.#k
      .selectFrom('runs')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? toRun(row) : null
  }

  async listRuns(workspaceId: string, connectionId: string | null, limit: number): Promise<Run[]> {
    let q = this.#k.selectFrom('runs').selectAll().where('workspace_id', '=', workspaceId)
    if (connectionId !== null) q = q.where('connection_id', '=', connectionId)
    const rows = await q.orderBy('seq', 'desc').limit(limit).execute()
    return rows.map(toRun)
  }

  async lastFullReadSize(connectionId: string): Promise<number | null> {
    const row = await this.#k
      .selectFrom('runs')
      .select(sql<string>`counts->>'employees'`.as('employees'))
      .where('connection_id', '=', connectionId)
      .where('kind', '<>', 'incremental')
      .where(sql<boolean>`(counts->>'employees')::int > 0`)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row ? Number(row.employees) : null
  }

  async openRun(connectionId: string): Promise<Run | null> {
    const row = await this.#k
      .selectFrom('runs')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('state', 'in', ['queued', 'reading', 'planned', 'awaiting_approval', 'applying'])
      .executeTakeFirst()
    return row ? toRun(row) : null
  }

  async latestRun(connectionId: string): Promise<Run | null> {
    const row = await this.#k
      .selectFrom('runs')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row ? toRun(row) : null
  }

  async savePlan(
    run: Run,
    plan: SyncPlan,
    extra: { watermark: string | null } = { watermark: null },
  ): Promise<string> {
    const id = randomUUID()
    const { changes, ...header } = plan
    await this.#k.transaction().execute(async (trx) => {
      await trx
        .insertInto('plans')
        .values({
          id,
          workspace_id: run.workspaceId,
          connection_id: run.connectionId,
          run_id: run.id,
          header: JSON.stringify(header),
          changes: changes.length,
          watermark: extra.watermark,
        })
        .execute()
      // rows as one JSON parameter, each an array (no key names repeated): a statement per 5,000
      // changes; `json` keeps the body's text as given, and a row's position is its seq
      for (const [c, part] of chunks(changes, 5000).entries()) {
        const rows = part.map((x) => [x.id, x.kind, x.action, x.reason, compact(x)])
        await sql`
          insert into plan_changes (plan_id, seq, change_id, kind, action, reason, body)
          select ${id}, ${c * 5000} + n - 1, x->>0, x->>1, x->>2, x->>3, (x->4)::text
          from json_array_elements(${JSON.stringify(rows)}::json) with ordinality as r(x, n)
        `.execute(trx)
      }
    })
    return id
  }

  async plan(
    workspaceId: string,
    planId: string,
    options: { actionableOnly?: boolean } = {},
  ): Promise<StoredPlan | null> {
    const row = await this.#k
      .selectFrom('plans')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', planId)
      .executeTakeFirst()
    if (!row) return null
    const changes: Change[] = []
    // keyset paging by position: the actionable changes are not contiguous
    for (let after = -1; ;) {
      let q = this.#k
        .selectFrom('plan_changes')
        .select(['seq', 'change_id', 'kind', 'action', 'reason', 'body'])
        .where('plan_id', '=', planId)
        .where('seq', '>', after)
      if (options.actionableOnly === true) q = q.where('action', 'not in', ['noop', 'skip'])
      const rows = await q.orderBy('seq').limit(5000).execute()
      for (const r of rows) changes.push(expand(r, JSON.parse(r.body) as StoredChange))
      if (rows.length < 5000) break
      after = rows[rows.length - 1]?.seq ?? after
    }
    return {
      id: row.id,
      runId: row.run_id,
      workspaceId: row.workspace_id,
      connectionId: row.connection_id,
      createdAt: iso(row.created_at),
      watermark: row.watermark,
      plan: { ...(row.header as unknown as Omit<SyncPlan, 'changes'>), changes },
    }
  }

  async planChanges(planId: string, offset: number, limit: number): Promise<Change[]> {
    const rows = await this.#k
      .selectFrom('plan_changes')
      .select(['change_id', 'kind', 'action', 'reason', 'body'])
      .where('plan_id', '=', planId)
      .where('seq', '>=', offset)
      .where('seq', '<', offset + limit)
      .orderBy('seq')
      .execute()
    return rows.map((r) => expand(r, JSON.parse(r.body) as StoredChange))
  }

  async startApply(input: {
    workspaceId: string
    runId: string
    planId: string
    selection: number | null
    approved: boolean
    actor: string | null
  }): Promise<ApplyRecord> {
    return this.#k.transaction().execute(async (trx) => {
      await trx
        .updateTable('applies')
        .set({
          state: 'failed',
          finished_at: new Date(),
          error: JSON.stringify({
            code: 'interrupted',
            message: 'the process applying it stopped',
          }),
        })
        .where('run_id', '=', input.runId)
        .where('state', '=', 'applying')
        .execute()
      const last = await trx
        .selectFrom('applies')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('run_id', '=', input.runId)
        .executeTakeFirst()
      try {
        const row = await trx
          .insertInto('applies')
          .values({
            run_id: input.runId,
            seq: (last?.seq ?? 0) + 1,
            workspace_id: input.workspaceId,
            plan_id: input.planId,
            selection: input.selection,
            approved: input.approved,
            actor: input.actor,
            state: 'applying',
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        return toApply(row)
      } catch (error) {
        throw asConflict(error)
      }
    })
  }

  async finishApply(
    runId: string,
    seq: number,
    outcome: {
      state: Exclude<ApplyState, 'applying'>
      counts: Record<string, number>
      error: { code: string; message: string } | null
    },
  ): Promise<ApplyRecord> {
    const row = await this.#k
      .updateTable('applies')
      .set({
        state: outcome.state,
        counts: JSON.stringify(outcome.counts),
        error: JSON.stringify(outcome.error),
        finished_at: new Date(),
      })
      .where('run_id', '=', runId)
      .where('seq', '=', seq)
      .where('state', '=', 'applying')
      .returningAll()
      .executeTakeFirst()
    if (!row)
      throw new SyncError('conflict', `apply ${String(seq)} of run ${runId} is not applying`)
    return toApply(row)
  }

  async applies(workspaceId: string, runId: string): Promise<ApplyRecord[]> {
    const rows = await this.#k
      .selectFrom('applies')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute()
    return rows.map(toApply)
  }

  async recordResults(
    planId: string,
    runId: string,
    applySeq: number,
    results: readonly Omit<RecordedResult, 'at'>[],
  ): Promise<void> {
    for (const part of chunks(results, 5000)) {
      // each row an array, its trailing nulls left out (`->>` past the end is null): most
      // results are a change id, `applied` and an id
      const rows = part.map((r) => {
        const row = [r.changeId, r.status, r.entityId, r.message, r.errorCode]
        while (row.at(-1) === null) row.pop()
        return row
      })
      await sql`
        insert into change_results (plan_id, change_id, run_id, apply_seq, status, entity_id, message, error_code)
        select ${planId}, x->>0, ${runId}, ${applySeq}, x->>1, x->>2, x->>3, x->>4
        from json_array_elements(${JSON.stringify(rows)}::json) as x
        on conflict (plan_id, change_id, apply_seq) do update set run_id = excluded.run_id,
          status = excluded.status, entity_id = excluded.entity_id, message = excluded.message,
          error_code = excluded.error_code, at = now()
      `.execute(this.#k)
    }
  }

  async results(planId: string): Promise<RecordedResult[]> {
    const { rows } = await sql<{
      change_id: string
      status: string
      entity_id: string | null
      message: string | null
      error_code: string | null
      at: Date | string
    }>`
      select r.change_id, r.status, r.entity_id, r.message, r.error_code, r.at
      from plan_changes c
      join lateral (
        select * from change_results x
        where x.plan_id = c.plan_id and x.change_id = c.change_id
        order by x.apply_seq desc limit 1
      ) r on true
      where c.plan_id = ${planId}
      order by c.seq
    `.execute(this.#k)
    return rows.map((r) => ({
      changeId: r.change_id,
      status: r.status as RecordedResult['status'],
      entityId: r.entity_id,
      message: r.message,
      errorCode: r.error_code,
      at: iso(r.at),
    }))
  }

  async audit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return
    await this.#k
      .insertInto('audit_log')
      .values(
        entries.map((e) => ({
          workspace_id: e.workspaceId,
          actor: e.actor,
          action: e.action,
          entity_type: e.entityType,
          entity_id: e.entityId,
          details: JSON.stringify(e.details),
        })),
      )
      .execute()
  }

  listPeople(workspaceId: string): AsyncIterable<Person> {
    return listPeople(this.#k, workspaceId)
  }

  async setIdentifiers(
    workspaceId: string,
    rows: readonly { personId: string; identifier: string }[],
    actor: string,
  ): Promise<number> {
    try {
      return await this.#k.transaction().execute(async (trx) => {
        let changed = 0
        for (const part of chunks(rows)) {
          const found = await trx
            .selectFrom('people')
            .selectAll()
            .where('workspace_id', '=', workspaceId)
            .where(
              'id',
              'in',
              part.map((r) => r.personId),
            )
            .forUpdate()
            .execute()
          const byId = new Map(found.map((p) => [p.id, p]))
          for (const { personId, identifier } of part) {
            const row = byId.get(personId)
            if (!row) throw new SyncError('not_found', `person ${personId} not found`)
            if (row.identifier === identifier) continue
            const person = { ...toContent(row), identifier }
            await trx
              .updateTable('people')
              .set({ identifier, hash: personHash(person), updated_at: new Date() })
              .where('id', '=', personId)
              .execute()
            await trx
              .insertInto('audit_log')
              .values({
                workspace_id: workspaceId,
                actor,
                action: 'person.set_identifier',
                entity_type: 'person',
                entity_id: personId,
                details: JSON.stringify({ before: row.identifier, after: identifier }),
              })
              .execute()
            changed++
          }
        }
        // the constraint (identifiers unique ignoring case) is checked at commit, where it cannot
        // say who holds the value
        const key = (identifier: string) => identifier.toLowerCase()
        for (const part of chunks([...new Set(rows.map((r) => key(r.identifier)))])) {
          const holders = await trx
            .selectFrom('people')
            .select(['id', 'identifier'])
            .where('workspace_id', '=', workspaceId)
            .where((eb) => eb(eb.fn<string>('lower', ['identifier']), 'in', part))
            .orderBy('id')
            .execute()
          for (const lowered of part) {
            const ids = holders
              .filter((h) => h.identifier?.toLowerCase() === lowered)
              .map((h) => h.id)
            if (ids.length < 2) continue
            const row = rows.find((r) => key(r.identifier) === lowered)
            const person = row?.personId
            const identifier = row?.identifier ?? lowered
            const others = ids.filter((id) => id !== person).join(', ')
            throw new SyncError(
              'conflict',
              `person ${others} has the identifier "${identifier}" already: it cannot be given to person ${person ?? '?'}`,
            )
          }
        }
        return changed
      })
    } catch (error) {
      throw asConflict(error)
    }
  }

  /** Raw access for tests and benchmarks that need to look under the store. */
  get db(): Db {
    return this.#db
  }

  close(): Promise<void> {
    return this.#db.close()
  }
}

function toContent(row: Selectable<Database['people']>) {
  return contentOf(toPerson(row, []))
}
