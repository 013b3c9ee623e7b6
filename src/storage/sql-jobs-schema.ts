import type { ColumnType, Generated, JSONColumnType, Kysely } from 'kysely'

import type { Database } from './schema.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type LastError = { code: string; message: string } | null

/** The tables and columns of migrations 0003 (jobs) and 0005 (webhook attempts). */
export type JobTables = {
  connections: {
    consecutive_failures: ColumnType<number, number | undefined, number>
    quarantined_at: Timestamp | null
    last_attempt_at: Timestamp | null
    last_error: JSONColumnType<LastError> | null
  }
  outbox: {
    status: ColumnType<string, string | undefined, string>
    next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>
    claimed_until: Timestamp | null
    last_error: string | null
  }
  schedule_state: {
    connection_id: string
    kind: string
    cron: string
    time_zone: string
    next_at: Timestamp
    last_enqueued_at: Timestamp | null
  }
  webhook_endpoints: {
    id: string
    workspace_id: string
    url: string
    secret: string
    events: JSONColumnType<string[]>
    enabled: ColumnType<boolean, boolean | undefined, boolean>
    created_at: Timestamp
  }
  webhook_deliveries: {
    id: Generated<string>
    endpoint_id: string
    workspace_id: string
    event_id: string
    kind: string
    payload: JSONColumnType<Record<string, unknown>>
    status: ColumnType<string, string | undefined, string>
    attempts: Generated<number>
    next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>
    claimed_until: Timestamp | null
    response_status: number | null
    last_error: string | null
    created_at: Timestamp
    delivered_at: Timestamp | null
  }
  webhook_attempts: {
    id: Generated<string>
    delivery_id: string
    at: ColumnType<Date, Date | string, Date | string>
    response_status: number | null
    error: string | null
  }
  notification_recipients: {
    workspace_id: string
    email: string
    created_at: Timestamp
  }
}

export type JobsDatabase = Database & JobTables

/** The project's Kysely handle, seeing the jobs tables too. */
export const withJobTables = (k: Kysely<Database>): Kysely<JobsDatabase> =>
  k.withTables<JobTables>()

export const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString())
export const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d))
