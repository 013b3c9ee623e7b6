import { describe, expect, it } from 'vitest'

import {
  CONNECTION,
  NOW,
  config,
  employee,
  linked,
  person,
  source,
} from '../../../test/helpers/factories.ts'
import { plan } from '../plan/plan.ts'
import type { PersonChange, SyncPlan } from '../plan/sync-plan.ts'
import { guard } from './guard.ts'

const cfg = config({
  mapping: { displayName: { transforms: [{ op: 'name_format', format: 'first_last' }] } },
  policy: { teamsFromDepartments: false, managersFromSupervisors: false },
})
const staff = Array.from({ length: 10 }, (_, i) =>
  person(`p${i}`, { sourceKey: linked(`${i}`), fields: { displayName: `P ${i}` } }),
)
const employees = (ids: number[]) =>
  ids.map((i) => employee(`${i}`, { firstName: 'P', lastName: `${i}` }))

const draft = (present: number[], complete = true): SyncPlan =>
  plan({
    connectionId: CONNECTION,
    source: source(employees(present), { complete }),
    target: { people: staff, teams: [] },
    config: cfg,
    now: NOW,
  })

describe('guard', () => {
  it.each([
    ['no leavers', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], false],
    ['2 of 10 leavers is the threshold, not above it', [0, 1, 2, 3, 4, 5, 6, 7], false],
    ['3 of 10 leavers is above 20%', [0, 1, 2, 3, 4, 5, 6], true],
    ['everyone gone (an emptied account)', [], true],
  ])('%s', (_name, present, required) => {
    const guarded = guard(draft(present), cfg.policy)
    expect(guarded.approval.required).toBe(required)
    if (required) {
      expect(guarded.approval.findings[0]).toMatchObject({ code: 'leaver_threshold' })
      expect(guarded.approval.findings[0]?.message).toMatch(
        /^\d+ of 10 active people \([\d.]+%\) would become leavers, more than the threshold of 20%$/,
      )
    }
  })

  it('takes the threshold from the policy', () => {
    expect(guard(draft([0, 1, 2, 3, 4, 5, 6]), { leaverThreshold: 0.5 }).approval.required).toBe(
      false,
    )
  })

  it('turns missing_from_source leavers of an incomplete read into skips, whoever made the plan', () => {
    const complete = draft([0, 1, 2, 3, 4, 5, 6, 7, 8])
    const forged = { ...complete, complete: false }
    const guarded = guard(forged, cfg.policy)
    const p9 = guarded.changes.find(
      (c): c is PersonChange => c.kind === 'person' && c.personId === 'p9',
    )
    expect(p9).toMatchObject({ action: 'skip', reason: 'incomplete_read', after: null })
    expect(guarded.summary.people).toMatchObject({ mark_leaver: 0, skip: 1, noop: 9 })
    expect(guarded.approval.findings).toEqual([
      {
        code: 'incomplete_read',
        message: 'the read was incomplete: 1 people missing from it are not marked as leavers',
      },
    ])
    expect(complete.changes.some((c) => c.kind === 'person' && c.action === 'mark_leaver')).toBe(
      true,
    )
  })
})
