import { SyncError } from '../core/errors.ts'
import type { Run, Store } from '../storage/store.ts'
import type { ApplyResult, Engine, Progress } from './engine.ts'

/** The run of a plan that waits for a person, or the reason it does not. */
async function waitingRun(store: Store, workspaceId: string, planId: string): Promise<Run> {
  const stored = await store.plan(workspaceId, planId, { actionableOnly: true })
  if (!stored) throw new SyncError('not_found', `plan ${planId} not found`)
  const run = await store.run(workspaceId, stored.runId)
  if (!run) throw new SyncError('not_found', `the run of plan ${planId} is gone`)
  if (run.state !== 'awaiting_approval' && run.state !== 'planned') {
    throw new SyncError(
      'conflict',
      `plan ${planId} does not wait for approval (its run is ${run.state.replaceAll('_', ' ')})`,
    )
  }
  return run
}

/** Approves a plan the guard held and applies it; the approval is in the audit log. */
export async function approvePlan(
  deps: { engine: Engine; store: Store },
  workspaceId: string,
  planId: string,
  actor: string,
  onProgress?: (p: Progress) => void,
): Promise<ApplyResult> {
  const run = await waitingRun(deps.store, workspaceId, planId)
  await deps.store.audit([
    {
      workspaceId,
      actor,
      action: 'plan.approved',
      entityType: 'plan',
      entityId: planId,
      details: { runId: run.id },
    },
  ])
  return deps.engine.apply(workspaceId, planId, {
    approved: true,
    ...(onProgress ? { onProgress } : {}),
  })
}

/** Rejects a waiting plan: its run is cancelled, nothing applied; scheduled syncs go on. */
export async function rejectPlan(
  deps: { store: Store },
  workspaceId: string,
  planId: string,
  actor: string,
  reason: string | null,
): Promise<Run> {
  const run = await waitingRun(deps.store, workspaceId, planId)
  const cancelled = await deps.store.transitionRun(run.id, 'cancelled', {
    error: { code: 'rejected', message: reason ?? `rejected by ${actor}` },
  })
  await deps.store.audit([
    {
      workspaceId,
      actor,
      action: 'plan.rejected',
      entityType: 'plan',
      entityId: planId,
      details: { runId: run.id, reason },
    },
  ])
  return cancelled
}
