import { describe, expect, it } from 'vitest'

import type {
  ScheduleKind,
  ScheduleSlot,
  ScheduleStore,
  ScheduledConnection,
} from '../storage/store.ts'
import { nextCronTime } from './cron-next.ts'
import type { JobQueue, Logger, SyncJob } from './job-types.ts'
import { Scheduler } from './scheduler.ts'

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} }

/** Schedule state in memory; a claim is a compare-and-set, as the SQL one is. */
function memorySchedules(connections: number, schedule: unknown): ScheduleStore {
  const slots = new Map<string, ScheduleSlot>()
  const ids = Array.from({ length: connections }, (_, i) => `c${String(i)}`)
  const store: Partial<ScheduleStore> = {
    scheduledConnections: () =>
      Promise.resolve(
        ids.map((id): ScheduledConnection => ({
          connectionId: id,
          workspaceId: `w-${id}`,
          status: 'active',
          consecutiveFailures: 0,
          quarantinedAt: null,
          lastAttemptAt: null,
          lastError: null,
          schedule,
          timeZone: null,
          slots: Object.fromEntries(
            (['incremental', 'full'] as const).flatMap((k) => {
              const slot = slots.get(`${id}:${k}`)
              return slot ? [[k, slot]] : []
            }),
          ),
        })),
      ),
    setSlot(id: string, kind: ScheduleKind, slot: ScheduleSlot) {
      slots.set(`${id}:${kind}`, slot)
      return Promise.resolve()
    },
    claimSlot(id: string, kind: ScheduleKind, due: string, next: string) {
      const slot = slots.get(`${id}:${kind}`)
      if (slot?.nextAt !== due) return Promise.resolve(false)
      slots.set(`${id}:${kind}`, { ...slot, nextAt: next })
      return Promise.resolve(true)
    },
  }
  return store as ScheduleStore
}

function queue(): JobQueue & { jobs: SyncJob[] } {
  const jobs: SyncJob[] = []
  return {
    jobs,
    send(job) {
      jobs.push(job)
      return Promise.resolve(String(jobs.length))
    },
  }
}

describe('the scheduler', () => {
  const schedule = { enabled: true, incremental: '*/15 * * * *', full: '0 3 * * *' }

  it('queues each slot once as it comes due, however many processes tick at once', async () => {
    let clock = new Date('2026-03-02T08:01:00Z')
    const schedules = memorySchedules(50, schedule)
    const q = queue()
    const ticking = Array.from(
      { length: 3 },
      () => new Scheduler({ schedules, queue: q, now: () => clock, logger: quiet }),
    )
    // a new schedule starts at its next time, not at once
    await Promise.all(ticking.map((s) => s.tick()))
    expect(q.jobs).toEqual([])
    clock = new Date('2026-03-02T08:15:00Z')
    await Promise.all(ticking.map((s) => s.tick()))
    await Promise.all(ticking.map((s) => s.tick()))
    expect(q.jobs).toHaveLength(50)
    expect(new Set(q.jobs.map((j) => j.connectionId)).size).toBe(50)
    expect(q.jobs.every((j) => j.kind === 'incremental')).toBe(true)
  })

  it('works out no next time for a slot that is not due', async () => {
    let clock = new Date('2026-03-02T08:01:00Z')
    let computed = 0
    const scheduler = new Scheduler({
      schedules: memorySchedules(200, schedule),
      queue: queue(),
      now: () => clock,
      logger: quiet,
      nextTime: (cron, after, timeZone) => {
        computed++
        return nextCronTime(cron, after, timeZone)
      },
    })
    await scheduler.tick()
    // the first tick sets every slot
    expect(computed).toBe(400)
    computed = 0
    clock = new Date('2026-03-02T08:05:00Z')
    await scheduler.tick()
    expect(computed).toBe(0)
    // when the incremental slots come due, their next times only
    clock = new Date('2026-03-02T08:15:00Z')
    await scheduler.tick()
    expect(computed).toBe(200)
  })

  it('says when the next slot it knows of comes due, so a process ticks then', async () => {
    let clock = new Date('2026-03-02T08:01:00Z')
    const scheduler = new Scheduler({
      schedules: memorySchedules(3, schedule),
      queue: queue(),
      now: () => clock,
      logger: quiet,
    })
    // set at the first tick: the next quarter hour, 08:15
    expect((await scheduler.tick()).nextDueInMs).toBe(14 * 60_000)
    clock = new Date('2026-03-02T08:14:59.500Z')
    expect((await scheduler.tick()).nextDueInMs).toBe(500)
    // queued at 08:15, and moved on to 08:30
    clock = new Date('2026-03-02T08:15:00.020Z')
    const due = await scheduler.tick()
    expect(due.queued).toHaveLength(3)
    expect(due.nextDueInMs).toBe(15 * 60_000 - 20)
    // no schedule on: nothing to wait for
    const off = new Scheduler({
      schedules: memorySchedules(3, { ...schedule, enabled: false }),
      queue: queue(),
      now: () => clock,
      logger: quiet,
    })
    expect((await off.tick()).nextDueInMs).toBeNull()
  })
})
