import type { FieldValue } from '../core/model/field-value.ts'
import type { Person, Team } from '../core/model/person.ts'
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

/** `incremental`: a sync that read only what changed since the connection's watermark. */
export const RUN_KINDS = ['preview', 'sync', 'incremental'] as const
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

/** An apply is under way, or what it came to (`failed`: it threw, or a change of it failed). */
export const APPLY_STATES = ['applying', 'succeeded', 'failed'] as const
export type ApplyState = (typeof APPLY_STATES)[number]

/**
 * One apply of a run's plan ("Sync selected", "Sync all"), numbered from 1 within the run (0:
 * what was applied before applies were kept). `counts` are its own results only: a change an
 * earlier apply made is not counted again.
 */
export interface ApplyRecord {
  readonly runId: string
  readonly seq: number
  readonly planId: string
  /** How many change ids were selected; null: all. */
  readonly selection: number | null
  readonly approved: boolean
  /** Who applied it, when a person or token did (null: the command or a schedule). */
  readonly actor: string | null
  readonly state: ApplyState
  readonly counts: Readonly<Record<string, number>> | null
  readonly error: { readonly code: string; readonly message: string } | null
  readonly startedAt: string
  readonly finishedAt: string | null
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
  /**
   * Re-seals every stored secret in one transaction (key rotation): the connections' credentials
   * (sealed for their connection's id) and the webhooks' signing secrets (sealed for
   * `webhook:<id>`); returns how many of each changed. The shared connector tokens are dropped in
   * it rather than resealed: a new one is a token request away.
   */
  resealSecrets(
    reseal: (sealed: string, context: string) => string,
  ): Promise<{ credentials: number; webhookSecrets: number }>
  /** Access tokens connectors got, shared by every process (sealed by the engine). */
  readonly tokens: TokenStore

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
  /**
   * How many employees the connection's last full read found (its plan's count), however many
   * incremental runs came since; null before one found anyone.
   */
  lastFullReadSize(connectionId: string): Promise<number | null>
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
  /**
   * Starts the next apply of a run (numbered after its last); an apply of the run still
   * `applying` is failed as interrupted first (the process applying it is gone: the caller holds
   * the connection).
   */
  startApply(input: {
    workspaceId: string
    runId: string
    planId: string
    selection: number | null
    approved: boolean
    actor: string | null
  }): Promise<ApplyRecord>
  /** Ends an apply that is `applying`, with its own counts. */
  finishApply(
    runId: string,
    seq: number,
    outcome: {
      state: Exclude<ApplyState, 'applying'>
      counts: Record<string, number>
      error: { code: string; message: string } | null
    },
  ): Promise<ApplyRecord>
  /** A run's applies, in order. */
  applies(workspaceId: string, runId: string): Promise<ApplyRecord[]>
  /** Records what changes came to in apply `applySeq` of the run (again: that apply's latest). */
  recordResults(
    planId: string,
    runId: string,
    applySeq: number,
    results: readonly Omit<RecordedResult, 'at'>[],
  ): Promise<void>
  /** What each change of a plan came to: the result of the last apply that tried it. */
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

/** A connector's access token as stored: sealed in the vault, and when it stops working. */
export interface SealedToken {
  readonly sealed: string
  readonly expiresAt: Date
}

/**
 * Access tokens of connections, one per connection and `key` (a hash of the credential the
 * connector derives, never a secret), shared by every process on the database. A token expired at
 * `now` is never answered.
 */
export interface TokenStore {
  token(connectionId: string, key: string, now: Date): Promise<SealedToken | null>
  /** Stores the token, over the one stored before; tokens of any connection expired at `now` go. */
  saveToken(connectionId: string, key: string, token: SealedToken, now: Date): Promise<void>
  /**
   * Drops the token under `key` while it is still `sealed` (one stored since, by another process,
   * stays); true when it went.
   */
  dropToken(connectionId: string, key: string, sealed: string): Promise<boolean>
}

// ─── Ongoing sync (jobs/): schedules, connection health, the outbox, webhooks ───

export const SCHEDULE_KINDS = ['incremental', 'full'] as const
/** An incremental run reads what changed since the watermark; a full run reads everyone. */
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number]

/** `active`, `quarantined` (too many failures in a row) or `needs_reauth` (credentials refused). */
export const CONNECTION_STATUSES = ['active', 'quarantined', 'needs_reauth'] as const
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number]

/** One kind of scheduled run of a connection: its cron, in its time zone, and when it is due. */
export interface ScheduleSlot {
  readonly cron: string
  readonly timeZone: string
  readonly nextAt: string
}

/** How a connection has been doing: failures in a row, quarantine, the last error. */
export interface ConnectionHealth {
  readonly connectionId: string
  readonly workspaceId: string
  readonly status: string
  readonly consecutiveFailures: number
  readonly quarantinedAt: string | null
  readonly lastAttemptAt: string | null
  readonly lastError: { readonly code: string; readonly message: string } | null
}

/** A connection as the scheduler sees it: its latest schedule (as stored), health and slots. */
export interface ScheduledConnection extends ConnectionHealth {
  /** The latest sync config's schedule, as given (parse it); null: never configured. */
  readonly schedule: unknown
  /** The latest sync config's `timeZone`, null when it gives none. */
  readonly timeZone: string | null
  readonly slots: Readonly<Partial<Record<ScheduleKind, ScheduleSlot>>>
}

/** Schedule state and connection health, shared by every scheduler and worker process. */
export interface ScheduleStore {
  /** Every connection, with what the scheduler needs to decide what is due. */
  scheduledConnections(): Promise<ScheduledConnection[]>
  /** Sets a slot: the first time, or when the cron or time zone changed. */
  setSlot(connectionId: string, kind: ScheduleKind, slot: ScheduleSlot): Promise<void>
  /**
   * Moves a slot due at `due` on to `next`; true for the one caller whose claim wins (however
   * many processes tick at once, a slot is enqueued once).
   */
  claimSlot(connectionId: string, kind: ScheduleKind, due: string, next: string): Promise<boolean>
  /** A connection's slots as the scheduler last set them (none before its first tick). */
  slots(connectionId: string): Promise<Partial<Record<ScheduleKind, ScheduleSlot>>>
  health(connectionId: string): Promise<ConnectionHealth | null>
  /**
   * A run attempt's outcome. A success clears the failures and a quarantine; a failure counts one
   * more and quarantines the connection at `quarantineAfter` in a row. `quarantined`: this call
   * put it in quarantine.
   */
  recordAttempt(
    connectionId: string,
    at: string,
    error: { code: string; message: string } | null,
    quarantineAfter: number,
  ): Promise<{ health: ConnectionHealth; quarantined: boolean }>
  /**
   * Lets a quarantined connection run on its schedule again (by hand): its failures in a row start
   * from 0. A `needs_reauth` connection stays so: only new credentials lift that.
   */
  clearQuarantine(connectionId: string): Promise<ConnectionHealth>
}

/** A side effect waiting in the outbox (an invitation, person events, a notification). */
export interface OutboxMessage {
  readonly id: string
  readonly workspaceId: string
  readonly kind: string
  readonly dedupeKey: string
  readonly payload: Readonly<Record<string, unknown>>
  readonly status: 'pending' | 'sending' | 'sent' | 'failed'
  readonly attempts: number
  readonly lastError: string | null
  readonly createdAt: string
  readonly sentAt: string | null
}

export interface WebhookEndpoint {
  readonly id: string
  readonly workspaceId: string
  readonly url: string
  /** Event kinds sent to it (`person.created`…), or `*` for all. */
  readonly events: readonly string[]
  readonly enabled: boolean
  readonly createdAt: string
}

/** One event for one endpoint, and how its delivery went (the endpoint's delivery log). */
export interface WebhookDelivery {
  readonly id: string
  readonly endpointId: string
  readonly workspaceId: string
  /** Unique per endpoint: a receiver dedupes on it. */
  readonly eventId: string
  readonly kind: string
  readonly payload: Readonly<Record<string, unknown>>
  readonly status: 'pending' | 'delivering' | 'delivered' | 'failed'
  readonly attempts: number
  readonly responseStatus: number | null
  readonly lastError: string | null
  readonly createdAt: string
  readonly deliveredAt: string | null
  /** When it is tried again (backoff); null once delivered or given up. */
  readonly nextAttemptAt: string | null
}

/** One try of a delivery: what the endpoint answered, or why it could not be reached. */
export interface WebhookAttempt {
  readonly at: string
  readonly responseStatus: number | null
  readonly error: string | null
}

/** A delivery with each of its tries, oldest first: the endpoint's log. */
export interface WebhookDeliveryLog extends WebhookDelivery {
  readonly tries: readonly WebhookAttempt[]
}

/**
 * The outbox and what it fans out to. Messages of a workspace are held back while one of its runs
 * is applying (its invitations and events go out once the run's changes are all in). An outbox
 * message is claimed before it is sent and never claimed again once `sending`: an invitation is
 * sent at most once whatever is retried. Webhook deliveries are retried until delivered (at least
 * once; receivers dedupe on the event id).
 */
export interface OutboxStore {
  /** Queues a message; one with the same dedupe key exists already: false, nothing queued. */
  enqueue(input: {
    workspaceId: string
    kind: string
    dedupeKey: string
    payload: Readonly<Record<string, unknown>>
  }): Promise<boolean>
  /** Leases up to `limit` due messages for `leaseSeconds`; they stay `pending` until `sending`. */
  claim(now: string, limit: number, leaseSeconds: number): Promise<OutboxMessage[]>
  /** Just before the message leaves: after this, it is never sent again. */
  markSending(id: string): Promise<void>
  markSent(id: string, at: string): Promise<void>
  /** Not delivered: tried again at `retryAt`, or failed for good when null. */
  markFailed(id: string, error: string, retryAt: string | null): Promise<void>
  /** Messages left `sending` by a process that died: failed (they may have gone out), returned. */
  expireSending(now: string): Promise<OutboxMessage[]>
  message(id: string): Promise<OutboxMessage | null>
  messages(workspaceId: string, kind: string | null, limit: number): Promise<OutboxMessage[]>

  setInviteStatus(workspaceId: string, personId: string, status: string): Promise<void>
  /** The invitations of a person, newest first. */
  invitations(workspaceId: string, personId: string): Promise<OutboxMessage[]>

  createWebhook(input: {
    id: string
    workspaceId: string
    url: string
    events: readonly string[]
    /** Sealed in the vault for the endpoint's id. */
    secret: string
  }): Promise<WebhookEndpoint>
  webhooks(workspaceId: string): Promise<WebhookEndpoint[]>
  webhookSecret(endpointId: string): Promise<string | null>
  deleteWebhook(workspaceId: string, id: string): Promise<boolean>
  /** Writes a message's deliveries and marks it sent, in one transaction. */
  fanOut(
    messageId: string,
    at: string,
    deliveries: readonly {
      endpointId: string
      eventId: string
      kind: string
      payload: Readonly<Record<string, unknown>>
    }[],
  ): Promise<void>
  claimDeliveries(now: string, limit: number, leaseSeconds: number): Promise<WebhookDelivery[]>
  /** A try's outcome, kept in the delivery's log. */
  recordDelivery(
    id: string,
    outcome: {
      at: string
      delivered: boolean
      responseStatus: number | null
      error: string | null
      /** When not delivered: the next attempt, or null to give up. */
      retryAt: string | null
    },
  ): Promise<void>
  /** The endpoint's log, newest delivery first, each with its tries. */
  deliveries(workspaceId: string, endpointId: string, limit: number): Promise<WebhookDeliveryLog[]>

  /**
   * Who gets the workspace's notifications (quarantine, approval needed, credentials invalid):
   * its admins and the extra recipients, each address once, sorted.
   */
  recipients(workspaceId: string): Promise<string[]>
  /** The recipients added by hand, beside the admins. */
  extraRecipients(workspaceId: string): Promise<string[]>
  addRecipient(workspaceId: string, email: string): Promise<void>
  removeRecipient(workspaceId: string, email: string): Promise<boolean>
}

// ─── The HTTP API: accounts (users, members, sessions, API tokens, sign-in failures) ───

export const MEMBER_ROLES = ['admin', 'member'] as const
/** `admin` also manages the workspace's members and API tokens. */
export type MemberRole = (typeof MEMBER_ROLES)[number]

export interface User {
  readonly id: string
  /** Trimmed and lowercased. */
  readonly email: string
  readonly name: string
  readonly createdAt: string
}

export interface Member extends User {
  readonly role: MemberRole
}

/** A signed-in browser. `id` is the SHA-256 of the cookie's token, never the token. */
export interface SessionRecord {
  readonly id: string
  readonly userId: string
  readonly csrfToken: string
  readonly createdAt: string
  readonly expiresAt: string
  /** When the password was last given: sign-in, or asked again before an apply. */
  readonly confirmedAt: string | null
}

/** An API token of one workspace; the token itself is shown once and stored as a hash. */
export interface ApiToken {
  readonly id: string
  readonly workspaceId: string
  readonly name: string
  /** The token's first characters, so people can tell tokens apart. */
  readonly prefix: string
  readonly createdBy: string | null
  readonly createdAt: string
  readonly lastUsedAt: string | null
}

/**
 * Who may use the HTTP API: users (password hashes only), their workspaces, sessions, API tokens
 * and failed sign-ins. Lookups by workspace answer null (or false) for another workspace's ids.
 */
export interface AccountStore {
  countUsers(): Promise<number>
  /** `conflict` when the email is taken. */
  createUser(input: { email: string; name: string; passwordHash: string }): Promise<User>
  user(id: string): Promise<User | null>
  /** The user and the hash to check a password against (sign-in only). */
  userByEmail(email: string): Promise<(User & { readonly passwordHash: string }) | null>
  passwordHash(userId: string): Promise<string | null>
  /** Sets a new password and ends every session of the user but `keepSession`. */
  setPassword(userId: string, passwordHash: string, keepSession?: string): Promise<void>

  workspace(id: string): Promise<Workspace | null>
  /** `conflict` when the name is taken. */
  createWorkspace(name: string): Promise<Workspace>
  /** Adds the user, or changes their role. */
  addMember(workspaceId: string, userId: string, role: MemberRole): Promise<void>
  removeMember(workspaceId: string, userId: string): Promise<boolean>
  role(workspaceId: string, userId: string): Promise<MemberRole | null>
  members(workspaceId: string): Promise<Member[]>
  /** The workspaces a user belongs to, by name. */
  workspacesOf(userId: string): Promise<(Workspace & { readonly role: MemberRole })[]>

  createSession(input: {
    id: string
    userId: string
    csrfToken: string
    expiresAt: string
    confirmedAt: string | null
    ip: string | null
    userAgent: string | null
  }): Promise<SessionRecord>
  /** A session that has not expired at `now`. */
  session(id: string, now: string): Promise<SessionRecord | null>
  touchSession(id: string, patch: { expiresAt?: string; confirmedAt?: string }): Promise<void>
  deleteSession(id: string): Promise<void>

  createApiToken(input: {
    workspaceId: string
    name: string
    tokenHash: string
    prefix: string
    createdBy: string | null
  }): Promise<ApiToken>
  /** A token that is not revoked; marks it used at `now`. */
  useApiToken(tokenHash: string, now: string): Promise<ApiToken | null>
  apiTokens(workspaceId: string): Promise<ApiToken[]>
  revokeApiToken(workspaceId: string, id: string): Promise<boolean>

  recordLoginFailure(key: string, at: string): Promise<void>
  /** Failures of `key` since `since`, and when the oldest of them was. */
  loginFailures(key: string, since: string): Promise<{ count: number; oldest: string | null }>
  clearLoginFailures(key: string): Promise<void>
}

// ─── The HTTP API: pages and lookups the API reads, and the edits it makes ───

/** What a workspace-scoped id in a URL names; `owns` says whether the workspace has it. */
export const OWNED_KINDS = [
  'connection',
  'plan',
  'run',
  'person',
  'team',
  'token',
  'member',
  'webhook',
] as const
export type OwnedKind = (typeof OWNED_KINDS)[number]

export interface Page<T> {
  readonly total: number
  readonly items: readonly T[]
}

/** A plan without its changes, with how many of each kind, action and reason it has. */
export interface PlanHeader {
  readonly id: string
  readonly runId: string
  readonly connectionId: string
  readonly createdAt: string
  readonly plan: Omit<SyncPlan, 'changes'>
  readonly counts: readonly {
    readonly kind: Change['kind']
    readonly action: string
    readonly reason: string
    readonly count: number
  }[]
  /** Recorded results by status (`applied`, `stale`…). */
  readonly results: Readonly<Record<string, number>>
}

/** A change of a stored plan with what applying it came to (null: not applied yet). */
export interface PlanChangeRow {
  readonly change: Change
  readonly result: RecordedResult | null
}

/** A recorded result of a run, with what the change was. */
export interface RunResultRow extends RecordedResult {
  /** The apply of the run that came to this result. */
  readonly apply: number
  readonly kind: Change['kind']
  readonly action: string
  readonly reason: string
  readonly label: string
}

export interface AuditRecord extends AuditEntry {
  readonly id: string
  readonly at: string
}

export interface ApiViews {
  owns(workspaceId: string, kind: OwnedKind, id: string): Promise<boolean>
  planHeader(workspaceId: string, planId: string): Promise<PlanHeader | null>
  /** Changes in plan order; each filter, when given, keeps the changes with one of its values. */
  planChanges(
    workspaceId: string,
    planId: string,
    query: {
      kinds?: readonly string[]
      actions?: readonly string[]
      reasons?: readonly string[]
      /** `pending` is a change with no recorded result. */
      statuses?: readonly string[]
      offset: number
      limit: number
    },
  ): Promise<Page<PlanChangeRow>>
  /**
   * What the changes of a run came to: with `apply`, that apply's own results; without, each
   * change's latest.
   */
  runResults(
    workspaceId: string,
    runId: string,
    query: { statuses?: readonly string[]; apply?: number; offset: number; limit: number },
  ): Promise<Page<RunResultRow>>
  /** People by name; `q` searches names, emails, identifiers and employee numbers. */
  people(
    workspaceId: string,
    query: {
      q?: string
      status?: string
      teamId?: string
      managerId?: string
      offset: number
      limit: number
    },
  ): Promise<Page<Person>>
  peopleByIds(workspaceId: string, ids: readonly string[]): Promise<Person[]>
  person(workspaceId: string, id: string): Promise<Person | null>
  teams(workspaceId: string): Promise<(Team & { readonly members: number })[]>
  team(workspaceId: string, id: string): Promise<Team | null>
  /**
   * Sets directory fields of a person (null: unknown) outside any sync, with an audit entry:
   * the person's hash changes, so a plan made before refuses its change to them as stale.
   */
  editPerson(
    workspaceId: string,
    personId: string,
    fields: Readonly<Record<string, FieldValue>>,
    actor: string,
  ): Promise<Person>
  /** Audit entries about one entity, oldest first. */
  auditOf(
    workspaceId: string,
    entityType: string,
    entityIds: readonly string[],
  ): Promise<AuditRecord[]>
}
