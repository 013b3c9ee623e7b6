import { z } from 'zod'

import { SyncError, formatPath, issuesFromZod } from '../core/errors.ts'

/** The settings of `hris-sync worker` (and the workers of `serve`), from the environment. */
export interface WorkerEnv {
  /** `SMTP_URL` (`smtp://user:pass@host:587`); null: no mail (invitations wait). */
  readonly smtpUrl: string | null
  /** `HRIS_SYNC_MAIL_FROM`, default `hris-sync@localhost`. */
  readonly mailFrom: string
  /** `HRIS_SYNC_APP_URL`: the console's address, for links in mails. */
  readonly appUrl: string | null
  /** `HRIS_SYNC_WORKER_CONCURRENCY`: runs at once per process, default 2. */
  readonly concurrency: number
  /** `HRIS_SYNC_JOB_TIMEOUT_SECONDS`: a run active longer is taken for dead, default 1800. */
  readonly jobTimeoutSeconds: number
  /** `HRIS_SYNC_RETRY_DELAY_SECONDS`: the first retry's delay (then doubling), default 15. */
  readonly retryDelaySeconds: number
  /** `HRIS_SYNC_QUARANTINE_AFTER`: failures in a row that quarantine a connection, default 5. */
  readonly quarantineAfter: number
  /** `HRIS_SYNC_TICK_SECONDS`: how often schedules are checked, default 30. */
  readonly tickSeconds: number
}

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())
const whole = (min: number) => optional(z.coerce.number().int().min(min))

const Schema = z.object({
  SMTP_URL: optional(
    z
      .string()
      .refine((t) => /^smtps?:\/\//.test(t), { message: 'must be an smtp:// or smtps:// URL' }),
  ),
  HRIS_SYNC_MAIL_FROM: optional(z.string()),
  HRIS_SYNC_APP_URL: optional(z.url()),
  HRIS_SYNC_WORKER_CONCURRENCY: whole(1),
  HRIS_SYNC_JOB_TIMEOUT_SECONDS: whole(5),
  HRIS_SYNC_RETRY_DELAY_SECONDS: whole(0),
  HRIS_SYNC_QUARANTINE_AFTER: whole(1),
  HRIS_SYNC_TICK_SECONDS: whole(1),
})

/** Parses the worker settings; an invalid one throws naming the variable, never its value. */
export function loadWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnv {
  const parsed = Schema.safeParse(env)
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error).map((i) => ({
      ...i,
      message: `${formatPath(i.path)} ${i.message}`,
    }))
    throw new SyncError(
      'invalid_config',
      `invalid environment: ${issues.map((i) => i.message).join('; ')}`,
      { issues },
    )
  }
  const e = parsed.data
  return Object.freeze({
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.HRIS_SYNC_MAIL_FROM ?? 'hris-sync@localhost',
    appUrl: e.HRIS_SYNC_APP_URL ?? null,
    concurrency: e.HRIS_SYNC_WORKER_CONCURRENCY ?? 2,
    jobTimeoutSeconds: e.HRIS_SYNC_JOB_TIMEOUT_SECONDS ?? 1800,
    retryDelaySeconds: e.HRIS_SYNC_RETRY_DELAY_SECONDS ?? 15,
    quarantineAfter: e.HRIS_SYNC_QUARANTINE_AFTER ?? 5,
    tickSeconds: e.HRIS_SYNC_TICK_SECONDS ?? 30,
  })
}
