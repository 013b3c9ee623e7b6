import { randomUUID } from 'node:crypto'

import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { contentOf } from '../../src/core/model/person.ts'
import type { Person, Team } from '../../src/core/model/person.ts'
import { guard } from '../../src/core/guard/guard.ts'
import { plan } from '../../src/core/plan/plan.ts'
import { isActionable } from '../../src/core/plan/sync-plan.ts'
import { applyPlan } from '../../src/engine/apply-plan.ts'
import type { SqlDirectory } from '../../src/storage/sql-directory.ts'
import type { SqlStore } from '../../src/storage/sql-store.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { MemoryTarget } from '../../src/targets/memory/memory-target.ts'
import type { Target } from '../../src/targets/target.ts'
import { world } from '../helpers/arbitraries.ts'
import type { World } from '../helpers/arbitraries.ts'
import { CONNECTION, NOW, employee, ref, source } from '../helpers/factories.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'
import { company, edit, snapshot, sync, targetContract } from './target-contract.ts'

const RUNS = { numRuns: 15 }

/** Writes people and teams as given, outside any plan (seeding, or an edit made meanwhile). */
async function put(
  dir: SqlDirectory,
  values: { people?: readonly Person[]; teams?: readonly Team[] },
): Promise<void> {
  const people = values.people ?? []
  await dir.transaction(async (tx) => {
    const { people: existing } = await tx.load({
      personIds: people.map((p) => p.id),
      personSources: [],
      identifiers: [],
      emails: [],
      teamIds: [],
      teamSources: [],
    })
    const before = new Map(existing.map((p) => [p.id, p]))
    await tx.write({
      people: people.map((person) => ({ person, before: before.get(person.id) ?? null })),
      teams: (values.teams ?? []).map((team) => ({ team, before: null })),
      events: [],
      audit: [],
    })
  })
}

async function directoryIn(store: SqlStore): Promise<{ dir: SqlDirectory; target: Target }> {
  const ws = await store.ensureWorkspace(`ws-${randomUUID()}`)
  const dir = store.directory(ws.id)
  return { dir, target: new DirectoryTarget(dir) }
}

/** People by content, with ids replaced by what they stand for: generated ids differ. */
async function contentsOf(target: Target) {
  const { people, teams } = await snapshot(target)
  const keyOf = new Map(
    people.map((p) => [
      p.id,
      p.sourceKey ? `${p.sourceKey.connectionId}/${p.sourceKey.externalId}` : `id:${p.id}`,
    ]),
  )
  const teamName = new Map(teams.map((t) => [t.id, t.name]))
  return {
    people: people
      .map((p) => ({
        key: keyOf.get(p.id),
        ...contentOf(p),
        hash: p.hash,
        inviteStatus: p.inviteStatus,
        manager: p.managerId === null ? null : (keyOf.get(p.managerId) ?? p.managerId),
        teams: p.teamIds.map((t) => teamName.get(t) ?? t).sort(),
      }))
      .sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : 1)),
    teams: teams
      .map((t) => ({ name: t.name, sourceKey: t.sourceKey, hash: t.hash }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  }
}

targetContract(
  'MemoryTarget',
  () => {
    const target = new MemoryTarget()
    return Promise.resolve({
      target,
      put: (p: Person) => {
        target.put(p)
        return Promise.resolve()
      },
      close: () => Promise.resolve(),
    })
  },
  {
    // it keeps what it is given, duplicates too: an update never fails on a taken email (the
    // plan properties seed such directories, and the planner holds identity for creates only)
    gaps: ['uniqueness'],
  },
)

for (const backend of BACKENDS) {
  describe(`DirectoryTarget on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    beforeAll(async () => {
      opened = await openStore(backend)
    }, 60_000)
    afterAll(() => opened.close())

    targetContract(`DirectoryTarget (${backend})`, async () => {
      const { dir, target } = await directoryIn(opened.store)
      return {
        target,
        put: (p: Person) => put(dir, { people: [p] }),
        close: () => Promise.resolve(),
      }
    })

    it('ends with the same people as the MemoryTarget after the same syncs', async () => {
      const memory = new MemoryTarget()
      const { target: directory } = await directoryIn(opened.store)
      const eng = ref('Engineering', 'd1')
      const steps = [
        company(),
        [
          ...edit(company(), 'e2', { department: ref('Sales', 'd2'), supervisorExternalId: 'e3' }),
          employee('e4', { firstName: 'Neu', lastName: 'Ling', department: eng }),
          employee('e5', { firstName: 'Ola', lastName: 'Gone', terminationDate: '2025-01-31' }),
        ],
        edit(company(), 'e3', { terminationDate: '2026-10-31', position: ref('Rep') }),
        [
          ...edit(company(), 'e1', { department: ref('R&D', 'd1'), workEmail: 'b@acme.example' }),
          employee('e6', { firstName: 'Bea', lastName: 'Two', workEmail: 'bea@acme.example' }),
        ],
      ]
      for (const [i, employees] of steps.entries()) {
        const a = await sync(memory, employees)
        const b = await sync(directory, employees)
        expect(b.plan, `plan of step ${i}`).toEqual(
          expect.objectContaining({ summary: a.plan.summary }),
        )
        expect(b.report.counts, `results of step ${i}`).toEqual(a.report.counts)
        expect(await contentsOf(directory), `after step ${i}`).toEqual(await contentsOf(memory))
      }
      expect((await contentsOf(directory)).people).toHaveLength(5)
    })

    it('property: applying a plan and planning again changes nothing, as on the MemoryTarget', async () => {
      const planFor = (w: World, target: { people: Person[]; teams: Team[] }) =>
        guard(
          plan({
            connectionId: CONNECTION,
            source: source(w.employees, {
              complete: w.complete,
              invalid: w.invalid,
              readableFields: w.readableFields,
            }),
            target,
            config: w.config,
            now: NOW,
          }),
          w.config.policy,
        )
      await fc.assert(
        fc.asyncProperty(world({ unique: true }), async (w) => {
          // ids are unique across workspaces: give this case its own
          const prefix = `${randomUUID()}:`
          const id = (x: string) => `${prefix}${x}`
          const known = new Set(w.people.map((p) => p.id))
          const teams = w.teams.map((t) => ({ ...t, id: id(t.id) }))
          const people = w.people.map((p) => ({
            ...p,
            id: id(p.id),
            teamIds: p.teamIds.map(id),
            managerId: p.managerId !== null && known.has(p.managerId) ? id(p.managerId) : null,
          }))
          const memory = new MemoryTarget({ people, teams })
          const { dir, target: directory } = await directoryIn(opened.store)
          await put(dir, { people, teams })
          expect(await contentsOf(directory)).toEqual(await contentsOf(memory))

          for (const target of [memory, directory]) {
            const first = planFor(w, await snapshot(target))
            const report = await applyPlan(target, first, {
              policy: w.config.policy,
              approved: true,
            })
            expect(report.counts).toMatchObject({ stale: 0, failed: 0, skipped: 0 })
            const again = planFor(w, await snapshot(target))
            expect(again.changes.filter(isActionable).map((c) => `${c.id} ${c.action}`)).toEqual([])
          }
          expect(await contentsOf(directory)).toEqual(await contentsOf(memory))
        }),
        RUNS,
      )
    }, 60_000)
  })
}
