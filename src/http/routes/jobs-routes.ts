import { createRoute, z } from '@hono/zod-openapi'
import type { OpenAPIHono } from '@hono/zod-openapi'

import { Schedule } from '../../config/config-file.ts'
import { SyncError, issuesFromZod } from '../../core/errors.ts'
import { checkWebhookUrl } from '../../core/net/webhook-url.ts'
import { SyncConfig } from '../../core/plan/sync-config.ts'
import { rejectPlan } from '../../engine/approvals.ts'
import { WEBHOOK_EVENT_KINDS, addWebhook, resendInvitation } from '../../engine/jobs-access.ts'
import type { JobsAccess } from '../../engine/jobs-access.ts'
import type { Connection, OutboxMessage, WebhookDeliveryLog } from '../../storage/store.ts'
import { CONNECTION_STATUSES } from '../../storage/store.ts'
import { actorName, audited } from '../http-deps.ts'
import type { AppEnv, HttpDeps } from '../http-deps.ts'
import { ERRORS, body, json } from '../responses.ts'
import { RunSchema, ScheduleRef } from '../schemas.ts'
import { secureRoute } from '../secure-route.ts'

const WorkspaceParams = z.object({ workspaceId: z.string() })
const ConnectionParams = WorkspaceParams.extend({ connectionId: z.string() })
const PersonParams = WorkspaceParams.extend({ personId: z.string() })
const PlanParams = WorkspaceParams.extend({ planId: z.string() })
const WebhookParams = WorkspaceParams.extend({ webhookId: z.string() })
const Instant = z.string().openapi({ format: 'date-time' })

const HealthSchema = z
  .object({
    status: z.enum(CONNECTION_STATUSES),
    consecutiveFailures: z.number().int(),
    quarantinedAt: Instant.nullable(),
    lastAttemptAt: Instant.nullable(),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .openapi('ConnectionHealth', {
    description:
      '`quarantined`: too many failed runs in a row (runs slowed down, cleared by a success or by hand); `needs_reauth`: the HR system refused the credentials (no scheduled runs until new ones are stored).',
  })

const ScheduleView = z
  .object({
    schedule: z.object({ enabled: z.boolean(), incremental: z.string(), full: z.string() }),
    timeZone: z.string(),
    next: z.object({ incremental: Instant.nullable(), full: Instant.nullable() }).openapi({
      description: 'When each kind of run is due next; null when the schedule is off.',
    }),
    held: z.string().nullable().openapi({
      description: 'Why scheduled runs do not run now (off, credentials, quarantine, approval).',
    }),
    health: HealthSchema,
  })
  .openapi('ConnectionSchedule')

const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    status: z.enum(['pending', 'sending', 'sent', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    resentBy: z.string().nullable(),
    createdAt: Instant,
    sentAt: Instant.nullable(),
  })
  .openapi('Invitation', {
    description:
      '`failed` with "delivery uncertain": the process sending it stopped mid-way; it is never sent twice on its own, resend it by hand.',
  })

const EventKind = z.enum(['*', ...WEBHOOK_EVENT_KINDS])

const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: Instant,
  })
  .openapi('Webhook', { description: 'Its signing secret is shown once, when it is made.' })

const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: 'The `id` of the event body: dedupe on it.' }),
    kind: z.string(),
    status: z.enum(['pending', 'delivering', 'delivered', 'failed']),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: Instant,
    deliveredAt: Instant.nullable(),
    nextAttemptAt: Instant.nullable().openapi({
      description: 'When it is tried again (backoff); null once delivered or given up.',
    }),
    tries: z
      .array(
        z.object({
          at: Instant,
          responseStatus: z.number().int().nullable(),
          error: z.string().nullable(),
        }),
      )
      .openapi({ description: 'Each try, oldest first.' }),
  })
  .openapi('WebhookDelivery')

const NotificationsSchema = z
  .object({
    admins: z.array(z.string()).openapi({
      description: 'The emails of the workspace’s admins: they are always notified.',
    }),
    recipients: z.array(z.string()).openapi({ description: 'Who else is notified.' }),
  })
  .openapi('NotificationRecipients', {
    description:
      'Who is mailed when a connection is quarantined, a plan needs approval, or credentials are refused.',
  })

const invitationView = (m: OutboxMessage) => {
  const text = (v: unknown) => (typeof v === 'string' ? v : null)
  return {
    id: m.id,
    email: text(m.payload['email']),
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    resentBy: text(m.payload['resentBy']),
    createdAt: m.createdAt,
    sentAt: m.sentAt,
  }
}

const deliveryView = (d: WebhookDeliveryLog) => ({
  id: d.id,
  eventId: d.eventId,
  kind: d.kind,
  status: d.status,
  attempts: d.attempts,
  responseStatus: d.responseStatus,
  lastError: d.lastError,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt,
  nextAttemptAt: d.nextAttemptAt,
  tries: d.tries.map((t) => ({ ...t })),
})

/**
 * The ongoing sync: reject a held plan, a connection's schedule and health (its cron edited, a
 * quarantine cleared by hand), a person's invitations (resend), webhooks with their delivery log,
 * and who is notified.
 */
export function jobsRoutes(app: OpenAPIHono<AppEnv>, deps: HttpDeps) {
  const { store } = deps
  const now = deps.now ?? (() => new Date())
  const jobsOf = (): JobsAccess => {
    if (!deps.jobs) throw new SyncError('internal', 'this server was started without the workers')
    return deps.jobs
  }
  const connectionOf = async (workspaceId: string, id: string) => {
    const found = await store.connection(workspaceId, id)
    if (!found) throw new SyncError('not_found', `connection ${id} not found`)
    return found
  }

  const scheduleView = async (connection: Connection) => {
    const jobs = jobsOf()
    const [stored, health, slots, open] = await Promise.all([
      store.latestSyncConfig(connection.id),
      jobs.schedules.health(connection.id),
      jobs.schedules.slots(connection.id),
      store.openRun(connection.id),
    ])
    if (!health) throw new SyncError('not_found', `connection ${connection.id} not found`)
    const parsed = Schedule.safeParse(stored?.schedule ?? {})
    const schedule = parsed.success ? parsed.data : Schedule.parse({})
    const config = SyncConfig.safeParse(stored?.config ?? {})
    const timeZone = config.success ? config.data.timeZone : 'UTC'
    // as the scheduler sees it: a slot it set for this cron, else the cron's next time from now
    const nextOf = (kind: 'incremental' | 'full') => {
      if (!schedule.enabled) return null
      const slot = slots[kind]
      if (slot?.cron === schedule[kind] && slot.timeZone === timeZone) return slot.nextAt
      try {
        return jobs.nextTime(schedule[kind], now(), timeZone).toISOString()
      } catch {
        return null
      }
    }
    const status = (CONNECTION_STATUSES as readonly string[]).includes(health.status)
      ? (health.status as (typeof CONNECTION_STATUSES)[number])
      : 'active'
    const held = !schedule.enabled
      ? 'the schedule is off: syncs run only when started by hand'
      : status === 'needs_reauth'
        ? 'the HR system refused the credentials: no scheduled syncs until new ones are stored'
        : status === 'quarantined'
          ? `quarantined after ${String(health.consecutiveFailures)} failed runs in a row: scheduled syncs run at most once an hour until one succeeds or the quarantine is cleared`
          : open?.state === 'awaiting_approval'
            ? 'a plan waits for approval: scheduled syncs wait until it is approved or rejected'
            : null
    return {
      schedule,
      timeZone,
      next: { incremental: nextOf('incremental'), full: nextOf('full') },
      held,
      health: {
        status,
        consecutiveFailures: health.consecutiveFailures,
        quarantinedAt: health.quarantinedAt,
        lastAttemptAt: health.lastAttemptAt,
        lastError: health.lastError,
      },
    }
  }

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/plans/{planId}/reject',
        tags: ['Previews'],
        summary: 'Reject a plan that waits for approval',
        description:
          'Nothing of it is applied; its run is cancelled (`error.code` `rejected`, with the reason) and scheduled syncs of the connection go on. To approve it instead, apply it with `approve: true`.',
        request: {
          params: PlanParams,
          body: body(z.object({ reason: z.string().trim().min(1).max(500).optional() })),
        },
        responses: {
          200: json(z.object({ run: RunSchema }), 'Rejected.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          409: ERRORS[409],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, planId } = c.req.valid('param')
      const { reason } = c.req.valid('json')
      const run = await rejectPlan(
        { store },
        workspaceId,
        planId,
        actorName(c.get('actor')),
        reason ?? null,
      )
      return c.json({ run }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/schedule',
        tags: ['Schedules'],
        summary: 'A connection’s schedule, its next runs and its health',
        request: { params: ConnectionParams },
        responses: {
          200: json(ScheduleView, 'The schedule.'),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      return c.json(await scheduleView(await connectionOf(workspaceId, connectionId)), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'put',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/schedule',
        tags: ['Schedules'],
        summary: 'Change the schedule (the rest of the sync config stays)',
        description:
          'Cron expressions of five fields, in the sync config’s `timeZone`. A new version of the sync config is saved; a changed cron runs first at its next time.',
        request: { params: ConnectionParams, body: body(ScheduleRef) },
        responses: {
          200: json(ScheduleView, 'Saved.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      const connection = await connectionOf(workspaceId, connectionId)
      const given: unknown = c.req.valid('json')
      const parsed = Schedule.safeParse(given)
      if (!parsed.success) {
        throw new SyncError('invalid_config', 'the schedule is not valid', {
          issues: issuesFromZod(parsed.error, ['schedule']),
        })
      }
      const stored = await store.latestSyncConfig(connection.id)
      await deps.engine.configure(connection, stored?.config ?? {}, parsed.data)
      await audited(
        deps,
        { workspaceId, actor: c.get('actor') },
        {
          action: 'connection.schedule_changed',
          entityType: 'connection',
          entityId: connection.id,
          details: { ...parsed.data },
        },
      )
      return c.json(await scheduleView(connection), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'delete',
        path: '/api/v1/workspaces/{workspaceId}/connections/{connectionId}/quarantine',
        tags: ['Schedules'],
        summary: 'Clear a quarantine by hand',
        description:
          'The connection runs on its schedule again and its failures in a row start from 0. Credentials the HR system refused (`needs_reauth`) are not cleared so: store new ones (PUT …/secret).',
        request: { params: ConnectionParams },
        responses: {
          200: json(ScheduleView, 'Cleared (or there was nothing to clear).'),
          401: ERRORS[401],
          404: ERRORS[404],
          409: ERRORS[409],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, connectionId } = c.req.valid('param')
      const connection = await connectionOf(workspaceId, connectionId)
      const jobs = jobsOf()
      const before = await jobs.schedules.health(connection.id)
      if (before?.status === 'needs_reauth') {
        throw new SyncError(
          'conflict',
          'the HR system refused this connection’s credentials: store new ones to let it run again',
        )
      }
      await jobs.schedules.clearQuarantine(connection.id)
      if (before?.status === 'quarantined') {
        await audited(
          deps,
          { workspaceId, actor: c.get('actor') },
          {
            action: 'connection.quarantine_cleared',
            entityType: 'connection',
            entityId: connection.id,
            details: { failures: before.consecutiveFailures },
          },
        )
      }
      return c.json(await scheduleView(connection), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/people/{personId}/invitations',
        tags: ['Directory'],
        summary: 'A person’s invitations, newest first, and how each went',
        request: { params: PersonParams },
        responses: {
          200: json(
            z.object({ inviteStatus: z.string(), invitations: z.array(InvitationSchema) }),
            'Invitations.',
          ),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, personId } = c.req.valid('param')
      const person = await deps.views.person(workspaceId, personId)
      if (!person) throw new SyncError('not_found', `person ${personId} not found`)
      const list = await jobsOf().outbox.invitations(workspaceId, personId)
      return c.json(
        { inviteStatus: person.inviteStatus, invitations: list.map(invitationView) },
        200,
      )
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/people/{personId}/invitations',
        tags: ['Directory'],
        summary: 'Send a person’s invitation again',
        description:
          'A new invitation to the person’s email, sent by the workers (`SMTP_URL`); the person’s invite status is `pending` until it goes out.',
        request: { params: PersonParams },
        responses: {
          201: json(z.object({ invitation: InvitationSchema }), 'Queued.'),
          401: ERRORS[401],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, personId } = c.req.valid('param')
      const message = await resendInvitation(
        { store, jobs: jobsOf() },
        workspaceId,
        personId,
        actorName(c.get('actor')),
      )
      return c.json({ invitation: invitationView(message) }, 201)
    },
  )

  const webhookTags = ['Webhooks']
  const webhookPolicy = () => deps.jobs?.webhookPolicy ?? { allowPrivate: false }

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/webhooks',
        tags: webhookTags,
        summary: 'Webhook endpoints of the workspace',
        description: 'Admins only.',
        request: { params: WorkspaceParams },
        responses: {
          200: json(z.object({ webhooks: z.array(WebhookSchema) }), 'Endpoints.'),
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const list = await jobsOf().outbox.webhooks(c.get('workspace').id)
      return c.json({ webhooks: list.map((w) => ({ ...w, events: [...w.events] })) }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/webhooks',
        tags: webhookTags,
        summary: 'Add a webhook endpoint',
        description:
          'Events are POSTed as `{ id, type, createdAt, data }` with `X-Hris-Sync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, retried with backoff until delivered (dedupe on `id`). The signing `secret` is in this response only. Admins only.',
        request: {
          params: WorkspaceParams,
          body: body(
            z.object({
              url: z
                .string()
                .trim()
                .min(1)
                .max(2000)
                .superRefine((url, ctx) => {
                  const checked = checkWebhookUrl(url, webhookPolicy())
                  if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.error })
                })
                .openapi({
                  description:
                    'An https:// URL without a user name or password, whose host is public: not loopback, private, link-local, unique-local, CGNAT, multicast… (checked again where it resolves at each delivery). http:// and private addresses only where the server sets `HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true`.',
                }),
              events: z.array(EventKind).min(1).max(10).default(['*']),
            }),
          ),
        },
        responses: {
          201: json(
            z.object({ webhook: WebhookSchema, secret: z.string() }),
            'Added; keep the secret, it is not shown again.',
          ),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const workspaceId = c.get('workspace').id
      const input = c.req.valid('json')
      const { endpoint, secret } = await addWebhook(jobsOf(), workspaceId, input.url, [
        ...new Set(input.events),
      ])
      await audited(
        deps,
        { workspaceId, actor: c.get('actor') },
        {
          action: 'webhook.created',
          entityType: 'webhook',
          entityId: endpoint.id,
          details: { url: endpoint.url, events: [...endpoint.events] },
        },
      )
      return c.json({ webhook: { ...endpoint, events: [...endpoint.events] }, secret }, 201)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'delete',
        path: '/api/v1/workspaces/{workspaceId}/webhooks/{webhookId}',
        tags: webhookTags,
        summary: 'Remove a webhook endpoint',
        description: 'Its deliveries not made yet are dropped with it. Admins only.',
        request: { params: WebhookParams },
        responses: {
          204: { description: 'Removed.' },
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const { workspaceId, webhookId } = c.req.valid('param')
      if (!(await jobsOf().outbox.deleteWebhook(workspaceId, webhookId))) {
        throw new SyncError('not_found', `webhook ${webhookId} not found`)
      }
      await audited(
        deps,
        { workspaceId, actor: c.get('actor') },
        { action: 'webhook.deleted', entityType: 'webhook', entityId: webhookId, details: {} },
      )
      return c.body(null, 204)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/webhooks/{webhookId}/deliveries',
        tags: webhookTags,
        summary: 'The delivery log of an endpoint, newest first',
        description: 'Admins only.',
        request: {
          params: WebhookParams,
          query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        },
        responses: {
          200: json(z.object({ deliveries: z.array(DeliverySchema) }), 'Deliveries.'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const { workspaceId, webhookId } = c.req.valid('param')
      const { limit } = c.req.valid('query')
      const list = await jobsOf().outbox.deliveries(workspaceId, webhookId, limit)
      return c.json({ deliveries: list.map(deliveryView) }, 200)
    },
  )

  const notifications = async (workspaceId: string) => {
    const members = await deps.accounts.members(workspaceId)
    return {
      admins: members.filter((m) => m.role === 'admin').map((m) => m.email),
      recipients: await jobsOf().outbox.extraRecipients(workspaceId),
    }
  }

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/notifications',
        tags: ['Workspaces'],
        summary: 'Who is notified by email',
        request: { params: WorkspaceParams },
        responses: {
          200: json(NotificationsSchema, 'The recipients.'),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => c.json(await notifications(c.get('workspace').id), 200),
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'put',
        path: '/api/v1/workspaces/{workspaceId}/notifications',
        tags: ['Workspaces'],
        summary: 'Set who else is notified by email (the admins always are)',
        description: 'Admins only.',
        request: {
          params: WorkspaceParams,
          body: body(z.object({ recipients: z.array(z.email().max(320)).max(100) })),
        },
        responses: {
          200: json(NotificationsSchema, 'Saved.'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const workspaceId = c.get('workspace').id
      const { outbox } = jobsOf()
      const wanted = new Set(c.req.valid('json').recipients.map((e) => e.trim().toLowerCase()))
      const had = await outbox.extraRecipients(workspaceId)
      for (const email of had)
        if (!wanted.has(email)) await outbox.removeRecipient(workspaceId, email)
      for (const email of wanted)
        if (!had.includes(email)) await outbox.addRecipient(workspaceId, email)
      await audited(
        deps,
        { workspaceId, actor: c.get('actor') },
        {
          action: 'notifications.changed',
          entityType: 'workspace',
          entityId: workspaceId,
          details: { recipients: [...wanted] },
        },
      )
      return c.json(await notifications(workspaceId), 200)
    },
  )
}
