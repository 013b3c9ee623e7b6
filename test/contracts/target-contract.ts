import { randomUUID } from 'node:crypto'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Employee } from '../../src/core/model/employee.ts'
import { contentOf, personHash } from '../../src/core/model/person.ts'
import type { Person, Team } from '../../src/core/model/person.ts'
import { plan } from '../../src/core/plan/plan.ts'
import type { SourceSnapshot } from '../../src/core/plan/plan.ts'
import type { SyncConfig } from '../../src/core/plan/sync-config.ts'
import { isActionable } from '../../src/core/plan/sync-plan.ts'
import type { SyncPlan } from '../../src/core/plan/sync-plan.ts'
import { applyPlan } from '../../src/engine/apply-plan.ts'
import type { ApplyReport } from '../../src/engine/apply-plan.ts'
import type { Target } from '../../src/targets/target.ts'
import { CONNECTION, NOW, config, employee, linked, ref, source } from '../helpers/factories.ts'

/** A target under test, fresh and empty, and how to reach around it. */
export interface TargetHarness {
  readonly target: Target
  /** Puts a person in as given, outside any plan: an edit made in the application meanwhile. */
  put?(person: Person): Promise<void>
  close(): Promise<void>
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

export async function snapshot(target: Target): Promise<{ people: Person[]; teams: Team[] }> {
  return { people: await collect(target.listPeople()), teams: await collect(target.listTeams()) }
}

export const CFG = config({ policy: { inviteNewPeople: true } })
/** These suites are about applying; the guard has tests of its own. */
export const POLICY = { leaverThreshold: 1 }

const eng = ref('Engineering', 'd1')
const sales = ref('Sales', 'd2')

/** Bea leads; Dev (engineering) and Sam (sales) report to her. */
export function company(): Employee[] {
  return [
    employee('e1', {
      firstName: 'Bea',
      lastName: 'Boss',
      workEmail: 'bea@acme.example',
      department: eng,
      position: ref('CTO'),
    }),
    employee('e2', {
      firstName: 'Dev',
      lastName: 'Eloper',
      workEmail: 'dev@acme.example',
      department: eng,
      supervisorExternalId: 'e1',
      position: ref('Engineer'),
    }),
    employee('e3', {
      firstName: 'Sam',
      lastName: 'Seller',
      workEmail: 'sam@acme.example',
      department: sales,
      supervisorExternalId: 'e1',
    }),
  ]
}

/** The same employees, with one of them edited. */
export function edit(
  employees: readonly Employee[],
  externalId: string,
  values: Partial<Employee>,
): Employee[] {
  return employees.map((e) => (e.externalId === externalId ? { ...e, ...values } : e))
}

export async function planFor(
  target: Target,
  employees: readonly Employee[],
  options: { source?: Partial<SourceSnapshot>; config?: SyncConfig; connectionId?: string } = {},
): Promise<SyncPlan> {
  return plan({
    connectionId: options.connectionId ?? CONNECTION,
    source: source([...employees], options.source),
    target: await snapshot(target),
    config: options.config ?? CFG,
    now: NOW,
  })
}

export async function sync(
  target: Target,
  employees: readonly Employee[],
  options: Parameters<typeof planFor>[2] = {},
): Promise<{ plan: SyncPlan; report: ApplyReport }> {
  const planned = await planFor(target, employees, options)
  return { plan: planned, report: await applyPlan(target, planned, { policy: POLICY }) }
}

/** The person linked to an employee of `connectionId`. */
export function linkedTo(people: readonly Person[], externalId: string, connectionId = CONNECTION) {
  const found = people.filter(
    (p) => p.sourceKey?.connectionId === connectionId && p.sourceKey.externalId === externalId,
  )
  expect(found, `people linked to ${externalId}`).toHaveLength(1)
  return found[0] as Person
}

const statusOf = (report: ApplyReport, changeId: string) =>
  report.results.find((r) => r.changeId === changeId)

/** What a plan would do; a membership named without its team's generated id. */
const actionable = (p: SyncPlan) =>
  p.changes
    .filter(isActionable)
    .map(
      (c) => `${c.id.replace(/^(membership:.*):(join|leave):.*$/, '$1')} ${c.action} ${c.reason}`,
    )

/**
 * Rules a target is known to break: their tests are expected to fail (`it.fails`), so the day
 * the target keeps the rule the suite says so. `uniqueness`: two people never share an
 * identifier or an email.
 */
export type ContractGap = 'uniqueness'

/**
 * What every target must do with real plans, seen through `listPeople`/`listTeams` only.
 * `makeTarget` gives a fresh, empty target for each test.
 */
export function targetContract(
  name: string,
  makeTarget: () => Promise<TargetHarness>,
  options: { gaps?: readonly ContractGap[] } = {},
): void {
  const unless = (gap: ContractGap) => (options.gaps?.includes(gap) ? it.fails : it)
  describe(`Target contract: ${name}`, () => {
    let h: TargetHarness
    beforeEach(async () => {
      h = await makeTarget()
    })
    afterEach(() => h.close())

    it('creates people, teams from departments, memberships and managers', async () => {
      const { plan: first, report } = await sync(h.target, company())
      expect(first.summary).toMatchObject({
        people: { create: 3 },
        teams: { create: 2 },
        memberships: { join: 3 },
        managers: 2,
      })
      expect(report.counts).toEqual({ applied: 10, stale: 0, skipped: 0, failed: 0 })
      expect(report.results.map((r) => r.changeId)).toEqual(first.changes.map((c) => c.id))

      const { people, teams } = await snapshot(h.target)
      expect(people).toHaveLength(3)
      expect(teams.map((t) => [t.name, t.sourceKey]).sort()).toEqual([
        ['Engineering', linked('d1')],
        ['Sales', linked('d2')],
      ])
      const teamId = (n: string) => teams.find((t) => t.name === n)?.id
      const bea = linkedTo(people, 'e1')
      const dev = linkedTo(people, 'e2')
      const sam = linkedTo(people, 'e3')
      expect(dev).toMatchObject({
        identifier: 'dev@acme.example',
        status: 'active',
        leaverDate: null,
        groups: [],
        inviteStatus: 'pending',
        managerId: bea.id,
        teamIds: [teamId('Engineering')],
      })
      expect(dev.fields).toMatchObject({
        firstName: 'Dev',
        lastName: 'Eloper',
        displayName: 'Dev Eloper',
        email: 'dev@acme.example',
        jobTitle: 'Engineer',
      })
      expect(sam).toMatchObject({ managerId: bea.id, teamIds: [teamId('Sales')] })
      expect(bea).toMatchObject({ managerId: null, teamIds: [teamId('Engineering')] })
      for (const p of people) expect(p.hash).toBe(personHash(contentOf(p)))
      // the ids the target answered are the ids it lists
      const created = report.results.filter((r) => r.changeId.startsWith('person:'))
      expect(created.map((r) => (r.status === 'applied' ? r.entityId : null)).sort()).toEqual(
        people.map((p) => p.id).sort(),
      )
    })

    it('updates a changed person in place', async () => {
      await sync(h.target, company())
      const before = linkedTo((await snapshot(h.target)).people, 'e2')
      const next = edit(company(), 'e2', { position: ref('Staff Engineer'), lastName: 'Elopez' })
      const { plan: second, report } = await sync(h.target, next)
      expect(actionable(second)).toEqual(['person:e2 update fields_changed'])
      expect(report.counts).toEqual({ applied: 1, stale: 0, skipped: 0, failed: 0 })

      const { people } = await snapshot(h.target)
      expect(people).toHaveLength(3)
      const dev = linkedTo(people, 'e2')
      expect(dev.id).toBe(before.id)
      expect(dev.fields).toMatchObject({
        jobTitle: 'Staff Engineer',
        lastName: 'Elopez',
        displayName: 'Dev Elopez',
      })
      expect(dev.hash).not.toBe(before.hash)
      expect(dev.hash).toBe(personHash(contentOf(dev)))
      // what the sync does not own stays
      expect(dev).toMatchObject({ managerId: before.managerId, teamIds: before.teamIds })
    })

    it('keeps a leaver: status, leaver date, the leaver group, out of their teams; nobody is deleted', async () => {
      await sync(h.target, company())
      const before = await snapshot(h.target)
      const next = edit(company(), 'e3', { terminationDate: '2026-10-31', status: 'terminated' })
      const { plan: second, report } = await sync(h.target, next)
      expect(actionable(second)).toEqual([
        'person:e3 mark_leaver terminated_in_source',
        'membership:e3 leave left_company',
      ])
      expect(report.counts).toMatchObject({ applied: 2, stale: 0, failed: 0 })

      const after = await snapshot(h.target)
      expect(after.people.map((p) => p.id).sort()).toEqual(before.people.map((p) => p.id).sort())
      expect(after.teams).toHaveLength(2)
      const sam = linkedTo(after.people, 'e3')
      expect(sam).toMatchObject({
        status: 'leaver',
        leaverDate: '2026-10-31',
        groups: ['Ex-employees'],
        teamIds: [],
      })
      expect(sam.fields['email']).toBe('sam@acme.example')
    })

    it('makes a person missing from a complete read a leaver, and not from an incomplete one', async () => {
      await sync(h.target, company())
      const without = company().filter((e) => e.externalId !== 'e3')
      const partial = await planFor(h.target, without, { source: { complete: false } })
      expect(actionable(partial)).toEqual([])
      const { plan: second } = await sync(h.target, without)
      expect(actionable(second)).toContain('person:e3 mark_leaver missing_from_source')
      const { people } = await snapshot(h.target)
      expect(people).toHaveLength(3)
      expect(linkedTo(people, 'e3')).toMatchObject({ status: 'leaver', groups: ['Ex-employees'] })
    })

    it('reactivates a rehired leaver', async () => {
      await sync(h.target, company())
      await sync(h.target, edit(company(), 'e3', { terminationDate: '2026-10-31' }))
      const leaver = linkedTo((await snapshot(h.target)).people, 'e3')
      expect(leaver.status).toBe('leaver')
      const { plan: third, report } = await sync(h.target, company())
      expect(actionable(third)).toEqual([
        'person:e3 reactivate rehired',
        'membership:e3 join department_changed',
      ])
      expect(report.counts).toMatchObject({ applied: 2, stale: 0, failed: 0 })
      const { people, teams } = await snapshot(h.target)
      expect(linkedTo(people, 'e3')).toMatchObject({
        id: leaver.id,
        status: 'active',
        leaverDate: null,
        groups: [],
        teamIds: [teams.find((t) => t.name === 'Sales')?.id],
      })
    })

    it('moves a person between teams when their department changes, and renames a team', async () => {
      await sync(h.target, company())
      const moved = edit(company(), 'e2', { department: sales })
      const { plan: second, report } = await sync(h.target, moved)
      expect(second.summary.memberships).toEqual({ join: 1, leave: 1 })
      expect(report.counts).toMatchObject({ stale: 0, failed: 0, skipped: 0 })
      let { people, teams } = await snapshot(h.target)
      const id = (n: string) => teams.find((t) => t.name === n)?.id
      expect(linkedTo(people, 'e2').teamIds).toEqual([id('Sales')])
      expect(linkedTo(people, 'e1').teamIds).toEqual([id('Engineering')])

      const renamed = moved.map((e) =>
        e.department?.id === 'd1' ? { ...e, department: ref('R&D', 'd1') } : e,
      )
      const { plan: third } = await sync(h.target, renamed)
      // the person's department field follows the department's name
      expect(actionable(third)).toEqual([
        'person:e1 update fields_changed',
        'team:d1 update department_renamed',
      ])
      ;({ people, teams } = await snapshot(h.target))
      expect(teams.map((t) => t.name).sort()).toEqual(['R&D', 'Sales'])
      expect(linkedTo(people, 'e1').teamIds).toEqual([id('R&D')])
    })

    it('changes and clears managers', async () => {
      await sync(h.target, company())
      const { report } = await sync(h.target, edit(company(), 'e2', { supervisorExternalId: 'e3' }))
      expect(report.counts).toEqual({ applied: 1, stale: 0, skipped: 0, failed: 0 })
      let people = (await snapshot(h.target)).people
      expect(linkedTo(people, 'e2').managerId).toBe(linkedTo(people, 'e3').id)

      await sync(h.target, edit(company(), 'e2', { supervisorExternalId: null }))
      people = (await snapshot(h.target)).people
      expect(linkedTo(people, 'e2').managerId).toBeNull()
      expect(linkedTo(people, 'e3').managerId).toBe(linkedTo(people, 'e1').id)
    })

    it('changes nothing when the same plan is applied twice, and answers applied', async () => {
      await sync(h.target, company())
      const next = edit(company(), 'e2', { department: sales, supervisorExternalId: 'e3' })
      const planned = await planFor(h.target, [
        ...next,
        employee('e4', { firstName: 'Neu', lastName: 'Ling', department: eng }),
      ])
      const once = await applyPlan(h.target, planned, { policy: POLICY })
      expect(once.counts).toMatchObject({ stale: 0, skipped: 0, failed: 0 })
      const after = await snapshot(h.target)
      const twice = await applyPlan(h.target, planned, { policy: POLICY })
      expect(twice.counts).toEqual(once.counts)
      expect(twice.results.every((r) => r.status === 'applied')).toBe(true)
      const again = await snapshot(h.target)
      const byId = <T extends { id: string }>(xs: T[]) =>
        [...xs].sort((a, b) => (a.id < b.id ? -1 : 1))
      expect(byId(again.people)).toEqual(byId(after.people))
      expect(byId(again.teams)).toEqual(byId(after.teams))
    })

    it('gives only noop and skip when planning again right after an apply', async () => {
      const employees = [
        ...company(),
        employee('e4', { firstName: 'Ola', lastName: 'Gone', terminationDate: '2025-01-31' }),
        employee('e5', { lastName: null, firstName: null, workEmail: 'noname@acme.example' }),
      ]
      const { report } = await sync(h.target, employees)
      expect(report.counts).toMatchObject({ stale: 0, failed: 0 })
      const again = await planFor(h.target, employees)
      expect(actionable(again)).toEqual([])
      expect(again.changes.map((c) => `${c.id} ${c.action}`)).toEqual([
        'person:e1 noop',
        'person:e2 noop',
        'person:e3 noop',
        'person:e4 skip',
        'person:e5 skip',
      ])
    })

    it('refuses an update to a person edited after planning as stale, and applies the rest', async (ctx) => {
      const put = h.put?.bind(h) ?? ctx.skip()
      await sync(h.target, company())
      const planned = await planFor(
        h.target,
        edit(edit(company(), 'e2', { position: ref('Lead') }), 'e3', { position: ref('Rep') }),
      )
      const dev = linkedTo((await snapshot(h.target)).people, 'e2')
      const fields = { ...dev.fields, phone: '+4915123456789' }
      await put({ ...dev, fields, hash: personHash({ ...contentOf(dev), fields }) })

      const report = await applyPlan(h.target, planned, { policy: POLICY })
      expect(statusOf(report, 'person:e2')).toMatchObject({ status: 'stale' })
      expect(statusOf(report, 'person:e3')).toMatchObject({ status: 'applied' })
      const people = (await snapshot(h.target)).people
      // the edit made meanwhile stays; planning again sees it
      expect(linkedTo(people, 'e2').fields).toMatchObject({ phone: '+4915123456789' })
      expect(linkedTo(people, 'e2').fields['jobTitle']).toBe('Engineer')
      expect(linkedTo(people, 'e3').fields['jobTitle']).toBe('Rep')
    })

    it('refuses a create as stale when a person with the same email appeared after planning', async (ctx) => {
      const put = h.put?.bind(h) ?? ctx.skip()
      await sync(h.target, company())
      const newcomer = employee('e4', {
        firstName: 'Neu',
        lastName: 'Ling',
        workEmail: 'neu@acme.example',
        department: eng,
        supervisorExternalId: 'e1',
      })
      const planned = await planFor(h.target, [...company(), newcomer])
      expect(actionable(planned)).toContain('person:e4 create new_in_source')
      const fields = { displayName: 'Neu Ling', email: 'NEU@acme.example' }
      const content = {
        fields,
        identifier: null,
        sourceKey: null,
        status: 'active' as const,
        leaverDate: null,
        groups: [],
      }
      await put({
        ...content,
        id: randomUUID(),
        managerId: null,
        teamIds: [],
        inviteStatus: 'not_invited',
        hash: personHash(content),
      })

      const report = await applyPlan(h.target, planned, { policy: POLICY })
      expect(statusOf(report, 'person:e4')).toMatchObject({ status: 'stale' })
      // what refers to the person not created is skipped, not failed
      expect(report.counts).toMatchObject({ applied: 0, stale: 1, failed: 0, skipped: 2 })
      const people = (await snapshot(h.target)).people
      expect(people).toHaveLength(4)
      expect(people.filter((p) => p.fields['email'] === 'NEU@acme.example')).toHaveLength(1)
      expect(people.some((p) => p.sourceKey?.externalId === 'e4')).toBe(false)
    })

    unless('uniqueness')(
      'fails only the change that breaks a uniqueness rule; the rest of the batch applies',
      async () => {
        await sync(h.target, company())
        // a person of another HR system holds the email first
        const ira = employee('x1', {
          firstName: 'Ira',
          lastName: 'Tee',
          workEmail: 'it@acme.example',
        })
        await sync(h.target, [ira], { connectionId: 'bamboohr-acme' })
        const next = [
          ...edit(edit(company(), 'e2', { workEmail: 'it@acme.example' }), 'e3', {
            position: ref('Rep'),
          }),
          employee('e4', { firstName: 'Neu', lastName: 'Ling', workEmail: 'neu@acme.example' }),
        ]
        const planned = await planFor(h.target, next)
        expect(actionable(planned)).toEqual([
          'person:e2 update fields_changed',
          'person:e3 update fields_changed',
          'person:e4 create new_in_source',
        ])
        const report = await applyPlan(h.target, planned, { policy: POLICY })
        expect(statusOf(report, 'person:e2')).toMatchObject({
          status: 'failed',
          error: { code: 'conflict' },
        })
        expect(report.counts).toEqual({ applied: 2, stale: 0, skipped: 0, failed: 1 })
        const people = (await snapshot(h.target)).people
        expect(people).toHaveLength(5)
        expect(linkedTo(people, 'e2').fields['email']).toBe('dev@acme.example')
        expect(linkedTo(people, 'e3').fields['jobTitle']).toBe('Rep')
        expect(linkedTo(people, 'e4').fields['email']).toBe('neu@acme.example')
        expect(people.filter((p) => p.fields['email'] === 'it@acme.example')).toHaveLength(1)
      },
    )

    it('lets a create take an email an update of the same plan gives up', async () => {
      await sync(h.target, company())
      const next = [
        ...edit(company(), 'e1', { workEmail: 'beatrice@acme.example' }),
        employee('e4', { firstName: 'Bea', lastName: 'Junior', workEmail: 'bea@acme.example' }),
      ]
      const { plan: planned, report } = await sync(h.target, next)
      expect(actionable(planned)).toEqual([
        'person:e1 update fields_changed',
        'person:e4 create new_in_source',
      ])
      expect(report.counts).toEqual({ applied: 2, stale: 0, skipped: 0, failed: 0 })
      const people = (await snapshot(h.target)).people
      expect(linkedTo(people, 'e1')).toMatchObject({ identifier: 'beatrice@acme.example' })
      expect(linkedTo(people, 'e4')).toMatchObject({ identifier: 'bea@acme.example' })
      expect(actionable(await planFor(h.target, next))).toEqual([])
    })
  })
}
