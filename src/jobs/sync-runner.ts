import { SyncError } from '../core/errors.ts'
import type { Connection, OutboxStore, Run, ScheduleStore, Store } from '../storage/store.ts'
import type { Logger, SyncJob } from './job-types.ts'

/** What a worker needs of the engine (the Engine, seen through the contract it keeps). */
export interface SyncEngine {
  sync(
    connection: Connection,
    onProgress?: (p: { phase: string; done: number; total: number | null }) => void,
    options?: { incremental?: boolean },
  ): Promise<{ status: 'applied' | 'up_to_date' | 'awaiting_approval'; run: Run; planId: string }>
}

export interface SyncRunnerOptions {
  readonly engine: SyncEngine
  readonly store: Store
  readonly schedules: ScheduleStore
  readonly outbox: OutboxStore
  readonly now: () => Date
  readonly logger: Logger
  /** Failures in a row that quarantine a connection. Default 5. */
  readonly quarantineAfter?: number
}

/** How a job ended: done (whatever the run came to), or to be tried again by the queue. */
export type JobOutcome =
  | { readonly done: true; readonly state: string; readonly runId: string | null }
  | { readonly done: false; readonly error: SyncError }

const asSyncError = (error: unknown) =>
  error instanceof SyncError
    ? error
    : new SyncError('internal', error instanceof Error ? error.message : String(error), {
        cause: error,
      })

/**
 * Runs one sync job: the connection's sync (incremental or full), then its bookkeeping: failures
 * counted (a quarantine at N in a row, cleared by a success), refused credentials put the
 * connection in `needs_reauth`, a plan the guard holds waits for approval, and admins are told
 * of each once. Retryable errors go back to the queue while it has tries left; a busy connection
 * (another run holds it) always does, and is no failure of the connection.
 */
export class SyncRunner {
  readonly #o: SyncRunnerOptions

  constructor(options: SyncRunnerOptions) {
    this.#o = options
  }

  async run(
    job: SyncJob,
    attempt: { retryCount: number; retryLimit: number },
  ): Promise<JobOutcome> {
    const { store, logger } = this.#o
    const log = { connectionId: job.connectionId, kind: job.kind, attempt: attempt.retryCount }
    const connection = await store.connection(job.workspaceId, job.connectionId)
    if (!connection) return { done: true, state: 'gone', runId: null }
    if (connection.status === 'needs_reauth') {
      logger.info(log, 'skipped: the credentials need replacing')
      return { done: true, state: 'needs_reauth', runId: null }
    }
    const open = await store.openRun(connection.id)
    if (open?.state === 'awaiting_approval') {
      // a newer plan would supersede the one an admin is asked about
      logger.info({ ...log, runId: open.id }, 'skipped: a plan awaits approval')
      return { done: true, state: 'awaiting_approval', runId: open.id }
    }
    let lastPhase = ''
    let lastLogged = 0
    const onProgress = (p: { phase: string; done: number; total: number | null }) => {
      // every phase change, and at most a line a second within one
      const at = Date.now()
      if (p.phase === lastPhase && at - lastLogged < 1000) return
      lastPhase = p.phase
      lastLogged = at
      logger.info({ ...log, progress: p }, 'run progress')
    }
    try {
      logger.info(log, 'run started')
      const result = await this.#o.engine.sync(connection, onProgress, {
        incremental: job.kind === 'incremental',
      })
      const { run } = result
      const failed = run.state === 'failed'
      await this.#finished(connection, run, failed ? (run.error ?? null) : null)
      if (result.status === 'awaiting_approval') {
        await this.#notify(connection, `approval:${result.planId}`, 'approval_needed', {
          planId: result.planId,
          runId: run.id,
        })
      }
      logger.info({ ...log, runId: run.id, state: run.state, counts: run.counts }, 'run finished')
      return { done: true, state: run.state, runId: run.id }
    } catch (error) {
      const e = asSyncError(error)
      if (e.code === 'conflict' && e.retryable) {
        logger.info(log, 'connection busy: tried again later')
        return { done: false, error: e }
      }
      if (e.retryable && attempt.retryCount < attempt.retryLimit) {
        logger.warn({ ...log, code: e.code, error: e.message }, 'run failed: tried again later')
        return { done: false, error: e }
      }
      logger.error({ ...log, code: e.code, error: e.message }, 'run failed')
      const latest = await store.latestRun(connection.id)
      if (e.code === 'auth_failed') {
        await store.updateConnection(connection.workspaceId, connection.id, {
          status: 'needs_reauth',
        })
        const at = this.#o.now().toISOString()
        await this.#notify(connection, `reauth:${connection.id}:${at}`, 'credentials_invalid', {
          message: e.message,
        })
      }
      await this.#finished(connection, latest, { code: e.code, message: e.message })
      return { done: true, state: 'failed', runId: latest?.id ?? null }
    }
  }

  /** Counts the attempt (a quarantine told once), and tells of the run's end. */
  async #finished(
    connection: Connection,
    run: Run | null,
    error: { code: string; message: string } | null,
  ): Promise<void> {
    const { health, quarantined } = await this.#o.schedules.recordAttempt(
      connection.id,
      this.#o.now().toISOString(),
      error,
      this.#o.quarantineAfter ?? 5,
    )
    if (quarantined) {
      await this.#notify(
        connection,
        `quarantine:${connection.id}:${health.quarantinedAt ?? ''}`,
        'quarantined',
        { failures: health.consecutiveFailures, message: error?.message ?? '' },
      )
    }
    if (run) await this.#completed(connection, run)
  }

  /** The `run.completed` event, once per run. */
  async #completed(connection: Connection, run: Run): Promise<void> {
    await this.#o.outbox.enqueue({
      workspaceId: connection.workspaceId,
      kind: 'run.completed',
      dedupeKey: `run.completed:${run.id}:${run.state}`,
      payload: {
        runId: run.id,
        connectionId: connection.id,
        connection: connection.name,
        kind: run.kind,
        state: run.state,
        counts: run.counts,
        error: run.error,
      },
    })
  }

  async #notify(
    connection: Connection,
    dedupeKey: string,
    topic: 'approval_needed' | 'quarantined' | 'credentials_invalid',
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.#o.outbox.enqueue({
      workspaceId: connection.workspaceId,
      kind: 'notification',
      dedupeKey: `notification:${dedupeKey}`,
      payload: { topic, connectionId: connection.id, connection: connection.name, ...details },
    })
  }
}
