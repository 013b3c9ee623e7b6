import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { guard } from '../../src/core/guard/guard.ts'
import type { Person, Team } from '../../src/core/model/person.ts'
import { plan } from '../../src/core/plan/plan.ts'
import type { SyncPlan } from '../../src/core/plan/sync-plan.ts'
import { isActionable } from '../../src/core/plan/sync-plan.ts'
import type { Employee } from '../../src/core/model/employee.ts'
import { applyPlan } from '../../src/engine/apply-plan.ts'
import { MemoryTarget } from '../../src/targets/memory/memory-target.ts'
import type { World } from '../helpers/arbitraries.ts'
import { world } from '../helpers/arbitraries.ts'
import { CONNECTION, NOW, source } from '../helpers/factories.ts'

const RUNS = { numRuns: Number(process.env['HRIS_SYNC_PROPERTY_RUNS'] ?? 200) }

function planOf(
  w: World,
  employees: readonly Employee[],
  target: { people: readonly Person[]; teams: readonly Team[] },
  incremental: boolean,
): SyncPlan {
  const draft = plan({
    connectionId: CONNECTION,
    source: source([...employees], {
      complete: incremental ? false : w.complete,
      invalid: incremental ? [] : w.invalid,
      readableFields: w.readableFields,
      incremental,
    }),
    target,
    config: w.config,
    now: NOW,
  })
  return guard(draft, w.config.policy)
}

/** The employees whose chain of supervisors comes back to them. */
function inSupervisorCycles(employees: readonly Employee[]): string[] {
  const sup = new Map(employees.map((e) => [e.externalId, e.supervisorExternalId]))
  return employees.flatMap((e) => {
    const seen = new Set<string>()
    let at = sup.get(e.externalId) ?? null
    while (at !== null && !seen.has(at) && at !== e.externalId) {
      seen.add(at)
      at = sup.get(at) ?? null
    }
    return at === e.externalId ? [e.externalId] : []
  })
}

const snapshot = (t: MemoryTarget) => ({
  people: [...t.people.values()],
  teams: [...t.teams.values()],
})
const actionable = (p: SyncPlan) =>
  p.changes.filter(isActionable).map((c) => `${c.id} ${c.action} ${c.reason}`)

describe('incremental plan properties', () => {
  it('after a full apply, an incremental read of any part plans nothing, and names only what it read', async () => {
    await fc.assert(
      fc.asyncProperty(world(), fc.array(fc.boolean()), async (w, picks) => {
        const target = new MemoryTarget({ people: w.people, teams: w.teams })
        const full = planOf(w, w.employees, w, false)
        await applyPlan(target, full, { policy: w.config.policy, approved: true })
        // an employee the full plan skipped (a conflict with another) may match alone, and one in
        // a reporting cycle may take their supervisor's person: a read of part of the company
        // cannot see what it conflicts with or loops through; the next full read does
        const unseen = new Set([
          ...full.changes.flatMap((c) =>
            c.kind === 'person' && c.action === 'skip' ? [c.externalId] : [],
          ),
          ...inSupervisorCycles(w.employees),
        ])
        const read = w.employees.filter((e, i) => (picks[i] ?? false) && !unseen.has(e.externalId))
        const again = planOf(w, read, snapshot(target), true)
        expect(actionable(again)).toEqual([])
        const readIds = new Set(read.map((e) => e.externalId))
        for (const c of again.changes) {
          if (c.kind === 'person' && c.externalId !== null) {
            expect(readIds.has(c.externalId)).toBe(true)
          }
        }
        expect(again.complete).toBe(false)
      }),
      RUNS,
    )
  })

  it('applying an incremental plan and planning again changes nothing, and marks no one missing', async () => {
    await fc.assert(
      fc.asyncProperty(world(), fc.array(fc.boolean()), async (w, picks) => {
        const target = new MemoryTarget({ people: w.people, teams: w.teams })
        const read = w.employees.filter((_, i) => picks[i] ?? true)
        const first = planOf(w, read, w, true)
        expect(
          first.changes.filter(
            (c) => c.reason === 'missing_from_source' || c.reason === 'incomplete_read',
          ),
        ).toEqual([])
        const report = await applyPlan(target, first, { policy: w.config.policy, approved: true })
        expect(report.counts).toMatchObject({ stale: 0, failed: 0 })
        expect(actionable(planOf(w, read, snapshot(target), true))).toEqual([])
      }),
      RUNS,
    )
  })
})
