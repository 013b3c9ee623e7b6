import type { ChangeResult, Resolve } from '../core/apply/apply-change.ts'
import type { Person, Team } from '../core/model/person.ts'
import type { Change } from '../core/plan/sync-plan.ts'

export type { ChangeResult, Resolve } from '../core/apply/apply-change.ts'

/**
 * Where people live: the built-in directory, an in-memory store, later SCIM.
 * Invariants: `apply` never throws for an expected outcome (it returns one result per change, in
 * order); applying a change that is already applied returns `applied` and changes nothing, and a
 * create is recognized by its source key, so a crash between apply and record never duplicates a
 * person. A create is refused as `stale` when a person with the same identifier or email appeared
 * since the plan was made: planning again matches them instead of making a second one.
 */
export interface Target {
  listPeople(): AsyncIterable<Person>
  listTeams(): AsyncIterable<Team>
  /**
   * Applies a batch of changes in order, as one unit where the target can (the directory writes a
   * batch in one transaction). No change of a batch refers to a change of the same batch.
   */
  apply(changes: readonly Change[], resolve: Resolve): Promise<ChangeResult[]>
  /** How many batches the target can apply at once (default 1): a database with a pool, more. */
  readonly parallelism?: number
}
