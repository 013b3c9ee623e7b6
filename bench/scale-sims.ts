// Personio simulators for the scale benchmark: one per company, many in this one process (each
// its own HTTP server on 127.0.0.1, its own company, credential, rate limits and latency, as
// `startPersonioSim` makes them). Run by bench/cases/scale.ts as a child process; prints one JSON
// line with each company's URL and credential, and stops when its stdin closes (its parent ended).
//   node bench/scale-sims.ts --companies 50 --first 0 --employees 500 --latency 75
import { parseArgs } from 'node:util'

import { startPersonioSim } from '../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../sim/personio/start-personio-sim.ts'

/** A company as the benchmark connects to it (a type: importing it runs nothing). */
export interface ScaleCompany {
  readonly url: string
  readonly clientId: string
  readonly clientSecret: string
}

// company i's seed: the same data in every pass of the benchmark
const companySeed = (index: number) => `scale-${String(index)}`

const { values } = parseArgs({
  options: {
    companies: { type: 'string', default: '1' },
    first: { type: 'string', default: '0' },
    employees: { type: 'string', default: '500' },
    latency: { type: 'string', default: '75' },
  },
})
const [companies, first, employees, latencyMs] = [
  values.companies,
  values.first,
  values.employees,
  values.latency,
].map(Number) as [number, number, number, number]

const sims: PersonioSim[] = []
for (let i = 0; i < companies; i++) {
  // Personio's documented limits (the default) on every company
  sims.push(await startPersonioSim({ employees, seed: companySeed(first + i), latencyMs }))
}
const out: ScaleCompany[] = sims.map((s) => {
  const [credential] = s.credentials
  return {
    url: s.url,
    clientId: credential?.clientId ?? '',
    clientSecret: credential?.clientSecret ?? '',
  }
})
console.log(JSON.stringify({ companies: out }))

const stop = () => {
  void Promise.all(sims.map((s) => s.close())).then(() => process.exit(0))
}
process.stdin.on('end', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
