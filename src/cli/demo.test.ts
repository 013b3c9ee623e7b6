import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { fakeConnector } from '../connectors/fake/fake-connector.ts'
import {
  SAMPLE_CONNECTION,
  SAMPLE_DIRECTORY,
  SAMPLE_NOW,
} from '../connectors/fake/sample-company.ts'
import type { Person } from '../core/model/person.ts'
import { Engine } from '../engine/engine.ts'
import { createDb } from '../storage/db.ts'
import { SqlStore } from '../storage/sql-store.ts'
import { Vault, generateKey } from '../storage/vault.ts'
import { DirectoryTarget } from '../targets/directory/directory-target.ts'
import { runDemo } from './demo.ts'

describe('npm start (the demo)', () => {
  let store: SqlStore
  beforeAll(async () => {
    store = new SqlStore(await createDb({ databaseUrl: null, dataDir: 'memory' }))
  })
  afterAll(() => store.close())

  it('previews, syncs one person as a test, syncs the rest after approval, and ends in step', async () => {
    const engine = new Engine({
      store,
      connectors: { fake: fakeConnector },
      vault: new Vault(generateKey()),
      target: (ws) => new DirectoryTarget(store.directory(ws)),
      now: () => new Date(SAMPLE_NOW),
    })
    const lines: string[] = []
    const { workspaceId } = await runDemo(
      { engine, store, close: () => Promise.resolve() },
      (ws, people, teams) =>
        store.directory(ws).transaction((tx) =>
          tx.write({
            people: people.map((person) => ({ person, before: null })),
            teams: teams.map((team) => ({ team, before: null })),
            events: [],
            audit: [],
          }),
        ),
      { ...SAMPLE_DIRECTORY, connectionId: SAMPLE_CONNECTION },
      (text) => lines.push(text),
    )
    const out = lines.join('\n')
    expect(out).toContain('~ Zoë Saldaña  update · linked (matched by work_email)')
    expect(out).toContain('- Former Colleague  mark_leaver · missing_from_source')
    expect(out).toContain('! Ben Braun  skip · terminated_never_imported')
    expect(out).toContain('2. Sync selected: Mehmet Öztürk only, as a test')
    expect(out).toContain('the run waits for the rest: awaiting_approval')
    expect(out).toContain(
      '3. The guard asks for approval: 1 of 4 active people (25%) would become leavers',
    )
    expect(out).toContain('5. Plan again: nothing left to do')
    const people: Person[] = []
    for await (const p of store.listPeople(workspaceId)) people.push(p)
    expect(people).toHaveLength(7)
    expect(people.filter((p) => p.inviteStatus === 'pending')).toHaveLength(3)
    // the app-only person nobody's HR record matches is left exactly as it was
    const untouched = SAMPLE_DIRECTORY.people[3]
    expect(people.find((p) => p.id === untouched?.id)).toEqual(untouched)
  })
})
