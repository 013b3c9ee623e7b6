// npm run sim:personio -- --employees 5000 --port 8080 [--seed 1] [--latency 50] [--language de]
// [--no-rate-limit]: a Personio simulator alone, until killed.
import { parseArgs } from 'node:util'

import { SIM_ARGS, seedArg, stopOnSignal, wholeNumber } from '../shared/run-alone.ts'
import { startPersonioSim } from './start-personio-sim.ts'

const { values } = parseArgs({
  options: {
    ...SIM_ARGS,
    language: { type: 'string', default: 'en' },
  },
})

if (values.language !== 'de' && values.language !== 'en') {
  console.error(`--language takes de or en, not "${values.language}"`)
  process.exit(2)
}

const sim = await startPersonioSim({
  employees: wholeNumber('employees', values.employees),
  port: wholeNumber('port', values.port),
  seed: seedArg(values.seed),
  latencyMs: wholeNumber('latency', values.latency),
  language: values.language,
  ...(values['no-rate-limit'] ? { rateLimits: false as const } : {}),
})
const [credential] = sim.credentials
console.log(`Personio simulator: ${sim.url}`)
console.log(`client_id:     ${credential?.clientId ?? ''}`)
console.log(`client_secret: ${credential?.clientSecret ?? ''}`)
console.log(`admin:         ${sim.url}/_admin/stats (test-only, not part of Personio)`)

stopOnSignal(() => sim.close())
