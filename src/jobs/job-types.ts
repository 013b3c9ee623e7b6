import type { ScheduleKind } from '../storage/store.ts'

/** The queue of sync runs: one job per run of a connection. */
export const SYNC_QUEUE = 'sync'

/** What a sync job carries. */
export interface SyncJob {
  readonly workspaceId: string
  readonly connectionId: string
  readonly kind: ScheduleKind
  /** Why it was queued: a schedule slot (its time), or by hand. */
  readonly reason: string
}

/** What the workers need of a queue (pg-boss, or anything that keeps these promises). */
export interface JobQueue {
  /** Queues a job; null when the same connection and kind has one waiting already. */
  send(job: SyncJob): Promise<string | null>
}

/** A structured logger (pino's shape); secrets never reach it. */
export interface Logger {
  info(details: Record<string, unknown>, message: string): void
  warn(details: Record<string, unknown>, message: string): void
  error(details: Record<string, unknown>, message: string): void
  debug(details: Record<string, unknown>, message: string): void
}

/** An email to send. */
export interface Mail {
  readonly to: readonly string[]
  readonly subject: string
  readonly text: string
}

export interface Mailer {
  send(mail: Mail): Promise<void>
}

/** Backoff before try `attempt` (1-based): doubling from `base`, capped, with some jitter. */
export function backoffSeconds(attempt: number, base: number, cap: number, random = Math.random) {
  const plain = Math.min(cap, base * 2 ** Math.max(0, attempt - 1))
  return Math.round(plain * (0.8 + 0.4 * random()))
}
