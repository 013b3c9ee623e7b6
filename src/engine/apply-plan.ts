import { SyncError } from '../core/errors.ts'
import { guard } from '../core/guard/guard.ts'
import type { GuardPolicy } from '../core/guard/guard.ts'
import { selectChanges } from '../core/plan/selection.ts'
import type { Change, Ref, SyncPlan } from '../core/plan/sync-plan.ts'
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
  /**
   * What an earlier, interrupted apply of this plan already applied (change id → entity id):
   * those changes are not sent again, and what they created is referred to by its id.
   */
  readonly applied?: ReadonlyMap<string, string>
  /** Changes sent to the target at once (default 1,000). */
  readonly batchSize?: number
  /** Called once the plan may be applied (approval checked), before the first change is sent. */
  readonly onStart?: () => Promise<void>
  /** Called after each batch, before the next one starts: record the results here. */
  readonly onBatch?: (
    results: readonly ChangeResult[],
    done: number,
    total: number,
  ) => Promise<void>
}

const failure = (change: Change, error: unknown): ChangeResult => ({
  changeId: change.id,
  status: 'failed',
  error: { code: 'internal', message: error instanceof Error ? error.message : String(error) },
})

/** Consecutive changes of one kind: no change refers to another of its batch. */
function* batches(changes: readonly Change[], size: number): Generator<Change[]> {
  let batch: Change[] = []
  for (const change of changes) {
    if (batch.length === size || (batch.length > 0 && batch[0]?.kind !== change.kind)) {
      yield batch
      batch = []
    }
    batch.push(change)
  }
  if (batch.length > 0) yield batch
}

/** Runs of consecutive batches of the same kind: a run may only start when the one before ended. */
function byKind(all: readonly Change[][]): Change[][][] {
  const groups: Change[][][] = []
  for (const batch of all) {
    const last = groups.at(-1)
    if (last && last[0]?.[0]?.kind === batch[0]?.kind) last.push(batch)
    else groups.push([batch])
  }
  return groups
}

/**
 * Applies the selected changes of a plan to a target, in plan order and in batches, one result
 * per change: a created person or team is referred to by later changes through the id its create
 * returned. A batch the target throws on is tried again change by change, so only the changes it
 * throws on fail. A plan the guard holds is refused (`approval_required`) unless approved, or
 * unless the selection makes nobody a leaver.
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
      {
        // what the guard found, each a reason to approve
        issues: checked.approval.findings.map((f) => ({
          code: f.code,
          severity: 'error' as const,
          message: f.message,
          path: ['approve'],
        })),
      },
    )
  }
  await options.onStart?.()
  const created = new Map<string, string>()
  const results: ChangeResult[] = []
  const counts = { applied: 0, stale: 0, skipped: 0, failed: 0 }
  const record = (change: Change, result: ChangeResult) => {
    if (result.status === 'applied' && change.action === 'create') {
      created.set(change.id, result.entityId)
    }
    results.push(result)
    counts[result.status]++
  }
  const earlier = options.applied ?? new Map<string, string>()
  const todo: Change[] = []
  for (const change of checked.changes) {
    // what an earlier apply created is there to refer to, selected now or not
    const made = earlier.get(change.id)
    if (change.action === 'create' && made !== undefined) created.set(change.id, made)
    if (!chosen.has(change.id)) continue
    const entityId = earlier.get(change.id)
    if (entityId === undefined) todo.push(change)
    else record(change, { changeId: change.id, status: 'applied', entityId })
  }
  const resolve = (ref: Ref) => ('id' in ref ? ref.id : (created.get(ref.change) ?? null))
  let done = 0
  const applyBatch = async (batch: readonly Change[]) => {
    let answers: ChangeResult[]
    try {
      answers = await target.apply(batch, resolve)
    } catch {
      answers = []
      for (const change of batch) {
        try {
          answers.push(...(await target.apply([change], resolve)))
        } catch (error) {
          answers.push(failure(change, error))
        }
      }
    }
    const mine = batch.map((change, i) => {
      const result = answers[i] ?? failure(change, new Error('the target gave no result'))
      record(change, result)
      return result
    })
    done += batch.length
    await options.onBatch?.(mine, done, todo.length)
  }
  // batches of one kind never refer to each other: a target that takes several at once gets them
  const parallel = Math.max(1, target.parallelism ?? 1)
  for (const group of byKind([...batches(todo, options.batchSize ?? 1000)])) {
    let next = 0
    let stopped = false
    const worker = async () => {
      for (let batch = group[next++]; batch !== undefined && !stopped; batch = group[next++]) {
        try {
          await applyBatch(batch)
        } catch (error) {
          stopped = true
          throw error
        }
      }
    }
    // settled only when no batch is in flight: nothing is written after this returns or throws
    const ends = await Promise.allSettled(
      Array.from({ length: Math.min(parallel, group.length) }, worker),
    )
    const failed = ends.find((e) => e.status === 'rejected')
    if (failed) throw failed.reason
  }
  // in plan order, whatever order parallel batches finished in
  const order = new Map(checked.changes.map((c, i) => [c.id, i]))
  results.sort((a, b) => (order.get(a.changeId) ?? 0) - (order.get(b.changeId) ?? 0))
  return { results, counts }
}
