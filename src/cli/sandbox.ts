import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

import { configJsonSchema } from '../config/json-schema.ts'
import { initTemplate } from '../config/init-template.ts'
import { runCli } from './cli.ts'
import type { CliDeps, CliIo } from './cli.ts'

/** The first line of a file the sandbox wrote, so it knows it may write it again. */
const MARK = 'Written by "npm start": the Personio sandbox.'
export const SANDBOX_CONNECTION = 'personio-sandbox'

/** The sandbox's hris-sync.yaml: the simulator as a Personio connection, credentials in the vault. */
export function sandboxYaml(baseUrl: string): string {
  return initTemplate({
    connector: 'personio',
    name: SANDBOX_CONNECTION,
    heading: `${MARK}\nA made-up company in a Personio simulator on this machine; nothing leaves it.\n"npm start" writes this file again each time it starts (delete this line to keep your edits).`,
    source: `    connector: personio
    # The Personio simulator "npm start" runs. Its credentials are in the vault ("npm start"
    # stored them as "hris-sync connect" does).
    baseUrl: ${baseUrl}
    appId: hris-sync-sandbox`,
  })
}

/**
 * Where the sandbox's file goes: `hris-sync.yaml` in `cwd`, so every command finds it without
 * `--config`, unless that file is someone's own; then `.hris-sync/sandbox.yaml`.
 */
export function sandboxConfigFile(cwd: string, dataDir: string): string {
  const own = path.join(cwd, 'hris-sync.yaml')
  if (!existsSync(own) || readFileSync(own, 'utf8').includes(MARK)) return own
  return path.join(path.resolve(cwd, dataDir), 'sandbox.yaml')
}

/**
 * Prepares the sandbox: writes its config file (and the JSON Schema beside it), then stores the
 * simulator's credentials in the vault as `hris-sync connect` does, after checking them. Returns
 * the file, and the `--config` flag commands need to find it ('' when they need none).
 */
export async function prepareSandbox(
  deps: CliDeps,
  io: CliIo,
  options: {
    readonly baseUrl: string
    readonly credential: { readonly clientId: string; readonly clientSecret: string }
    readonly dataDir: string
  },
): Promise<{ file: string; flag: string }> {
  const file = sandboxConfigFile(io.cwd, options.dataDir)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, sandboxYaml(options.baseUrl))
  const schema = path.join(path.dirname(file), 'hris-sync.schema.json')
  await writeFile(schema, `${JSON.stringify(configJsonSchema(deps.sources), null, 2)}\n`)
  const relative = path.relative(io.cwd, file)
  const flag = relative === 'hris-sync.yaml' ? '' : ` --config ${relative}`
  let said = ''
  const quiet = {
    write: (chunk: string | Uint8Array) => {
      said += String(chunk)
      return true
    },
  }
  const code = await runCli(
    [
      'connect',
      '--config',
      file,
      '--secret',
      `clientId=${options.credential.clientId}`,
      '--secret',
      `clientSecret=${options.credential.clientSecret}`,
    ],
    { ...io, stdout: quiet, stderr: quiet },
    deps,
  )
  if (code !== 0) throw new Error(`the sandbox could not connect to its simulator: ${said.trim()}`)
  return { file, flag }
}

/** The console `npm start` serves beside the simulator, as its help shows it. */
export interface SandboxConsole {
  readonly url: string
  readonly admin: {
    readonly email: string
    /** Made on this start: shown this once. */
    readonly generatedPassword: string | null
    readonly fromEnv: boolean
  }
  /** The simulator's made-up credential, for trying the Connect screen. */
  readonly credential: { readonly clientId: string; readonly clientSecret: string }
  /** The database is PostgreSQL (DATABASE_URL): the command can use it while the server runs. */
  readonly shared: boolean
}

/** What a newcomer can do next, as printed by `npm start`. */
export function sandboxHelp(options: {
  readonly baseUrl: string
  readonly employees: number
  readonly flag: string
  readonly file: string
  /** null: `npm start -- --no-console`, the command alone. */
  readonly console: SandboxConsole | null
}): string {
  const cmd = (args: string) => `npx hris-sync ${args}${options.flag}`
  const commands = `  ${cmd('fields')}                     the fields the credential can read, with a sample each
  ${cmd('plan')}                       who would be created, updated or marked as a leaver
  ${cmd('apply --select <id> --yes')}  sync a few people as a test (ids from the plan)
  ${cmd('apply --yes')}                sync everyone else in that plan
  ${cmd('people list')}                the directory
  ${cmd('runs')}                       what ran`
  const top = `hris-sync sandbox: a Personio simulator with ${options.employees} employees at ${options.baseUrl}
The connection "${SANDBOX_CONNECTION}" is ready (credentials in the vault; config ${options.file}).`
  const edits = `Change something in "Personio" and ${options.console ? 'preview' : 'plan'} again (the simulator's test-only admin API):
  curl -X PATCH ${options.baseUrl}/_admin/employees/2 -H 'content-type: application/json' -d '{"position":"Chief of Staff"}'
  curl -X POST ${options.baseUrl}/_admin/employees/3/terminate -H 'content-type: application/json' -d '{"terminationDate":"2026-01-31"}'`
  const c = options.console
  if (c === null) {
    return `${top}

In another terminal, in this folder:
${commands}

${edits}

Ctrl+C stops the simulator; the directory stays in .hris-sync/.`
  }
  const signIn =
    c.admin.generatedPassword !== null
      ? `Sign in as ${c.admin.email}, password ${c.admin.generatedPassword}
  (shown this once: keep it, or set HRIS_SYNC_ADMIN_PASSWORD to choose one)`
      : c.admin.fromEnv
        ? `Sign in as ${c.admin.email} with the password in HRIS_SYNC_ADMIN_PASSWORD`
        : `Sign in as ${c.admin.email} (its password was shown on the first start; set
  HRIS_SYNC_ADMIN_PASSWORD to set a new one)`
  const cli = c.shared
    ? `The hris-sync command shares the PostgreSQL database; in another terminal, in this folder:
${commands}`
    : `The server has the embedded database (.hris-sync/) open, so the hris-sync command cannot
use it meanwhile: for the command, stop this (Ctrl+C) and run "npm start -- --no-console",
or set DATABASE_URL to share a PostgreSQL database between both.`
  return `${top}

The console: ${c.url}
  ${signIn}
  Open the connection "${SANDBOX_CONNECTION}", or connect one yourself with Personio
  and the simulator's made-up credential:
    Base URL       ${options.baseUrl}
    Client ID      ${c.credential.clientId}
    Client secret  ${c.credential.clientSecret}
  The API reference: ${c.url}/api/docs

${cli}

${edits}

Ctrl+C stops the simulator and the console; the directory stays in .hris-sync/.`
}
