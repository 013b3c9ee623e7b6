import { sql } from 'kysely'
import type { Kysely, Selectable } from 'kysely'

import { SyncError } from '../core/errors.ts'
import type { Db } from './db.ts'
import type { JobsDatabase } from './sql-jobs-schema.ts'
import { isoOrNull, iso, withJobTables } from './sql-jobs-schema.ts'
import type {
  ConnectionHealth,
  ScheduleKind,
  ScheduleSlot,
  ScheduleStore,
  ScheduledConnection,
} from './store.ts'

type ConnectionRow = Selectable<JobsDatabase['connections']>

function toHealth(row: ConnectionRow): ConnectionHealth {
  return {
    connectionId: row.id,
    workspaceId: row.workspace_id,
    status: row.status,
    consecutiveFailures: row.consecutive_failures,
    quarantinedAt: isoOrNull(row.quarantined_at),
    lastAttemptAt: isoOrNull(row.last_attempt_at),
    lastError: row.last_error,
  }
}

/** The `ScheduleStore` on PostgreSQL or PGlite. */
export class SqlSchedules implements ScheduleStore {
  readonly #k: Kysely<JobsDatabase>

  constructor(db: Db) {
    this.#k = withJobTables(db.kysely)
  }

  async scheduledConnections(): Promise<ScheduledConnection[]> {
    const rows = await this.#k
      .selectFrom('connections as c')
      .leftJoin(
        (eb) =>
          eb
            .selectFrom('sync_configs')
            .distinctOn('connection_id')
            .select(['connection_id', 'schedule', sql<string | null>`config->>'timeZone'`.as('tz')])
            .orderBy('connection_id')
            .orderBy('version', 'desc')
            .as('s'),
        (j) => j.onRef('s.connection_id', '=', 'c.id'),
      )
      .selectAll('c')
      .select(['s.schedule', 's.tz'])
      .orderBy('c.id')
      .execute()
    const slots = await this.#k.selectFrom('schedule_state').selectAll().execute()
    const byConnection = new Map<string, Partial<Record<ScheduleKind, ScheduleSlot>>>()
    for (const s of slots) {
      const own = byConnection.get(s.connection_id) ?? {}
      own[s.kind as ScheduleKind] = { cron: s.cron, timeZone: s.time_zone, nextAt: iso(s.next_at) }
      byConnection.set(s.connection_id, own)
    }
    return rows.map((row) => ({
      ...toHealth(row as ConnectionRow),
      schedule: row.schedule ?? null,
      timeZone: row.tz ?? null,
      slots: byConnection.get(row.id) ?? {},
    }))
  }

  async setSlot(connectionId: string, kind: ScheduleKind, slot: ScheduleSlot): Promise<void> {
    await this.#k
      .insertInto('schedule_state')
      .values({
        connection_id: connectionId,
        kind,
        cron: slot.cron,
        time_zone: slot.timeZone,
        next_at: slot.nextAt,
      })
      .onConflict((oc) =>
        oc.columns(['connection_id', 'kind']).doUpdateSet({
          cron: slot.cron,
          time_zone: slot.timeZone,
          next_at: slot.nextAt,
        }),
      )
      .execute()
  }

  async claimSlot(
    connectionId: string,
    kind: ScheduleKind,
    due: string,
    next: string,
  ): Promise<boolean> {
    const row = await this.#k
      .updateTable('schedule_state')
      .set({ next_at: next, last_enqueued_at: new Date() })
      .where('connection_id', '=', connectionId)
      .where('kind', '=', kind)
      .where('next_at', '=', new Date(due))
      .returning('connection_id')
      .executeTakeFirst()
    return row !== undefined
  }

  async slots(connectionId: string): Promise<Partial<Record<ScheduleKind, ScheduleSlot>>> {
    const rows = await this.#k
      .selectFrom('schedule_state')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .execute()
    return Object.fromEntries(
      rows.map((s) => [s.kind, { cron: s.cron, timeZone: s.time_zone, nextAt: iso(s.next_at) }]),
    )
  }

  async health(connectionId: string): Promise<ConnectionHealth | null> {
    const row = await this.#k
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', connectionId)
      .executeTakeFirst()
    return row ? toHealth(row) : null
  }

  async recordAttempt(
    connectionId: string,
    at: string,
    error: { code: string; message: string } | null,
    quarantineAfter: number,
  ): Promise<{ health: ConnectionHealth; quarantined: boolean }> {
    // the row locked while it is counted: two workers cannot both quarantine it
    return this.#k.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', connectionId)
        .forUpdate()
        .executeTakeFirst()
      if (!before) throw new SyncError('not_found', `connection ${connectionId} not found`)
      const failures = error === null ? 0 : before.consecutive_failures + 1
      const quarantined =
        error !== null && before.quarantined_at === null && failures >= quarantineAfter
      const status =
        error === null
          ? before.status === 'quarantined'
            ? 'active'
            : before.status
          : quarantined && before.status === 'active'
            ? 'quarantined'
            : before.status
      const row = await trx
        .updateTable('connections')
        .set({
          consecutive_failures: failures,
          last_attempt_at: at,
          last_error: error === null ? null : JSON.stringify(error),
          quarantined_at: error === null ? null : quarantined ? at : before.quarantined_at,
          status,
        })
        .where('id', '=', connectionId)
        .returningAll()
        .executeTakeFirstOrThrow()
      return { health: toHealth(row), quarantined }
    })
  }

  async clearQuarantine(connectionId: string): Promise<ConnectionHealth> {
    const row = await this.#k
      .updateTable('connections')
      .set({
        consecutive_failures: 0,
        quarantined_at: null,
        // refused credentials are not a quarantine: only new ones lift them
        status: sql<string>`case when status = 'quarantined' then 'active' else status end`,
      })
      .where('id', '=', connectionId)
      .returningAll()
      .executeTakeFirst()
    if (!row) throw new SyncError('not_found', `connection ${connectionId} not found`)
    return toHealth(row)
  }
}
