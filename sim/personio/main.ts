// npm run sim:personio -- --employees 5000 --port 8080 [--seed 1] [--latency 50] [--language de]
// [--no-rate-limit]: a Personio simulator alone, until killed.
import { parseArgs } from 'node:util'

import { startPersonioSim } from './start-personio-sim.ts'

const { values } = parseArgs({
  options: {
    employees: { type: 'string', default: '50' },
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    latency: { type: 'string', default: '0' },
    language: { type: 'string', default: 'en' },
    'no-rate-limit': { type: 'boolean', default: false },
  },
})

const number = (name: string, text: string) => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} takes a whole number, not "${text}"`)
    process.exit(2)
  }
  return n
}
if (values.language !== 'de' && values.language !== 'en') {
  console.error(`--language takes de or en, not "${values.language}"`)
  process.exit(2)
}

const seed = /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed
const sim = await startPersonioSim({
  employees: number('employees', values.employees),
  port: number('port', values.port),
  seed,
  latencyMs: number('latency', values.latency),
  language: values.language,
  ...(values['no-rate-limit'] ? { rateLimits: false as const } : {}),
})
const [credential] = sim.credentials
console.log(`Personio simulator: ${sim.url}`)
console.log(`client_id:     ${credential?.clientId ?? ''}`)
console.log(`client_secret: ${credential?.clientSecret ?? ''}`)
console.log(`admin:         ${sim.url}/_admin/stats (test-only, not part of Personio)`)

const stop = () => {
  void sim.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
