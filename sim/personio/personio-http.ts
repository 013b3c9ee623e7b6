import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'

import type { RenderContext } from './personio-attributes.ts'
import type { PersonioState, SimCredential } from './personio-state.ts'
import type { LimitedRoute } from './personio-rate-limits.ts'
import { requestKey } from '../shared/network.ts'

export interface Env {
  Bindings: HttpBindings
  Variables: { credential: SimCredential; token: string }
}

export type Ctx = Context<Env>

export const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

export const problem = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  })

export const bearer = (c: Ctx): string | null => {
  const header = c.req.header('authorization') ?? ''
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim())
  return m?.[1] ?? null
}

/** A 429 when `route` is over its limit, else null (and the request is counted). */
export const overLimit = (
  state: PersonioState,
  route: LimitedRoute,
  respond: (headers: Record<string, string>) => Response,
): Response | null => {
  const limiter = state.limiter(route)
  if (!limiter) return null
  const decision = limiter.take(state.now().getTime())
  if (decision.ok) return null
  const headers: Record<string, string> = state.config.retryAfter
    ? { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) }
    : {}
  return respond(headers)
}

export { requestKey } from '../shared/network.ts'

/**
 * What a bearer token may do now, or null for a 401: unknown or expired, or lost on purpose
 * (chaos `lostTokenRate`).
 */
export const tokenAuth = (state: PersonioState, c: Ctx, token: string | null) => {
  if (token === null) return null
  const auth = state.authenticate(token)
  if (!auth || state.config.chaos.strikes('lostToken', `${requestKey(c)} ${token}`, 0)) return null
  return auth
}

/** The request's query parameters, repeated ones in order. */
export const queryParams = (c: Ctx): URLSearchParams => new URL(c.req.url).searchParams

/** An integer parameter: undefined when absent, NaN when not an integer. */
export const intParam = (value: string | null): number | undefined => {
  if (value === null) return undefined
  return /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN
}

/** What rendering a response for `credential` needs. */
export const renderContext = (
  state: PersonioState,
  credential: SimCredential,
  baseUrl: string,
): RenderContext => ({
  company: state.company,
  language: state.language,
  baseUrl,
  person: state.person,
  readable: state.readable(credential),
})
