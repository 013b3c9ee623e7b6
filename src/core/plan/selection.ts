import type { Change, Ref } from './sync-plan.ts'
import { isActionable } from './sync-plan.ts'

const refersTo = (ref: Ref | null, change: Change, personIds: ReadonlySet<string>): boolean =>
  ref !== null && ('change' in ref ? ref.change === change.id : personIds.has(ref.id))

/**
 * The changes to apply for a selection: `all`, or the chosen change ids (Ledgy's "Sync selected")
 * together with what they bring along: a selected person's team memberships and manager link, and
 * the teams those memberships need. Returns ids in plan order.
 */
export function selectChanges(
  changes: readonly Change[],
  selection: 'all' | readonly string[],
): string[] {
  const actionable = changes.filter(isActionable)
  if (selection === 'all') return actionable.map((c) => c.id)
  const chosen = new Set(selection)
  const people = actionable.filter((c) => c.kind === 'person' && chosen.has(c.id))
  const personIds = new Set(
    people.flatMap((c) => (c.kind === 'person' && c.personId ? [c.personId] : [])),
  )
  for (const c of actionable) {
    if (c.kind !== 'membership' && c.kind !== 'manager') continue
    if (people.some((p) => refersTo(c.person, p, personIds))) chosen.add(c.id)
  }
  for (const c of actionable) {
    if (c.kind === 'membership' && chosen.has(c.id) && 'change' in c.team) chosen.add(c.team.change)
  }
  return actionable.filter((c) => chosen.has(c.id)).map((c) => c.id)
}
