import { sql } from 'kysely'
import type { Kysely, Selectable } from 'kysely'

import type { Db } from './db.ts'
import type { JobsDatabase } from './sql-jobs-schema.ts'
import { iso, isoOrNull, withJobTables } from './sql-jobs-schema.ts'
import type {
  OutboxMessage,
  OutboxStore,
  WebhookDelivery,
  WebhookDeliveryLog,
  WebhookEndpoint,
} from './store.ts'

type MessageRow = Selectable<JobsDatabase['outbox']>
type DeliveryRow = Selectable<JobsDatabase['webhook_deliveries']>

function toMessage(row: MessageRow): OutboxMessage {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    payload: row.payload,
    status: row.status as OutboxMessage['status'],
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    sentAt: isoOrNull(row.sent_at),
  }
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    workspaceId: row.workspace_id,
    eventId: row.event_id,
    kind: row.kind,
    payload: row.payload,
    status: row.status as WebhookDelivery['status'],
    attempts: row.attempts,
    responseStatus: row.response_status,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    deliveredAt: isoOrNull(row.delivered_at),
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
  }
}

function toEndpoint(row: Selectable<JobsDatabase['webhook_endpoints']>): WebhookEndpoint {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    createdAt: iso(row.created_at),
  }
}

const later = (now: string, seconds: number) => new Date(Date.parse(now) + seconds * 1000)

/** The `OutboxStore` on PostgreSQL or PGlite. */
export class SqlOutbox implements OutboxStore {
  readonly #k: Kysely<JobsDatabase>

  constructor(db: Db) {
    this.#k = withJobTables(db.kysely)
  }

  async enqueue(input: {
    workspaceId: string
    kind: string
    dedupeKey: string
    payload: Readonly<Record<string, unknown>>
  }): Promise<boolean> {
    const row = await this.#k
      .insertInto('outbox')
      .values({
        workspace_id: input.workspaceId,
        kind: input.kind,
        dedupe_key: input.dedupeKey,
        payload: JSON.stringify(input.payload),
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst()
    return row !== undefined
  }

  async claim(now: string, limit: number, leaseSeconds: number): Promise<OutboxMessage[]> {
    const at = new Date(now)
    const { rows } = await sql<MessageRow>`
      update outbox set claimed_until = ${later(now, leaseSeconds)}, attempts = attempts + 1
      where id in (
        select o.id from outbox o
        -- a message never tried is due whatever the clocks say (rows take the database's time)
        where o.status = 'pending' and (o.attempts = 0 or o.next_attempt_at <= ${at})
          and (o.claimed_until is null or o.claimed_until < ${at})
          and not exists (
            select 1 from runs r where r.workspace_id = o.workspace_id and r.state = 'applying'
          )
        order by o.id
        limit ${limit}
        for update skip locked
      )
      returning *
    `.execute(this.#k)
    return rows.map(toMessage).sort((a, b) => Number(a.id) - Number(b.id))
  }

  async markSending(id: string): Promise<void> {
    await this.#k
      .updateTable('outbox')
      .set({ status: 'sending' })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute()
  }

  async markSent(id: string, at: string): Promise<void> {
    await this.#k
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: at, claimed_until: null, last_error: null })
      .where('id', '=', id)
      .execute()
  }

  async markFailed(id: string, error: string, retryAt: string | null): Promise<void> {
    await this.#k
      .updateTable('outbox')
      .set({
        status: retryAt === null ? 'failed' : 'pending',
        last_error: error,
        claimed_until: null,
        ...(retryAt === null ? {} : { next_attempt_at: retryAt }),
      })
      .where('id', '=', id)
      .execute()
  }

  async expireSending(now: string): Promise<OutboxMessage[]> {
    const rows = await this.#k
      .updateTable('outbox')
      .set({
        status: 'failed',
        last_error: 'delivery uncertain: the process sending it stopped; resend it by hand',
      })
      .where('status', '=', 'sending')
      .where('claimed_until', '<', new Date(now))
      .returningAll()
      .execute()
    return rows.map(toMessage)
  }

  async message(id: string): Promise<OutboxMessage | null> {
    const row = await this.#k
      .selectFrom('outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? toMessage(row) : null
  }

  async messages(
    workspaceId: string,
    kind: string | null,
    limit: number,
  ): Promise<OutboxMessage[]> {
    let q = this.#k.selectFrom('outbox').selectAll().where('workspace_id', '=', workspaceId)
    if (kind !== null) q = q.where('kind', '=', kind)
    const rows = await q.orderBy('id', 'desc').limit(limit).execute()
    return rows.map(toMessage)
  }

  async setInviteStatus(workspaceId: string, personId: string, status: string): Promise<void> {
    await this.#k
      .updateTable('people')
      .set({ invite_status: status })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', personId)
      .execute()
  }

  async invitations(workspaceId: string, personId: string): Promise<OutboxMessage[]> {
    const rows = await this.#k
      .selectFrom('outbox')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', 'invitation')
      .where(sql<string>`payload->>'personId'`, '=', personId)
      .orderBy('id', 'desc')
      .execute()
    return rows.map(toMessage)
  }

  async createWebhook(input: {
    id: string
    workspaceId: string
    url: string
    events: readonly string[]
    secret: string
  }): Promise<WebhookEndpoint> {
    const row = await this.#k
      .insertInto('webhook_endpoints')
      .values({
        id: input.id,
        workspace_id: input.workspaceId,
        url: input.url,
        events: JSON.stringify(input.events),
        secret: input.secret,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toEndpoint(row)
  }

  async webhooks(workspaceId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.#k
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toEndpoint)
  }

  async webhookSecret(endpointId: string): Promise<string | null> {
    const row = await this.#k
      .selectFrom('webhook_endpoints')
      .select('secret')
      .where('id', '=', endpointId)
      .executeTakeFirst()
    return row?.secret ?? null
  }

  async deleteWebhook(workspaceId: string, id: string): Promise<boolean> {
    const rows = await this.#k
      .deleteFrom('webhook_endpoints')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .returning('id')
      .execute()
    return rows.length > 0
  }

  async fanOut(
    messageId: string,
    at: string,
    deliveries: readonly {
      endpointId: string
      eventId: string
      kind: string
      payload: Readonly<Record<string, unknown>>
    }[],
  ): Promise<void> {
    await this.#k.transaction().execute(async (trx) => {
      const message = await trx
        .selectFrom('outbox')
        .select('workspace_id')
        .where('id', '=', messageId)
        .executeTakeFirstOrThrow()
      for (let i = 0; i < deliveries.length; i += 1000) {
        await trx
          .insertInto('webhook_deliveries')
          .values(
            deliveries.slice(i, i + 1000).map((d) => ({
              endpoint_id: d.endpointId,
              workspace_id: message.workspace_id,
              event_id: d.eventId,
              kind: d.kind,
              payload: JSON.stringify(d.payload),
            })),
          )
          .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
          .execute()
      }
      await trx
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: at, claimed_until: null })
        .where('id', '=', messageId)
        .execute()
    })
  }

  async claimDeliveries(now: string, limit: number, leaseSeconds: number) {
    const at = new Date(now)
    // a delivery whose lease ran out (its process died) is tried again: at least once
    const { rows } = await sql<DeliveryRow>`
      update webhook_deliveries set status = 'delivering', attempts = attempts + 1,
        claimed_until = ${later(now, leaseSeconds)}
      where id in (
        select id from webhook_deliveries
        where (status = 'pending' and (attempts = 0 or next_attempt_at <= ${at}))
          or (status = 'delivering' and claimed_until < ${at})
        order by id
        limit ${limit}
        for update skip locked
      )
      returning *
    `.execute(this.#k)
    return rows.map(toDelivery).sort((a, b) => Number(a.id) - Number(b.id))
  }

  async recordDelivery(
    id: string,
    outcome: {
      at: string
      delivered: boolean
      responseStatus: number | null
      error: string | null
      retryAt: string | null
    },
  ): Promise<void> {
    await this.#k.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: id,
          at: outcome.at,
          response_status: outcome.responseStatus,
          error: outcome.error,
        })
        .execute()
      await trx
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.delivered ? 'delivered' : outcome.retryAt === null ? 'failed' : 'pending',
          response_status: outcome.responseStatus,
          last_error: outcome.error,
          claimed_until: null,
          ...(outcome.delivered ? { delivered_at: outcome.at } : {}),
          ...(outcome.retryAt === null ? {} : { next_attempt_at: outcome.retryAt }),
        })
        .where('id', '=', id)
        .execute()
    })
  }

  async deliveries(
    workspaceId: string,
    endpointId: string,
    limit: number,
  ): Promise<WebhookDeliveryLog[]> {
    const rows = await this.#k
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('endpoint_id', '=', endpointId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    const tries =
      rows.length === 0
        ? []
        : await this.#k
            .selectFrom('webhook_attempts')
            .selectAll()
            .where(
              'delivery_id',
              'in',
              rows.map((r) => r.id),
            )
            .orderBy('id')
            .execute()
    return rows.map((row) => ({
      ...toDelivery(row),
      tries: tries
        .filter((t) => t.delivery_id === row.id)
        .map((t) => ({ at: iso(t.at), responseStatus: t.response_status, error: t.error })),
    }))
  }

  async recipients(workspaceId: string): Promise<string[]> {
    // the admins as they are now: one added or removed is told (or not) from the next message
    const { rows } = await sql<{ email: string }>`
      select u.email from workspace_members m join users u on u.id = m.user_id
      where m.workspace_id = ${workspaceId} and m.role = 'admin'
      union
      select email from notification_recipients where workspace_id = ${workspaceId}
      order by email
    `.execute(this.#k)
    return rows.map((r) => r.email)
  }

  async extraRecipients(workspaceId: string): Promise<string[]> {
    const rows = await this.#k
      .selectFrom('notification_recipients')
      .select('email')
      .where('workspace_id', '=', workspaceId)
      .orderBy('email')
      .execute()
    return rows.map((r) => r.email)
  }

  async addRecipient(workspaceId: string, email: string): Promise<void> {
    await this.#k
      .insertInto('notification_recipients')
      .values({ workspace_id: workspaceId, email: email.trim().toLowerCase() })
      .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing())
      .execute()
  }

  async removeRecipient(workspaceId: string, email: string): Promise<boolean> {
    const rows = await this.#k
      .deleteFrom('notification_recipients')
      .where('workspace_id', '=', workspaceId)
      .where('email', '=', email.trim().toLowerCase())
      .returning('email')
      .execute()
    return rows.length > 0
  }
}
