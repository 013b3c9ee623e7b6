// Helpers for tests that talk to a running simulator over 127.0.0.1.
import type { PersonioSim, PersonioSimOptions } from './start-personio-sim.ts'
import { fakeClock, request } from '../shared/test-kit.ts'
import type { Answer, FakeClock } from '../shared/test-kit.ts'
import { startPersonioSim } from './start-personio-sim.ts'

export { fakeClock, request } from '../shared/test-kit.ts'
export type { Answer, FakeClock } from '../shared/test-kit.ts'

/** A simulator on a fake clock, without rate limits unless asked for. */
export const startTestSim = async (
  options: PersonioSimOptions = {},
): Promise<PersonioSim & { clock: FakeClock }> => {
  const clock = fakeClock()
  const sim = await startPersonioSim({
    employees: 30,
    rateLimits: false,
    now: clock.now,
    ...options,
  })
  return Object.assign(sim, { clock })
}

export const form = (values: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(values).toString(),
})

/** POST /v1/auth with a JSON body for the sim's credential `index`. */
export const v1Auth = (sim: PersonioSim, index = 0): Promise<Answer> => {
  const credential = sim.credentials[index]
  if (!credential) throw new Error(`no credential ${String(index)}`)
  return request(`${sim.url}/v1/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
    }),
  })
}

/** A v1 token for the sim's credential `index`. */
export const v1Token = async (sim: PersonioSim, index = 0): Promise<string> => {
  const answer = await v1Auth(sim, index)
  const token = (answer.body as { data?: { token?: string } } | null)?.data?.token
  if (!token) throw new Error(`no token: ${answer.text}`)
  return token
}

export const bearerInit = (token: string, headers: Record<string, string> = {}): RequestInit => ({
  headers: { authorization: `Bearer ${token}`, ...headers },
})
