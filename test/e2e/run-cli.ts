import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'

const BIN = path.resolve(import.meta.dirname, '../../bin/hris-sync.js')

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment of a user in `dir`: their own key file, the embedded database unless given. */
export function userEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HRIS_SYNC_KEY_FILE: path.join(dir, 'key', 'secret.key'),
  }
  delete env['DATABASE_URL']
  delete env['HRIS_SYNC_DATA_DIR']
  delete env['HRIS_SYNC_SECRET_KEY']
  return { ...env, ...extra }
}

/** Starts the `hris-sync` command as a user would, with Node 24 (the one running the tests). */
export function start(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: 'pipe',
  })
}

/** Runs `hris-sync` to the end; `input` is written to its stdin. */
export function hrisSync(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = start(args, options)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      resolve({ code, stdout, stderr })
    })
    child.stdin?.end(options.input ?? '')
  })
}
