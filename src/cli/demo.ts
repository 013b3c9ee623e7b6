import { SyncConfig } from '../core/plan/sync-config.ts'
import { isActionable } from '../core/plan/sync-plan.ts'
import { renderPlan } from '../core/render/render-plan.ts'
import { contentOf, personHash, teamHash } from '../core/model/person.ts'
import type { Person, SourceKey, Team } from '../core/model/person.ts'
import type { App } from './cli.ts'

const CONFIG = SyncConfig.parse({
  identifiers: ['work_email', 'employee_number'],
  filter: { field: 'legalEntity', op: 'eq', value: 'Acme GmbH' },
  policy: { inviteNewPeople: true },
})

const counts = (c: Readonly<Record<string, number>>) =>
  Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ') || 'nothing'

/** What the demo's directory holds before the first sync: people added by hand, one linked. */
export interface DemoDirectory {
  readonly people: readonly Person[]
  readonly teams: readonly Team[]
  /** The connection id the linked people name, replaced by the demo connection's id. */
  readonly connectionId: string
}

/**
 * The sync flow on a sample company (Acme GmbH, from the fake connector) and the built-in
 * directory in the embedded database: preview, sync one selected person as a test, approve and
 * sync the rest, then plan again to show nothing is left.
 */
export async function runDemo(
  app: App,
  write: (workspaceId: string, people: readonly Person[], teams: readonly Team[]) => Promise<void>,
  directory: DemoDirectory,
  print: (text: string) => void,
): Promise<{ workspaceId: string }> {
  const { engine, store } = app
  print('hris-sync: a sample company (Acme GmbH) into the built-in directory (embedded database)\n')
  const workspace = await store.ensureWorkspace('demo')
  const connection = await engine.connect({
    workspaceId: workspace.id,
    name: 'acme',
    connector: 'fake',
    config: { company: 'sample' },
    secret: null,
  })
  await engine.configure(connection, CONFIG, { enabled: false })
  // the people added by hand before: those linked name the demo's connection
  const relink = <T extends { sourceKey: SourceKey | null }>(item: T): T =>
    item.sourceKey?.connectionId === directory.connectionId
      ? { ...item, sourceKey: { ...item.sourceKey, connectionId: connection.id } }
      : item
  await write(
    workspace.id,
    directory.people.map((p) => {
      const person = relink(p)
      return { ...person, hash: personHash(contentOf(person)) }
    }),
    directory.teams.map((t) => {
      const team = relink(t)
      return { ...team, hash: teamHash(team) }
    }),
  )

  print('1. Preview: what a sync would do\n')
  const first = await engine.preview(connection)
  print(renderPlan(first.plan))

  const test = first.plan.changes.find((c) => c.kind === 'person' && c.action === 'create')
  if (test) {
    print(`\n2. Sync selected: ${test.label} only, as a test`)
    const report = await engine.apply(workspace.id, first.planId, { selection: [test.id] })
    print(`   ${report.results.map((r) => `${r.changeId} ${r.status}`).join('\n   ')}`)
    print(`   the run waits for the rest: ${report.run.state}`)
  }

  const rest = await engine.preview(connection)
  if (rest.plan.approval.required) {
    print(
      `\n3. The guard asks for approval: ${rest.plan.approval.findings.map((f) => f.message).join('; ')}`,
    )
    print('   (approved here, as an admin would after reading the preview)')
  }
  const report = await engine.apply(workspace.id, rest.planId, { approved: true })
  print(`\n4. Sync now: ${counts(report.counts)}`)

  const again = await engine.preview(connection)
  const left = again.plan.changes.filter(isActionable)
  print(
    `\n5. Plan again: ${left.length === 0 ? 'nothing left to do' : `${left.length} changes left`}`,
  )
  const people: Person[] = []
  for await (const p of store.listPeople(workspace.id)) people.push(p)
  print(
    `   the directory now holds ${people.length} people, ${people.filter((p) => p.status === 'leaver').length} of them leavers`,
  )
  const runs = await store.listRuns(workspace.id, connection.id, 10)
  print(`   runs: ${runs.map((r) => `${r.kind} ${r.state}`).join(', ')}`)
  return { workspaceId: workspace.id }
}
