import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { formatIssues, loadConfigFile, secretFields } from '../config/config-file.ts'
import type { ConfigFile, Sources } from '../config/config-file.ts'
import { INIT_CONNECTORS, initTemplate } from '../config/init-template.ts'
import type { InitConnector } from '../config/init-template.ts'
import { configJsonSchema } from '../config/json-schema.ts'
import { SyncError, formatPath } from '../core/errors.ts'
import type { Issue } from '../core/errors.ts'
import type { FieldValue } from '../core/model/field-value.ts'
import type { Person } from '../core/model/person.ts'
import { renderPlan } from '../core/render/render-plan.ts'
import type { SyncPlan } from '../core/plan/sync-plan.ts'
import { isActionable } from '../core/plan/sync-plan.ts'
import { plural } from '../engine/engine.ts'
import type { Engine, Progress, SyncResult } from '../engine/engine.ts'
import {
  PEOPLE_COLUMNS,
  exportRow,
  identifierExport,
  importIdentifiers,
} from '../engine/identifier-import.ts'
import type { TableFiles } from '../engine/identifier-import.ts'
import type { Connection, Store, Workspace } from '../storage/store.ts'
import type { JobsAccess } from '../engine/jobs-access.ts'
import { JOBS_HELP, runJobsCommand } from './jobs-commands.ts'
import { PROGRESS_MODES, progressFor } from './progress.ts'

/** Exit codes: scripts branch on them. */
export const EXIT = { ok: 0, error: 1, usage: 2, approval: 3 } as const

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean }
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean }
  readonly stdin: AsyncIterable<string | Buffer> & {
    readonly isTTY?: boolean
    /** A terminal's raw mode: keys arrive one by one and nothing is echoed. */
    setRawMode?(mode: boolean): unknown
  }
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}

/** What a command works with, opened once the config file is known. */
export interface App {
  readonly engine: Engine
  readonly store: Store
  /** The ongoing sync (schedules, outbox, queue), when the build has workers. */
  readonly jobs?: JobsAccess
  close(): Promise<void>
}

/** What the composition root gives the CLI: it never wires an adapter itself. */
export interface CliDeps {
  readonly sources: Sources
  open(options: { baseDir: string }): Promise<App>
  readonly tables: TableFiles
  rotateKey(options: {
    baseDir: string
  }): Promise<{ credentials: number; webhookSecrets: number; keyId: string }>
  readonly version: string
}

class UsageError extends Error {}

const HELP = `hris-sync: keep your people directory in step with an HR system

Usage: hris-sync <command> [options]

Commands:
  init [--connector file|personio|bamboohr] [--force]
                        write a commented hris-sync.yaml and its JSON Schema
  connect [--secret NAME=VALUE]… [--secret-stdin] [--no-check]
                        check the credentials and store them in the vault; --secret-stdin
                        reads JSON or NAME=VALUE lines, or on a terminal asks for each
                        field without showing what is typed
  fields                the fields the credentials can read, with a sample value
  plan [--json] [--out FILE]
                        read the HR system and show what a sync would do; a plan that
                        needs approval is saved and exits 3
  apply [PLAN] [--select ID,…] [--yes]
                        apply a plan (the latest by default), or the changes selected;
                        --yes approves a plan that needs approval (else exit 3)
  sync [--yes]          plan and apply; a plan that needs approval waits (exit 3)
  runs [--limit N]      the latest runs
  people list           the people in the directory
  people export [--format xlsx|csv] [--out FILE]
                        every person with an identifier column, to edit
  people import-identifiers FILE [--sheet NAME]
                        set identifiers from an edited export, all rows or none
  vault rotate-key      re-encrypt stored credentials under a new key
  serve                 the HTTP API and the web console (HOST, PORT; the first admin from
                        HRIS_SYNC_ADMIN_EMAIL and HRIS_SYNC_ADMIN_PASSWORD, or made and printed)
${JOBS_HELP}
Options:
  --config FILE         the config file (default ./hris-sync.yaml)
  --json                machine-readable output
  --progress auto|json|off
                        progress of long reads and applies: on a terminal (auto), as JSON
                        lines on stderr (for wrappers and logs), or none
  -h, --help            this help
  --version             the version

Exit codes: 0 done, 1 error, 2 usage, 3 the plan needs approval.
`

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  connector: { type: 'string' },
  force: { type: 'boolean' },
  secret: { type: 'string', multiple: true },
  'secret-stdin': { type: 'boolean' },
  'no-check': { type: 'boolean' },
  out: { type: 'string' },
  select: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  limit: { type: 'string' },
  format: { type: 'string' },
  sheet: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  progress: { type: 'string' },
  full: { type: 'boolean' },
  reason: { type: 'string' },
  events: { type: 'string' },
} as const

type Values = ReturnType<typeof parse>['values']

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

const count = (n: number) => n.toLocaleString('en-US')

function issueLines(issues: readonly Issue[]): string {
  return issues
    .map((i) => {
      const where = formatPath(i.path)
      return `  - ${where !== '' && !i.message.startsWith(where) ? `${where}: ` : ''}${i.message}`
    })
    .join('\n')
}

/** Runs one command; returns the exit code. Nothing here calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const print = (text: string) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  const fail = (text: string) => io.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  let parsed
  try {
    parsed = parse(argv)
  } catch (error) {
    fail(`${(error as Error).message}\n\n${HELP}`)
    return EXIT.usage
  }
  const { values, positionals } = parsed
  if (values.version === true) {
    print(deps.version)
    return EXIT.ok
  }
  const [command, ...rest] = positionals
  if (values.help === true || command === undefined || command === 'help') {
    print(HELP)
    return command === undefined && values.help !== true ? EXIT.usage : EXIT.ok
  }
  try {
    return await dispatch(command, rest, values, io, deps, print)
  } catch (error) {
    if (error instanceof UsageError) {
      fail(`${error.message}\nRun "hris-sync --help" for usage.`)
      return EXIT.usage
    }
    if (error instanceof SyncError) {
      if (values.json === true) {
        print(
          JSON.stringify(
            { error: { code: error.code, message: error.message, issues: error.issues } },
            null,
            2,
          ),
        )
      } else {
        fail(
          `error: ${error.message}${error.issues.length > 0 ? `\n${issueLines(error.issues)}` : ''}`,
        )
      }
      return error.code === 'approval_required' ? EXIT.approval : EXIT.error
    }
    fail(`error: ${error instanceof Error ? error.message : String(error)}`)
    return EXIT.error
  }
}

async function readConfig(file: string, io: CliIo, deps: CliDeps): Promise<ConfigFile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SyncError(
        'invalid_config',
        `no config file at ${file}: create one with "hris-sync init"`,
      )
    }
    throw error
  }
  const loaded = loadConfigFile(text, {
    env: io.env,
    sources: deps.sources,
    file: path.basename(file),
  })
  if (!loaded.ok) {
    throw new SyncError(
      'invalid_config',
      `${path.basename(file)} is not valid:\n${formatIssues(loaded.error, path.basename(file))}`,
    )
  }
  return loaded.value
}

interface Session {
  readonly app: App
  readonly config: ConfigFile
  readonly workspace: Workspace
}

/** Reads the config file and opens the database, the vault and the engine for it. */
async function session<T>(
  values: Values,
  io: CliIo,
  deps: CliDeps,
  work: (s: Session) => Promise<T>,
): Promise<T> {
  const file = path.resolve(io.cwd, values.config ?? 'hris-sync.yaml')
  const config = await readConfig(file, io, deps)
  const app = await deps.open({ baseDir: path.dirname(file) })
  try {
    const workspace = await app.store.ensureWorkspace(config.workspace)
    return await work({ app, config, workspace })
  } finally {
    await app.close()
  }
}

const sourceConfig = (config: ConfigFile) => {
  const { connector, ...rest } = config.connection.source
  return { connector, config: rest }
}

/**
 * The connection the file describes, stored and up to date: its source settings and sync config
 * as the file says (a new config version when they changed). Credentials come from the file's
 * environment references, else from the vault.
 */
async function currentConnection(
  s: Session,
  options: { secret?: unknown; check?: boolean } = {},
): Promise<Connection> {
  const { engine, store } = s.app
  const { connector, config } = sourceConfig(s.config)
  const existing = await store.connectionByName(s.workspace.id, s.config.connection.name)
  const secret = options.secret ?? s.config.connection.secret
  const needsSecret = s.app.engine.needsSecret(connector)
  if (!existing && needsSecret && secret === null) {
    throw new SyncError(
      'auth_failed',
      `connection "${s.config.connection.name}" has no credentials yet: run "hris-sync connect"`,
    )
  }
  const changed =
    !existing ||
    secret !== null ||
    JSON.stringify(existing.config) !== JSON.stringify(config) ||
    existing.connector !== connector
  const connection = changed
    ? await engine.connect({
        workspaceId: s.workspace.id,
        name: s.config.connection.name,
        connector,
        config,
        secret,
        check: options.check ?? false,
      })
    : existing
  await engine.configure(connection, s.config.sync, s.config.schedule)
  return connection
}

async function readSecretInput(values: Values, io: CliIo): Promise<Record<string, string> | null> {
  const secret: Record<string, string> = {}
  for (const pair of values.secret ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--secret takes NAME=VALUE (got a value without "=")`)
    secret[pair.slice(0, at)] = pair.slice(at + 1)
  }
  if (values['secret-stdin'] === true) {
    let text = ''
    for await (const chunk of io.stdin)
      text += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    const trimmed = text.trim()
    if (trimmed.startsWith('{')) {
      let parsed: unknown
      try {
        parsed = JSON.parse(trimmed)
      } catch {
        throw new UsageError('--secret-stdin: the input is not valid JSON')
      }
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) secret[k] = String(v)
    } else {
      for (const line of trimmed.split(/\r?\n/)) {
        if (line.trim() === '') continue
        const at = line.indexOf('=')
        if (at <= 0) throw new UsageError('--secret-stdin: give NAME=VALUE lines, or a JSON object')
        secret[line.slice(0, at).trim()] = line.slice(at + 1).trim()
      }
    }
  }
  return Object.keys(secret).length > 0 ? secret : null
}

/**
 * Asks for each secret field on a terminal with echo off (raw mode: no typed character, not even a
 * mask, is shown). Enter ends a field, backspace deletes, Ctrl-C cancels; an empty answer leaves
 * the field out.
 */
async function askSecrets(fields: readonly string[], io: CliIo): Promise<Record<string, string>> {
  const { stdin } = io
  if (fields.length === 0) return {}
  if (stdin.setRawMode === undefined) {
    throw new SyncError(
      'internal',
      'the terminal cannot turn its echo off: use --secret NAME=VALUE',
    )
  }
  const chunks = stdin[Symbol.asyncIterator]()
  const decoder = new TextDecoder()
  const out: Record<string, string> = {}
  let pending: string[] = []
  let afterReturn = false
  stdin.setRawMode(true)
  try {
    for (const field of fields) {
      io.stderr.write(`${field} (not shown): `)
      let value = ''
      for (;;) {
        if (pending.length === 0) {
          const next = await chunks.next()
          if (next.done === true) break
          const chunk = next.value
          pending = Array.from(
            typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }),
          )
        }
        const char = pending.shift() ?? ''
        // "\r\n" (a pasted line) is one end of line
        if (char === '\n' && afterReturn && value === '') {
          afterReturn = false
          continue
        }
        afterReturn = char === '\r'
        if (char === '\r' || char === '\n' || char === '\u0004') break
        if (char === '\u0003') throw new SyncError('invalid_input', 'cancelled: nothing was stored')
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('')
        else if (char >= ' ') value += char
      }
      io.stderr.write('\n')
      if (value.trim() !== '') out[field] = value.trim()
    }
  } finally {
    stdin.setRawMode(false)
    // done with the terminal: let it go, so the process can end
    await chunks.return?.()
  }
  return out
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  )
}

function planJson(planId: string, runId: string, state: string, plan: SyncPlan) {
  return { planId, runId, state, ...plan }
}

function requireNoArgs(rest: readonly string[], command: string) {
  if (rest.length > 0)
    throw new UsageError(`${command} takes no arguments (got "${rest.join(' ')}")`)
}

async function dispatch(
  command: string,
  rest: readonly string[],
  values: Values,
  io: CliIo,
  deps: CliDeps,
  print: (text: string) => void,
): Promise<number> {
  const json = values.json === true
  const mode = PROGRESS_MODES.find((m) => m === (values.progress ?? 'auto'))
  if (mode === undefined) throw new UsageError('--progress must be auto, json or off')
  const progress = progressFor(io.stderr, { mode, json })
  const onProgress = (p: Progress) => {
    progress.update(p)
  }
  switch (command) {
    case 'init': {
      requireNoArgs(rest, 'init')
      // the HR systems this build can read; the others are not offered yet
      const available = INIT_CONNECTORS.filter((c) => Object.hasOwn(deps.sources, c))
      const connector = (values.connector ?? 'file') as InitConnector
      if (!available.includes(connector)) {
        throw new UsageError(
          `--connector must be one of ${available.join(', ')}${INIT_CONNECTORS.includes(connector) ? ` (${connector} is not available yet)` : ''}`,
        )
      }
      const file = path.resolve(io.cwd, values.config ?? 'hris-sync.yaml')
      await mkdir(path.dirname(file), { recursive: true })
      const schemaFile = path.join(path.dirname(file), 'hris-sync.schema.json')
      if (existsSync(file) && values.force !== true) {
        throw new SyncError('conflict', `${file} exists already: use --force to replace it`)
      }
      await writeFile(
        file,
        initTemplate({ connector, schemaPath: `./${path.basename(schemaFile)}` }),
      )
      await writeFile(schemaFile, `${JSON.stringify(configJsonSchema(deps.sources), null, 2)}\n`)
      print(`wrote ${path.relative(io.cwd, file) || file} and ${path.relative(io.cwd, schemaFile)}`)
      const flag = values.config === undefined ? '' : ` --config ${values.config}`
      print(`next: edit it, then "hris-sync connect${flag}" and "hris-sync plan${flag}"`)
      return EXIT.ok
    }
    case 'connect': {
      requireNoArgs(rest, 'connect')
      // on a terminal, --secret-stdin asks for each field rather than reading lines it would echo
      const typed = values['secret-stdin'] === true && io.stdin.isTTY === true
      const given = await readSecretInput(
        { ...values, 'secret-stdin': !typed && values['secret-stdin'] === true },
        io,
      )
      return session(values, io, deps, async (s) => {
        const source = deps.sources[s.config.connection.source.connector]
        const asked =
          typed && source
            ? await askSecrets(
                secretFields(source).filter((field) => given?.[field] === undefined),
                io,
              )
            : {}
        const secret =
          given === null && Object.keys(asked).length === 0 ? null : { ...given, ...asked }
        const connection = await currentConnection(s, {
          ...(secret === null
            ? {}
            : { secret: { ...(s.config.connection.secret ?? {}), ...secret } }),
          check: values['no-check'] !== true,
        })
        if (json) {
          print(JSON.stringify({ connection }, null, 2))
        } else {
          const checked = values['no-check'] === true ? 'not checked' : 'checked'
          print(
            `connected "${connection.name}" (${connection.connector}): credentials ${connection.hasSecret ? `${checked}, stored in the vault` : 'not needed'}`,
          )
        }
        return EXIT.ok
      })
    }
    case 'fields': {
      requireNoArgs(rest, 'fields')
      return session(values, io, deps, async (s) => {
        const { fields, issues } = await s.app.engine.fields(await currentConnection(s))
        if (json) print(JSON.stringify({ fields, issues }, null, 2))
        else {
          const sample = (v: FieldValue) =>
            v === null ? '—' : Array.isArray(v) ? v.join('; ') : String(v)
          print(
            table([
              ['FIELD', 'KEY', 'LABEL', 'TYPE', 'SAMPLE'],
              ...fields.map((f) => [
                f.path,
                f.key === f.path ? '' : f.key,
                f.label,
                f.custom ? `${f.type} (custom)` : f.type,
                sample(f.sample),
              ]),
            ]),
          )
          for (const issue of issues) print(`${issue.severity}: ${issue.message}`)
        }
        return EXIT.ok
      })
    }
    case 'plan': {
      requireNoArgs(rest, 'plan')
      return session(values, io, deps, async (s) => {
        const connection = await currentConnection(s)
        const preview = await s.app.engine.preview(connection, onProgress).finally(() => {
          progress.end()
        })
        const body = planJson(preview.planId, preview.run.id, preview.run.state, preview.plan)
        if (values.out !== undefined) {
          await writeFile(path.resolve(io.cwd, values.out), `${JSON.stringify(body, null, 2)}\n`)
        }
        // a script sees a plan that waits for a person without parsing it
        const held = preview.run.state === 'awaiting_approval'
        if (json) {
          print(JSON.stringify(body, null, 2))
          return held ? EXIT.approval : EXIT.ok
        }
        print(renderPlan(preview.plan, { verbose: values.verbose === true }))
        if (preview.run.state === 'succeeded') print('Nothing to do: the directory is up to date.')
        else {
          if (held) {
            print(
              `This plan needs approval: ${preview.plan.approval.findings.map((f) => f.message).join('; ')}`,
            )
          }
          print(
            `Plan ${preview.planId} saved. ${held ? 'Approve and apply it' : 'Apply it'} with: hris-sync apply ${preview.planId}${held ? ' --yes' : ''}`,
          )
        }
        return held ? EXIT.approval : EXIT.ok
      })
    }
    case 'apply': {
      if (rest.length > 1)
        throw new UsageError('apply takes at most one plan (an id or a file from plan --out)')
      const selection = values.select
        ?.split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '')
      if (selection !== undefined && selection.length === 0)
        throw new UsageError('--select needs change ids')
      return session(values, io, deps, async (s) => {
        const planId = await resolvePlan(rest[0], s, io)
        const stored = await s.app.store.plan(s.workspace.id, planId)
        if (!stored) throw new SyncError('not_found', `plan ${planId} not found`)
        const chosen = selection ?? 'all'
        const actionable = stored.plan.changes.filter(isActionable).length
        const size = chosen === 'all' ? actionable : chosen.length
        const held = stored.plan.approval.required && chosen === 'all'
        if (values.yes !== true) {
          if (held) {
            // the plan itself, so the approval is given on what it will do, not on a newer plan
            const why = stored.plan.approval.findings.map((f) => f.message).join('; ')
            if (json) {
              print(
                JSON.stringify(
                  { error: { code: 'approval_required', message: why }, planId, ...stored.plan },
                  null,
                  2,
                ),
              )
            } else {
              print(renderPlan(stored.plan, { verbose: values.verbose === true }))
              io.stderr.write(
                `This plan needs approval: ${why}\nApprove and apply it with: hris-sync apply ${planId} --yes\n`,
              )
            }
            return EXIT.approval
          }
          if (json || io.stdin.isTTY !== true || io.stdout.isTTY !== true) {
            throw new UsageError(
              `apply changes the directory: confirm with --yes (${plural(size, 'change')})`,
            )
          }
          io.stdout.write(
            `Apply ${plural(size, 'change')} of plan ${planId}? Type "yes" to go on: `,
          )
          const answer = await firstLine(io.stdin)
          if (answer.trim().toLowerCase() !== 'yes') {
            print('Nothing applied.')
            return EXIT.error
          }
        }
        const result = await s.app.engine
          .apply(s.workspace.id, planId, {
            selection: chosen,
            approved: values.yes === true,
            onProgress,
          })
          .finally(() => {
            progress.end()
          })
        if (json)
          print(
            JSON.stringify(
              { planId, run: result.run, counts: result.counts, results: result.results },
              null,
              2,
            ),
          )
        else printApplied(print, result.counts, result.results, result.run)
        return result.counts.failed > 0 || result.counts.stale > 0 ? EXIT.error : EXIT.ok
      })
    }
    case 'sync': {
      requireNoArgs(rest, 'sync')
      return session(values, io, deps, async (s) => {
        const connection = await currentConnection(s)
        const synced = await s.app.engine.sync(connection, onProgress).finally(() => {
          progress.end()
        })
        const result: SyncResult =
          synced.status === 'awaiting_approval' && values.yes === true
            ? {
                status: 'applied',
                planId: synced.planId,
                ...(await s.app.engine
                  .apply(s.workspace.id, synced.planId, { approved: true, onProgress })
                  .finally(() => {
                    progress.end()
                  })),
              }
            : synced
        if (json) {
          print(JSON.stringify(result, null, 2))
        } else if (result.status === 'up_to_date') {
          print('Nothing to do: the directory is up to date.')
        } else if (result.status === 'awaiting_approval') {
          const stored = await s.app.store.plan(s.workspace.id, result.planId)
          io.stderr.write(
            `Nothing applied: this plan needs approval: ${stored?.plan.approval.findings.map((f) => f.message).join('; ') ?? ''}\nRead it ("hris-sync plan"), then: hris-sync apply ${result.planId} --yes\n`,
          )
        } else {
          printApplied(print, result.counts, result.results, result.run)
        }
        if (result.status === 'awaiting_approval') return EXIT.approval
        return result.status === 'applied' && result.counts.failed + result.counts.stale > 0
          ? EXIT.error
          : EXIT.ok
      })
    }
    case 'runs': {
      requireNoArgs(rest, 'runs')
      const limit = Number(values.limit ?? '20')
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError('--limit must be a positive whole number')
      return session(values, io, deps, async (s) => {
        const connection = await s.app.store.connectionByName(
          s.workspace.id,
          s.config.connection.name,
        )
        const runs = connection
          ? await s.app.store.listRuns(s.workspace.id, connection.id, limit)
          : []
        if (json) print(JSON.stringify({ runs }, null, 2))
        else if (runs.length === 0) print('No runs yet: start with "hris-sync plan".')
        else {
          const countsOf = (c: Readonly<Record<string, number>> | null) =>
            c === null
              ? ''
              : Object.entries(c)
                  .filter(([, n]) => n > 0)
                  .map(([k, n]) => `${k} ${count(n)}`)
                  .join(', ')
          print(
            table([
              ['RUN', 'KIND', 'STATE', 'STARTED', 'PLAN', 'COUNTS', 'ERROR'],
              ...runs.map((r) => [
                r.id,
                r.kind,
                r.state,
                r.createdAt.slice(0, 19).replace('T', ' '),
                r.planId ?? '',
                countsOf(r.counts),
                r.error?.message ?? '',
              ]),
            ]),
          )
        }
        return EXIT.ok
      })
    }
    case 'people':
      return people(rest, values, io, deps, print)
    case 'worker':
      throw new UsageError('worker takes no arguments')
    case 'queue':
    case 'approve':
    case 'reject':
    case 'schedule':
    case 'quarantine':
    case 'invite':
    case 'webhooks':
    case 'notify':
      return runJobsCommand(command, rest, {
        json,
        values,
        print,
        onProgress,
        usage: (text) => new UsageError(text),
        session: (work) =>
          session(values, io, deps, (s) =>
            work({
              app: s.app,
              workspace: s.workspace,
              connection: () => currentConnection(s),
              existing: () =>
                s.app.store.connectionByName(s.workspace.id, s.config.connection.name),
            }),
          ),
      })
    case 'vault': {
      if (rest[0] !== 'rotate-key' || rest.length > 1)
        throw new UsageError('vault takes one subcommand: rotate-key')
      const baseDir = path.dirname(path.resolve(io.cwd, values.config ?? 'hris-sync.yaml'))
      const { credentials, webhookSecrets, keyId } = await deps.rotateKey({ baseDir })
      const webhooks =
        webhookSecrets > 0 ? ` and ${plural(webhookSecrets, 'webhook signing secret')}` : ''
      print(`re-encrypted ${plural(credentials, 'credential')}${webhooks} under key ${keyId}`)
      return EXIT.ok
    }
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

async function firstLine(stdin: AsyncIterable<string | Buffer>): Promise<string> {
  let text = ''
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    if (text.includes('\n')) break
  }
  return text.split('\n')[0] ?? ''
}

/** A plan id, a plan file written by `plan --out`, or (none given) the connection's latest plan. */
async function resolvePlan(given: string | undefined, s: Session, io: CliIo): Promise<string> {
  if (given !== undefined) {
    const file = path.resolve(io.cwd, given)
    if (existsSync(file)) {
      const body = JSON.parse(await readFile(file, 'utf8')) as { planId?: unknown }
      if (typeof body.planId !== 'string')
        throw new SyncError(
          'invalid_input',
          `${given} is not a plan written by "hris-sync plan --out"`,
        )
      return body.planId
    }
    return given
  }
  const connection = await s.app.store.connectionByName(s.workspace.id, s.config.connection.name)
  const latest = connection ? await s.app.store.latestRun(connection.id) : null
  if (!latest?.planId)
    throw new SyncError('not_found', 'there is no plan to apply: make one with "hris-sync plan"')
  return latest.planId
}

function printApplied(
  print: (text: string) => void,
  counts: Readonly<Record<string, number>>,
  results: readonly {
    changeId: string
    status: string
    message?: string
    error?: { message: string }
  }[],
  run: { state: string; error: { message: string } | null; planId: string | null },
) {
  const others = Object.entries(counts)
    .filter(([k, n]) => k !== 'applied' && n > 0)
    .map(([k, n]) => `${count(n)} ${k}`)
  // a selection leaves the rest of the plan waiting: say how to apply it
  const rest =
    run.state === 'planned' || run.state === 'awaiting_approval'
      ? `the rest of the plan waits: apply it with "hris-sync apply${run.planId === null ? '' : ` ${run.planId}`} --yes"`
      : `the run ${run.state === 'succeeded' ? 'succeeded' : `is ${run.state.replaceAll('_', ' ')}`}`
  print(
    `Applied ${plural(counts['applied'] ?? 0, 'change')}${others.length > 0 ? ` (${others.join(', ')})` : ''}; ${rest}.`,
  )
  const shown = results.filter((r) => r.status === 'failed' || r.status === 'stale').slice(0, 20)
  for (const r of shown)
    print(`  ${r.status}: ${r.changeId}: ${r.error?.message ?? r.message ?? ''}`)
  if (run.error) print(run.error.message)
}

async function allPeople(store: Store, workspaceId: string): Promise<Person[]> {
  const out: Person[] = []
  for await (const p of store.listPeople(workspaceId)) out.push(p)
  return out
}

async function people(
  rest: readonly string[],
  values: Values,
  io: CliIo,
  deps: CliDeps,
  print: (text: string) => void,
): Promise<number> {
  const [sub, ...args] = rest
  switch (sub) {
    case 'list':
      requireNoArgs(args, 'people list')
      return session(values, io, deps, async (s) => {
        const all = await allPeople(s.app.store, s.workspace.id)
        if (values.json === true) print(JSON.stringify({ people: all }, null, 2))
        else if (all.length === 0) print('The directory is empty.')
        else
          print(
            table([
              [...PEOPLE_COLUMNS].map((c) => c.toUpperCase()),
              ...all.map((p) => exportRow(p).map((c) => c ?? '')),
            ]),
          )
        return EXIT.ok
      })
    case 'export': {
      requireNoArgs(args, 'people export')
      // the name says the format: a file the import can read back
      const ext = values.out === undefined ? null : path.extname(values.out).toLowerCase().slice(1)
      const format = values.format ?? ext ?? 'xlsx'
      if (format !== 'csv' && format !== 'xlsx')
        throw new UsageError('--format must be xlsx or csv')
      if (ext !== null && ext !== format) {
        throw new UsageError(
          `--out ${values.out ?? ''} does not end in .${format}: name the file .csv or .xlsx`,
        )
      }
      return session(values, io, deps, async (s) => {
        const { header, rows } = await identifierExport(s.app.store, s.workspace.id)
        const file = path.resolve(io.cwd, values.out ?? `people.${format}`)
        await deps.tables.write(file, format, header, rows)
        print(
          `wrote ${count(rows.length)} people to ${path.relative(io.cwd, file) || file}: fill in the identifier column, then "hris-sync people import-identifiers ${path.relative(io.cwd, file) || file}"`,
        )
        return EXIT.ok
      })
    }
    case 'import-identifiers': {
      const [file, ...more] = args
      if (file === undefined || more.length > 0)
        throw new UsageError('people import-identifiers takes one file')
      return session(values, io, deps, async (s) => {
        const sheet = values.sheet
        const read = await deps.tables.read(
          path.resolve(io.cwd, file),
          sheet === undefined ? {} : { sheet },
        )
        const result = await importIdentifiers(s.app.store, s.workspace.id, read, {
          actor: 'cli',
          name: file,
        })
        if (values.json === true)
          print(JSON.stringify({ changed: result.changed, unchanged: result.unchanged }, null, 2))
        else {
          print(
            `set ${plural(result.changed, 'identifier')} (${count(result.unchanged)} unchanged)`,
          )
          const { linked } = result
          if (linked > 0) {
            print(
              `note: ${plural(linked, 'person')} of these ${linked === 1 ? 'is' : 'are'} linked to an HR record already: the next sync sets their identifier from the HR system again`,
            )
          }
        }
        return EXIT.ok
      })
    }
    default:
      throw new UsageError('people takes a subcommand: list, export or import-identifiers')
  }
}
