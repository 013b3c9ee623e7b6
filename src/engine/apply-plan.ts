import { SyncError } from '../core/errors.ts'
import { guard } from '../core/guard/guard.ts'
import type { GuardPolicy } from '../core/guard/guard.ts'
import { selectChanges } from '../core/plan/selection.ts'
import type { Ref, SyncPlan } from '../core/plan/sync-plan.ts'
import type { ChangeResult, Target } from '../targets/target.ts'

export interface ApplyReport {
  readonly results: readonly ChangeResult[]
  readonly counts: Readonly<Record<ChangeResult['status'], number>>
}

export interface ApplyOptions {
  /** The guard's policy: the plan is checked again here, its own `approval` is not trusted. */
  readonly policy: GuardPolicy
  /** `all` (default), or change ids: a few people as a test, with what they need. */
  readonly selection?: 'all' | readonly string[]
  /** A person approved this plan after reading it. */
  readonly approved?: boolean
}

/**
 * Applies the selected changes of a plan to a target, in plan order, one result per change: a
 * created person or team is referred to by later changes through the id its create returned. A
 * target that throws fails that change, not the report. A plan the guard holds is refused
 * (`approval_required`) unless approved, or unless the selection makes nobody a leaver.
 */
export async function applyPlan(
  target: Target,
  plan: SyncPlan,
  options: ApplyOptions,
): Promise<ApplyReport> {
  const checked = guard(plan, options.policy)
  const chosen = new Set(selectChanges(checked.changes, options.selection ?? 'all'))
  // the guard's reason is leavers: a selection without any (a test sync) needs no approval
  const leavers = checked.changes.filter(
    (c) => chosen.has(c.id) && c.kind === 'person' && c.action === 'mark_leaver',
  ).length
  if (checked.approval.required && leavers > 0 && options.approved !== true) {
    throw new SyncError(
      'approval_required',
      `this plan needs approval before it is applied: ${checked.approval.findings.map((f) => f.message).join('; ')}`,
    )
  }
  const created = new Map<string, string>()
  const resolve = (ref: Ref) => ('id' in ref ? ref.id : (created.get(ref.change) ?? null))
  const results: ChangeResult[] = []
  const counts = { applied: 0, stale: 0, skipped: 0, failed: 0 }
  for (const change of checked.changes) {
    if (!chosen.has(change.id)) continue
    let result: ChangeResult
    try {
      result = await target.apply(change, resolve)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      result = { changeId: change.id, status: 'failed', error: { code: 'internal', message } }
    }
    if (result.status === 'applied' && change.action === 'create') {
      created.set(change.id, result.entityId)
    }
    results.push(result)
    counts[result.status]++
  }
  return { results, counts }
}
