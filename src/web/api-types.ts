// What the HTTP API answers, as the console reads it (the OpenAPI document at /api/openapi.json
// is the reference; the console talks to nothing else).

export interface Issue {
  code: string
  severity: 'error' | 'warning'
  message: string
  path: (string | number)[]
  record?: string
}

export interface Workspace {
  id: string
  name: string
  role: 'admin' | 'member'
}

export interface User {
  id: string
  email: string
  name: string
  createdAt: string
}

export interface Session {
  user: User
  workspaces: Workspace[]
  csrfToken: string
  expiresAt: string
  confirmedAt: string | null
}

export type RunState =
  | 'queued'
  | 'reading'
  | 'planned'
  | 'awaiting_approval'
  | 'applying'
  | 'succeeded'
  | 'failed'
  | 'cancelled'

export interface Run {
  id: string
  connectionId: string
  kind: string
  state: RunState
  planId: string | null
  error: { code: string; message: string } | null
  counts: Record<string, number> | null
  createdAt: string
  updatedAt: string
  finishedAt: string | null
}

export interface Progress {
  phase: 'reading' | 'planning' | 'applying'
  done: number
  total: number | null
}

export interface Connection {
  id: string
  name: string
  connector: string
  config: Record<string, unknown>
  hasSecret: boolean
  status: string
  createdAt: string
}

export interface ConnectionView {
  connection: Connection
  secret: Record<string, string> | null
  latestRun: Run | null
}

export type FieldValue = string | number | boolean | string[] | null

export interface FieldInfo {
  path: string
  key: string
  label: string
  type: 'text' | 'date' | 'datetime' | 'number' | 'list'
  custom: boolean
  sample: FieldValue
}

/** A JSON Schema, as far as the console's forms read one. */
export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: unknown[]
  default?: unknown
  description?: string
  format?: string
  minimum?: number
  maximum?: number
  anyOf?: JsonSchema[]
}

export interface Meta {
  connectors: { id: string; needsSecret: boolean; config: JsonSchema; secret: JsonSchema | null }[]
  directoryFields: { name: string; label: string; type: string }[]
  sourceFields: { path: string; label: string; type: string }[]
  identifierRules: string[]
  filterOps: string[]
  nameFormats: string[]
  reasons: string[]
}

export type Transform =
  | { op: 'trim' }
  | { op: 'lower' }
  | { op: 'name_format'; format: string; preferred?: boolean }
  | { op: 'phone_e164'; defaultCountry: string }
  | { op: 'date'; input?: string }
  | { op: 'map'; table: Record<string, unknown>; otherwise?: string }
  | { op: 'default'; value: unknown }

export interface FieldRule {
  from?: string
  template?: string
  const?: unknown
  transforms?: Transform[]
  owner?: 'hris' | 'app'
}

export type IdentifierRule = string | { custom: string }

export interface FilterCondition {
  field: string
  op: string
  value?: unknown
}
export type FilterRule = FilterCondition | { all: FilterRule[] } | { any: FilterRule[] }

export interface SyncConfig {
  mapping: Record<string, FieldRule>
  identifiers: IdentifierRule[]
  filter: FilterRule | null
  policy: {
    terminatedNeverImported: 'skip' | 'create_as_leaver'
    leaverGroup: string | null
    leaverThreshold: number
    teamsFromDepartments: boolean
    managersFromSupervisors: boolean
    inviteNewPeople: boolean
  }
  timeZone: string
}

export interface Schedule {
  enabled: boolean
  incremental: string
  full: string
}

export interface ConfigView {
  version: number | null
  config: SyncConfig
  schedule: Schedule
}

export interface FieldDiff {
  field: string
  before: FieldValue
  after: FieldValue
}

export interface Change {
  id: string
  kind: 'person' | 'team' | 'membership' | 'manager'
  action: string
  reason: string
  label: string
  issues: Issue[]
  diff?: FieldDiff[]
  matchedBy?: string | null
}

export interface ChangeResult {
  changeId: string
  status: 'applied' | 'stale' | 'skipped' | 'failed'
  message: string | null
  errorCode: string | null
  at: string
}

export interface PlanHeader {
  id: string
  runId: string
  connectionId: string
  createdAt: string
  plan: {
    complete: boolean
    basis: { employees: number; people: number; invalidRecords: number; today: string }
    summary: {
      people: Record<string, number>
      teams: { create: number; update: number }
      memberships: { join: number; leave: number }
      managers: number
    }
    issues: Issue[]
    approval: { required: boolean; findings: { code: string; message: string }[] }
  }
  counts: { kind: string; action: string; reason: string; count: number }[]
  results: Record<string, number>
}

export interface Page<T> {
  total: number
  items: T[]
}

/** One apply of a run's plan ("Sync selected", "Sync all"), with what its own changes came to. */
export interface ApplyEntry {
  seq: number
  state: 'applying' | 'succeeded' | 'failed'
  selection: 'all' | number
  approved: boolean
  actor: string | null
  counts: Record<string, number> | null
  error: { code: string; message: string } | null
  startedAt: string
  finishedAt: string | null
}

export interface RunView {
  run: Run
  progress: Progress | null
  applies: ApplyEntry[]
}

export interface RunResult extends ChangeResult {
  /** The apply of the run that came to it. */
  apply: number
  kind: string
  action: string
  reason: string
  label: string
}

export interface Person {
  id: string
  fields: Record<string, FieldValue>
  identifier: string | null
  status: 'active' | 'leaver'
  leaverDate: string | null
  managerId: string | null
  teamIds: string[]
  inviteStatus: string
  sourceKey: { connectionId: string; externalId: string } | null
}

export interface NameRef {
  id: string
  name: string
}

export interface PersonRow {
  person: Person
  name: string
  manager: NameRef | null
  teams: NameRef[]
}

export interface PersonView {
  row: PersonRow
  reports: NameRef[]
  ownedBy: Record<string, string>
}

export interface Team {
  id: string
  name: string
}

export interface Member extends User {
  role: 'admin' | 'member'
}

export interface ApiToken {
  id: string
  name: string
  prefix: string
  createdAt: string
  lastUsedAt: string | null
}

export interface ConnectionHealth {
  status: 'active' | 'quarantined' | 'needs_reauth'
  consecutiveFailures: number
  quarantinedAt: string | null
  lastAttemptAt: string | null
  lastError: { code: string; message: string } | null
}

export interface ScheduleView {
  schedule: Schedule
  timeZone: string
  next: { incremental: string | null; full: string | null }
  held: string | null
  health: ConnectionHealth
}

export interface Invitation {
  id: string
  email: string | null
  status: 'pending' | 'sending' | 'sent' | 'failed'
  attempts: number
  lastError: string | null
  resentBy: string | null
  createdAt: string
  sentAt: string | null
}

export interface Webhook {
  id: string
  url: string
  events: string[]
  enabled: boolean
  createdAt: string
}

export interface WebhookDelivery {
  id: string
  eventId: string
  kind: string
  status: 'pending' | 'delivering' | 'delivered' | 'failed'
  attempts: number
  responseStatus: number | null
  lastError: string | null
  createdAt: string
  deliveredAt: string | null
  nextAttemptAt: string | null
  tries: { at: string; responseStatus: number | null; error: string | null }[]
}

export interface Notifications {
  admins: string[]
  recipients: string[]
}
