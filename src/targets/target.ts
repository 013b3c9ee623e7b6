import type { Person, Team } from '../core/model/person.ts'
import type { Change, Ref } from '../core/plan/sync-plan.ts'

/**
 * What became of one change. `stale`: the record changed since the plan was made, so the change
 * was refused (plan again); `skipped`: it could not be tried (something it refers to was not
 * applied); `failed`: the target said no.
 */
export type ChangeResult =
  | { readonly changeId: string; readonly status: 'applied'; readonly entityId: string }
  | { readonly changeId: string; readonly status: 'stale' | 'skipped'; readonly message: string }
  | {
      readonly changeId: string
      readonly status: 'failed'
      readonly error: { readonly code: string; readonly message: string }
    }

/** Resolves a reference to an existing id, or to the id of what an applied change created. */
export type Resolve = (ref: Ref) => string | null

/**
 * Where people live: the built-in directory, an in-memory store, later SCIM.
 * Invariants: `apply` never throws for an expected outcome (it returns a result per change);
 * applying a change that is already applied returns `applied` and changes nothing, and a create
 * is recognized by its source key, so a crash between apply and record never duplicates a person.
 * A create is refused as `stale` when a person with the same identifier or email appeared since
 * the plan was made: planning again matches them instead of making a second one.
 */
export interface Target {
  listPeople(): AsyncIterable<Person>
  listTeams(): AsyncIterable<Team>
  apply(change: Change, resolve: Resolve): Promise<ChangeResult>
}
