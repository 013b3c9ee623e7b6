import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { bamboohrConnector } from '../../src/connectors/bamboohr/bamboohr-connector.ts'
import type { Connector } from '../../src/connectors/connector.ts'
import { fakeConnector } from '../../src/connectors/fake/fake-connector.ts'
import { fileConnector } from '../../src/connectors/file/file-connector.ts'
import { readTable, writeTable } from '../../src/connectors/file/table-file.ts'
import { personioConnector } from '../../src/connectors/personio/personio-connector.ts'
import { Engine } from '../../src/engine/engine.ts'
import type { JobsAccess } from '../../src/engine/jobs-access.ts'
import { hashPassword } from '../../src/http/auth.ts'
import { createApp } from '../../src/http/create-app.ts'
import type { Logger } from '../../src/http/http-deps.ts'
import { nextCronTime } from '../../src/jobs/cron-next.ts'
import { openQueue } from '../../src/jobs/workers.ts'
import { queueDb, queueSchema } from '../../src/storage/job-queue-db.ts'
import { SqlAccounts } from '../../src/storage/sql-accounts.ts'
import { SqlOutbox } from '../../src/storage/sql-outbox.ts'
import { SqlSchedules } from '../../src/storage/sql-schedules.ts'
import { SqlViews } from '../../src/storage/sql-views.ts'
import type { Workspace } from '../../src/storage/store.ts'
import { Vault, generateKey } from '../../src/storage/vault.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { openStore } from '../helpers/stores.ts'

const CONNECTORS: Readonly<Record<string, Connector>> = {
  personio: personioConnector,
  bamboohr: bamboohrConnector,
  file: fileConnector,
  fake: fakeConnector,
}

export const ORIGIN = 'http://localhost'

/** What the API logged, to check no secret ever reaches a log line. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const log = (obj: object, msg?: string) => {
    lines.push(
      JSON.stringify({ ...obj, msg }, (_k, v: unknown) => (v instanceof Error ? v.message : v)),
    )
  }
  return { lines, debug: log, info: log, warn: log, error: log }
}

/**
 * The API in this process on PGlite in memory (as main.ts wires it, with a clock the test moves),
 * and clients that sign in and keep their cookie and CSRF token. Webhooks to private addresses
 * are refused unless `allowPrivateWebhooks` (HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true) says otherwise.
 */
export async function apiHarness(options: { allowPrivateWebhooks?: boolean } = {}) {
  const opened = await openStore('pglite')
  const { store } = opened
  const vault = new Vault(generateKey())
  let now = Date.now()
  const clock = () => new Date(now)
  const uploadsDir = await mkdtemp(path.join(tmpdir(), 'hris-sync-api-'))
  const engine = new Engine({
    store,
    connectors: CONNECTORS,
    vault,
    target: (workspaceId) => new DirectoryTarget(store.directory(workspaceId)),
    now: clock,
    baseDir: uploadsDir,
  })
  const accounts = new SqlAccounts(store.db)
  const views = new SqlViews(store.db)
  const logger = memoryLogger()
  // the sync queue (pg-boss) opens only when a test queues something
  let queue: ReturnType<typeof openQueue> | null = null
  const jobs: JobsAccess = {
    schedules: new SqlSchedules(store.db),
    outbox: new SqlOutbox(store.db),
    vault,
    webhookPolicy: { allowPrivate: options.allowPrivateWebhooks ?? false },
    nextTime: nextCronTime,
    async enqueue(job) {
      queue ??= queueSchema(store.db).then((schema) =>
        openQueue({ db: queueDb(store.db), schema, logger }),
      )
      return (await queue).send(job)
    },
  }
  const { app } = createApp({
    engine,
    store,
    accounts,
    views,
    jobs,
    sources: Object.fromEntries(
      Object.entries(CONNECTORS).map(([id, c]) => [
        id,
        { config: c.configSchema, secret: c.secretSchema },
      ]),
    ),
    tables: { read: readTable, write: writeTable },
    uploadsDir,
    webRoot: null,
    logger,
    now: clock,
    // the test says which address a request comes from
    clientIp: (c) => c.req.header('x-test-ip') ?? '127.0.0.1',
  })

  /** A workspace with an admin who has this password. */
  const tenant = async (name: string, password = 'a good long password') => {
    const workspace = await accounts.createWorkspace(name)
    const email = `${name}@example.com`
    const user = await accounts.createUser({
      email,
      name,
      passwordHash: await hashPassword(password),
    })
    await accounts.addMember(workspace.id, user.id, 'admin')
    return { workspace, user, email, password }
  }

  return {
    app,
    store,
    accounts,
    views,
    jobs,
    engine,
    logger,
    uploadsDir,
    advance: (ms: number) => {
      now += ms
    },
    tenant,
    client: (options: { ip?: string } = {}) => client(app, options),
    close: async () => {
      if (queue) await (await queue).close()
      await opened.close()
      await rm(uploadsDir, { recursive: true, force: true })
    },
  }
}

export interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers: Headers
  readonly text: string
}

/** An answer's body as the test expects it (the OpenAPI document says its shape). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller states the shape
export const bodyOf = <T>(answer: Answer): T => answer.body as T

type App = ReturnType<typeof createApp>['app']

/** A browser: keeps the session cookie and sends the CSRF token, from this site's origin. */
export function client(app: App, options: { ip?: string } = {}) {
  let cookie: string | null = null
  let csrf: string | null = null
  let bearer: string | null = null
  const request = async (
    method: string,
    url: string,
    body?: unknown,
    extra: { headers?: Record<string, string>; raw?: Uint8Array | string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { origin: ORIGIN, ...extra.headers }
    if (options.ip !== undefined) headers['x-test-ip'] = options.ip
    if (cookie !== null) headers['cookie'] = cookie
    if (csrf !== null && method !== 'GET') headers['x-csrf-token'] ??= csrf
    if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`
    let payload: string | Uint8Array | undefined
    if (extra.raw !== undefined) {
      headers['content-type'] ??= 'application/octet-stream'
      payload = typeof extra.raw === 'string' ? extra.raw : new Uint8Array(extra.raw)
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(body)
    }
    const response = await app.request(url, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    })
    const setCookie = response.headers.get('set-cookie')
    if (setCookie !== null) {
      const pair = setCookie.split(';')[0] ?? ''
      cookie = pair.endsWith('=') ? null : pair
    }
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = text === '' ? null : JSON.parse(text)
    } catch {
      parsed = text
    }
    return { status: response.status, body: parsed, headers: response.headers, text }
  }
  return {
    request,
    get: (url: string) => request('GET', url),
    post: (url: string, body: unknown = {}) => request('POST', url, body),
    put: (url: string, body: unknown) => request('PUT', url, body),
    patch: (url: string, body: unknown) => request('PATCH', url, body),
    delete: (url: string) => request('DELETE', url),
    async signIn(email: string, password: string) {
      const answer = await request('POST', '/api/v1/auth/login', { email, password })
      if (answer.status !== 200) throw new Error(`sign-in failed: ${answer.text}`)
      csrf = (answer.body as { csrfToken: string }).csrfToken
      return answer
    },
    useToken(token: string | null) {
      bearer = token
      cookie = null
      csrf = null
    },
    get cookie() {
      return cookie
    },
  }
}

export type Client = ReturnType<typeof client>

/** Waits until the run is past reading (a preview reads in the background). */
export async function settled(c: Client, workspace: Workspace, runId: string) {
  for (let i = 0; i < 400; i++) {
    const answer = await c.get(`/api/v1/workspaces/${workspace.id}/runs/${runId}`)
    const state = (answer.body as { run: { state: string } }).run.state
    if (state !== 'queued' && state !== 'reading')
      return answer.body as { run: { state: string; planId: string | null } }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`run ${runId} did not settle`)
}

/** What GET …/runs/{runId} answers, as the apply tests read it. */
export interface RunView {
  run: { id: string; state: string; planId: string | null; counts: Record<string, number> | null }
  progress: { phase: string; done: number; total: number | null } | null
  applies: {
    seq: number
    state: string
    selection: 'all' | number
    actor: string | null
    counts: Record<string, number>
    [key: string]: unknown
  }[]
}

/** Waits until an apply started with 202 has ended: the run left `applying`, no progress left. */
export async function applied(c: Client, workspace: Workspace, runId: string): Promise<RunView> {
  for (let i = 0; i < 800; i++) {
    const answer = await c.get(`/api/v1/workspaces/${workspace.id}/runs/${runId}`)
    const view = answer.body as RunView
    if (view.run.state !== 'applying' && view.progress === null) return view
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`run ${runId} did not finish applying`)
}
