// Helpers for tests that talk to a running BambooHR simulator over 127.0.0.1.
import { request as httpRequest } from 'node:http'

import { fakeClock, request } from '../shared/test-kit.ts'
import type { Answer, FakeClock } from '../shared/test-kit.ts'
import type { BambooHRSim, BambooHRSimOptions } from './start-bamboohr-sim.ts'
import { startBambooHRSim } from './start-bamboohr-sim.ts'

export { request }
export type { Answer }

/** A simulator on a fake clock, without a rate limit unless asked for. */
export const startTestSim = async (
  options: BambooHRSimOptions = {},
): Promise<BambooHRSim & { clock: FakeClock }> => {
  const clock = fakeClock()
  const sim = await startBambooHRSim({
    employees: 30,
    rateLimit: false,
    now: clock.now,
    ...options,
  })
  return Object.assign(sim, { clock })
}

/** HTTP Basic with the API key as user name and any password, as BambooHR takes it. */
export const basic = (key: string) => `Basic ${Buffer.from(`${key}:x`).toString('base64')}`

/** The simulator's API base in the gateway form: `${url}/api/gateway.php/{domain}/v1`. */
export const apiBase = (sim: BambooHRSim) => `${sim.url}/api/gateway.php/${sim.companyDomain}/v1`

/** A request as the first API key (JSON unless `accept` says otherwise). */
export const call = (
  sim: BambooHRSim,
  path: string,
  init: RequestInit & { key?: string; accept?: string } = {},
): Promise<Answer> => {
  const { key, accept, headers, ...rest } = init
  return request(`${apiBase(sim)}${path}`, {
    ...rest,
    headers: {
      authorization: basic(key ?? sim.apiKeys[0]?.key ?? ''),
      accept: accept ?? 'application/json',
      ...(headers as Record<string, string> | undefined),
    },
  })
}

/** POST /v1/reports/custom?format=JSON with a JSON report definition. */
export const report = (sim: BambooHRSim, definition: unknown, key?: string) =>
  call(sim, '/reports/custom?format=JSON', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(definition),
    ...(key === undefined ? {} : { key }),
  })

/** A GET with a Host header of our choosing (fetch may not set one), over 127.0.0.1. */
export const getWithHost = (url: string, host: string, key: string) =>
  new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      url,
      { headers: { host, authorization: basic(key), accept: 'application/json' } },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => {
          const headers = new Headers()
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') headers.set(name, value)
          }
          let body: unknown = null
          try {
            body = JSON.parse(text)
          } catch {
            // not JSON: an error has an empty body
          }
          resolve({ status: res.statusCode ?? 0, headers, body, text })
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
