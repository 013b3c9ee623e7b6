import { createHmac } from 'node:crypto'

import { unpackPersonEvents } from '../core/apply/person-events.ts'
import type { WebhookPolicy } from '../core/net/webhook-url.ts'
import type { OutboxMessage, OutboxStore, WebhookDelivery } from '../storage/store.ts'
import { backoffSeconds } from './job-types.ts'
import type { Logger, Mailer } from './job-types.ts'
import { invitationMail, notificationMail } from './mails.ts'
import { DeliveryRefused, postWebhook } from './post-webhook.ts'
import type { Resolve } from './post-webhook.ts'

export interface DelivererOptions {
  readonly outbox: OutboxStore
  readonly mailer: Mailer | null
  readonly now: () => Date
  readonly logger: Logger
  /** Opens a webhook's signing secret (sealed in the vault for its endpoint id). */
  readonly webhookSecret: (endpointId: string, sealed: string) => string
  /**
   * Webhooks to loopback, private, link-local… addresses: refused unless allowed
   * (`HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE`, for self-hosting and tests). Default refused.
   */
  readonly webhookPolicy?: WebhookPolicy
  /** How webhook hosts are resolved; default the system's resolver. */
  readonly resolve?: Resolve
  /** Where the console is, for links in mails. */
  readonly appUrl?: string | null
  /** Tries before a message or a delivery is given up. Default 8. */
  readonly maxAttempts?: number
}

/**
 * Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, so a receiver
 * checks both who sent it and that it is fresh.
 */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000)
  const v1 = createHmac('sha256', secret)
    .update(`${String(t)}.${body}`)
    .digest('hex')
  return `t=${String(t)},v1=${v1}`
}

/**
 * Delivers the outbox: invitations and notifications by mail, person and run events to the
 * webhooks that want them (a delivery per endpoint and event, signed, retried with backoff).
 * An outbox message is marked `sending` just before it leaves and never sent again after that.
 */
export class Deliverer {
  readonly #o: DelivererOptions

  constructor(options: DelivererOptions) {
    this.#o = options
  }

  /** One pass: what is due now; returns how many messages and deliveries it handled. */
  async deliver(limit = 50): Promise<{ messages: number; webhooks: number }> {
    const { outbox, now } = this.#o
    for (const lost of await outbox.expireSending(now().toISOString())) {
      this.#o.logger.warn({ messageId: lost.id, kind: lost.kind }, 'delivery uncertain')
      if (lost.kind === 'invitation') {
        const personId = lost.payload['personId']
        if (typeof personId === 'string')
          await outbox.setInviteStatus(lost.workspaceId, personId, 'failed')
      }
    }
    const messages = await outbox.claim(now().toISOString(), limit, 120)
    // a few at a time, in the order they were queued
    for (let i = 0; i < messages.length; i += 4) {
      await Promise.all(messages.slice(i, i + 4).map((m) => this.#message(m)))
    }
    const deliveries = await outbox.claimDeliveries(now().toISOString(), limit, 60)
    await Promise.all(deliveries.map((d) => this.#webhook(d)))
    return { messages: messages.length, webhooks: deliveries.length }
  }

  async #message(m: OutboxMessage): Promise<void> {
    const { outbox, logger } = this.#o
    try {
      switch (m.kind) {
        case 'invitation':
          await this.#invitation(m)
          return
        case 'notification':
          await this.#notification(m)
          return
        case 'people.changed':
          await this.#fanOut(m, unpackPersonEvents(m.payload))
          return
        case 'run.completed':
          await this.#fanOut(m, [{ kind: 'run.completed', data: m.payload }])
          return
        default:
          await outbox.markFailed(m.id, `unknown message kind "${m.kind}"`, null)
      }
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error)
      const last = m.attempts >= (this.#o.maxAttempts ?? 8)
      const retryAt = last
        ? null
        : new Date(this.#o.now().getTime() + backoffSeconds(m.attempts, 30, 3600) * 1000)
      logger.warn({ messageId: m.id, kind: m.kind, error: text }, 'delivery failed')
      await outbox.markFailed(m.id, text, retryAt?.toISOString() ?? null)
      if (last && m.kind === 'invitation') {
        const personId = m.payload['personId']
        if (typeof personId === 'string')
          await outbox.setInviteStatus(m.workspaceId, personId, 'failed')
      }
    }
  }

  #mailer(): Mailer {
    if (this.#o.mailer === null) throw new Error('no mail server: set SMTP_URL')
    return this.#o.mailer
  }

  async #invitation(m: OutboxMessage): Promise<void> {
    const email = m.payload['email']
    const personId = m.payload['personId']
    if (typeof email !== 'string' || typeof personId !== 'string') {
      await this.#o.outbox.markFailed(m.id, 'the invitation has no email', null)
      return
    }
    const mailer = this.#mailer()
    await this.#o.outbox.markSending(m.id)
    await mailer.send(invitationMail(m.payload, this.#o.appUrl ?? null))
    await this.#o.outbox.markSent(m.id, this.#o.now().toISOString())
    await this.#o.outbox.setInviteStatus(m.workspaceId, personId, 'sent')
    this.#o.logger.info({ messageId: m.id, personId }, 'invitation sent')
  }

  async #notification(m: OutboxMessage): Promise<void> {
    const to = await this.#o.outbox.recipients(m.workspaceId)
    if (to.length === 0) {
      // nobody to tell: the message stays in the outbox as the record of it
      await this.#o.outbox.markSent(m.id, this.#o.now().toISOString())
      return
    }
    const mailer = this.#mailer()
    await this.#o.outbox.markSending(m.id)
    await mailer.send({ to, ...notificationMail(m.payload, this.#o.appUrl ?? null) })
    await this.#o.outbox.markSent(m.id, this.#o.now().toISOString())
  }

  async #fanOut(m: OutboxMessage, events: { kind: string; data: Record<string, unknown> }[]) {
    const endpoints = (await this.#o.outbox.webhooks(m.workspaceId)).filter((e) => e.enabled)
    const at = this.#o.now().toISOString()
    const deliveries = endpoints.flatMap((endpoint) =>
      events.flatMap((event, i) =>
        endpoint.events.includes('*') || endpoint.events.includes(event.kind)
          ? [
              {
                endpointId: endpoint.id,
                eventId: `evt_${m.id}_${String(i)}`,
                kind: event.kind,
                payload: event.data,
              },
            ]
          : [],
      ),
    )
    await this.#o.outbox.fanOut(m.id, at, deliveries)
  }

  async #webhook(d: WebhookDelivery): Promise<void> {
    const { outbox, now } = this.#o
    const endpoint = (await outbox.webhooks(d.workspaceId)).find((e) => e.id === d.endpointId)
    const sealed = await outbox.webhookSecret(d.endpointId)
    if (!endpoint || sealed === null) return
    const body = JSON.stringify({
      id: d.eventId,
      type: d.kind,
      createdAt: d.createdAt,
      data: d.payload,
    })
    let status: number | null = null
    let error: string | null = null
    let refused = false
    try {
      status = await postWebhook(
        {
          url: endpoint.url,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'hris-sync',
            'x-hris-sync-event': d.kind,
            'x-hris-sync-delivery': d.eventId,
            'x-hris-sync-signature': signWebhook(
              this.#o.webhookSecret(d.endpointId, sealed),
              body,
              now(),
            ),
          },
          body,
          timeoutMs: 10_000,
        },
        this.#o.webhookPolicy ?? { allowPrivate: false },
        this.#o.resolve,
      )
      // a redirect could lead anywhere, our own network too: the receiver must answer itself
      if (status >= 300 && status < 400) {
        error = `the endpoint answered ${String(status)}, a redirect: not followed`
      } else if (status < 200 || status >= 300) {
        error = `the endpoint answered ${String(status)}`
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
      refused = e instanceof DeliveryRefused
      if (refused) {
        this.#o.logger.warn(
          { deliveryId: d.id, endpointId: d.endpointId, error },
          'webhook refused',
        )
      }
    }
    const delivered = error === null
    // a refusal stands until the endpoint is changed: trying again cannot help
    const last = refused || d.attempts >= (this.#o.maxAttempts ?? 8)
    const retryAt =
      delivered || last
        ? null
        : new Date(now().getTime() + backoffSeconds(d.attempts, 10, 3600) * 1000)
    await outbox.recordDelivery(d.id, {
      at: now().toISOString(),
      delivered,
      responseStatus: status,
      error,
      retryAt: retryAt?.toISOString() ?? null,
    })
  }
}
