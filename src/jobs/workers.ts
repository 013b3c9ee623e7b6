import PgBoss from 'pg-boss'

import { SyncError } from '../core/errors.ts'
import type { Deliverer } from './deliverer.ts'
import { SYNC_QUEUE } from './job-types.ts'
import type { JobQueue, Logger, SyncJob } from './job-types.ts'
import type { Scheduler } from './scheduler.ts'
import type { JobOutcome, SyncRunner } from './sync-runner.ts'

/** How a job leaves the queue: complete (what it came to is kept), or failed to be tried again. */
export type JobEnd =
  | { readonly complete: true; readonly output: Readonly<Record<string, unknown>> }
  | {
      readonly complete: false
      readonly error: { readonly code: string; readonly message: string }
    }

/**
 * How a job ends, from what the runner answered or threw. A run that came to an end is complete
 * whatever its state, and one the runner sends back is tried again (pg-boss, with backoff, while
 * it has tries). A thrown error is tried again when it may pass (retryable, or not a SyncError:
 * a database that went away for a moment); a SyncError that is not retryable ends the job, since
 * trying again cannot help.
 */
export function jobEnd(result: { outcome: JobOutcome } | { thrown: unknown }): JobEnd {
  if ('outcome' in result) {
    const { outcome } = result
    return outcome.done
      ? { complete: true, output: { ...outcome } }
      : {
          complete: false,
          error: { code: outcome.error.code, message: outcome.error.message },
        }
  }
  const { thrown } = result
  if (thrown instanceof SyncError && !thrown.retryable) {
    return {
      complete: true,
      output: {
        done: true,
        state: 'failed',
        error: { code: thrown.code, message: thrown.message },
      },
    }
  }
  return {
    complete: false,
    error: {
      code: thrown instanceof SyncError ? thrown.code : 'internal',
      message: thrown instanceof Error ? thrown.message : String(thrown),
    },
  }
}

/** What pg-boss is given as its database: the project's handle (see storage/job-queue-db.ts). */
export interface QueueDatabase {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}

export interface QueueOptions {
  readonly db: QueueDatabase
  /** pg-boss's own schema, apart from ours. */
  readonly schema: string
  /** A run still active after this is taken for dead and tried again elsewhere. Default 1800. */
  readonly jobTimeoutSeconds?: number
  /** Tries after the first, for retryable errors. Default 4. */
  readonly retryLimit?: number
  /** The first retry's delay, doubling after. Default 15. */
  readonly retryDelaySeconds?: number
  /** Checks for jobs past their timeout this often. Default: a quarter of the timeout, at most 60 s. */
  readonly maintenanceSeconds?: number
  readonly logger: Logger
}

/**
 * The sync queue on pg-boss: one job per run; a `stately` queue keyed by connection and kind keeps
 * at most one waiting and one active (and the connection lock keeps a full and an incremental run
 * from running at once). Retries back off (pg-boss doubles the delay).
 */
export async function openQueue(
  options: QueueOptions & { supervise?: boolean },
): Promise<JobQueue & { boss: PgBoss; close(): Promise<void> }> {
  const timeout = options.jobTimeoutSeconds ?? 1800
  const boss = new PgBoss({
    db: options.db,
    schema: options.schema,
    supervise: options.supervise ?? false,
    schedule: false,
    maintenanceIntervalSeconds:
      options.maintenanceSeconds ?? Math.max(1, Math.min(60, Math.floor(timeout / 4))),
  })
  boss.on('error', (error: unknown) => {
    options.logger.error({ error: String(error) }, 'job queue error')
  })
  await boss.start()
  const settings = {
    retryLimit: options.retryLimit ?? 4,
    retryDelay: options.retryDelaySeconds ?? 15,
    retryBackoff: true,
    expireInSeconds: timeout,
  }
  await boss.createQueue(SYNC_QUEUE, { name: SYNC_QUEUE, policy: 'stately', ...settings })
  return {
    boss,
    async send(job: SyncJob) {
      // a job keeps the settings it was sent with
      return boss.send(
        SYNC_QUEUE,
        { ...job },
        { singletonKey: `${job.connectionId}:${job.kind}`, ...settings },
      )
    },
    async close() {
      await boss.stop({ graceful: false, close: false, wait: true })
    },
  }
}

export interface WorkersOptions extends QueueOptions {
  readonly runner: SyncRunner
  readonly scheduler: Scheduler | null
  readonly deliverer: Deliverer | null
  /** Runs at once in this process. Default 2. */
  readonly concurrency?: number
  /** How often an idle worker looks for a job, in ms. Default 1000. */
  readonly pollMs?: number
  /**
   * The longest the scheduler waits between ticks, in ms. Default 30,000. It ticks sooner when
   * the last tick knew of a slot coming due before then, at its time: a schedule edited meanwhile
   * is seen at the next tick.
   */
  readonly tickMs?: number
  /** How often the outbox is delivered, in ms. Default 2,000. */
  readonly deliverMs?: number
}

/** How long after a slot's time the scheduler ticks for it. */
const SLOT_MARGIN_MS = 50

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })

/**
 * The workers of one process: `concurrency` loops taking sync jobs, the scheduler's tick and the
 * outbox's deliveries. Any number of processes share the queue (PostgreSQL); `stop` lets the
 * runs in progress finish.
 */
export class Workers {
  readonly #o: WorkersOptions
  readonly #queue: Awaited<ReturnType<typeof openQueue>>
  readonly #stop = new AbortController()
  readonly #loops: Promise<void>[] = []
  #wake: (() => void) | null = null

  private constructor(options: WorkersOptions, queue: Awaited<ReturnType<typeof openQueue>>) {
    this.#o = options
    this.#queue = queue
  }

  static async start(options: WorkersOptions): Promise<Workers> {
    const queue = await openQueue({ ...options, supervise: true })
    const workers = new Workers(options, queue)
    workers.#begin()
    return workers
  }

  get queue(): JobQueue {
    return this.#queue
  }

  #begin() {
    const { concurrency = 2, tickMs = 30_000, deliverMs = 2000 } = this.#o
    for (let i = 0; i < concurrency; i++) this.#loops.push(this.#work())
    const scheduler = this.#o.scheduler
    if (scheduler) {
      let wait = tickMs
      this.#loops.push(
        this.#every(
          () => wait,
          async () => {
            const { nextDueInMs } = await scheduler.tick()
            // a little after the slot, so its time has come on every clock that claims it
            wait = nextDueInMs === null ? tickMs : Math.min(tickMs, nextDueInMs + SLOT_MARGIN_MS)
          },
          'schedule tick',
        ),
      )
    }
    const deliverer = this.#o.deliverer
    if (deliverer) {
      this.#loops.push(
        this.#every(
          deliverMs,
          async () => {
            // a full pass may leave more behind: go on while there is work
            while (!this.#stop.signal.aborted) {
              const done = await deliverer.deliver()
              if (done.messages + done.webhooks === 0) break
            }
          },
          'delivery',
          (wake) => (this.#wake = wake),
        ),
      )
    }
  }

  async #every(
    ms: number | (() => number),
    task: () => Promise<unknown>,
    name: string,
    onWake?: (wake: () => void) => void,
  ) {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      try {
        await task()
      } catch (error) {
        this.#o.logger.error({ error: String(error) }, `${name} failed`)
      }
      const early = new AbortController()
      onWake?.(() => {
        early.abort()
      })
      await sleep(typeof ms === 'number' ? ms : ms(), AbortSignal.any([signal, early.signal]))
    }
  }

  async #work() {
    const { boss } = this.#queue
    const signal = this.#stop.signal
    while (!signal.aborted) {
      let jobs: PgBoss.JobWithMetadata<SyncJob>[] = []
      try {
        jobs = await boss.fetch<SyncJob>(SYNC_QUEUE, { includeMetadata: true, batchSize: 1 })
      } catch (error) {
        this.#o.logger.error({ error: String(error) }, 'fetching a job failed')
      }
      const [job] = jobs
      if (!job) {
        await sleep(this.#o.pollMs ?? 1000, signal)
        continue
      }
      let end: JobEnd
      try {
        end = jobEnd({ outcome: await this.#o.runner.run(job.data, job) })
      } catch (error) {
        end = jobEnd({ thrown: error })
        this.#o.logger.error(
          { jobId: job.id, error: String(error), retried: !end.complete },
          'job failed',
        )
      }
      try {
        if (end.complete) await boss.complete(SYNC_QUEUE, job.id, { ...end.output })
        else await boss.fail(SYNC_QUEUE, job.id, { ...end.error })
      } catch (error) {
        // the job times out and is tried again: a run is never lost
        this.#o.logger.error({ jobId: job.id, error: String(error) }, 'ending a job failed')
      }
      // what the run queued goes out now rather than at the next pass
      this.#wake?.()
    }
  }

  /** Lets the runs in progress finish, then stops. */
  async stop(): Promise<void> {
    this.#stop.abort()
    await Promise.all(this.#loops)
    await this.#queue.close()
  }
}
