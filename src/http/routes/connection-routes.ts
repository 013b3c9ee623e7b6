import { randomUUID } from 'node:crypto'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'

import { createRoute, z } from '@hono/zod-openapi'
import type { OpenAPIHono } from '@hono/zod-openapi'

import { Schedule } from '../../config/config-file.ts'
import { SyncError, issuesFromZod } from '../../core/errors.ts'
import type { Connection, Run } from '../../storage/store.ts'
import { audited } from '../http-deps.ts'
import type { AppEnv, HttpDeps } from '../http-deps.ts'
import type { LiveRuns } from '../live-runs.ts'
import { ERRORS, FILE_BODY, body, json } from '../responses.ts'
import {
  ConnectionView,
  FieldInfoSchema,
  IssueSchema,
  RunSchema,
  SyncConfigRef,
  ScheduleRef,
} from '../schemas.ts'
import { secureRoute } from '../secure-route.ts'

const Params = z.object({ workspaceId: z.string(), connectionId: z.string() })
const WorkspaceParams = z.object({ workspaceId: z.string() })
const Settings = z.record(z.string(), z.unknown())
const Secret = z.record(z.string(), z.string().max(10_000))

const UPLOAD_EXTENSIONS = ['.csv', '.tsv', '.txt', '.xlsx'] as const
/** Where a workspace's uploads are, relative to the uploads folder. */
const uploadsOf = (workspaceId: string) => `uploads/${workspaceId}`

/**
 * A file connection reads an upload of its own workspace, nothing else: the server never reads a
 * path someone typed (it could name any file on the machine).
 */
async function checkFileSource(
  deps: HttpDeps,
  workspaceId: string,
  config: Record<string, unknown>,
) {
  const file = config['path']
  const pattern = new RegExp(`^${uploadsOf(workspaceId)}/[0-9a-f-]{36}\\.(csv|tsv|txt|xlsx)$`)
  const problem = (message: string) =>
    new SyncError('invalid_config', 'the file connection is not valid', {
      issues: [{ code: 'invalid_upload', severity: 'error', message, path: ['config', 'path'] }],
    })
  if (typeof file !== 'string' || !pattern.test(file)) {
    throw problem('upload the file first (POST …/uploads) and give the path it answers')
  }
  const found = await stat(path.join(deps.uploadsDir, file)).catch(() => null)
  if (found?.isFile() !== true) throw problem('this upload is not there any more: upload it again')
}

/** Connections (credentials into the vault), their sync configs, fields, tests and previews. */
export function connectionRoutes(app: OpenAPIHono<AppEnv>, deps: HttpDeps, live: LiveRuns) {
  const { engine, store } = deps
  const tags = ['Connections']

  const view = async (connection: Connection) => ({
    connection: { ...connection, config: { ...connection.config } },
    secret: await engine.maskedSecret(connection),
    latestRun: await store.latestRun(connection.id),
  })
  const connectionOf = async (workspaceId: string, id: string) => {
    const found = await store.connection(workspaceId, id)
    if (!found) throw new SyncError('not_found', `connection ${id} not found`)
    return found
  }
  const known = (connector: string) => {
    if (!Object.hasOwn(deps.sources, connector)) {
      throw new SyncError('invalid_config', `unknown connector "${connector}"`, {
        issues: [
          {
            code: 'unknown_connector',
            severity: 'error',
            message: `use one of ${Object.keys(deps.sources).join(', ')}`,
            path: ['connector'],
          },
        ],
      })
    }
  }
  const audit = (
    c: { get: (k: 'actor') => AppEnv['Variables']['actor'] },
    connection: Connection,
    action: string,
  ) =>
    audited(
      deps,
      { workspaceId: connection.workspaceId, actor: c.get('actor') },
      {
        action,
        entityType: 'connection',
        entityId: connection.id,
        details: { name: connection.name, connector: connection.connector },
      },
    )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/connections',
        tags,
        summary: 'Connections of the workspace',
        request: { params: WorkspaceParams },
        responses: {
          200: json(
            z.object({
              connections: z.array(ConnectionView.omit({ secret: true })),
            }),
            'Connections, each with its latest run.',
          ),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const connections = await store.listConnections(c.get('workspace').id)
      const rows = await Promise.all(
        connections.map(async (connection) => ({
          connection: { ...connection, config: { ...connection.config } },
          latestRun: await store.latestRun(connection.id),
        })),
      )
      return c.json({ connections: rows }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/connections',
        tags,
        summary: 'Connect an HR system',
        description:
          'The credentials are tried against the HR system first; nothing is stored when they do not work. They are then sealed in the vault and never returned (only masked).',
        request: {
          params: WorkspaceParams,
          body: body(
            z.object({
              name: z.string().trim().min(1).max(100),
              connector: z.string().min(1).max(50),
              config: Settings.default({}),
              secret: Secret.nullable().default(null),
            }),
          ),
        },
        responses: {
          201: json(ConnectionView, 'Connected.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          409: ERRORS[409],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const input = c.req.valid('json')
      known(input.connector)
      if (await store.connectionByName(workspace.id, input.name)) {
        throw new SyncError('conflict', `a connection named "${input.name}" exists already`)
      }
      if (input.connector === 'file') await checkFileSource(deps, workspace.id, input.config)
      const connection = await engine.connect({
        workspaceId: workspace.id,
        name: input.name,
        connector: input.connector,
        config: input.config,
        secret: input.secret,
        check: true,
      })
      await audit(c, connection, 'connection.created')
      return c.json(await view(connection), 201)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}',
        tags,
        summary: 'A connection',
        request: { params: Params },
        responses: {
          200: json(ConnectionView, 'The connection.'),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      return c.json(await view(await connectionOf(workspaceId, connectionId)), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'patch',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}',
        tags,
        summary: 'Change the settings of a connection',
        description: 'The stored credentials are tried with the new settings first.',
        request: { params: Params, body: body(z.object({ config: Settings })) },
        responses: {
          200: json(ConnectionView, 'Changed.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      const existing = await connectionOf(workspaceId, connectionId)
      const { config } = c.req.valid('json')
      if (existing.connector === 'file') await checkFileSource(deps, workspaceId, config)
      const connection = await engine.connect({
        workspaceId,
        name: existing.name,
        connector: existing.connector,
        config,
        secret: null,
        check: true,
      })
      await audit(c, connection, 'connection.updated')
      return c.json(await view(connection), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'put',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/secret',
        tags,
        summary: 'Rotate the credentials',
        description:
          'The new credentials are tried first; the old ones stay when they do not work.',
        request: { params: Params, body: body(z.object({ secret: Secret })) },
        responses: {
          200: json(ConnectionView, 'Rotated.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      const existing = await connectionOf(workspaceId, connectionId)
      const connection = await engine.connect({
        workspaceId,
        name: existing.name,
        connector: existing.connector,
        config: existing.config,
        secret: c.req.valid('json').secret,
        check: true,
      })
      await audit(c, connection, 'connection.credentials_rotated')
      return c.json(await view(connection), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/test',
        tags,
        summary: 'Test the stored credentials',
        request: { params: Params },
        responses: {
          200: json(z.object({ ok: z.literal(true), checkedAt: z.string() }), 'They work.'),
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      await engine.check(await connectionOf(workspaceId, connectionId))
      return c.json({ ok: true as const, checkedAt: new Date().toISOString() }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/fields',
        tags,
        summary: 'Load the fields the credentials can read',
        description:
          'Each readable field with a sample value, and an issue for each thing the sync config cannot do without the others (no termination date: no leavers).',
        request: { params: Params },
        responses: {
          200: json(
            z.object({ fields: z.array(FieldInfoSchema), issues: z.array(IssueSchema) }),
            'Readable fields.',
          ),
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      const { fields, issues } = await engine.fields(await connectionOf(workspaceId, connectionId))
      return c.json(
        { fields: [...fields], issues: [...issues].map((i) => ({ ...i, path: [...i.path] })) },
        200,
      )
    },
  )

  const ConfigView = z
    .object({
      version: z.number().int().nullable(),
      config: SyncConfigRef,
      schedule: ScheduleRef,
    })
    .openapi('SyncConfigView', {
      description:
        "The sync config with every default filled in (a connection starts with its connector's default filter: BambooHR's syncs only employees with a hire date); version null: never saved.",
    })

  const configView = async (connection: Connection) => {
    const stored = await store.latestSyncConfig(connection.id)
    const config = engine.parseConfig(connection.connector, stored?.config ?? {})
    const schedule = Schedule.safeParse(stored?.schedule ?? {})
    return {
      version: stored?.version ?? null,
      config: config.success ? config.data : engine.initialConfig(connection.connector),
      schedule: schedule.success ? schedule.data : Schedule.parse({}),
    }
  }

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/config',
        tags: ['Sync configs'],
        summary: 'The sync config: mapping, identifiers, sync-if filter, policy, schedule',
        request: { params: Params },
        responses: {
          200: json(ConfigView, 'The latest version.'),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      return c.json(await configView(await connectionOf(workspaceId, connectionId)), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'put',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/config',
        tags: ['Sync configs'],
        summary: 'Save the sync config',
        description:
          "Validated as a whole: every problem is an issue with its path (`config.mapping.phone.transforms[0]`). A config that names no `filter` gets its connector's default filter (BambooHR: `{ field: hireDate, op: exists }`); `filter: null` syncs everyone. A config equal to the latest keeps its version.",
        request: {
          params: Params,
          body: body(z.object({ config: SyncConfigRef, schedule: ScheduleRef.optional() })),
        },
        responses: {
          200: json(ConfigView, 'Saved.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      const connection = await connectionOf(workspaceId, connectionId)
      const input = c.req.valid('json')
      const config = engine.parseConfig(connection.connector, input.config)
      const schedule = Schedule.safeParse(input.schedule ?? {})
      const issues = [
        ...(config.success ? [] : issuesFromZod(config.error, ['config'])),
        ...(schedule.success ? [] : issuesFromZod(schedule.error, ['schedule'])),
      ]
      if (issues.length > 0) {
        throw new SyncError('invalid_config', 'the sync config is not valid', { issues })
      }
      await engine.configure(connection, input.config, input.schedule ?? {})
      await audit(c, connection, 'connection.configured')
      return c.json(await configView(connection), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/previews',
        tags: ['Previews'],
        summary: 'Make a preview: read the HR system and plan',
        description:
          'Starts the read and answers at once with its run (202). Follow it at GET …/runs/{runId} (state, progress); once it is `planned` or `awaiting_approval`, its plan is at …/plans/{planId}. Nothing is applied.',
        request: { params: Params },
        responses: {
          202: json(z.object({ run: RunSchema }), 'Started.'),
          401: ERRORS[401],
          404: ERRORS[404],
          409: ERRORS[409],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      const connection = await connectionOf(workspaceId, connectionId)
      if (live.busy(connection.id)) {
        throw new SyncError('conflict', 'a preview or a sync of this connection is under way', {
          retryable: true,
        })
      }
      const run = await startPreview(deps, live, connection)
      return c.json({ run: { ...run } }, 202)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/uploads',
        tags: ['Connections'],
        summary: 'Upload a CSV or XLSX export',
        description:
          'For a file connection: give the answered `path` as its config `path`. `name` (the file name) says the format: .csv, .tsv, .txt or .xlsx. At most 25 MB.',
        request: {
          params: WorkspaceParams,
          query: z.object({ name: z.string().min(1).max(200) }),
          body: FILE_BODY,
        },
        responses: {
          201: json(
            z.object({
              upload: z.object({ path: z.string(), name: z.string(), size: z.number() }),
            }),
            'Stored.',
          ),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const { name } = c.req.valid('query')
      const ext = path.extname(name).toLowerCase()
      if (!(UPLOAD_EXTENSIONS as readonly string[]).includes(ext)) {
        throw new SyncError('invalid_input', `${name}: upload a .csv, .tsv, .txt or .xlsx file`)
      }
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      if (bytes.length === 0) throw new SyncError('invalid_input', `${name} is empty`)
      const relative = `${uploadsOf(workspace.id)}/${randomUUID()}${ext}`
      const file = path.join(deps.uploadsDir, relative)
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      await writeFile(file, bytes, { mode: 0o600 })
      return c.json(
        { upload: { path: relative, name: path.basename(name), size: bytes.length } },
        201,
      )
    },
  )
}

/**
 * Starts a preview and answers with its run as soon as it exists; the read goes on in the
 * background (its failure is recorded on the run). What fails before the run exists (another
 * run holds the connection, the stored config is broken) is thrown here.
 */
async function startPreview(deps: HttpDeps, live: LiveRuns, connection: Connection): Promise<Run> {
  let runId: string | null = null
  let started!: (run: Run) => void
  const created = new Promise<Run>((resolve) => {
    started = resolve
  })
  const work = live.track(
    connection.id,
    deps.engine.preview(
      connection,
      (p) => {
        if (runId !== null) live.update(runId, p)
      },
      {
        onRun: (run) => {
          runId = run.id
          live.update(run.id, { phase: 'reading', done: 0, total: null })
          started(run)
        },
      },
    ),
  )
  const first = await Promise.race([
    created.then((run) => ({ run })),
    work.then(
      (r) => ({ run: r.run }),
      (error: unknown) => ({ error }),
    ),
  ])
  void work
    .catch((error: unknown) => {
      deps.logger.warn(
        { connection: connection.id, run: runId, code: (error as SyncError).code },
        'preview failed',
      )
    })
    .finally(() => {
      if (runId !== null) live.end(runId)
    })
  if ('error' in first) throw first.error
  return first.run
}
