import type { Issue } from '../errors.ts'
import type { Employee } from '../model/employee.ts'
import { nameOf } from './planned.ts'
import type { Fates, Planned } from './planned.ts'
import type { ManagerChange, Ref } from './sync-plan.ts'

/** What becomes of a manager link whose supervisor has no planned person. */
export interface SupervisorFate {
  readonly clear: boolean
  readonly why: string
  /** The supervisor's person outside this plan (a read that did not see them, by their link). */
  readonly ref?: Ref
}

/**
 * Why a supervisor has no planned person, and so what becomes of the manager link: emptied when
 * the supervisor is known to be outside the sync (filtered out, or gone after a complete read),
 * left as it is when this plan cannot tell (skipped, unreadable, or not in an incomplete read).
 */
export function supervisorFate(
  sup: string,
  fates: Fates,
  invalidIds: ReadonlySet<string | null>,
  complete: boolean,
): SupervisorFate {
  const fate = fates.get(sup)
  if (fate === 'filtered_out') return { clear: true, why: 'is outside the sync-if conditions' }
  if (fate === 'skipped') return { clear: false, why: 'is skipped in this plan (see its change)' }
  if (invalidIds.has(sup)) {
    return { clear: false, why: 'could not be read (an invalid record)' }
  }
  return complete
    ? { clear: true, why: 'is not in the HR system' }
    : { clear: false, why: 'was not in this incomplete read' }
}

/**
 * A person's manager is their supervisor's person. A supervisor outside the sync empties the
 * manager with a warning; one this plan cannot tell about leaves it as it is, with a warning;
 * people in a reporting cycle keep their manager, and the cycle is reported.
 */
export function planManagers(
  planned: ReadonlyMap<string, Planned>,
  fateOf: (sup: string) => SupervisorFate,
): {
  changes: ManagerChange[]
  issues: Issue[]
} {
  const issues: Issue[] = []
  // arrays indexed like `planned` (deterministic order): a plan has one entry per person
  const keys = [...planned.keys()]
  const entries = [...planned.values()]
  const index = new Map(keys.map((key, i) => [key, i]))
  const managed = (p: Planned | undefined): p is Planned & { employee: Employee } =>
    p?.employee != null && p.active && p.inScope
  /**
   * The entry of each node's manager: -1 for none, -2 to leave the manager as it is, -3 for a
   * person outside the plan (in `outside`).
   */
  const boss = new Int32Array(entries.length).fill(-2)
  const outside = new Map<number, Ref>()
  for (let i = 0; i < entries.length; i++) {
    const p = entries[i]
    if (!managed(p)) continue
    const sup = p.employee.supervisorExternalId
    const j = sup === null ? undefined : index.get(sup)
    if (sup === null) boss[i] = -1
    else if (j !== undefined && entries[j]?.inScope) boss[i] = j
    else {
      const fate: SupervisorFate =
        j === undefined ? fateOf(sup) : { clear: true, why: 'is outside the sync-if conditions' }
      if (fate.ref !== undefined) {
        boss[i] = -3
        outside.set(i, fate.ref)
        continue
      }
      boss[i] = fate.clear ? -1 : -2
      issues.push({
        code: fate.clear ? 'supervisor_not_synced' : 'supervisor_unknown',
        severity: 'warning',
        message: `supervisor ${sup} ${fate.why}: the manager is ${fate.clear ? 'left empty' : 'left as it is'}`,
        path: ['supervisorExternalId'],
        record: keys[i] ?? '',
      })
    }
  }

  // every node has at most one manager, so each walk ends at a top or runs into a cycle
  const WALKING = 1
  const DONE = 2
  const state = new Uint8Array(entries.length)
  const inCycle = new Uint8Array(entries.length)
  const path: number[] = []
  for (let start = 0; start < entries.length; start++) {
    if ((boss[start] ?? -2) === -2) continue
    path.length = 0
    let node = start
    while (node >= 0 && state[node] === 0 && managed(entries[node])) {
      state[node] = WALKING
      path.push(node)
      node = boss[node] ?? -1
    }
    if (node >= 0 && state[node] === WALKING) {
      const cycle = path.slice(path.indexOf(node))
      for (const member of cycle) inCycle[member] = 1
      const names = cycle.map((i) => keys[i] ?? '')
      issues.push({
        code: 'manager_cycle',
        severity: 'warning',
        message: `supervisors form a cycle (${names.join(' → ')} → ${keys[node] ?? ''}): these managers are left as they are`,
        path: ['supervisorExternalId'],
        record: keys[node] ?? '',
      })
    }
    for (const visited of path) state[visited] = DONE
  }

  const changes: ManagerChange[] = []
  for (let i = 0; i < entries.length; i++) {
    const p = entries[i]
    const j = boss[i] ?? -2
    if (j === -2 || inCycle[i] === 1 || !p) continue
    const wanted = j === -1 ? null : j === -3 ? (outside.get(i) ?? null) : (entries[j]?.ref ?? null)
    const current = p.person?.managerId ?? null
    if (wanted === null ? current === null : 'id' in wanted && wanted.id === current) continue
    const key = keys[i] ?? ''
    changes.push({
      id: `manager:${key}`,
      kind: 'manager',
      action: 'update',
      reason: 'supervisor_changed',
      label: p.employee ? nameOf(p.employee) : key,
      issues: [],
      person: p.ref,
      before: current,
      after: wanted,
    })
  }
  return { changes, issues }
}
