import { describe, expect, it } from 'vitest'

import {
  CONNECTION,
  NOW,
  config,
  employee,
  linked,
  person,
  ref,
  source,
} from '../../test/helpers/factories.ts'
import { plan } from '../core/plan/plan.ts'
import type { Person } from '../core/model/person.ts'
import { MemoryTarget } from '../targets/memory/memory-target.ts'
import type { ChangeResult, Target } from '../targets/target.ts'
import { applyPlan } from './apply-plan.ts'

const cfg = config({
  mapping: {
    displayName: { transforms: [{ op: 'name_format', format: 'first_last' }] },
    jobTitle: { from: 'position' },
    email: { from: 'workEmail' },
  },
  policy: { inviteNewPeople: true },
})
const eng = ref('Engineering', 'd1')
const employees = [
  employee('1', { firstName: 'Bea', lastName: 'Boss', department: eng }),
  employee('2', {
    workEmail: 'dev@acme.example',
    firstName: 'Dev',
    lastName: 'Eloper',
    department: eng,
    supervisorExternalId: '1',
    position: ref('Engineer'),
  }),
]
const existing = person('p9', {
  sourceKey: linked('3'),
  fields: { displayName: 'Old Timer', jobTitle: null },
})

const planFor = (people: readonly Person[] = [existing]) =>
  plan({
    connectionId: CONNECTION,
    source: source(employees),
    target: { people, teams: [] },
    config: cfg,
    now: NOW,
  })

/** These tests are about applying; approval has its own test below. */
const policy = { leaverThreshold: 1 }

const snapshot = (t: MemoryTarget) => ({
  people: [...t.people.values()],
  teams: [...t.teams.values()],
})

describe('applyPlan', () => {
  it('applies every change in order, resolving what earlier changes created', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const report = await applyPlan(target, planFor(), { policy })
    expect(report.counts).toEqual({ applied: 7, stale: 0, skipped: 0, failed: 0 })
    const [team] = target.teams.values()
    const people = [...target.people.values()]
    const bea = people.find((p) => p.fields['displayName'] === 'Bea Boss')
    const dev = people.find((p) => p.fields['displayName'] === 'Dev Eloper')
    expect(team).toMatchObject({ name: 'Engineering', sourceKey: linked('d1') })
    expect(dev).toMatchObject({ managerId: bea?.id, teamIds: [team?.id], inviteStatus: 'pending' })
    expect(target.people.get('p9')).toMatchObject({ status: 'leaver', groups: ['Ex-employees'] })
  })

  it('changes nothing when the same plan is applied twice', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const once = planFor()
    await applyPlan(target, once, { policy })
    const after = structuredClone(snapshot(target))
    const again = await applyPlan(target, once, { policy })
    expect(again.counts).toEqual({ applied: 7, stale: 0, skipped: 0, failed: 0 })
    expect(snapshot(target)).toEqual(after)
  })

  it('finishes a half-applied plan without duplicating anyone', async () => {
    const whole = planFor()
    const target = new MemoryTarget({ people: [existing] })
    // the process died after the first two changes
    await applyPlan(target, { ...whole, changes: whole.changes.slice(0, 2) }, { policy })
    await applyPlan(target, whole, { policy })
    expect(target.people.size).toBe(3)
    expect(target.teams.size).toBe(1)
  })

  it('refuses a change to a person who changed since the plan was made, and goes on', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const planned = planFor()
    target.put(
      person('p9', { ...existing, fields: { displayName: 'Edited meanwhile', jobTitle: null } }),
    )
    const report = await applyPlan(target, planned, { policy })
    expect(report.results.find((r) => r.changeId === 'person:3')).toEqual({
      changeId: 'person:3',
      status: 'stale',
      message: 'person p9 changed since the plan was made',
    })
    expect(report.counts).toMatchObject({ applied: 6, stale: 1 })
  })

  it('applies a selection with what it needs, and says what it could not do', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const report = await applyPlan(target, planFor(), { policy, selection: ['person:2'] })
    expect(report.results.map((r) => `${r.changeId} ${r.status}`)).toEqual([
      'person:2 applied',
      'team:d1 applied',
      'membership:2:join:team:d1 applied',
      'manager:2 skipped',
    ])
    expect(target.people.get('p9')?.status).toBe('active')
  })

  it('refuses a plan held for approval unless approved, but lets a test selection without leavers through', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const strict = { leaverThreshold: 0.2 }
    const unguarded = planFor()
    // the plan's own approval field says nothing; apply checks again
    expect(unguarded.approval.required).toBe(false)
    const refused = applyPlan(target, unguarded, { policy: strict })
    await expect(refused).rejects.toMatchObject({
      code: 'approval_required',
      issues: [{ code: 'leaver_threshold', path: ['approve'] }],
    })
    await expect(refused).rejects.toThrow('1 of 1 active people (100%) would become leavers')
    expect(target.people.size).toBe(1)
    const test = await applyPlan(target, unguarded, { policy: strict, selection: ['person:2'] })
    expect(test.counts).toMatchObject({ applied: 3, skipped: 1 })
    const all = await applyPlan(target, unguarded, { policy: strict, approved: true })
    expect(all.counts.stale).toBe(0)
    expect(target.people.get('p9')?.status).toBe('leaver')
  })

  it('refuses ids the plan does not have', async () => {
    const target = new MemoryTarget({ people: [existing] })
    await expect(
      applyPlan(target, planFor(), { policy, selection: ['person:02'] }),
    ).rejects.toThrow('the plan has no change person:02')
  })

  it('fails a change whose target throws, and goes on with the rest', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const flaky: Target = {
      listPeople: () => target.listPeople(),
      listTeams: () => target.listTeams(),
      apply: (changes, resolve) =>
        changes.some((c) => c.id === 'person:2')
          ? Promise.reject(new Error('connection reset'))
          : target.apply(changes, resolve),
    }
    const report = await applyPlan(flaky, planFor(), { policy })
    expect(report.results.find((r) => r.changeId === 'person:2')).toEqual({
      changeId: 'person:2',
      status: 'failed',
      error: { code: 'internal', message: 'connection reset' },
    })
    // what needed that person is skipped, the rest applied
    expect(report.counts).toEqual({ applied: 4, stale: 0, skipped: 2, failed: 1 })
  })

  it('refuses to create a person when someone with the same identifier appeared since planning', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const planned = planFor()
    const byHand = person('manual', {
      identifier: 'dev@acme.example',
      fields: { displayName: 'Dev by hand' },
    })
    target.put(byHand)
    const report = await applyPlan(target, planned, { policy })
    expect(report.results.find((r) => r.changeId === 'person:2')).toMatchObject({ status: 'stale' })
  })

  it('refers to what an earlier apply of the plan created, selected now or not', async () => {
    const target = new MemoryTarget({ people: [existing] })
    const planned = planFor()
    const applied = new Map<string, string>()
    const remember = (report: { results: readonly ChangeResult[] }) => {
      for (const r of report.results)
        if (r.status === 'applied') applied.set(r.changeId, r.entityId)
    }
    // Bea's manager link waits for Bea; she is created by a later selection
    remember(await applyPlan(target, planned, { policy, selection: ['person:2'] }))
    expect(applied.has('manager:2')).toBe(false)
    remember(await applyPlan(target, planned, { policy, selection: ['person:1'], applied }))
    const retry = await applyPlan(target, planned, { policy, selection: ['manager:2'], applied })
    expect(retry.results.find((r) => r.changeId === 'manager:2')?.status).toBe('applied')
    const people = [...target.people.values()]
    const bea = people.find((p) => p.fields['displayName'] === 'Bea Boss')
    expect(people.find((p) => p.fields['displayName'] === 'Dev Eloper')?.managerId).toBe(bea?.id)
  })

  it('stops every parallel batch before it gives up, so nothing is written after it returns', async () => {
    const memory = new MemoryTarget({ people: [existing] })
    let calls = 0
    const parallel: Target = {
      listPeople: () => memory.listPeople(),
      listTeams: () => memory.listTeams(),
      parallelism: 3,
      apply: async (changes, resolve) => {
        calls++
        await new Promise((r) => setTimeout(r, 5))
        return memory.apply(changes, resolve)
      },
    }
    const many = plan({
      connectionId: CONNECTION,
      source: source(
        Array.from({ length: 12 }, (_, i) =>
          employee(String(i + 1), {
            firstName: `E${String(i)}`,
            workEmail: `e${String(i)}@acme.example`,
          }),
        ),
      ),
      target: { people: [], teams: [] },
      config: cfg,
      now: NOW,
    })
    let batches = 0
    await expect(
      applyPlan(parallel, many, {
        policy,
        batchSize: 1,
        onBatch: () => {
          batches++
          return batches === 1
            ? Promise.reject(new Error('the database went away'))
            : Promise.resolve()
        },
      }),
    ).rejects.toThrow('the database went away')
    const after = calls
    await new Promise((r) => setTimeout(r, 50))
    // the batches already in flight finished; none started after the failure
    expect(calls).toBe(after)
    expect(calls).toBeLessThanOrEqual(3)
  })
})
