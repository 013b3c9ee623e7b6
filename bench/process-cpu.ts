// CPU time from /proc (Linux): of a process, and of the whole machine. Elsewhere every figure
// is null and the benchmarks say "not measured".
import { readFileSync } from 'node:fs'

// /proc counts in clock ticks: USER_HZ, 100 on every Linux a benchmark runs on
const TICKS_PER_SECOND = 100

/** User + system CPU seconds a process has used so far; null when it is gone (or not Linux). */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
    // the command name is in parentheses and may hold spaces: the fields start after it
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return null
  }
}

/** The machine's busy and total CPU seconds so far, all cores together (from /proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
    const [, ...ticks] = line.trim().split(/\s+/)
    const n = ticks.map(Number)
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0)
    // idle and iowait are the 4th and 5th
    const idle = (n[3] ?? 0) + (n[4] ?? 0)
    return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND }
  } catch {
    return null
  }
}

/** The 1-minute load average, as `uptime` shows it. */
export function loadAverage(): number | null {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  } catch {
    return null
  }
}

/**
 * Adds up the CPU of a changing set of processes (a database's backends come and go): each pid's
 * time is sampled; a process that ended keeps what it was last seen to use.
 */
export class CpuMeter {
  readonly #start = new Map<number, number>()
  readonly #last = new Map<number, number>()

  /** Samples these pids now; a pid seen for the first time counts from now. */
  sample(pids: Iterable<number>): void {
    for (const pid of pids) {
      const seconds = processCpuSeconds(pid)
      if (seconds === null) continue
      if (!this.#start.has(pid)) this.#start.set(pid, seconds)
      this.#last.set(pid, seconds)
    }
  }

  /** CPU seconds used by the sampled processes since each was first seen. */
  seconds(): number {
    let sum = 0
    for (const [pid, last] of this.#last) sum += last - (this.#start.get(pid) ?? last)
    return sum
  }
}
