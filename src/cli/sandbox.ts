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

/** What a newcomer can do next, as printed by `npm start`. */
export function sandboxHelp(options: {
  readonly baseUrl: string
  readonly employees: number
  readonly flag: string
  readonly file: string
}): string {
  const cmd = (args: string) => `npx hris-sync ${args}${options.flag}`
  return `hris-sync sandbox: a Personio simulator with ${options.employees} employees at ${options.baseUrl}
The connection "${SANDBOX_CONNECTION}" is ready (credentials in the vault; config ${options.file}).

In another terminal, in this folder:
  ${cmd('fields')}                     the fields the credential can read, with a sample each
  ${cmd('plan')}                       who would be created, updated or marked as a leaver
  ${cmd('apply --select <id> --yes')}  sync a few people as a test (ids from the plan)
  ${cmd('apply --yes')}                sync everyone else in that plan
  ${cmd('people list')}                the directory
  ${cmd('runs')}                       what ran

Change something in "Personio" and plan again (the simulator's test-only admin API):
  curl -X PATCH ${options.baseUrl}/_admin/employees/2 -H 'content-type: application/json' -d '{"position":"Chief of Staff"}'
  curl -X POST ${options.baseUrl}/_admin/employees/3/terminate -H 'content-type: application/json' -d '{"terminationDate":"2026-01-31"}'

Ctrl+C stops the simulator; the directory stays in .hris-sync/.`
}
