import { SyncError } from '../errors.ts'
import type { Change, Ref } from './sync-plan.ts'
import { isActionable } from './sync-plan.ts'

const refKey = (ref: Ref): string => ('change' in ref ? `change:${ref.change}` : `id:${ref.id}`)

/**
 * The changes to apply for a selection: `all`, or the chosen change ids (Ledgy's "Sync selected")
 * together with what they bring along: a selected person's team memberships and manager link, and
 * the teams those memberships need. Returns ids in plan order. An id the plan does not have is an
 * error (`invalid_input`), never silently ignored; a chosen change with nothing to do is left out.
 */
export function selectChanges(
  changes: readonly Change[],
  selection: 'all' | readonly string[],
): string[] {
  const actionable = changes.filter(isActionable)
  if (selection === 'all') return actionable.map((c) => c.id)
  const known = new Set(changes.map((c) => c.id))
  const unknown = selection.filter((id) => !known.has(id))
  if (unknown.length > 0) {
    throw new SyncError('invalid_input', `the plan has no change ${unknown.join(', ')}`)
  }
  const chosen = new Set(selection)
  // the people chosen, as changes elsewhere in the plan refer to them
  const people = new Set<string>()
  for (const c of actionable) {
    if (c.kind !== 'person' || !chosen.has(c.id)) continue
    people.add(refKey({ change: c.id }))
    if (c.personId !== null) people.add(refKey({ id: c.personId }))
  }
  for (const c of actionable) {
    if ((c.kind === 'membership' || c.kind === 'manager') && people.has(refKey(c.person))) {
      chosen.add(c.id)
      if (c.kind === 'membership' && 'change' in c.team) chosen.add(c.team.change)
    }
  }
  return actionable.filter((c) => chosen.has(c.id)).map((c) => c.id)
}
