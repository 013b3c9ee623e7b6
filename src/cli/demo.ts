import { guard } from '../core/guard/guard.ts'
import { plan } from '../core/plan/plan.ts'
import { SyncConfig } from '../core/plan/sync-config.ts'
import type { SyncPlan } from '../core/plan/sync-plan.ts'
import { renderPlan } from '../core/render/render-plan.ts'
import { applyPlan } from '../engine/apply-plan.ts'
import type { ApplyReport } from '../engine/apply-plan.ts'
import type { Target } from '../targets/target.ts'
import { SAMPLE_CONNECTION, SAMPLE_EMPLOYEES, SAMPLE_NOW } from './sample-company.ts'

const config = SyncConfig.parse({
  identifiers: ['work_email', 'employee_number'],
  filter: { field: 'legalEntity', op: 'eq', value: 'Acme GmbH' },
  policy: { inviteNewPeople: true },
})

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function snapshot(target: Target) {
  return { people: await all(target.listPeople()), teams: await all(target.listTeams()) }
}

async function preview(target: Target): Promise<SyncPlan> {
  const draft = plan({
    connectionId: SAMPLE_CONNECTION,
    source: {
      employees: SAMPLE_EMPLOYEES,
      invalid: [],
      complete: true,
      readAt: SAMPLE_NOW,
      readableFields: null,
    },
    target: await snapshot(target),
    config,
    now: SAMPLE_NOW,
  })
  return guard(draft, config.policy)
}

const counts = (report: ApplyReport) =>
  Object.entries(report.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ') || 'nothing'

/**
 * The sync flow on a sample company and an in-memory directory: preview, sync one selected
 * person as a test, approve and sync the rest, then plan again to show nothing is left.
 */
export async function runDemo(target: Target, print: (text: string) => void): Promise<void> {
  print('hris-sync: the sync core on a sample company (Acme GmbH), in memory\n')
  print('1. Preview: what a sync would do\n')
  const first = await preview(target)
  print(renderPlan(first))

  const test = first.changes.find((c) => c.kind === 'person' && c.action === 'create')
  if (test) {
    print(`\n2. Sync selected: ${test.label} only, as a test`)
    const report = await applyPlan(target, first, { policy: config.policy, selection: [test.id] })
    print(`   ${report.results.map((r) => `${r.changeId} ${r.status}`).join('\n   ')}`)
  }

  const rest = await preview(target)
  if (rest.approval.required) {
    print(
      `\n3. The guard asks for approval: ${rest.approval.findings.map((f) => f.message).join('; ')}`,
    )
    print('   (approved here, as an admin would after reading the preview)')
  }
  const report = await applyPlan(target, rest, { policy: config.policy, approved: true })
  print(`\n4. Sync now: ${counts(report)}`)

  const again = await preview(target)
  const left = again.changes.filter(
    (c) => c.kind !== 'person' || (c.action !== 'noop' && c.action !== 'skip'),
  )
  print(
    `\n5. Plan again: ${left.length === 0 ? 'nothing left to do' : `${left.length} changes left`}`,
  )
  const people = (await snapshot(target)).people
  print(
    `   the directory now holds ${people.length} people, ${people.filter((p) => p.status === 'leaver').length} of them leavers`,
  )
}
