// The processes of the scale benchmark: simulator processes (bench/scale-sims.ts, many companies
// each), `hris-sync worker` processes, and a PostgreSQL database of its own.
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'

import pg from 'pg'

import type { ScaleCompany } from './scale-sims.ts'

const SIMS = path.join(import.meta.dirname, 'scale-sims.ts')
const BIN = path.join(import.meta.dirname, '..', 'bin', 'hris-sync.js')

/** Resolves when the child has exited (at once if it has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else
      child.once('close', () => {
        resolve()
      })
  })

/** Calls `each` with every line the stream writes. */
function lines(stream: NodeJS.ReadableStream | null, each: (line: string) => void) {
  let buffer = ''
  stream?.on('data', (d: Buffer) => {
    buffer += d.toString()
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    for (const line of parts) each(line)
  })
}

export interface Simulators {
  /** Company i is workspace i's Personio. */
  readonly companies: readonly ScaleCompany[]
  readonly pids: readonly number[]
  stop(): Promise<void>
}

/**
 * `companies` Personio companies of `employees` each, spread over `processes` simulator
 * processes, with Personio's documented rate limits and `latencyMs` on every request.
 */
export async function startSimulators(options: {
  companies: number
  processes: number
  employees: number
  latencyMs: number
}): Promise<Simulators> {
  const per = Math.ceil(options.companies / Math.max(1, options.processes))
  const started: Promise<{ child: ChildProcess; companies: ScaleCompany[] }>[] = []
  for (let first = 0; first < options.companies; first += per) {
    const args = [
      SIMS,
      ...['--companies', String(Math.min(per, options.companies - first))],
      ...['--first', String(first)],
      ...['--employees', String(options.employees)],
      ...['--latency', String(options.latencyMs)],
    ]
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] })
    started.push(
      new Promise((resolve, reject) => {
        lines(child.stdout, (line) => {
          if (line.startsWith('{')) {
            resolve({
              child,
              companies: (JSON.parse(line) as { companies: ScaleCompany[] }).companies,
            })
          }
        })
        child.once('exit', (code) => {
          reject(new Error(`a simulator process stopped (${String(code)})`))
        })
      }),
    )
  }
  const all = await Promise.all(started)
  return {
    companies: all.flatMap((s) => s.companies),
    pids: all.map((s) => s.child.pid ?? 0),
    async stop() {
      for (const { child } of all) child.stdin?.end()
      await Promise.all(all.map((s) => exited(s.child)))
    },
  }
}

/** A `hris-sync worker` process, and what its log said. */
export interface WorkerProcess {
  readonly pid: number
  /** "run finished" lines so far. */
  readonly runsFinished: () => number
  /** Its error lines (pino level ≥ 50) and anything on stderr, the last 20. */
  readonly errors: () => readonly string[]
  /** SIGTERM: the runs in progress finish first. */
  stop(): Promise<void>
}

/**
 * Starts `hris-sync worker` with these settings and waits until it says its workers started;
 * with `logTo`, its log is also written to that file.
 */
export async function startWorker(env: Record<string, string>, cwd: string, logTo?: string) {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (logTo !== undefined) child.stdout.pipe(createWriteStream(logTo, { flags: 'a' }))
  let finished = 0
  const errors: string[] = []
  const keep = (line: string) => {
    errors.push(line)
    if (errors.length > 20) errors.shift()
  }
  await new Promise<void>((resolve, reject) => {
    lines(child.stdout, (line) => {
      let entry: { msg?: unknown; level?: unknown }
      try {
        entry = JSON.parse(line) as typeof entry
      } catch {
        return
      }
      if (entry.msg === 'workers started') resolve()
      if (entry.msg === 'run finished') finished++
      if (typeof entry.level === 'number' && entry.level >= 50) keep(line)
    })
    lines(child.stderr, keep)
    child.once('exit', (code) => {
      reject(new Error(`a worker stopped (${String(code)}): ${errors.join('\n')}`))
    })
  })
  return {
    pid: child.pid ?? 0,
    runsFinished: () => finished,
    errors: () => errors,
    async stop() {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      await exited(child)
      clearTimeout(killer)
    },
  } satisfies WorkerProcess
}

/**
 * A database of its own on the server of `baseUrl`, dropped by `drop`. With `logSlowMs`, its
 * statements slower than that go to the server's log (for this database only).
 */
export async function freshDatabase(baseUrl: string, name: string, logSlowMs?: number) {
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  await run(`drop database if exists ${name} with (force)`)
  await run(`create database ${name}`)
  if (logSlowMs !== undefined) {
    await run(`alter database ${name} set log_min_duration_statement = ${String(logSlowMs)}`)
  }
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => run(`drop database if exists ${name} with (force)`),
  }
}
