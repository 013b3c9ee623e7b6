/**
 * The life of a run: read, plan, maybe wait for approval, apply. `planned` and
 * `awaiting_approval` wait for a person; `failed` may be applied again (apply is resumable: what
 * was applied stays applied, the rest is tried again).
 */
export const RUN_STATES = [
  'queued',
  'reading',
  'planned',
  'awaiting_approval',
  'applying',
  'succeeded',
  'failed',
  'cancelled',
] as const
export type RunState = (typeof RUN_STATES)[number]

/** Where a run may go from each state; anything else is a bug or a race, and is refused. */
export const RUN_TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  queued: ['reading', 'failed', 'cancelled'],
  reading: ['planned', 'failed', 'cancelled'],
  // a plan with nothing to do succeeds at once; a newer preview cancels one nobody applied
  planned: ['awaiting_approval', 'applying', 'succeeded', 'failed', 'cancelled'],
  awaiting_approval: ['applying', 'failed', 'cancelled'],
  // a selection applied ("Sync selected"): the rest of the plan waits, as it did before
  applying: ['planned', 'awaiting_approval', 'succeeded', 'failed'],
  failed: ['applying'],
  succeeded: [],
  cancelled: [],
}

/** A run in one of these states holds its connection: no other run may start. */
export const OPEN_RUN_STATES: readonly RunState[] = [
  'queued',
  'reading',
  'planned',
  'awaiting_approval',
  'applying',
]

export function canTransition(from: RunState, to: RunState): boolean {
  return RUN_TRANSITIONS[from].includes(to)
}

export function isFinished(state: RunState): boolean {
  return !OPEN_RUN_STATES.includes(state)
}
