import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { guard } from '../../src/core/guard/guard.ts'
import { plan } from '../../src/core/plan/plan.ts'
import type { SyncPlan } from '../../src/core/plan/sync-plan.ts'
import { isActionable } from '../../src/core/plan/sync-plan.ts'
import { compileFilter } from '../../src/core/filter/filter.ts'
import { sourceRoot } from '../../src/core/model/source-path.ts'
import { applyPlan } from '../../src/engine/apply-plan.ts'
import { MemoryTarget } from '../../src/targets/memory/memory-target.ts'
import type { World } from '../helpers/arbitraries.ts'
import { shuffle, world } from '../helpers/arbitraries.ts'
import { CONNECTION, NOW, source } from '../helpers/factories.ts'

// HRIS_SYNC_PROPERTY_RUNS: more cases for a deeper hunt than CI's
const RUNS = { numRuns: Number(process.env['HRIS_SYNC_PROPERTY_RUNS'] ?? 300) }

function planFor(w: World, target: { people: World['people']; teams: World['teams'] }): SyncPlan {
  const draft = plan({
    connectionId: CONNECTION,
    source: source(w.employees, {
      complete: w.complete,
      invalid: w.invalid,
      readableFields: w.readableFields,
    }),
    target,
    config: w.config,
    now: NOW,
  })
  return guard(draft, w.config.policy)
}

async function applyAll(w: World) {
  const target = new MemoryTarget({ people: w.people, teams: w.teams })
  const first = planFor(w, w)
  // approval is a person's decision; these properties are about what applying does
  const report = await applyPlan(target, first, { policy: w.config.policy, approved: true })
  return { target, first, report }
}

describe('plan properties', () => {
  it('(1) applying a plan and planning again changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(world(), async (w) => {
        const { target, report } = await applyAll(w)
        expect(report.counts).toMatchObject({ stale: 0, failed: 0, skipped: 0 })
        const again = planFor(w, {
          people: [...target.people.values()],
          teams: [...target.teams.values()],
        })
        const left = again.changes
          .filter(isActionable)
          .map((c) => `${c.id} ${c.action} ${c.reason}`)
        expect(left).toEqual([])
      }),
      RUNS,
    )
  })

  it('(2) the same input in any order gives the same plan', () => {
    fc.assert(
      fc.property(world(), fc.nat(), fc.nat(), (w, seed, repeat) => {
        // a connector may also deliver a record twice (a repeated page)
        const copies = w.employees.length > 0 ? [w.employees[repeat % w.employees.length]] : []
        const reordered: World = {
          ...w,
          employees: shuffle(
            [...w.employees, ...copies].filter((e) => e !== undefined),
            seed,
          ),
          people: shuffle(w.people, seed + 1),
          teams: shuffle(w.teams, seed + 2),
        }
        expect(planFor(reordered, reordered)).toEqual(planFor(w, w))
      }),
      RUNS,
    )
  })

  it('(3) with unique identifiers, every employee in scope is matched or created exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(world({ unique: true }), async (w) => {
        const { target, first, report } = await applyAll(w)
        expect(report.counts.failed + report.counts.stale).toBe(0)
        const inScope = compileFilter(w.config.filter, '2026-11-21')
        const people = [...target.people.values()]
        const perEmployee = new Map<string, number>()
        for (const p of people) {
          if (p.sourceKey?.connectionId !== CONNECTION) continue
          const ext = p.sourceKey.externalId
          perEmployee.set(ext, (perEmployee.get(ext) ?? 0) + 1)
        }
        for (const [ext, n] of perEmployee) expect(n, `people linked to ${ext}`).toBe(1)

        for (const e of w.employees.filter(inScope)) {
          const changes = first.changes.filter(
            (c) => c.kind === 'person' && c.externalId === e.externalId,
          )
          expect(changes).toHaveLength(1)
          const change = changes[0]
          if (change?.kind !== 'person') continue
          if (change.action === 'skip') {
            // the only reasons an in-scope employee has no person with unique identifiers
            expect(['terminated_never_imported', 'invalid_record']).toContain(change.reason)
          } else {
            expect(perEmployee.get(e.externalId)).toBe(1)
          }
        }
        const creates = first.summary.people.create
        expect(people).toHaveLength(w.people.length + creates)
      }),
      RUNS,
    )
  })

  it('(4) an incomplete read never yields a missing_from_source leaver', () => {
    fc.assert(
      fc.property(world(), (w) => {
        const draft = plan({
          connectionId: CONNECTION,
          source: source(w.employees, {
            complete: false,
            invalid: w.invalid,
            readableFields: w.readableFields,
          }),
          target: w,
          config: w.config,
          now: NOW,
        })
        for (const p of [draft, guard(draft, w.config.policy)]) {
          const missing = p.changes.filter(
            (c) => c.kind === 'person' && c.reason === 'missing_from_source',
          )
          expect(missing).toEqual([])
          expect(p.complete).toBe(false)
        }
      }),
      RUNS,
    )
  })

  it('(5) what the credential cannot read, or an incomplete read did not see, is never cleared', () => {
    fc.assert(
      fc.property(world(), (w) => {
        const result = planFor(w, w)
        const readable = (field: string) => w.readableFields?.includes(field) ?? true
        const seen = new Set(w.employees.map((e) => e.externalId))
        const supervisorOf = new Map(
          w.employees.map((e) => [`manager:${e.externalId}`, e.supervisorExternalId]),
        )
        for (const c of result.changes) {
          if (c.kind === 'manager') {
            expect(readable('supervisorExternalId')).toBe(true)
            const sup = supervisorOf.get(c.id)
            // emptied only for no supervisor, or one this read saw, or a complete read's absentee
            if (c.after === null && sup != null && !w.complete) expect(seen.has(sup)).toBe(true)
          }
          // without departments the only team change is a leaver leaving
          const leaverLeaves = c.kind === 'membership' && c.reason === 'left_company'
          if ((c.kind === 'team' || c.kind === 'membership') && !leaverLeaves) {
            expect(readable('department')).toBe(true)
          }
          if (c.kind === 'person') {
            for (const d of c.diff) {
              const rule = w.config.mapping[d.field]
              if (rule?.from !== undefined && d.after === null)
                expect(readable(sourceRoot(rule.from))).toBe(true)
            }
          }
        }
      }),
      RUNS,
    )
  })
})
