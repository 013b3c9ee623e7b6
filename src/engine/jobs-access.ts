import { randomUUID } from 'node:crypto'

import { SyncError } from '../core/errors.ts'
import { checkWebhookUrl } from '../core/net/webhook-url.ts'
import type { WebhookPolicy } from '../core/net/webhook-url.ts'
import type {
  Connection,
  OutboxMessage,
  OutboxStore,
  ScheduleKind,
  ScheduleStore,
  Store,
  WebhookEndpoint,
} from '../storage/store.ts'

/**
 * What the CLI and the HTTP API need of the ongoing sync (given by the composition root): the
 * schedule and outbox stores, the vault for webhook secrets, and the sync queue.
 */
export interface JobsAccess {
  readonly schedules: ScheduleStore
  readonly outbox: OutboxStore
  readonly vault: {
    seal(plaintext: string, context: string): string
  }
  /** Whether webhooks may go to http:// and private addresses; default not. */
  readonly webhookPolicy?: WebhookPolicy
  /** The first time after `after` that a five-field cron names, in `timeZone`. */
  nextTime(cron: string, after: Date, timeZone: string): Date
  /** Queues a sync for the workers; null when one of that kind waits already. */
  enqueue(job: {
    workspaceId: string
    connectionId: string
    kind: ScheduleKind
    reason: string
  }): Promise<string | null>
}

/** The event kinds a webhook may ask for (`*`: all). */
export const WEBHOOK_EVENT_KINDS = [
  'person.created',
  'person.updated',
  'person.left',
  'run.completed',
] as const

/** A new invitation for a person who has an email (the old one may have failed or been lost). */
export async function resendInvitation(
  deps: { store: Store; jobs: JobsAccess },
  workspaceId: string,
  personId: string,
  actor: string,
): Promise<OutboxMessage> {
  let person = null
  for await (const p of deps.store.listPeople(workspaceId)) {
    if (p.id === personId) {
      person = p
      break
    }
  }
  if (!person) throw new SyncError('not_found', `person ${personId} not found`)
  if (person.status === 'leaver') {
    throw new SyncError('invalid_input', `person ${personId} has left: no invitation`)
  }
  const email = person.fields['email']
  if (typeof email !== 'string' || email === '') {
    throw new SyncError('invalid_input', `person ${personId} has no email to invite`)
  }
  const dedupeKey = `invitation:${personId}:resend:${randomUUID()}`
  await deps.jobs.outbox.enqueue({
    workspaceId,
    kind: 'invitation',
    dedupeKey,
    payload: { personId, identifier: person.identifier, email, resentBy: actor },
  })
  await deps.jobs.outbox.setInviteStatus(workspaceId, personId, 'pending')
  await deps.store.audit([
    {
      workspaceId,
      actor,
      action: 'invitation.resent',
      entityType: 'person',
      entityId: personId,
      details: { email },
    },
  ])
  const [latest] = await deps.jobs.outbox.invitations(workspaceId, personId)
  if (!latest) throw new SyncError('internal', 'the invitation was not queued')
  return latest
}

/**
 * Adds a webhook endpoint; its signing secret is returned this once, and stored sealed. The URL
 * is checked by `checkWebhookUrl` under the jobs' webhook policy (a refusal names `url`).
 */
export async function addWebhook(
  jobs: Pick<JobsAccess, 'outbox' | 'vault' | 'webhookPolicy'>,
  workspaceId: string,
  url: string,
  events: readonly string[],
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const checked = checkWebhookUrl(url, jobs.webhookPolicy ?? { allowPrivate: false })
  if (!checked.ok) {
    const message = `url ${checked.error}`
    throw new SyncError('invalid_input', `the webhook ${message}`, {
      issues: [{ code: 'invalid_url', severity: 'error', message, path: ['url'] }],
    })
  }
  const parsed = checked.value
  const unknown = events.filter(
    (e) => e !== '*' && !(WEBHOOK_EVENT_KINDS as readonly string[]).includes(e),
  )
  if (unknown.length > 0 || events.length === 0) {
    throw new SyncError(
      'invalid_input',
      `events must be * or some of ${WEBHOOK_EVENT_KINDS.join(', ')}${unknown.length > 0 ? ` (not ${unknown.join(', ')})` : ''}`,
    )
  }
  const id = randomUUID()
  const secret = `whsec_${randomUUID().replaceAll('-', '')}`
  const endpoint = await jobs.outbox.createWebhook({
    id,
    workspaceId,
    url: parsed.toString(),
    events,
    secret: jobs.vault.seal(secret, `webhook:${id}`),
  })
  return { endpoint, secret }
}

/** Queues a sync of a connection for the workers ("Sync now" without waiting for it). */
export async function queueSync(
  jobs: JobsAccess,
  connection: Connection,
  kind: ScheduleKind,
  actor: string,
): Promise<string | null> {
  return jobs.enqueue({
    workspaceId: connection.workspaceId,
    connectionId: connection.id,
    kind,
    reason: `queued by ${actor}`,
  })
}
