import type { Ref, SyncPlan } from '../core/plan/sync-plan.ts'
import { selectChanges } from '../core/plan/selection.ts'
import type { ChangeResult, Target } from '../targets/target.ts'

export interface ApplyReport {
  readonly results: readonly ChangeResult[]
  readonly counts: Readonly<Record<ChangeResult['status'], number>>
}

/**
 * Applies the selected changes of a plan to a target, in plan order, one result per change: a
 * created person or team is referred to by later changes through the id its create returned.
 */
export async function applyPlan(
  target: Target,
  plan: SyncPlan,
  selection: 'all' | readonly string[] = 'all',
): Promise<ApplyReport> {
  const chosen = new Set(selectChanges(plan.changes, selection))
  const created = new Map<string, string>()
  const resolve = (ref: Ref) => ('id' in ref ? ref.id : (created.get(ref.change) ?? null))
  const results: ChangeResult[] = []
  const counts = { applied: 0, stale: 0, skipped: 0, failed: 0 }
  for (const change of plan.changes) {
    if (!chosen.has(change.id)) continue
    const result = await target.apply(change, resolve)
    if (result.status === 'applied' && change.action === 'create')
      created.set(change.id, result.entityId)
    results.push(result)
    counts[result.status]++
  }
  return { results, counts }
}
