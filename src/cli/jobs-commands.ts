import { SyncError } from '../core/errors.ts'
import { approvePlan, rejectPlan } from '../engine/approvals.ts'
import { plural } from '../engine/engine.ts'
import type { Engine, Progress } from '../engine/engine.ts'
import { addWebhook, queueSync, resendInvitation } from '../engine/jobs-access.ts'
import type { JobsAccess } from '../engine/jobs-access.ts'
import type { Connection, Store, Workspace } from '../storage/store.ts'

/** The commands of the ongoing sync, for the help text. */
export const JOBS_HELP = `  worker                run the workers: scheduled syncs, retries, invitations, webhooks
                        (every connection of the database; DATABASE_URL for several machines)
  queue [--full]        queue a sync of the connection for the workers
  approve [PLAN]        approve a plan the safety rules hold, and apply it
  reject [PLAN] [--reason TEXT]
                        reject a held plan: nothing is applied
  schedule              the connection's schedule, next runs and health
  quarantine clear      let a quarantined connection run on its schedule again
  invite resend PERSON  send a person's invitation again
  invite list PERSON    a person's invitations and how they went
  webhooks add URL [--events KIND,…]
                        send person.created, person.updated, person.left, run.completed
  webhooks list | remove ID | deliveries ID
  notify add EMAIL | remove EMAIL | list
                        who is mailed, beside the workspace's admins, when a connection is
                        quarantined, a plan needs approval, or the credentials are refused
`

export interface JobsSession {
  readonly app: { readonly engine: Engine; readonly store: Store; readonly jobs?: JobsAccess }
  readonly workspace: Workspace
  /** The connection the config file describes, stored and up to date. */
  connection(): Promise<Connection>
  /** The stored connection of the config file, if any (nothing stored or changed). */
  existing(): Promise<Connection | null>
}

export interface JobsContext {
  readonly json: boolean
  readonly values: { readonly full?: boolean; readonly reason?: string; readonly events?: string }
  readonly print: (text: string) => void
  readonly onProgress: (p: Progress) => void
  readonly session: <T>(work: (s: JobsSession) => Promise<T>) => Promise<T>
  readonly usage: (message: string) => Error
}

function jobsOf(s: JobsSession): JobsAccess {
  if (!s.app.jobs) throw new SyncError('internal', 'this build has no workers')
  return s.app.jobs
}

/** The plan named, or the one the connection's latest run waits with. */
async function waitingPlan(s: JobsSession, given: string | undefined): Promise<string> {
  if (given !== undefined) return given
  const connection = await s.existing()
  const latest = connection ? await s.app.store.latestRun(connection.id) : null
  if (
    latest?.planId == null ||
    (latest.state !== 'awaiting_approval' && latest.state !== 'planned')
  ) {
    throw new SyncError('not_found', 'no plan waits for approval')
  }
  return latest.planId
}

/** Runs a jobs command; the exit code. */
export async function runJobsCommand(
  command: string,
  rest: readonly string[],
  ctx: JobsContext,
): Promise<number> {
  const { print, json } = ctx
  const out = (value: unknown, text: string) => {
    print(json ? JSON.stringify(value, null, 2) : text)
  }
  const [sub, ...args] = rest
  const one = (what: string) => {
    if (args.length !== 1 || args[0] === undefined)
      throw ctx.usage(`${command} ${sub ?? ''} takes ${what}`)
    return args[0]
  }
  switch (command) {
    case 'queue':
      return ctx.session(async (s) => {
        const kind = ctx.values.full === true ? 'full' : 'incremental'
        const id = await queueSync(jobsOf(s), await s.connection(), kind, 'cli')
        out(
          { jobId: id, kind },
          id === null
            ? `a ${kind} sync of this connection waits already`
            : `queued a ${kind} sync (job ${id}): a worker runs it ("hris-sync worker")`,
        )
        return 0
      })
    case 'approve':
      return ctx.session(async (s) => {
        const planId = await waitingPlan(s, sub)
        const result = await approvePlan(s.app, s.workspace.id, planId, 'cli', ctx.onProgress)
        out(
          { planId, run: result.run, counts: result.counts },
          `approved plan ${planId}: applied ${plural(result.counts.applied, 'change')}; the run ${result.run.state === 'succeeded' ? 'succeeded' : `is ${result.run.state}`}`,
        )
        return result.counts.failed + result.counts.stale > 0 ? 1 : 0
      })
    case 'reject':
      return ctx.session(async (s) => {
        const planId = await waitingPlan(s, sub)
        const run = await rejectPlan(
          s.app,
          s.workspace.id,
          planId,
          'cli',
          ctx.values.reason ?? null,
        )
        out({ planId, run }, `rejected plan ${planId}: nothing was applied`)
        return 0
      })
    case 'schedule':
      return ctx.session(async (s) => {
        const connection = await s.connection()
        const jobs = jobsOf(s)
        const [config, all, health] = await Promise.all([
          s.app.store.latestSyncConfig(connection.id),
          jobs.schedules.scheduledConnections(),
          jobs.schedules.health(connection.id),
        ])
        const slots = all.find((c) => c.connectionId === connection.id)?.slots ?? {}
        const body = { schedule: config?.schedule ?? null, slots, health }
        const lines = [
          `schedule: ${JSON.stringify(config?.schedule ?? null)}`,
          ...Object.entries(slots).map(
            ([kind, slot]) => `next ${kind}: ${slot.nextAt} (${slot.cron}, ${slot.timeZone})`,
          ),
          `status: ${health?.status ?? connection.status}${health && health.consecutiveFailures > 0 ? `, ${plural(health.consecutiveFailures, 'failure')} in a row (last: ${health.lastError?.message ?? ''})` : ''}`,
        ]
        out(body, lines.join('\n'))
        return 0
      })
    case 'quarantine':
      if (sub !== 'clear' || args.length > 0)
        throw ctx.usage('quarantine takes one subcommand: clear')
      return ctx.session(async (s) => {
        const health = await jobsOf(s).schedules.clearQuarantine((await s.connection()).id)
        out(
          { health },
          health.status === 'needs_reauth'
            ? 'the HR system refused the credentials: store new ones ("hris-sync connect") to let it run again'
            : 'cleared: the connection runs on its schedule again',
        )
        return 0
      })
    case 'invite':
      return ctx.session(async (s) => {
        const jobs = jobsOf(s)
        if (sub === 'resend') {
          const message = await resendInvitation(
            { store: s.app.store, jobs },
            s.workspace.id,
            one('a person id'),
            'cli',
          )
          out(
            { invitation: message },
            `queued a new invitation to ${String(message.payload['email'])}`,
          )
          return 0
        }
        if (sub === 'list') {
          const list = await jobs.outbox.invitations(s.workspace.id, one('a person id'))
          out(
            { invitations: list },
            list.length === 0
              ? 'no invitations'
              : list
                  .map(
                    (m) =>
                      `${m.createdAt}  ${m.status}${m.sentAt ? ` ${m.sentAt}` : ''}${m.lastError ? `  ${m.lastError}` : ''}`,
                  )
                  .join('\n'),
          )
          return 0
        }
        throw ctx.usage('invite takes a subcommand: resend or list')
      })
    case 'webhooks':
      return ctx.session(async (s) => {
        const jobs = jobsOf(s)
        const ws = s.workspace.id
        switch (sub) {
          case 'add': {
            const events = (ctx.values.events ?? '*')
              .split(',')
              .map((e) => e.trim())
              .filter(Boolean)
            const { endpoint, secret } = await addWebhook(jobs, ws, one('a URL'), events)
            out(
              { endpoint, secret },
              `added webhook ${endpoint.id} → ${endpoint.url} (${endpoint.events.join(', ')})\nsigning secret (shown once): ${secret}`,
            )
            return 0
          }
          case 'list': {
            const list = await jobs.outbox.webhooks(ws)
            out(
              { webhooks: list },
              list.length === 0
                ? 'no webhooks'
                : list.map((w) => `${w.id}  ${w.url}  ${w.events.join(',')}`).join('\n'),
            )
            return 0
          }
          case 'remove': {
            if (!(await jobs.outbox.deleteWebhook(ws, one('an id'))))
              throw new SyncError('not_found', `webhook ${args[0] ?? ''} not found`)
            out({ removed: args[0] }, `removed webhook ${args[0] ?? ''}`)
            return 0
          }
          case 'deliveries': {
            const list = await jobs.outbox.deliveries(ws, one('an id'), 50)
            out(
              { deliveries: list },
              list.length === 0
                ? 'no deliveries yet'
                : list
                    .map(
                      (d) =>
                        `${d.createdAt}  ${d.kind}  ${d.status}  tries ${String(d.attempts)}${d.responseStatus === null ? '' : `  HTTP ${String(d.responseStatus)}`}${d.lastError ? `  ${d.lastError}` : ''}${d.nextAttemptAt === null ? '' : `  next try ${d.nextAttemptAt}`}`,
                    )
                    .join('\n'),
            )
            return 0
          }
          default:
            throw ctx.usage('webhooks takes a subcommand: add, list, remove or deliveries')
        }
      })
    case 'notify':
      return ctx.session(async (s) => {
        const outbox = jobsOf(s).outbox
        const ws = s.workspace.id
        if (sub === 'add') await outbox.addRecipient(ws, one('an email'))
        else if (sub === 'remove') {
          if (!(await outbox.removeRecipient(ws, one('an email'))))
            throw new SyncError('not_found', `${args[0] ?? ''} is not notified`)
        } else if (sub !== 'list') throw ctx.usage('notify takes a subcommand: add, remove or list')
        const [extra, all] = await Promise.all([outbox.extraRecipients(ws), outbox.recipients(ws)])
        const admins = all.filter((e) => !extra.includes(e))
        out(
          { recipients: extra, notified: all },
          all.length === 0
            ? 'nobody is notified (the workspace has no admin in the console, and nobody was added)'
            : [...admins.map((e) => `${e}  (admin)`), ...extra].join('\n'),
        )
        return 0
      })
    default:
      throw ctx.usage(`unknown command "${command}"`)
  }
}
