// npm run bench: runs each case in its own process (so its peak memory is its own) and writes
// BENCHMARKS.md with the machine's description. Benchmarks are not tests: nothing here asserts.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { ratio, scaleReport } from './scale-report.ts'
import type { ScaleResult } from './scale-report.ts'

const here = import.meta.dirname
const run = (file: string, env: Record<string, string> = {}): Record<string, unknown> => {
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(here, 'cases', file)], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
}

interface ReadFigures {
  ms: number
  requests: number
  tooMany: number
  records: number
  floorMs?: number
  minimumRequests?: number
  /** The client's CPU time during the read (Personio). */
  cpuMs?: number
  /** The answers' bodies (Personio). */
  bytes?: number
}

const fmt = (n: unknown) => (typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : '?')
const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU'
const machine = `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`

console.log('planning: 100,000 employees against 100,000 people …')
const p = run('planning.ts')
console.log(`  median ${fmt(p['medianMs'])} ms, peak RSS ${fmt(p['peakRssMb'])} MB`)
const input = run('planning.ts', { BENCH_RUNS: '0' })
console.log(`  the input alone: peak RSS ${fmt(input['peakRssMb'])} MB`)
// apply: PostgreSQL from DATABASE_URL, else the local server this machine kind runs
const pgUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
const applyCase = (backend: 'pglite' | 'postgres') => {
  console.log(`apply on ${backend}: 100,000 creates, then 10,000 updates …`)
  try {
    const r = run('apply.ts', { BENCH_BACKEND: backend, DATABASE_URL: pgUrl })
    console.log(
      `  median ${fmt(r['createsPerSecond'])} creates/s, ${fmt(r['updatesPerSecond'])} updates/s`,
    )
    return r
  } catch (error) {
    console.log(`  not measured: ${(error as Error).message.split('\n')[0] ?? ''}`)
    return null
  }
}
const applied = { pglite: applyCase('pglite'), postgres: applyCase('postgres') }
console.log(
  'Personio reads: 1,000 / 10,000 / 50,000 employees, 100 ms latency, documented limits …',
)
const personio = run('personio-read.ts') as {
  latencyMs: number
  results: {
    employees: number
    pages: number
    first: ReadFigures
    repeat: ReadFigures
    synced: ReadFigures & { fields: number }
    incremental: ReadFigures & { employeeRequests: number }
  }[]
}
console.log('BambooHR reads: 20,000 employees, 100 ms latency, the modelled limit …')
const bamboohr = run('bamboohr-read.ts') as {
  latencyMs: number
  employees: number
  runs: number
  fieldCount: number
  limit: { limit: number; windowMs: number }[]
  full: ReadFigures
  withFields: ReadFigures
  incremental: ReadFigures
}
const rates = (r: Record<string, unknown> | null, key: string) =>
  r === null ? 'not measured' : (r[key] as number[]).map((x) => fmt(x)).join(', ')
const applyRow = (name: string, r: Record<string, unknown> | null, target: string) =>
  r === null
    ? `| ${name} | not measured | | | ${target} |`
    : `| ${name} | ${fmt(r['createsPerSecond'])} | ${fmt(r['updatesPerSecond'])} | ${rates(r, 'createRates')} / ${rates(r, 'updateRates')} | ${target} |`

const s = p['summary'] as {
  people: Record<string, number>
  teams: Record<string, number>
  memberships: Record<string, number>
  managers: number
}

const report = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.
Tests never assert timings; these figures are measured, not checked.

## Planning

\`plan()\` + \`guard()\` of ${fmt(p['employees'])} employees against ${fmt(p['people'])} people: 10% of
people changed in the HR system, 1% of employees new, 1% of people gone from the HR system
(leavers), 200 departments as teams, supervisors as managers, a mobile number on every third
employee (validated and made E.164); identifiers work email, then employee number.

Median of ${fmt(p['runs'])} runs after one warm-up run, in one process. Each run starts from a
collected heap, as a sync worker's next run does after the idle time between syncs; the collections
are not timed. Peak RSS is the process's maximum resident set: the input data (built by the
harness) and the plans.

| case | median | min | max | peak RSS | target |
|---|---|---|---|---|---|
| plan 100k × 100k | ${fmt(p['medianMs'])} ms | ${fmt(p['minMs'])} ms | ${fmt(p['maxMs'])} ms | ${fmt(p['peakRssMb'])} MB | < 1,500 ms, < 500 MB |
| the input alone, no plan | | | | ${fmt(input['peakRssMb'])} MB | |

The input is ${fmt(p['inputHeapMb'])} MB of heap; a finished plan keeps ${fmt(p['retainedMb'])} MB
alive (its ${fmt(s.people['noop'])} unchanged people are small changes without before/after). The rest
of the peak is garbage made while planning (mapped records, match results, phone parsing) before V8
collects it. Validating phone numbers (libphonenumber-js, full metadata) costs about 8 µs a number:
a third of the planning time here.

The plan it made: ${fmt(s.people['create'])} creates, ${fmt(s.people['update'])} updates,
${fmt(s.people['mark_leaver'])} leavers, ${fmt(s.people['noop'])} unchanged, ${fmt(s.people['skip'])}
skipped; ${fmt(s.teams['create'])} new teams, ${fmt(s.memberships['join'])} joins,
${fmt(s.memberships['leave'])} leaves, ${fmt(s.managers)} manager changes.
`
const applyReport = `
## Apply

\`hris-sync apply\` as the engine runs it: the stored plan is loaded, its changes applied to the
built-in directory in batches of 1,000 (one transaction each, with its outbox and audit entries;
three at a time on PostgreSQL, one on PGlite, which is a single session), and every change's
result recorded. First 100,000 creates into an empty directory, then 10,000 updates (a changed job
title) out of a plan of 100,000. Rows per second = changes applied / wall time of the apply. Median
of ${fmt(applied.pglite?.['runs'] ?? applied.postgres?.['runs'])} runs, each on a fresh database: PGlite
in a data directory on disk, PostgreSQL ${(applied.postgres?.['version'] as string | undefined) ?? ''} on this machine (127.0.0.1, default settings,
synchronous commit on), in a schema of its own.

| database | creates/s | updates/s | each run (creates / updates) | target |
|---|---|---|---|---|
${applyRow('PostgreSQL', applied.postgres, '≥ 10,000 rows/s')}
${applyRow('PGlite', applied.pglite, '≥ 3,000 rows/s')}

What made it fast enough: one statement per table per batch, its rows as one JSON parameter
(\`jsonb_to_recordset\`: encoded by \`JSON.stringify\`, parsed by the server; the driver's own array
encoding was 3× slower); no foreign key on the tables written a row per change or person (a key is
checked row by row: 420 → 260 ms for 20,000 people); plans stored without the field diffs that can
be computed again (half the bytes); an apply reads only the changes that do something; one outbox
entry and one audit entry per batch rather than per person. PGlite in memory is slower than on disk
(its in-memory files grow by copying), so the embedded database is measured on disk, as it runs.
`
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
/** The issue's targets for a Personio read: what each row says it met. */
const TARGET_RATIO = 1.1
const TARGET_INCREMENTAL_REQUESTS = 2
const targetsMet = (checks: readonly (readonly [boolean, string])[]) => {
  const missed = checks.filter(([ok]) => !ok).map(([, what]) => what)
  return missed.length === 0 ? 'yes' : `no: ${missed.join('; ')}`
}
const readRow = (
  employees: number,
  kind: 'first' | 'next',
  r: ReadFigures,
  what: string = kind,
) => {
  const ratio = r.ms / (r.floorMs ?? r.ms)
  const minimum = r.minimumRequests ?? r.requests
  const met = targetsMet([
    [ratio <= TARGET_RATIO, `ratio ${ratio.toFixed(2)} > ${TARGET_RATIO.toFixed(2)}`],
    [r.requests <= minimum + 1, `${fmt(r.requests)} requests > ${fmt(minimum)} + 1`],
    // the steady state is the next read; a first read's 429s are shown, not held to it
    ...(kind === 'next' ? [[r.tooMany === 0, `${fmt(r.tooMany)} 429s`] as const] : []),
  ])
  const floor = r.floorMs ?? 0
  const work = r.cpuMs ?? 0
  return `| ${fmt(employees)} | ${what} | ${seconds(r.ms)} | ${seconds(floor)} | ${ratio.toFixed(2)} | ${fmt(r.requests)} (${fmt(minimum)}) | ${fmt(r.tooMany)} | ${megabytes(r.bytes ?? 0)} | ${fmt(work)} ms | ${((floor + work) / floor).toFixed(2)} | ${met} |`
}
const incrementalRow = (employees: number, r: ReadFigures) =>
  `| ${fmt(employees)} | ${seconds(r.ms)} | ${fmt(r.requests)} | ${fmt(r.records)} | ${targetsMet([[r.requests <= TARGET_INCREMENTAL_REQUESTS, `${fmt(r.requests)} requests > ${fmt(TARGET_INCREMENTAL_REQUESTS)}`]])} |`
const personioReport = `
## Personio reads

The Personio connector (v1) reading the simulator (\`sim/personio/\`, started by the benchmark as a
process of its own with \`npm run sim:personio\`'s entry point, as Personio runs on machines of its
own) with Personio's documented limits on \`GET /v1/company/employees\` (300 requests a minute with
bursts of 15 a second, as sliding windows) and ${fmt(personio.latencyMs)} ms latency on every answer. Requests:
what the simulator answered (in brackets the minimum: one per 100 employees, and the token when
the read needs one).

The floor is the fastest those limits and that latency allow a client that knows only what it
knows:

- *first*: a new process, no token, no idea of the company's size. A client that has never read
  the company cannot know how many pages there are before the first page answers, so the floor is
  the token's round trip, then the first page's round trip (its total says how many more), then the
  other pages sent as early as the windows allow (\`minimumDurationMs\`, none before that answer),
  the last answered a round trip after it left.
- *next*: the next scheduled read: the token cached and the last read's size as a hint, so every
  page is asked for at once; started after the rate windows of the first read had passed. The floor
  is every page sent as early as the windows allow and the last one's round trip.
- *first* and *next* ask for every attribute, as a connection without a sync config does (a page of
  100 employees is about 580 KB with the simulator's attributes and labels); *next, the fields the
  default sync reads* asks only for those (\`attributes[]\`), as every sync does.

The floor counts the network only. Above it is the work on the answers: each page is received,
parsed (\`JSON.parse\`), checked and normalized as it arrives, on the client's one thread: its CPU
time during the read is the *client CPU* column, the answers' size the *answers* column. With many
pages that work hides in the waits the rate limit imposes. A company of 1,000 has ten pages that
all arrive within the same ${fmt(personio.latencyMs)} ms, so their work adds to the wall time: *floor + CPU* is
(floor + client CPU) / floor, the ratio a client doing that work after the last answer cannot beat.
Where it is above ${TARGET_RATIO.toFixed(2)}, the target would need the answers (${personio.results
  .filter((r) => r.pages <= 15)
  .map(
    (r) =>
      `${megabytes(r.synced.bytes ?? 0)} for ${fmt(r.employees)} employees and the sync's fields`,
  )
  .join(
    ', ',
  )}) parsed and normalized in ${fmt(personio.latencyMs * (TARGET_RATIO - 1))} ms; the client CPU column says what it took.

Targets (the issue's): ratio to the floor ≤ ${TARGET_RATIO.toFixed(2)}; requests at most the minimum + 1; no
429 in the steady state (the next read); an incremental read in at most ${fmt(TARGET_INCREMENTAL_REQUESTS)} requests. The
last column says whether a row met them, and which it missed.

| employees | read | wall time | floor | ratio (≤ ${TARGET_RATIO.toFixed(2)}) | requests (minimum; ≤ minimum + 1) | 429s (0 on next) | answers | client CPU | floor + CPU | targets met |
|---|---|---|---|---|---|---|---|---|---|---|
${personio.results.map((r) => [readRow(r.employees, 'first', r.first), readRow(r.employees, 'next', r.repeat), readRow(r.employees, 'next', r.synced, `next, the ${fmt(r.synced.fields)} fields the default sync reads`)].join('\n')).join('\n')}

Incremental read after 10 edits in Personio (\`updated_since\`, which answers every change at once):

| employees | wall time | requests (≤ ${fmt(TARGET_INCREMENTAL_REQUESTS)}) | employees read | target met |
|---|---|---|---|---|
${personio.results.map((r) => incrementalRow(r.employees, r.incremental)).join('\n')}

An incremental read looks back a day before the last read started (Personio reads
\`updated_since\` without a time zone): it also returns everyone else changed in that day.
`
const bambooRow = (kind: string, r: ReadFigures) =>
  `| ${kind} | ${seconds(r.ms)} | ${seconds(r.floorMs ?? 0)} | ${(r.ms / (r.floorMs ?? r.ms)).toFixed(2)} | ${fmt(r.requests)} (${fmt(r.minimumRequests)}) | ${fmt(r.tooMany)} | ${fmt(r.records)} |`
const bamboohrReport = `
## BambooHR reads

The BambooHR connector reading ${fmt(bamboohr.employees)} employees from the simulator
(\`sim/bamboohr/\`, in a process of its own) with ${fmt(bamboohr.latencyMs)} ms latency on every answer and
the simulator's modelled limit (${bamboohr.limit.map((w) => `${fmt(w.limit)} requests in any ${fmt(w.windowMs / 1000)} s`).join(', ')};
BambooHR publishes none). A full read is one custom report (\`POST /v1/reports/custom\`) of every
employee, after the company's field list (\`GET /v1/meta/fields\`) when the sync does not say which
fields it reads; an incremental read asks \`GET /v1/employees/changed\` who changed, then reports
on them (10 employees edited before each, read from the watermark of the read before). Median of
${fmt(bamboohr.runs)} reads of each kind. The floor is what the limit and the latency allow:
the requests sent as early as the windows let them, each round of requests answered after the
latency. What lies above it is making, sending and reading the report: one answer of about 14 MB
for 20,000 employees with every field.

| read | wall time | floor | ratio | requests (minimum) | 429s | employees read |
|---|---|---|---|---|---|---|
${bambooRow('full, every field', bamboohr.full)}
${bambooRow(`full, the ${fmt(bamboohr.fieldCount)} fields the default sync reads`, bamboohr.withFields)}
${bambooRow('incremental after 10 edits', bamboohr.incremental)}
`
console.log(
  'scale: 200 workspaces × 500 employees on PostgreSQL, 1 then 2 worker processes, latency …',
)
const scaleSection = (() => {
  try {
    const r = run('scale.ts', { DATABASE_URL: pgUrl }) as unknown as ScaleResult
    console.log(
      `  2 vs 1 worker processes: ${ratio(r, 'first')?.toFixed(2) ?? '?'}× first sync, ${ratio(r, 'incremental')?.toFixed(2) ?? '?'}× incremental`,
    )
    return scaleReport(r)
  } catch (error) {
    const why = (error as Error).message.split('\n')[0] ?? ''
    console.log(`  not measured: ${why}`)
    return `\n## Scale\n\nNot measured: ${why}\n`
  }
})()
writeFileSync(
  path.join(here, '..', 'BENCHMARKS.md'),
  report + applyReport + personioReport + bamboohrReport + scaleSection,
)
console.log('wrote BENCHMARKS.md')
