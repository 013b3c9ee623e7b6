import type { Ref, SyncPlan } from '../core/plan/sync-plan.ts'
import { SyncError } from '../core/errors.ts'
import { selectChanges } from '../core/plan/selection.ts'
import type { ChangeResult, Target } from '../targets/target.ts'

export interface ApplyReport {
  readonly results: readonly ChangeResult[]
  readonly counts: Readonly<Record<ChangeResult['status'], number>>
}

/**
 * Applies the selected changes of a plan to a target, in plan order, one result per change: a
 * created person or team is referred to by later changes through the id its create returned.
 * A plan the guard held for approval is refused (`approval_required`) unless `approved` is set
 * or the selection makes nobody a leaver.
 */
export async function applyPlan(
  target: Target,
  plan: SyncPlan,
  selection: 'all' | readonly string[] = 'all',
  options: { approved?: boolean } = {},
): Promise<ApplyReport> {
  const chosen = new Set(selectChanges(plan.changes, selection))
  // the guard's reason is leavers: a selection without any (a test sync) needs no approval
  const leavers = plan.changes.filter(
    (c) => chosen.has(c.id) && c.kind === 'person' && c.action === 'mark_leaver',
  ).length
  if (plan.approval.required && leavers > 0 && options.approved !== true) {
    throw new SyncError(
      'approval_required',
      `this plan needs approval before it is applied: ${plan.approval.findings.map((f) => f.message).join('; ')}`,
    )
  }
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
