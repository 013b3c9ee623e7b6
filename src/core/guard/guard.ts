import type { GuardFinding, PersonChange, SyncPlan } from '../plan/sync-plan.ts'
import { summarize } from '../plan/sync-plan.ts'

export interface GuardPolicy {
  /** Share of active people (0–1) above which leavers need approval. */
  readonly leaverThreshold: number
}

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`

/**
 * The safety rules over a plan, applied last:
 * 1. a plan from an incomplete read holds no `missing_from_source` leaver (they become skips);
 * 2. a plan that would make more than `leaverThreshold` of the active people of this connection
 *    (linked to it, or matched by this plan) leavers needs approval.
 * Returns a new plan; the one given is not changed.
 */
export function guard(plan: SyncPlan, policy: GuardPolicy): SyncPlan {
  const findings: GuardFinding[] = []
  let changes = plan.changes
  if (!plan.complete) {
    let removed = 0
    changes = changes.map((c) => {
      if (c.kind !== 'person' || c.reason !== 'missing_from_source') return c
      removed++
      const skipped: PersonChange = {
        ...c,
        action: 'skip',
        reason: 'incomplete_read',
        before: null,
        after: null,
        diff: [],
      }
      return skipped
    })
    if (removed > 0) {
      findings.push({
        code: 'incomplete_read',
        message: `the read was incomplete: ${removed} people missing from it are not marked as leavers`,
      })
    }
  }

  const active = plan.basis.activePeople
  const leavers = changes.filter((c) => c.kind === 'person' && c.action === 'mark_leaver').length
  const ratio = active === 0 ? 0 : leavers / active
  if (leavers > 0 && ratio > policy.leaverThreshold) {
    findings.push({
      code: 'leaver_threshold',
      message: `${leavers} of ${active} active people (${percent(ratio)}) would become leavers, more than the threshold of ${percent(policy.leaverThreshold)}`,
    })
  }

  const required = findings.some((f) => f.code === 'leaver_threshold')
  return {
    ...plan,
    changes,
    summary: changes === plan.changes ? plan.summary : summarize(changes),
    approval: { required, findings },
  }
}
