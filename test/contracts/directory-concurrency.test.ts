import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { plan } from '../../src/core/plan/plan.ts'
import { applyPlan } from '../../src/engine/apply-plan.ts'
import type { SqlStore } from '../../src/storage/sql-store.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { config, employee, source } from '../helpers/factories.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'

const NOW = '2026-11-21T10:00:00Z'
const people = (n: number, title: string) =>
  Array.from({ length: n }, (_, i) =>
    employee(String(i + 1), {
      firstName: `P${String(i + 1)}`,
      workEmail: `p${String(i + 1)}@acme.example`,
      position: { id: null, name: title },
    }),
  )
const cfg = config({ mapping: { email: { from: 'workEmail' }, jobTitle: { from: 'position' } } })

// PGlite is one session: nothing can write between a batch's read and its write there
describe.runIf(BACKENDS.includes('postgres'))(
  'a batch and a concurrent writer, on PostgreSQL',
  () => {
    let store: SqlStore
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ store, close } = await openStore('postgres'))
    })
    afterAll(() => close())

    it('never overwrites a person changed between the batch reading and writing it', async () => {
      const ws = await store.ensureWorkspace('concurrent')
      const connection = await store.createConnection({
        workspaceId: ws.id,
        name: 'hr',
        connector: 'fake',
        config: {},
        secret: null,
      })
      const planFor = async (target: DirectoryTarget, title: string) => {
        const current = { people: [] as never[], teams: [] as never[] }
        for await (const p of target.listPeople()) (current.people as unknown[]).push(p)
        return plan({
          connectionId: connection.id,
          source: source(people(20, title)),
          target: current,
          config: cfg,
          now: NOW,
        })
      }
      const plain = new DirectoryTarget(store.directory(ws.id))
      await applyPlan(plain, await planFor(plain, 'Engineer'), { policy: { leaverThreshold: 1 } })
      const updates = await planFor(plain, 'Senior Engineer')
      expect(updates.summary.people.update).toBe(20)

      // a directory whose reads are followed at once by an edit from elsewhere (an admin, the API)
      const directory = store.directory(ws.id)
      const load = directory.load.bind(directory)
      let edited: string | null = null
      directory.load = async (keys, trx, versions) => {
        const loaded = await load(keys, trx, versions)
        const victim = loaded.people.find((p) => p.sourceKey?.externalId === '7')
        if (victim && edited === null) {
          edited = victim.id
          await store.setIdentifiers(
            ws.id,
            [{ personId: victim.id, identifier: 'edited-by-hand' }],
            'admin',
          )
        }
        return loaded
      }
      const report = await applyPlan(new DirectoryTarget(directory), updates, {
        policy: { leaverThreshold: 1 },
      })
      expect(edited).not.toBeNull()
      // the edited person's update is refused as stale, the 19 others applied once each
      expect(report.results.find((r) => r.changeId === 'person:7')).toMatchObject({
        status: 'stale',
      })
      expect(report.counts).toMatchObject({ applied: 19, stale: 1, failed: 0 })
      const after = []
      for await (const p of plain.listPeople()) after.push(p)
      const victim = after.find((p) => p.id === edited)
      expect(victim).toMatchObject({
        identifier: 'edited-by-hand',
        fields: { jobTitle: 'Engineer' },
      })
      expect(after.filter((p) => p.fields['jobTitle'] === 'Senior Engineer')).toHaveLength(19)
    })
  },
)
