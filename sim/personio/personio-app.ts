import { Hono } from 'hono'

import { throughNetwork } from '../shared/network.ts'

import type { PersonioSimAdmin } from './personio-admin.ts'
import { ADMIN_PREFIX, mountAdmin } from './personio-admin.ts'
import { V2_SERVER_ERROR, v1Error, v2Error } from './personio-errors.ts'
import type { Env } from './personio-http.ts'
import { json, problem } from './personio-http.ts'
import type { PersonioState } from './personio-state.ts'
import { mountV1 } from './personio-v1.ts'
import { mountV2 } from './personio-v2.ts'

/** 'GET /v1/company/employees/{id}': the route a request is counted under. */
export const routeKey = (method: string, path: string) =>
  `${method} ${path.replace(/\/(\d+)(?=\/|$)/g, '/{id}').replace(/\/(papi-[^/]+)(?=\/|$)/g, '/{clientId}')}`

/**
 * The simulator's HTTP app: Personio's routes behind the simulated network (counting, latency,
 * chaos), and the admin routes beside them, untouched by any of it.
 */
export const createPersonioApp = (
  state: PersonioState,
  admin: PersonioSimAdmin,
  baseUrl: () => string,
) => {
  const app = new Hono<Env>()

  app.use('*', async (c, next) => {
    if (c.req.path.startsWith(`${ADMIN_PREFIX}/`)) return next()
    const route = routeKey(c.req.method, c.req.path)
    const appId = c.req.header('x-personio-app-id') ?? c.req.header('personio-app-id')
    const partnerId = c.req.header('x-personio-partner-id') ?? c.req.header('personio-partner-id')
    state.stats.start(route, appId, partnerId)
    let status: number | 'dropped' = 500
    try {
      const { chaos, latencyMs } = state.config
      status = await throughNetwork(c, next, {
        latencyMs,
        slowMs: chaos.options.slowMs ?? 2000,
        chaos,
        attempt: state.attempt,
        serverError: (code) =>
          c.req.path.startsWith('/v2/')
            ? problem(v2Error(V2_SERVER_ERROR, state.traceId(), state.now()), code)
            : json(v1Error(code, 'Something went wrong'), code),
      })
    } finally {
      state.stats.end(route, status)
    }
  })

  mountV1(app, state, baseUrl)
  mountV2(app, state, baseUrl)
  mountAdmin(app, admin)
  app.notFound((c) =>
    c.req.path.startsWith('/v2/')
      ? problem(
          v2Error(
            {
              title: 'Not found',
              detail: 'There is no such endpoint.',
              code: 'common.requested_resource_not_found',
            },
            state.traceId(),
            state.now(),
          ),
          404,
        )
      : json(v1Error(404, 'Not found'), 404),
  )
  return app
}
