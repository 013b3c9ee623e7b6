// npm run bench: runs each case in its own process (so its peak memory is its own) and writes
// BENCHMARKS.md with the machine's description. Benchmarks are not tests: nothing here asserts.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const here = import.meta.dirname
const run = (file: string, env: Record<string, string> = {}): Record<string, unknown> => {
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(here, 'cases', file)], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
}

const fmt = (n: unknown) => (typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : '?')
const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU'
const machine = `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`

console.log('planning: 100,000 employees against 100,000 people …')
const p = run('planning.ts')
console.log(`  median ${fmt(p['medianMs'])} ms, peak RSS ${fmt(p['peakRssMb'])} MB`)
const input = run('planning.ts', { BENCH_RUNS: '0' })
console.log(`  the input alone: peak RSS ${fmt(input['peakRssMb'])} MB`)
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
writeFileSync(path.join(here, '..', 'BENCHMARKS.md'), report)
console.log('wrote BENCHMARKS.md')
