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

/**
 * Runs `hris-sync` on a real pseudo-terminal (util-linux `script`), as someone at a keyboard:
 * `output` is everything the terminal shows (stdout, stderr and any echo), `type` sends keys.
 */
export function inTerminal(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): {
  output(): string
  waitFor(text: string): Promise<void>
  type(keys: string): void
  ended: Promise<number | null>
} {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`
  const command = [process.execPath, BIN, ...args].map(quote).join(' ')
  // -e: script exits with the command's code; the typescript file is of no use here
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: options.cwd,
    env: options.env,
    stdio: 'pipe',
  })
  let output = ''
  const waiting = new Set<() => void>()
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString()
    for (const check of waiting) check()
  })
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const ended = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      child.stdin.end()
      for (const check of waiting) check()
      resolve(code)
    })
  })
  return {
    output: () => output,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) {
            waiting.delete(check)
            resolve()
          } else if (child.exitCode !== null) {
            waiting.delete(check)
            reject(new Error(`the command ended without showing "${text}":\n${output}`))
          }
        }
        waiting.add(check)
        check()
      }),
    type: (keys) => child.stdin.write(keys),
    ended,
  }
}
