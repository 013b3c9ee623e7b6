import type { Person, SourceKey, Team } from '../../core/model/person.ts'

/** What a batch needs to see: the rows its changes name, locked until the batch commits. */
export interface DirectoryKeys {
  readonly personIds: readonly string[]
  readonly personSources: readonly SourceKey[]
  readonly identifiers: readonly string[]
  readonly emails: readonly string[]
  readonly teamIds: readonly string[]
  readonly teamSources: readonly SourceKey[]
}

/**
 * A side effect to deliver (an invitation, a webhook), queued in the same transaction as the
 * change that causes it. `dedupeKey` is unique: the same effect is never queued twice.
 */
export interface DirectoryEvent {
  readonly kind: string
  readonly dedupeKey: string
  readonly payload: Readonly<Record<string, unknown>>
}

/** What one batch writes: people and teams in their new state (with what they were), events. */
export interface DirectoryWrite {
  readonly people: readonly { readonly person: Person; readonly before: Person | null }[]
  readonly teams: readonly { readonly team: Team; readonly before: Team | null }[]
  readonly events: readonly DirectoryEvent[]
  /** What the batch did, for the audit log. */
  readonly audit: readonly {
    readonly action: string
    readonly entityType: 'person' | 'team' | 'batch'
    readonly entityId: string | null
    readonly details: Readonly<Record<string, unknown>>
  }[]
}

export interface DirectoryTransaction {
  load(keys: DirectoryKeys): Promise<{ people: Person[]; teams: Team[] }>
  write(write: DirectoryWrite): Promise<void>
}

/**
 * The storage the directory target needs, for one workspace (implemented in storage/).
 * `transaction` runs its work in one database transaction; it throws a `SyncError` `conflict`
 * when a write breaks a uniqueness rule (identifier, email, source key), and nothing is written.
 */
export interface DirectoryStore {
  /** How many batch transactions can run at once (a pool of connections: several). */
  readonly parallelism: number
  listPeople(): AsyncIterable<Person>
  listTeams(): AsyncIterable<Team>
  transaction<T>(work: (tx: DirectoryTransaction) => Promise<T>): Promise<T>
}
