import { diffContent } from '../core/plan/planned.ts'
import type { Change } from '../core/plan/sync-plan.ts'

/**
 * A change as `plan_changes.body` holds it: without what the row's columns hold (id, kind,
 * action, reason), without the keys whose value is the one most changes of its kind have (no
 * issues, no person yet, no `before`…), and a person change without its field diff when the diff
 * is what `diffContent(before, after)` gives (always, as the planner makes them: a create's diff
 * repeats every field it sets). A plan's bodies are most of what a preview writes.
 */
export type StoredChange = Partial<Change> & { readonly label: string }

/** The columns of a `plan_changes` row that a body leaves out. */
export interface ChangeColumns {
  readonly change_id: string
  readonly kind: string
  readonly action: string
  readonly reason: string
}

/** What a body leaves out, by kind: a missing key is read back as its default here. */
const DEFAULTS: Readonly<Record<Change['kind'], Readonly<Record<string, unknown>>>> = {
  person: {
    issues: [],
    externalId: null,
    personId: null,
    matchedBy: null,
    before: null,
    after: null,
    targetHash: null,
    invite: false,
  },
  team: { issues: [], teamId: null, before: null, targetHash: null },
  membership: { issues: [] },
  manager: { issues: [], before: null, after: null },
}

const COLUMNS = new Set(['id', 'kind', 'action', 'reason'])

const isDefault = (value: unknown, fallback: unknown) =>
  Array.isArray(fallback) ? Array.isArray(value) && value.length === 0 : value === fallback

/** The body to store for a change: `expand(columns, compact(change))` gives the change again. */
export function compact(change: Change): StoredChange {
  const defaults = DEFAULTS[change.kind]
  const derived =
    change.kind === 'person' &&
    (change.after === null
      ? change.diff.length === 0
      : JSON.stringify(diffContent(change.before, change.after)) === JSON.stringify(change.diff))
  const body: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(change)) {
    if (COLUMNS.has(key) || (key === 'diff' && derived)) continue
    if (key in defaults && isDefault(value, defaults[key])) continue
    body[key] = value
  }
  return body as StoredChange
}

/**
 * A stored change as the planner made it. Bodies stored before they were compacted (with every
 * key, and the diff wherever it could not be derived) read back the same way.
 */
export function expand(columns: ChangeColumns, stored: StoredChange): Change {
  const kind = columns.kind as Change['kind']
  const change = {
    id: columns.change_id,
    kind,
    action: columns.action,
    reason: columns.reason,
    ...DEFAULTS[kind],
    ...stored,
  } as Change
  if (change.kind !== 'person' || 'diff' in stored) return change
  return { ...change, diff: change.after === null ? [] : diffContent(change.before, change.after) }
}
