import { Hono } from 'hono'

import { requestKey, throughNetwork } from '../shared/network.ts'
import type { BambooHRSimAdmin } from './bamboohr-admin.ts'
import { mountAdmin } from './bamboohr-admin.ts'
import { mountApi } from './bamboohr-api.ts'
import type { Env } from './bamboohr-http.ts'
import { bambooError, basicUser, routeKey } from './bamboohr-http.ts'
import type { BambooHRState, SimApiKey } from './bamboohr-state.ts'

const GATEWAY = /^\/api\/gateway\.php\/([^/]+)(\/.*)$/
const SUBDOMAIN = /^([a-z0-9][a-z0-9-]*)\.(?:bamboohr\.com|localhost)(?::\d+)?$/i

/**
 * The company and the API path of a request, in either of BambooHR's base URL forms:
 * `/api/gateway.php/{companyDomain}/v1/…` on any host, or `/api/v1/…` on
 * `{companyDomain}.bamboohr.com`.
 */
export const companyOf = (path: string, host: string | undefined) => {
  const gateway = GATEWAY.exec(path)
  if (gateway) return { company: decodeURIComponent(gateway[1] ?? ''), path: gateway[2] ?? '' }
  const sub = SUBDOMAIN.exec(host ?? '')
  if (sub && path.startsWith('/api/')) {
    return { company: sub[1]?.toLowerCase() ?? '', path: path.slice('/api'.length) }
  }
  return null
}

/** A refusal for too many requests: 429 (or 503, as BambooHR's overview has it) + Retry-After. */
const throttled = (state: BambooHRState, retryAfterMs: number) =>
  bambooError(
    state.config.throttleStatus,
    'API request limit exceeded: try again later',
    state.config.retryAfter
      ? { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }
      : {},
  )

/** Company, rate limit, maintenance and the API key, in that order; null: go on. */
interface GuardContext {
  readonly req: {
    readonly method: string
    readonly url: string
    header(name: string): string | undefined
  }
  set(key: 'apiKey', value: SimApiKey): void
}

const guard = (state: BambooHRState, c: GuardContext, company: string): Response | null => {
  if (company.toLowerCase() !== state.companyDomain.toLowerCase()) {
    return bambooError(404, `No company with the domain "${company}"`)
  }
  const limiter = state.limiter()
  const decision = limiter?.take(state.now().getTime()) ?? { ok: true }
  if (!decision.ok) return throttled(state, decision.retryAfterMs)
  const { chaos } = state.config
  const request = requestKey(c)
  if (chaos.strikes('unavailable', request, state.attempt(`${request}/unavailable`))) {
    return bambooError(503, 'Service temporarily unavailable', { 'retry-after': '1' })
  }
  const user = basicUser(c.req.header('authorization'))
  const apiKey = user === null ? undefined : state.apiKey(user)
  if (apiKey === undefined) {
    return bambooError(401, user === null ? 'API key is missing' : 'Invalid API key', {
      'www-authenticate': 'Basic realm="BambooHR API"',
    })
  }
  c.set('apiKey', apiKey)
  return null
}

/**
 * The simulator's HTTP app: BambooHR's API behind the simulated network (counting, latency,
 * chaos), under both base URL forms, and the admin routes beside it, untouched by any of that.
 */
export const createBambooHRApp = (state: BambooHRState, admin: BambooHRSimAdmin) => {
  const app = new Hono<Env>()
  mountAdmin(app, admin)
  app.use('/api/*', async (c, next) => {
    const where = companyOf(c.req.path, c.req.header('host'))
    if (where === null) return bambooError(404, 'Not found')
    const route = routeKey(c.req.method, where.path)
    state.stats.start(route)
    let status: number | 'dropped' = 500
    try {
      status = await throughNetwork(
        c,
        async () => {
          const refused = guard(state, c, where.company)
          if (refused) c.res = refused
          else await next()
        },
        {
          latencyMs: state.config.latencyMs,
          slowMs: state.config.chaos.options.slowMs ?? 2000,
          chaos: state.config.chaos,
          attempt: state.attempt,
          serverError: (code) => bambooError(code, 'There was an unknown server error'),
        },
      )
    } finally {
      state.stats.end(route, status)
    }
    return undefined
  })
  const api = new Hono<Env>()
  mountApi(api, state)
  app.route('/api/gateway.php/:companyDomain', api)
  app.route('/api', api)
  app.notFound(() => bambooError(404, 'Not found'))
  return app
}
