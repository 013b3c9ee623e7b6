import type { ColumnType, Generated, JSONColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T extends object | null> = JSONColumnType<T>

/** The tables of hris-sync, as Kysely sees them. Dates are `YYYY-MM-DD` text, instants timestamptz. */
export interface Database {
  workspaces: {
    id: string
    name: string
    created_at: Timestamp
  }
  connections: {
    id: string
    workspace_id: string
    name: string
    connector: string
    config: Json<Record<string, unknown>>
    /** The vault's sealed credentials (`hsv1:<keyId>:…`); null for a connector without any. */
    secret: string | null
    status: ColumnType<string, string | undefined, string>
    watermark: string | null
    created_at: Timestamp
    updated_at: Timestamp
  }
  /** Tokens connectors got from HR systems, sealed in the vault (migration 0008). */
  connector_tokens: {
    connection_id: string
    /** A hash of the credential the token is for, never a secret. */
    key: string
    /** `hsv1:<keyId>:…`, sealed for `token:<connection id>:<key>`. */
    sealed: string
    expires_at: ColumnType<Date, Date | string, Date | string>
    created_at: Timestamp
  }
  sync_configs: {
    connection_id: string
    version: number
    config: Json<Record<string, unknown>>
    schedule: Json<Record<string, unknown>>
    created_at: Timestamp
  }
  runs: {
    id: string
    seq: Generated<string>
    workspace_id: string
    connection_id: string
    kind: string
    state: string
    plan_id: string | null
    config_version: number | null
    error: Json<{ code: string; message: string } | null> | null
    counts: Json<Record<string, number>> | null
    created_at: Timestamp
    updated_at: Timestamp
    finished_at: Timestamp | null
  }
  plans: {
    id: string
    workspace_id: string
    connection_id: string
    run_id: string
    /** The plan without its changes: basis, summary, issues, approval. */
    header: Json<Record<string, unknown>>
    changes: number
    watermark: string | null
    created_at: Timestamp
  }
  plan_changes: {
    plan_id: string
    seq: number
    change_id: string
    kind: string
    action: string
    reason: string
    /** The change as JSON text. */
    body: string
  }
  /** Each apply of a run's plan: numbered within the run (0: before applies were kept). */
  applies: {
    run_id: string
    seq: number
    workspace_id: string
    plan_id: string
    /** How many change ids were selected; null: all. */
    selection: number | null
    approved: boolean
    actor: string | null
    state: string
    counts: Json<Record<string, number>> | null
    error: Json<{ code: string; message: string } | null> | null
    started_at: Timestamp
    finished_at: Timestamp | null
  }
  /** One row per change and apply that tried it: the latest apply's is the change's outcome. */
  change_results: {
    plan_id: string
    change_id: string
    run_id: string
    apply_seq: ColumnType<number, number | undefined, number>
    status: string
    entity_id: string | null
    message: string | null
    error_code: string | null
    at: Timestamp
  }
  people: {
    id: string
    workspace_id: string
    identifier: string | null
    /** The email field, trimmed and lowercased: unique per workspace. */
    email_key: string | null
    source_connection_id: string | null
    source_external_id: string | null
    status: string
    leaver_date: string | null
    fields: Json<Record<string, unknown>>
    groups: Json<string[]>
    manager_id: string | null
    invite_status: string
    hash: string
    created_at: Timestamp
    updated_at: Timestamp
  }
  teams: {
    id: string
    workspace_id: string
    name: string
    source_connection_id: string | null
    source_external_id: string | null
    hash: string
    created_at: Timestamp
    updated_at: Timestamp
  }
  team_members: {
    team_id: string
    person_id: string
    workspace_id: string
  }
  audit_log: {
    id: Generated<string>
    workspace_id: string
    at: Timestamp
    actor: string
    action: string
    entity_type: string
    entity_id: string | null
    details: Json<Record<string, unknown>>
  }
  outbox: {
    id: Generated<string>
    workspace_id: string
    kind: string
    /** Unique: the same effect is never queued twice, whatever retries happen. */
    dedupe_key: string
    payload: Json<Record<string, unknown>>
    created_at: Timestamp
    sent_at: Timestamp | null
    attempts: Generated<number>
  }
}
