import { randomUUID } from 'node:crypto'

import { OpenAPIHono } from '@hono/zod-openapi'
import type { z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { secureHeaders } from 'hono/secure-headers'

import { Schedule } from '../config/config-file.ts'
import { jsonSchemaOf } from '../config/json-schema.ts'
import { SyncError, issuesFromZod } from '../core/errors.ts'
import { SyncConfig } from '../core/plan/sync-config.ts'
import { apiDocs } from './api-docs.ts'
import { ApiError, errorBody, statusOf } from './api-error.ts'
import { consoleFiles } from './console-files.ts'
import type { AppEnv, HttpDeps } from './http-deps.ts'
import { LiveRuns } from './live-runs.ts'
import { authRoutes } from './routes/auth-routes.ts'
import { connectionRoutes } from './routes/connection-routes.ts'
import { jobsRoutes } from './routes/jobs-routes.ts'
import { metaRoutes } from './routes/meta-routes.ts'
import { peopleRoutes } from './routes/people-routes.ts'
import { planRoutes } from './routes/plan-routes.ts'
import { workspaceRoutes } from './routes/workspace-routes.ts'

/** JSON bodies are small; a CSV or XLSX export may be large. */
const JSON_LIMIT = 1024 * 1024
const FILE_LIMIT = 25 * 1024 * 1024
const FILE_ROUTES = /\/(uploads|identifiers\/import)$/

const WHERE: Readonly<Record<string, string>> = { json: 'body', query: 'query', param: 'path' }

/**
 * Registers a core schema as an OpenAPI component from its JSON Schema (what the file's schema
 * says too); definitions it has of its own (a recursive filter rule) become components beside it.
 */
function component(app: OpenAPIHono<AppEnv>, name: string, schema: z.ZodType) {
  const { $defs, ...whole } = jsonSchemaOf(schema) as {
    $defs?: Record<string, unknown>
  } & Record<string, unknown>
  const rest = Object.fromEntries(Object.entries(whole).filter(([k]) => k !== '$schema'))
  const names = Object.fromEntries(
    Object.keys($defs ?? {}).map((key, i) => [key, `${name}Part${String(i + 1)}`]),
  )
  const rewrite = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, (_m, key: string) =>
        JSON.stringify(`#/components/schemas/${names[key] ?? key}`),
      ),
    )
  for (const [key, def] of Object.entries($defs ?? {})) {
    app.openAPIRegistry.registerComponent('schemas', names[key] ?? key, rewrite(def) as object)
  }
  app.openAPIRegistry.registerComponent('schemas', name, rewrite(rest) as object)
}

/**
 * The HTTP API under /api/v1 (its OpenAPI document at /api/openapi.json, rendered at /api/docs)
 * and the console beside it. Errors have one envelope, `{ error: { code, message, issues? } }`,
 * and their status codes are chosen in api-error.ts only.
 */
export function createApp(deps: HttpDeps): { app: OpenAPIHono<AppEnv>; live: LiveRuns } {
  const live = new LiveRuns()
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return
      const where = WHERE[result.target] ?? result.target
      throw new ApiError('invalid_request', `the request's ${where} is not valid`, {
        issues: issuesFromZod(result.error, [where]),
      })
    },
  })

  app.use('*', async (c, next) => {
    const started = performance.now()
    await next()
    deps.logger.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    )
  })
  app.use('*', secureHeaders({ crossOriginEmbedderPolicy: false }))
  const limits: MiddlewareHandler<AppEnv>[] = [JSON_LIMIT, FILE_LIMIT].map((maxSize) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(
          'payload_too_large',
          `the body is larger than ${String(maxSize / 1024 / 1024)} MB`,
        )
      },
    }),
  )
  app.use('/api/*', async (c, next) => {
    const limit = limits[FILE_ROUTES.test(c.req.path) ? 1 : 0]
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- use()'s context has an any input
    await limit?.(c, next)
    // API answers hold people's data: never kept by a browser or a proxy (the reference's
    // assets say otherwise)
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store')
  })

  authRoutes(app, deps)
  workspaceRoutes(app, deps)
  metaRoutes(app, deps)
  connectionRoutes(app, deps, live)
  planRoutes(app, deps, live)
  peopleRoutes(app, deps)
  jobsRoutes(app, deps)

  component(app, 'SyncConfig', SyncConfig)
  component(app, 'Schedule', Schedule)
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'hris_session',
    description:
      'The console’s session (HttpOnly; `__Host-hris_session` over https). Requests that change something also need the session’s `X-CSRF-Token` header.',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token of one workspace (`hst_…`), made in the console.',
  })
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'hris-sync API',
      version: '1',
      description:
        'Connect an HR system, map and configure, preview a plan, apply it (all or a selection), and read runs and the directory. Every resource lives in a workspace: an id of another workspace is not found (404).',
    },
    security: [{ session: [] }, { bearer: [] }],
  })
  apiDocs(app)

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) {
      return c.json(
        errorBody('not_found', `no such endpoint: ${c.req.method} ${c.req.path}`),
        statusOf('not_found'),
      )
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.json(errorBody('not_found', 'not found'), statusOf('not_found'))
    }
    return consoleFiles(deps.webRoot)(c)
  })

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.retryAfter !== null) c.header('retry-after', String(error.retryAfter))
      return c.json(errorBody(error.code, error.message, error.issues), statusOf(error.code))
    }
    if (error instanceof SyncError && error.code !== 'internal') {
      if (error.code === 'rate_limited') c.header('retry-after', '60')
      return c.json(errorBody(error.code, error.message, error.issues), statusOf(error.code))
    }
    if (error instanceof HTTPException && error.status < 500) {
      const code = error.status === 413 ? 'payload_too_large' : 'invalid_request'
      return c.json(errorBody(code, error.message || 'the request is not valid'), statusOf(code))
    }
    // the details stay in the log: a message could carry anything
    const id = randomUUID()
    deps.logger.error({ err: error, errorId: id, path: c.req.path }, 'request failed')
    return c.json(
      errorBody('internal', `something went wrong on the server (error ${id}); the log has more`),
      statusOf('internal'),
    )
  })

  return { app, live }
}
