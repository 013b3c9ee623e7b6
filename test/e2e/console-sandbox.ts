import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'

const MAIN = path.resolve(import.meta.dirname, '../../src/main.ts')

/** `npm start` as a newcomer runs it, in `dir`; resolves once it printed its help. */
export interface Sandbox {
  readonly said: () => string
  /** The console's address, when it serves one. */
  readonly consoleUrl: string | null
  readonly simUrl: string
  readonly clientId: string | null
  readonly clientSecret: string | null
  stop(): Promise<void>
}

export async function startSandbox(
  dir: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): Promise<Sandbox> {
  const child: ChildProcess = spawn(process.execPath, [MAIN, 'sandbox', ...args], {
    cwd: dir,
    // port 0: any free one, so tests never collide with a sandbox someone runs
    env: { HRIS_SYNC_SANDBOX_PORT: '0', PORT: '0', ...env },
    stdio: 'pipe',
  })
  // the test process ending for any reason ends the sandbox too
  const orphan = () => child.kill('SIGKILL')
  process.on('exit', orphan)
  let said = ''
  child.stderr?.on('data', (d: Buffer) => (said += d.toString()))
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      said += d.toString()
      if (said.includes('Ctrl+C')) resolve()
    })
    child.on('exit', (code) => {
      reject(new Error(`the sandbox stopped (${String(code)}): ${said}`))
    })
  })
  const find = (re: RegExp) => re.exec(said)?.[1] ?? null
  const simUrl = find(/employees at (http:\/\/127\.0\.0\.1:\d+)/)
  if (simUrl === null) throw new Error(`no simulator URL in: ${said}`)
  return {
    said: () => said,
    consoleUrl: find(/The console: (http:\/\/\S+)/),
    simUrl,
    clientId: find(/Client ID\s+(\S+)/),
    clientSecret: find(/Client secret\s+(\S+)/),
    stop: async () => {
      if (child.exitCode !== null) return
      const stopped = new Promise((resolve) => child.on('exit', resolve))
      child.kill('SIGINT')
      // a slow machine may take a while to close the database; never leave it running
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
      await stopped
      clearTimeout(timer)
      process.off('exit', orphan)
    },
  }
}
