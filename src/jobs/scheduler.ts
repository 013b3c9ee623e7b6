import { z } from 'zod'

import type { ScheduleKind, ScheduleStore, ScheduledConnection } from '../storage/store.ts'
import { nextCronTime } from './cron-next.ts'
import type { JobQueue, Logger } from './job-types.ts'

/** A schedule as stored with a sync config (the config file's `schedule`, already checked). */
const StoredSchedule = z.object({
  enabled: z.boolean().default(false),
  incremental: z.string().default('*/15 * * * *'),
  full: z.string().default('0 3 * * *'),
})

export interface SchedulerOptions {
  readonly schedules: ScheduleStore
  readonly queue: JobQueue
  readonly now: () => Date
  readonly logger: Logger
  /** A quarantined connection runs at most this often, whatever its schedule. Default 60. */
  readonly quarantineEveryMinutes?: number
  /** The next time a cron names (tests count the calls). Default `nextCronTime`. */
  readonly nextTime?: (cron: string, after: Date, timeZone: string) => Date
}

export interface TickResult {
  /** The jobs queued by this tick, as `connectionId:kind`. */
  readonly queued: string[]
  /** Slots that came due but were not queued, with why. */
  readonly held: { readonly slot: string; readonly why: string }[]
  /**
   * How long until the next slot this tick knows of comes due (0 when one is due already), or
   * null when no schedule is on: a process ticks again then rather than at its next round.
   */
  readonly nextDueInMs: number | null
}

/**
 * Decides what is due. Each connection has two slots (incremental, full), each with its cron in
 * the sync config's time zone; a tick queues the slots that came due. Any number of processes may
 * tick: a slot is claimed (moved on to its next time) in one statement, so one of them queues it.
 * A slot missed while nothing ticked is queued once, not once per missed time.
 */
export class Scheduler {
  readonly #o: SchedulerOptions

  constructor(options: SchedulerOptions) {
    this.#o = options
  }

  async tick(): Promise<TickResult> {
    const now = this.#o.now()
    const queued: string[] = []
    const held: { slot: string; why: string }[] = []
    let earliest = Infinity
    const comesDue = (at: string | Date) => {
      earliest = Math.min(earliest, typeof at === 'string' ? Date.parse(at) : at.getTime())
    }
    for (const c of await this.#o.schedules.scheduledConnections()) {
      const parsed = StoredSchedule.safeParse(c.schedule ?? {})
      if (!parsed.success || !parsed.data.enabled) continue
      const timeZone = c.timeZone ?? 'UTC'
      const due: ScheduleKind[] = []
      for (const kind of ['full', 'incremental'] as const) {
        const cron = parsed.data[kind]
        const slot = c.slots[kind]
        const kept = slot !== undefined && slot.cron === cron && slot.timeZone === timeZone
        // most slots are not due at a tick: nothing to work out (a cron's next time is costly)
        if (kept && Date.parse(slot.nextAt) > now.getTime()) {
          comesDue(slot.nextAt)
          continue
        }
        let next: Date
        try {
          next = (this.#o.nextTime ?? nextCronTime)(cron, now, timeZone)
        } catch (error) {
          this.#o.logger.warn(
            { connectionId: c.connectionId, kind, cron, error: String(error) },
            'schedule not understood',
          )
          continue
        }
        // claimed here or by another process, the slot moves on to its next time
        comesDue(next)
        if (!kept) {
          // a new or edited schedule starts at its next time, not at once
          await this.#o.schedules.setSlot(c.connectionId, kind, {
            cron,
            timeZone,
            nextAt: next.toISOString(),
          })
          continue
        }
        if (
          await this.#o.schedules.claimSlot(c.connectionId, kind, slot.nextAt, next.toISOString())
        )
          due.push(kind)
      }
      // a full read covers an incremental one due at the same time
      const kind = due.includes('full') ? 'full' : due[0]
      if (kind === undefined) continue
      const why = this.#holdReason(c, now)
      const name = `${c.connectionId}:${kind}`
      if (why !== null) {
        held.push({ slot: name, why })
        continue
      }
      const id = await this.#o.queue.send({
        workspaceId: c.workspaceId,
        connectionId: c.connectionId,
        kind,
        reason: 'schedule',
      })
      if (id === null) held.push({ slot: name, why: 'a run of this kind is waiting already' })
      else queued.push(name)
    }
    const nextDueInMs = Number.isFinite(earliest)
      ? Math.max(0, earliest - this.#o.now().getTime())
      : null
    return { queued, held, nextDueInMs }
  }

  /** Why a due slot is not queued: credentials to replace, or a quarantine slowing it down. */
  #holdReason(c: ScheduledConnection, now: Date): string | null {
    if (c.status === 'needs_reauth') return 'the credentials were refused: replace them'
    if (c.status === 'quarantined' && c.lastAttemptAt !== null) {
      const every = (this.#o.quarantineEveryMinutes ?? 60) * 60_000
      if (now.getTime() - Date.parse(c.lastAttemptAt) < every) return 'quarantined: runs slowed'
    }
    return null
  }
}
