// The composition root: the only file that wires concrete adapters (database, vault, connectors,
// the directory target) into the engine, and hands them to the CLI.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { createAdaptorServer } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import pino from 'pino'

import { runCli } from './cli/cli.ts'
import type { App, CliDeps } from './cli/cli.ts'
import { runDemo } from './cli/demo.ts'
import { prepareSandbox, sandboxHelp } from './cli/sandbox.ts'
import type { DemoDirectory } from './cli/demo.ts'
import type { SandboxConsole } from './cli/sandbox.ts'
import { loadEnv } from './config/env.ts'
import type { Env } from './config/env.ts'
import type { Connector } from './connectors/connector.ts'
import { fakeConnector } from './connectors/fake/fake-connector.ts'
import {
  SAMPLE_CONNECTION,
  SAMPLE_DIRECTORY,
  SAMPLE_NOW,
} from './connectors/fake/sample-company.ts'
import { fileConnector } from './connectors/file/file-connector.ts'
import { bamboohrConnector } from './connectors/bamboohr/bamboohr-connector.ts'
import { personioConnector } from './connectors/personio/personio-connector.ts'
import { readTable, writeTable } from './connectors/file/table-file.ts'
import { SyncError } from './core/errors.ts'
import type { Person, Team } from './core/model/person.ts'
import { createApp } from './http/create-app.ts'
import { ensureFirstAdmin } from './http/first-admin.ts'
import type { FirstAdmin } from './http/first-admin.ts'
import { loadServerSettings } from './http/server-settings.ts'
import type { ServerSettings } from './http/server-settings.ts'
import { Engine } from './engine/engine.ts'
import type { JobsAccess } from './engine/jobs-access.ts'
import { loadWorkerEnv } from './config/worker-env.ts'
import type { WorkerEnv } from './config/worker-env.ts'
import { nextCronTime } from './jobs/cron-next.ts'
import { Deliverer } from './jobs/deliverer.ts'
import type { Logger } from './jobs/job-types.ts'
import { Scheduler } from './jobs/scheduler.ts'
import { smtpMailer } from './jobs/smtp-mailer.ts'
import { SyncRunner } from './jobs/sync-runner.ts'
import { Workers, openQueue } from './jobs/workers.ts'
import { alive, createDb } from './storage/db.ts'
import type { Db } from './storage/db.ts'
import { queueDb, queueSchema } from './storage/job-queue-db.ts'
import { SqlAccounts } from './storage/sql-accounts.ts'
import { SqlOutbox } from './storage/sql-outbox.ts'
import { SqlSchedules } from './storage/sql-schedules.ts'
import { SqlStore } from './storage/sql-store.ts'
import { SqlViews } from './storage/sql-views.ts'
import { beginRotation, loadVault } from './storage/vault.ts'
import { DirectoryTarget } from './targets/directory/directory-target.ts'

const CONNECTORS: Readonly<Record<string, Connector>> = {
  file: fileConnector,
  personio: personioConnector,
  bamboohr: bamboohrConnector,
  fake: fakeConnector,
}

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

function keyFileOf(env: Env): string {
  if (env.keyFile !== null) return env.keyFile
  throw new SyncError(
    'invalid_config',
    'no place for the secret key: set HRIS_SYNC_SECRET_KEY, HRIS_SYNC_KEY_FILE or HOME',
  )
}

/** Opens the database (PGlite in the data directory, or DATABASE_URL), the vault and the engine. */
async function open(
  env: Env,
  options: { baseDir?: string; memory?: boolean; now?: () => Date },
): Promise<App & { store: SqlStore; db: Db; vault: Vault; jobs: JobsAccess }> {
  const vault = await loadVault({
    envKey: env.secretKey ?? undefined,
    keyFile: keyFileOf(env),
    create: true,
  })
  const db = await createDb({
    databaseUrl: options.memory === true ? null : env.databaseUrl,
    dataDir: options.memory === true ? 'memory' : path.resolve(env.dataDir),
  })
  const store = new SqlStore(db)
  const engine = new Engine({
    store,
    connectors: CONNECTORS,
    vault,
    target: (workspaceId) => new DirectoryTarget(store.directory(workspaceId)),
    now: options.now ?? (() => new Date()),
    ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
  })
  const logger = createLogger(env)
  let queue: ReturnType<typeof openQueue> | null = null
  const jobs: JobsAccess = {
    schedules: new SqlSchedules(db),
    outbox: new SqlOutbox(db),
    vault,
    webhookPolicy: webhookPolicy(env),
    nextTime: nextCronTime,
    async enqueue(job) {
      queue ??= queueSchema(db).then((schema) => {
        const settings = loadWorkerEnv(process.env)
        return openQueue({
          db: queueDb(db),
          schema,
          logger,
          jobTimeoutSeconds: settings.jobTimeoutSeconds,
          retryDelaySeconds: settings.retryDelaySeconds,
        })
      })
      return (await queue).send(job)
    },
  }
  return {
    engine,
    store,
    db,
    vault,
    jobs,
    close: async () => {
      if (queue) await (await queue).close()
      await store.close()
    },
  }
}

type Vault = Awaited<ReturnType<typeof loadVault>>

/** Private addresses for webhooks where HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE says so, else refused. */
const webhookPolicy = (env: Env) => ({ allowPrivate: env.allowPrivateWebhooks === true })

/** JSON lines on stdout, credentials and mail server URLs never written. */
function createLogger(env: Env): Logger & { level: string } {
  return pino({
    level: env.logLevel,
    base: { pid: process.pid },
    redact: {
      paths: [
        'secret',
        '*.secret',
        'password',
        '*.password',
        'smtpUrl',
        'databaseUrl',
        '*.clientSecret',
      ],
      censor: '[redacted]',
    },
  })
}

/**
 * The workers of this process: sync jobs, the scheduler's tick and the outbox's deliveries, on
 * the process's database (PGlite or PostgreSQL). `hris-sync worker` runs them alone; a server
 * starts them beside its API with this one call.
 */
async function startWorkers(
  env: Env,
  workerEnv: WorkerEnv,
  app: Awaited<ReturnType<typeof open>>,
): Promise<{ stop(): Promise<void> }> {
  const logger = createLogger(env)
  const { db, store, vault, jobs } = app
  const now = () => new Date()
  const mailer =
    workerEnv.smtpUrl === null ? null : smtpMailer(workerEnv.smtpUrl, workerEnv.mailFrom)
  if (mailer === null) logger.warn({}, 'SMTP_URL is not set: invitations and notifications wait')
  const options = {
    db: queueDb(db),
    schema: await queueSchema(db),
    logger,
    jobTimeoutSeconds: workerEnv.jobTimeoutSeconds,
    retryDelaySeconds: workerEnv.retryDelaySeconds,
  }
  const queue = await openQueue(options)
  const workers = await Workers.start({
    ...options,
    concurrency: workerEnv.concurrency,
    tickMs: workerEnv.tickSeconds * 1000,
    runner: new SyncRunner({
      engine: app.engine,
      store,
      schedules: jobs.schedules,
      outbox: jobs.outbox,
      now,
      logger,
      quarantineAfter: workerEnv.quarantineAfter,
    }),
    scheduler: new Scheduler({ schedules: jobs.schedules, queue, now, logger }),
    deliverer: new Deliverer({
      outbox: jobs.outbox,
      mailer,
      now,
      logger,
      appUrl: workerEnv.appUrl,
      webhookPolicy: webhookPolicy(env),
      webhookSecret: (id, sealed) => vault.open(sealed, `webhook:${id}`),
    }),
  })
  logger.info({ concurrency: workerEnv.concurrency, database: db.kind }, 'workers started')
  return {
    stop: async () => {
      await workers.stop()
      await queue.close()
      mailer?.close()
    },
  }
}

/** `hris-sync worker`: runs the workers until SIGINT or SIGTERM, then lets runs finish. */
async function worker(env: Env): Promise<number> {
  const workerEnv = loadWorkerEnv(process.env)
  const app = await open(env, { baseDir: process.cwd() })
  const workers = await startWorkers(env, workerEnv, app)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await workers.stop()
  await app.close()
  return 0
}

const SAMPLE_DIRECTORY_FOR_DEMO: DemoDirectory = {
  ...SAMPLE_DIRECTORY,
  connectionId: SAMPLE_CONNECTION,
}

/** Writes people and teams into a workspace's directory as they are (the demo's start). */
function writeDirectory(store: SqlStore) {
  return (workspaceId: string, people: readonly Person[], teams: readonly Team[]) =>
    store.directory(workspaceId).transaction((tx) =>
      tx.write({
        people: people.map((person) => ({ person, before: null })),
        teams: teams.map((team) => ({ team, before: null })),
        events: [],
        audit: [],
      }),
    )
}

async function rotateKey(env: Env) {
  const { next, commit } = await beginRotation({
    envKey: env.secretKey ?? undefined,
    keyFile: keyFileOf(env),
    newEnvKey: env.newSecretKey ?? undefined,
  })
  const db = await createDb({ databaseUrl: env.databaseUrl, dataDir: path.resolve(env.dataDir) })
  const store = new SqlStore(db)
  try {
    const resealed = await store.resealSecrets((sealed, context) => next.reseal(sealed, context))
    await commit()
    return { ...resealed, keyId: next.keyId }
  } finally {
    await store.close()
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let env: Env
  try {
    env = loadEnv(process.env)
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`)
    return 1
  }
  if (argv[0] === 'sandbox') return sandbox(env, argv.slice(1))
  if (argv[0] === 'serve' && argv.length === 1) return serve(env)
  if (argv[0] === 'worker' && argv.length === 1) return worker(env)
  if (argv[0] === 'demo') {
    const app = await open(env, { memory: true, now: () => new Date(SAMPLE_NOW) })
    try {
      await runDemo(app, writeDirectory(app.store), SAMPLE_DIRECTORY_FOR_DEMO, (text) =>
        process.stdout.write(`${text}\n`),
      )
      return 0
    } finally {
      await app.close()
    }
  }
  return runCli(argv, processIo(), cliDeps(env))
}

function processIo() {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
  }
}

function cliDeps(env: Env): CliDeps {
  return {
    sources: Object.fromEntries(
      Object.entries(CONNECTORS).map(([id, c]) => [
        id,
        { config: c.configSchema, secret: c.secretSchema },
      ]),
    ),
    open: (options) =>
      open(env, options).catch((error: unknown) => {
        throw heldByServer(env, error)
      }),
    tables: { read: readTable, write: writeTable },
    rotateKey: () => rotateKey(env),
    version,
  }
}

/** The connectors the console offers (the demo's made-up company is for the demo). */
const CONSOLE_CONNECTORS = Object.fromEntries(
  Object.entries(CONNECTORS)
    .filter(([id]) => id !== 'fake')
    .map(([id, c]) => [id, { config: c.configSchema, secret: c.secretSchema }]),
)

const WEB_ROOT = fileURLToPath(new URL('../dist/web', import.meta.url))

/** Beside the embedded database, who has it open: the CLI names the server and its URL. */
const SERVER_FILE = 'server.json'

/** A data folder the server holds, said as what to do about it. */
function heldByServer(env: Env, error: unknown): unknown {
  if (!(error instanceof SyncError) || error.code !== 'conflict' || env.databaseUrl !== null) {
    return error
  }
  try {
    const file = path.join(path.resolve(env.dataDir), SERVER_FILE)
    const held = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; url?: unknown }
    if (typeof held.pid !== 'number' || typeof held.url !== 'string' || !alive(held.pid)) {
      return error
    }
    return new SyncError(
      'conflict',
      `the hris-sync server (pid ${String(held.pid)}) has this data folder open: use the console at ${held.url}, stop the server, or set DATABASE_URL to share a PostgreSQL database`,
    )
  } catch {
    return error
  }
}

interface RunningServer {
  readonly url: string
  readonly admin: FirstAdmin
  readonly shared: boolean
  close(): Promise<void>
}

/**
 * The server: the database, vault and engine as `open` makes them, the HTTP API and the console
 * on HOST:PORT, its first admin made on the first start. Whatever else a server process runs
 * (workers) starts here too, and stops in `close`.
 */
async function startServer(
  env: Env,
  settings: ServerSettings,
  options: { anyPortIfTaken?: boolean; workers?: boolean } = {},
): Promise<RunningServer> {
  const dataDir = path.resolve(env.dataDir)
  // file connections read uploads, which live in the data folder
  const app = await open(env, { baseDir: dataDir })
  let server: Server | null = null
  try {
    const accounts = new SqlAccounts(app.db)
    const admin = await ensureFirstAdmin(
      { accounts, store: app.store },
      { email: settings.adminEmail, password: settings.adminPassword, workspace: 'default' },
    )
    const { app: http, live } = createApp({
      engine: app.engine,
      store: app.store,
      accounts,
      views: new SqlViews(app.db),
      jobs: app.jobs,
      sources: CONSOLE_CONNECTORS,
      tables: { read: readTable, write: writeTable },
      uploadsDir: dataDir,
      webRoot: WEB_ROOT,
      logger: createLogger(env),
      clientIp: (c) => getConnInfo(c).remote.address ?? null,
      trustProxy: settings.trustProxy,
    })
    const listening = createAdaptorServer({ fetch: http.fetch, hostname: settings.host }) as Server
    server = listening
    const listen = (port: number) =>
      new Promise<void>((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(port, settings.host, () => {
          listening.off('error', reject)
          resolve()
        })
      })
    await listen(settings.port).catch((error: unknown) => {
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      if (taken && options.anyPortIfTaken === true) return listen(0)
      throw error
    })
    const { port } = listening.address() as AddressInfo
    const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${String(port)}`
    const serverFile = path.join(dataDir, SERVER_FILE)
    const embedded = env.databaseUrl === null
    if (embedded) writeFileSync(serverFile, JSON.stringify({ pid: process.pid, url }))
    // the workers beside the API: schedules, retries, invitations, webhooks
    const workers =
      options.workers === true ? await startWorkers(env, loadWorkerEnv(process.env), app) : null
    return {
      url,
      admin,
      shared: !embedded,
      close: async () => {
        await new Promise<void>((resolve) => {
          listening.close(() => {
            resolve()
          })
          listening.closeAllConnections()
        })
        // a preview reading the HR system gets a moment to finish (a run cut off is failed as
        // interrupted by the next one)
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          live.drain(),
          new Promise((resolve) => (timer = setTimeout(resolve, 10_000))),
        ])
        clearTimeout(timer)
        if (embedded) rmSync(serverFile, { force: true })
        await workers?.stop()
        await app.close()
      },
    }
  } catch (error) {
    server?.close()
    await app.close()
    throw error
  }
}

const untilStopped = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })

/** `hris-sync serve`: the API and the console until SIGINT or SIGTERM. */
async function serve(env: Env): Promise<number> {
  const server = await startServer(env, loadServerSettings(process.env), { workers: true })
  const { admin } = server
  process.stdout.write(
    `hris-sync: the console at ${server.url}, the API at ${server.url}/api/docs\n`,
  )
  if (admin.generatedPassword !== null) {
    process.stdout.write(
      `The first admin: ${admin.email}, password ${admin.generatedPassword} (shown this once)\n`,
    )
  }
  await untilStopped()
  await server.close()
  return 0
}

const SANDBOX_EMPLOYEES = 250

/**
 * `npm start`: a Personio simulator in this process (a made-up company of 250), a connection to
 * it in the embedded database, and the console on it (first admin made on the first start);
 * `--no-console` leaves the database to the hris-sync command. Runs until Ctrl+C.
 */
async function sandbox(given: Env, args: readonly string[]): Promise<number> {
  // a playground on this machine: its webhooks may go to a receiver beside it, unless the
  // variable says otherwise
  const env: Env = { ...given, allowPrivateWebhooks: given.allowPrivateWebhooks ?? true }
  const unknown = args.filter((a) => a !== '--no-console')
  if (unknown.length > 0) {
    process.stderr.write(`error: sandbox takes --no-console only (got ${unknown.join(' ')})\n`)
    return 2
  }
  const withConsole = !args.includes('--no-console')
  const settings = withConsole ? loadServerSettings(process.env) : null
  const { startPersonioSim } = await import('../sim/personio/start-personio-sim.ts')
  const wanted = Number(process.env['HRIS_SYNC_SANDBOX_PORT'] ?? 4010)
  const start = (port: number) =>
    startPersonioSim({ employees: SANDBOX_EMPLOYEES, seed: 'sandbox', port, latencyMs: 20 })
  // a port taken by something else: any free one (the config file says which)
  const sim = await start(wanted).catch(() => start(0))
  const [credential] = sim.credentials
  if (!credential) throw new Error('the simulator has no credentials')
  const io = processIo()
  let server: RunningServer | null = null
  try {
    const ready = await prepareSandbox(cliDeps(env), io, {
      baseUrl: sim.url,
      credential,
      dataDir: env.dataDir,
    })
    let shown: SandboxConsole | null = null
    if (settings !== null) {
      // the port asked for, else (taken) any free one: the help says which; with the workers,
      // so a schedule turned on in the console runs (mail waits: no SMTP_URL in the sandbox)
      server = await startServer(env, settings, { anyPortIfTaken: true, workers: true })
      shown = {
        url: server.url,
        admin: server.admin,
        credential: { clientId: credential.clientId, clientSecret: credential.clientSecret },
        shared: server.shared,
      }
    }
    io.stdout.write(
      `${sandboxHelp({ baseUrl: sim.url, employees: SANDBOX_EMPLOYEES, flag: ready.flag, file: path.relative(io.cwd, ready.file), console: shown })}\n`,
    )
  } catch (error) {
    await sim.close()
    throw error
  }
  await untilStopped()
  await server?.close()
  await sim.close()
  return 0
}

process.exitCode = await main(process.argv.slice(2))
