// npm run sim:bamboohr -- --employees 5000 --port 8080 [--seed 1] [--latency 50]
// [--domain nordlicht] [--no-rate-limit]: a BambooHR simulator alone, until killed.
import { parseArgs } from 'node:util'

import { SIM_ARGS, seedArg, stopOnSignal, wholeNumber } from '../shared/run-alone.ts'
import { startBambooHRSim } from './start-bamboohr-sim.ts'

const { values } = parseArgs({
  options: {
    ...SIM_ARGS,
    domain: { type: 'string', default: 'nordlicht' },
  },
})

const sim = await startBambooHRSim({
  employees: wholeNumber('employees', values.employees),
  port: wholeNumber('port', values.port),
  seed: seedArg(values.seed),
  latencyMs: wholeNumber('latency', values.latency),
  companyDomain: values.domain,
  ...(values['no-rate-limit'] ? { rateLimit: false as const } : {}),
})
const [apiKey] = sim.apiKeys
console.log(`BambooHR simulator: ${sim.url}`)
console.log(`companyDomain: ${sim.companyDomain}`)
console.log(`apiKey:        ${apiKey?.key ?? ''}`)
console.log(`api:           ${sim.url}/api/gateway.php/${sim.companyDomain}/v1/`)
console.log(`admin:         ${sim.url}/_admin/stats (test-only, not part of BambooHR)`)

stopOnSignal(() => sim.close())
