import type { Issue } from '../errors.ts'
import type { FieldValue } from '../model/field-value.ts'
import type { PersonContent, TeamContent } from '../model/person.ts'

export const PERSON_ACTIONS = [
  'create',
  'update',
  'mark_leaver',
  'reactivate',
  'noop',
  'skip',
] as const
export type PersonAction = (typeof PERSON_ACTIONS)[number]

/** Why a change is what it is: stable snake_case, for people and programs alike. */
export const REASONS = [
  'new_in_source',
  'fields_changed',
  'linked',
  'termination_scheduled',
  'terminated_in_source',
  'missing_from_source',
  'rehired',
  'up_to_date',
  'filtered_out',
  'invalid_record',
  'ambiguous_match',
  'conflicting_match',
  'duplicate_identifier',
  'terminated_never_imported',
  'incomplete_read',
  'new_department',
  'department_renamed',
  'department_changed',
  'left_company',
  'supervisor_changed',
] as const
export type Reason = (typeof REASONS)[number]

/** A planned entity is referred to by the id of the change that creates it. */
export type Ref = { readonly id: string } | { readonly change: string }

export interface FieldDiff {
  readonly field: string
  readonly before: FieldValue
  readonly after: FieldValue
}

interface ChangeBase {
  /** Stable across replanning of the same data: `person:<externalId>`, `team:<department>`… */
  readonly id: string
  /** Who or what this is about, for people reading the plan. */
  readonly label: string
  readonly issues: readonly Issue[]
}

/**
 * A change to one person. `before`/`after` are the person's content (null where there is none:
 * before a create, for a skip, and for a noop, which keeps plans small); `targetHash` is the hash
 * of the person the change was computed against: apply refuses it as stale if the person moved on.
 */
export interface PersonChange extends ChangeBase {
  readonly kind: 'person'
  readonly action: PersonAction
  readonly reason: Reason
  readonly externalId: string | null
  readonly personId: string | null
  /** The identifier rule that found the person (`work_email`…), `link` for a linked one. */
  readonly matchedBy: string | null
  readonly before: PersonContent | null
  readonly after: PersonContent | null
  readonly diff: readonly FieldDiff[]
  readonly targetHash: string | null
  /** Create with a pending invitation. */
  readonly invite: boolean
}

export interface TeamChange extends ChangeBase {
  readonly kind: 'team'
  readonly action: 'create' | 'update'
  readonly reason: Reason
  readonly teamId: string | null
  readonly before: TeamContent | null
  readonly after: TeamContent
  readonly targetHash: string | null
}

export interface MembershipChange extends ChangeBase {
  readonly kind: 'membership'
  readonly action: 'join' | 'leave'
  readonly reason: Reason
  readonly person: Ref
  readonly team: Ref
}

export interface ManagerChange extends ChangeBase {
  readonly kind: 'manager'
  readonly action: 'update'
  readonly reason: Reason
  readonly person: Ref
  /** The manager the person had when planned: apply refuses the change if it is different now. */
  readonly before: string | null
  readonly after: Ref | null
}

export type Change = PersonChange | TeamChange | MembershipChange | ManagerChange

export interface PlanSummary {
  readonly people: Readonly<Record<PersonAction, number>>
  readonly teams: { readonly create: number; readonly update: number }
  readonly memberships: { readonly join: number; readonly leave: number }
  readonly managers: number
}

export interface GuardFinding {
  readonly code: 'leaver_threshold' | 'incomplete_read'
  readonly message: string
}

/**
 * A reviewable plan: every change with its action and reason, computed against a stated basis.
 * `complete` is whether the read behind it saw every employee: only a complete read can make
 * anyone a leaver for being missing. Changes are ordered: people, then teams, memberships and
 * managers, so a planned person exists before anything refers to it.
 */
export interface SyncPlan {
  readonly version: 1
  readonly connectionId: string
  readonly complete: boolean
  readonly basis: {
    /** The instant "today" was taken from, and the day it was in the configured time zone. */
    readonly now: string
    readonly today: string
    readonly readAt: string | null
    readonly employees: number
    readonly invalidRecords: number
    readonly people: number
    /** Active people of this connection: linked to it, or matched by this plan. */
    readonly activePeople: number
    readonly teams: number
  }
  readonly summary: PlanSummary
  readonly changes: readonly Change[]
  /** Issues about the whole plan: unreadable fields, manager cycles, duplicates in the source. */
  readonly issues: readonly Issue[]
  /** Set by the guard: whether a person must approve before this plan is applied, and why. */
  readonly approval: { readonly required: boolean; readonly findings: readonly GuardFinding[] }
}

export function summarize(changes: readonly Change[]): PlanSummary {
  const people: Record<PersonAction, number> = {
    create: 0,
    update: 0,
    mark_leaver: 0,
    reactivate: 0,
    noop: 0,
    skip: 0,
  }
  const teams = { create: 0, update: 0 }
  const memberships = { join: 0, leave: 0 }
  let managers = 0
  for (const c of changes) {
    switch (c.kind) {
      case 'person':
        people[c.action]++
        break
      case 'team':
        teams[c.action]++
        break
      case 'membership':
        memberships[c.action]++
        break
      case 'manager':
        managers++
        break
    }
  }
  return { people, teams, memberships, managers }
}

/** Whether applying the change does anything. */
export function isActionable(change: Change): boolean {
  return change.kind !== 'person' || (change.action !== 'noop' && change.action !== 'skip')
}
