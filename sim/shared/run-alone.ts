// What a simulator's `main.ts` (run alone, until killed) and whoever starts one in a process of
// its own share.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

/** A command-line value that must be a whole number; anything else ends the process (exit 2). */
export const wholeNumber = (name: string, text: string): number => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} takes a whole number, not "${text}"\n`)
    process.exit(2)
  }
  return n
}

/** A seed as given: a number when it is one. */
export const seedArg = (text: string): number | string => (/^\d+$/.test(text) ? Number(text) : text)

/** Closes the simulator on Ctrl+C or SIGTERM, then exits. */
export const stopOnSignal = (close: () => Promise<void>): void => {
  const stop = () => {
    void close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

/** A simulator started in a process of its own, once it printed `ready` (a line label). */
export interface SimProcess {
  readonly child: ChildProcess
  /** The value printed after `label:` ("BambooHR simulator: http://…" → the URL). */
  field(label: string): string
  /** Ends the process. */
  stop(): void
}

/** Runs a simulator's `main.ts` with Node (the one running this) and waits for `ready:`. */
export const spawnSimulator = async (
  main: string,
  args: readonly string[],
  ready: string,
): Promise<SimProcess> => {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes(`${ready}:`)) resolve()
    })
    child.once('exit', (code) => {
      reject(new Error(`the simulator stopped (${String(code)}): ${out}`))
    })
  })
  return {
    child,
    field: (label) => new RegExp(`${label}:\\s+(\\S+)`).exec(out)?.[1] ?? '',
    stop: () => {
      child.kill()
    },
  }
}

/** The options every simulator's command line takes (parseArgs form). */
export const SIM_ARGS = {
  employees: { type: 'string', default: '50' },
  port: { type: 'string', default: '0' },
  seed: { type: 'string', default: '1' },
  latency: { type: 'string', default: '0' },
  'no-rate-limit': { type: 'boolean', default: false },
} as const
