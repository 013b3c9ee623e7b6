import type { Person } from '../core/model/person.ts'
import type { RunState } from '../core/run/run-state.ts'
import type { Change, SyncPlan } from '../core/plan/sync-plan.ts'

export interface Workspace {
  readonly id: string
  readonly name: string
}

/** A connection to an HR system. Its credentials are sealed in the vault and never come back. */
export interface Connection {
  readonly id: string
  readonly workspaceId: string
  readonly name: string
  readonly connector: string
  readonly config: Readonly<Record<string, unknown>>
  readonly hasSecret: boolean
  readonly status: string
  /** Where the next incremental read starts. */
  readonly watermark: string | null
  readonly createdAt: string
}

export interface StoredSyncConfig {
  readonly connectionId: string
  readonly version: number
  /** The `SyncConfig` as given (input form): parse it with `SyncConfig` to use it. */
  readonly config: unknown
  readonly schedule: unknown
  readonly createdAt: string
}

export const RUN_KINDS = ['preview', 'sync'] as const
export type RunKind = (typeof RUN_KINDS)[number]

export interface Run {
  readonly id: string
  readonly workspaceId: string
  readonly connectionId: string
  readonly kind: RunKind
  readonly state: RunState
  readonly planId: string | null
  readonly configVersion: number | null
  readonly error: { readonly code: string; readonly message: string } | null
  readonly counts: Readonly<Record<string, number>> | null
  readonly createdAt: string
  readonly updatedAt: string
  readonly finishedAt: string | null
}

export interface StoredPlan {
  readonly id: string
  readonly runId: string
  readonly workspaceId: string
  readonly connectionId: string
  readonly createdAt: string
  /** Where the next incremental read starts once this plan is applied. */
  readonly watermark: string | null
  readonly plan: SyncPlan
}

/** A change result as recorded: the target's answer, and when. */
export interface RecordedResult {
  readonly changeId: string
  readonly status: 'applied' | 'stale' | 'skipped' | 'failed'
  readonly entityId: string | null
  readonly message: string | null
  readonly errorCode: string | null
  readonly at: string
}

export interface AuditEntry {
  readonly workspaceId: string
  readonly actor: string
  readonly action: string
  readonly entityType: string
  readonly entityId: string | null
  readonly details: Readonly<Record<string, unknown>>
}

/**
 * Everything the engine keeps: workspaces, connections, configs, runs, plans and their results.
 * Every method scoped to a workspace takes its id; nothing crosses workspaces. Methods throw
 * `SyncError` (`not_found`, `conflict`…) for what a caller can act on.
 */
export interface Store {
  readonly kind: 'postgres' | 'pglite'

  ensureWorkspace(name: string): Promise<Workspace>
  workspaceByName(name: string): Promise<Workspace | null>

  createConnection(input: {
    workspaceId: string
    name: string
    connector: string
    config: Readonly<Record<string, unknown>>
    secret: string | null
  }): Promise<Connection>
  connection(workspaceId: string, id: string): Promise<Connection | null>
  connectionByName(workspaceId: string, name: string): Promise<Connection | null>
  listConnections(workspaceId: string): Promise<Connection[]>
  updateConnection(
    workspaceId: string,
    id: string,
    patch: {
      config?: Readonly<Record<string, unknown>>
      secret?: string | null
      status?: string
      watermark?: string | null
    },
  ): Promise<Connection>
  /** The sealed credentials, for the engine to open with the vault: never shown. */
  sealedSecret(workspaceId: string, connectionId: string): Promise<string | null>
  /** Re-seals every stored secret in one transaction (key rotation); returns how many. */
  resealSecrets(reseal: (sealed: string, connectionId: string) => string): Promise<number>

  /** Stores a config version; the same config as the latest gives the latest version back. */
  saveSyncConfig(connectionId: string, config: unknown, schedule: unknown): Promise<number>
  latestSyncConfig(connectionId: string): Promise<StoredSyncConfig | null>

  /**
   * Runs `work` while this process holds the connection: one active run per connection, across
   * processes on PostgreSQL (an advisory lock that dies with its session). Throws `conflict` when
   * another process holds it.
   */
  withConnectionLock<T>(connectionId: string, work: () => Promise<T>): Promise<T>
  /** Starts a run; `conflict` when the connection has an open run already. */
  createRun(input: {
    workspaceId: string
    connectionId: string
    kind: RunKind
    configVersion: number | null
  }): Promise<Run>
  /**
   * Moves a run to `to`, if the transition table allows it from the state it is in now; the check
   * and the write are one statement, so two processes cannot both move it.
   */
  transitionRun(
    runId: string,
    to: RunState,
    patch?: {
      planId?: string
      error?: { code: string; message: string } | null
      counts?: Record<string, number>
    },
  ): Promise<Run>
  run(workspaceId: string, id: string): Promise<Run | null>
  listRuns(workspaceId: string, connectionId: string | null, limit: number): Promise<Run[]>
  openRun(connectionId: string): Promise<Run | null>
  latestRun(connectionId: string): Promise<Run | null>

  /** Stores a plan and its changes in one transaction, with the read's watermark. */
  savePlan(run: Run, plan: SyncPlan, extra?: { watermark: string | null }): Promise<string>
  /**
   * A stored plan. `actionableOnly` leaves out the changes that do nothing (noop, skip): what an
   * apply needs, often a small part of a big plan.
   */
  plan(
    workspaceId: string,
    planId: string,
    options?: { actionableOnly?: boolean },
  ): Promise<StoredPlan | null>
  /** The change ids and kinds of a plan, without loading the changes. */
  planChanges(planId: string, offset: number, limit: number): Promise<Change[]>
  recordResults(
    planId: string,
    runId: string,
    results: readonly Omit<RecordedResult, 'at'>[],
  ): Promise<void>
  results(planId: string): Promise<RecordedResult[]>

  audit(entries: readonly AuditEntry[]): Promise<void>

  /** Every person of a workspace, in id order, page by page. */
  listPeople(workspaceId: string): AsyncIterable<Person>
  /**
   * Sets identifiers on existing people (the identifier import): all or nothing; returns how
   * many changed. Throws `conflict` naming the person when an identifier is taken.
   */
  setIdentifiers(
    workspaceId: string,
    rows: readonly { personId: string; identifier: string }[],
    actor: string,
  ): Promise<number>

  close(): Promise<void>
}
