// The planning case: 100,000 employees against 100,000 people (10% changed, 1% new, 1% leavers),
// with teams from departments and managers from supervisors. Prints one JSON line.
import { performance } from 'node:perf_hooks'

import { guard } from '../../src/core/guard/guard.ts'
import type { Employee } from '../../src/core/model/employee.ts'
import { blankEmployee } from '../../src/core/model/employee.ts'
import type { Person, Team } from '../../src/core/model/person.ts'
import { personHash, teamHash } from '../../src/core/model/person.ts'
import { plan } from '../../src/core/plan/plan.ts'
import { SyncConfig } from '../../src/core/plan/sync-config.ts'
import { compileMapping } from '../../src/core/mapping/map-employee.ts'
import { seededRandom } from '../../test/helpers/random.ts'

const N = Number(process.env['BENCH_EMPLOYEES'] ?? 100_000)
/** Measured runs, after one warm-up run. */
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7)
const CONNECTION = 'personio-bench'
const NOW = '2026-11-21T09:00:00Z'

// the same company on every run
const random = seededRandom(42)
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T

const FIRST = [
  'Anna',
  'Jürgen',
  'Zoë',
  'Ben',
  'Chloé',
  'Mehmet',
  'Ingrid',
  'Łukasz',
  'Sofía',
  'Noah',
]
const LAST = ['Müller', 'Schmidt', 'Saldaña', 'Öztürk', 'Nowak', 'Dubois', 'Rossi', 'Lindqvist']
const DEPARTMENTS = Array.from({ length: 200 }, (_, i) => ({
  id: `d${i}`,
  name: `Department ${i}`,
}))
const OFFICES = ['Berlin', 'Munich', 'Hamburg', 'Vienna', 'Madrid'].map((name) => ({
  id: name.toLowerCase(),
  name,
}))
const POSITIONS = ['Engineer', 'Designer', 'Sales Manager', 'Recruiter', 'Analyst'].map((name) => ({
  id: null,
  name,
}))

const config = SyncConfig.parse({ identifiers: ['work_email', 'employee_number'] })
const mapping = compileMapping(config.mapping)

const employees: Employee[] = []
for (let i = 0; i < N; i++) {
  const first = pick(FIRST)
  const last = pick(LAST)
  employees.push({
    ...blankEmployee(String(100_000 + i)),
    employeeNumber: `E${i}`,
    firstName: first,
    lastName: last,
    workEmail: `${first}.${last}.${i}@acme.example`.toLowerCase(),
    mobilePhone: i % 3 === 0 ? `0151 ${String(2_000_000 + i).padStart(8, '0')}` : null,
    hireDate: '2020-01-01',
    position: pick(POSITIONS),
    department: pick(DEPARTMENTS),
    office: pick(OFFICES),
    supervisorExternalId: i === 0 ? null : String(100_000 + Math.floor((i - 1) / 8)),
    sourceUpdatedAt: '2026-11-20T08:00:00Z',
  })
}

// the directory as the last sync left it: 99% of employees have a person, 10% of those changed
// since in the HR system, and 1% of people belong to employees who are gone (leavers)
const teams: Team[] = DEPARTMENTS.map((d, i) => {
  const content = { name: d.name, sourceKey: { connectionId: CONNECTION, externalId: d.id } }
  return { ...content, id: `t${i}`, hash: teamHash(content) }
})
const teamOf = new Map(teams.map((t) => [t.sourceKey?.externalId, t.id]))
const people: Person[] = []
const linkedCount = Math.floor(N * 0.99)
const toPerson = (e: Employee, id: string, stale: boolean): Person => {
  const fields = { ...mapping.map(e).fields }
  if (stale) fields['jobTitle'] = 'Previous title'
  const content = {
    fields,
    identifier: e.workEmail,
    sourceKey: { connectionId: CONNECTION, externalId: e.externalId },
    status: 'active' as const,
    leaverDate: null,
    groups: [],
  }
  const supervisor =
    e.supervisorExternalId === null ? null : Number(e.supervisorExternalId) - 100_000
  return {
    ...content,
    id,
    managerId: supervisor === null ? null : `p${supervisor}`,
    teamIds: [teamOf.get(e.department?.id ?? undefined) ?? 't0'],
    inviteStatus: 'accepted',
    hash: personHash(content),
  }
}
for (let i = 0; i < linkedCount; i++) {
  people.push(toPerson(employees[i] as Employee, `p${i}`, i % 10 === 0))
}
for (let i = 0; i < N - linkedCount; i++) {
  const gone: Employee = {
    ...(employees[i] as Employee),
    externalId: String(900_000 + i),
    workEmail: `gone.${i}@acme.example`,
    employeeNumber: `G${i}`,
  }
  people.push(toPerson(gone, `p${N + i}`, false))
}

// each run starts from a collected heap, as a sync worker's next run does after the idle time
// between syncs (collections are not timed); run with --expose-gc
const collect = () => {
  if (!globalThis.gc) throw new Error('run with node --expose-gc')
  globalThis.gc()
}
const planOnce = () =>
  guard(
    plan({
      connectionId: CONNECTION,
      source: { employees, invalid: [], complete: true, readAt: NOW, readableFields: null },
      target: { people, teams },
      config,
      now: NOW,
    }),
    config.policy,
  )

collect()
const inputHeap = process.memoryUsage().heapUsed
const times: number[] = []
let retainedMb = 0
let summary = null
// BENCH_RUNS=0 plans nothing: the memory of the input alone
for (let run = 0; run < (RUNS === 0 ? 0 : RUNS + 1); run++) {
  collect()
  const start = performance.now()
  const result = planOnce()
  const ms = performance.now() - start
  if (run > 0) times.push(ms) // the first run warms the JIT
  collect()
  retainedMb = (process.memoryUsage().heapUsed - inputHeap) / 2 ** 20
  summary = result.summary
}
times.sort((a, b) => a - b)
process.stdout.write(
  JSON.stringify({
    employees: N,
    people: people.length,
    runs: RUNS,
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    maxMs: times.at(-1),
    inputHeapMb: inputHeap / 2 ** 20,
    retainedMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    summary,
  }) + '\n',
)
