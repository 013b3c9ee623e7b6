import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { Deliverer } from '../../src/jobs/deliverer.ts'
import type { Workspace } from '../../src/storage/store.ts'
import { apiHarness, applied, bodyOf, client, settled } from './api-harness.ts'
import type { Answer, Client } from './api-harness.ts'

const V1 = '/api/v1'

interface ErrorBody {
  error: { code: string; message: string; issues?: { path: (string | number)[] }[] }
}
interface ScheduleBody {
  schedule: { enabled: boolean; incremental: string; full: string }
  timeZone: string
  next: { incremental: string | null; full: string | null }
  held: string | null
  health: { status: string; consecutiveFailures: number; quarantinedAt: string | null }
}
interface RunBody {
  run: { id: string; state: string; planId: string | null; error: { code: string } | null }
}

let h: Awaited<ReturnType<typeof apiHarness>>
let acme: Awaited<ReturnType<typeof h.tenant>>
let admin: Client
let member: Client
let token: Client
let connectionId: string

const at = (workspace: Workspace, rest = '') => `${V1}/workspaces/${workspace.id}${rest}`
const ws = (rest = '') => at(acme.workspace, rest)

function expectError(answer: Answer, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status)
  expect(bodyOf<ErrorBody>(answer).error.code).toBe(code)
}

/** A preview of the connection, read to its plan. */
async function preview(): Promise<RunBody['run']> {
  const started = await admin.post(ws(`/connections/${connectionId}/previews`))
  expect(started.status, started.text).toBe(202)
  const { run } = await settled(admin, acme.workspace, bodyOf<RunBody>(started).run.id)
  return run as RunBody['run']
}

beforeAll(async () => {
  // its webhook receiver is on 127.0.0.1: allowed, as HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true does
  h = await apiHarness({ allowPrivateWebhooks: true })
  acme = await h.tenant('acme')
  admin = client(h.app)
  await admin.signIn(acme.email, acme.password)
  const added = await admin.post(ws('/members'), {
    email: 'mia@acme.test',
    password: 'mia has a long password',
    role: 'member',
  })
  expect(added.status, added.text).toBe(201)
  member = client(h.app)
  await member.signIn('mia@acme.test', 'mia has a long password')
  const made = await admin.post(ws('/tokens'), { name: 'script' })
  token = client(h.app)
  token.useToken(bodyOf<{ token: string }>(made).token)

  const connection = await admin.post(ws('/connections'), {
    name: 'hr',
    connector: 'fake',
    config: { employees: 12 },
  })
  connectionId = bodyOf<{ connection: { id: string } }>(connection).connection.id
  const first = await preview()
  const started = await admin.post(ws(`/plans/${first.planId ?? ''}/apply`), { selection: 'all' })
  expect(started.status, started.text).toBe(202)
  const ran = await applied(admin, acme.workspace, bodyOf<RunBody>(started).run.id)
  expect(ran.run.state).toBe('succeeded')
}, 60_000)
afterAll(() => h.close())

describe('a plan the guard holds', () => {
  it('is rejected from the API: nothing applied, its run cancelled with the reason', async () => {
    // half the company gone from a complete read: more leavers than the threshold allows
    await admin.patch(ws(`/connections/${connectionId}`), { config: { employees: 6 } })
    const held = await preview()
    const header = await admin.get(ws(`/plans/${held.planId ?? ''}`))
    expect(
      bodyOf<{ plan: { approval: { required: boolean } } }>(header).plan.approval.required,
    ).toBe(true)

    const rejected = await member.post(ws(`/plans/${held.planId ?? ''}/reject`), {
      reason: 'the HR export was cut short',
    })
    expect(rejected.status, rejected.text).toBe(200)
    expect(bodyOf<RunBody>(rejected).run).toMatchObject({
      id: held.id,
      state: 'cancelled',
      error: { code: 'rejected', message: 'the HR export was cut short' },
    })
    const people = await admin.get(ws('/people?status=leaver'))
    expect(bodyOf<{ total: number }>(people).total).toBe(0)
    // rejected once is rejected: neither again nor applied after
    expectError(await admin.post(ws(`/plans/${held.planId ?? ''}/reject`), {}), 409, 'conflict')
    const late = await admin.post(ws(`/plans/${held.planId ?? ''}/apply`), {
      selection: 'all',
      approve: true,
    })
    expect(late.status).toBeGreaterThanOrEqual(400)
    const audit = await h.views.auditOf(acme.workspace.id, 'plan', [held.planId ?? ''])
    expect(audit.map((a) => [a.action, a.actor])).toContainEqual(['plan.rejected', 'mia@acme.test'])
  })

  it('is approved from the API by applying it with approve: true', async () => {
    const held = await preview()
    const refused = await admin.post(ws(`/plans/${held.planId ?? ''}/apply`), { selection: 'all' })
    expectError(refused, 409, 'approval_required')
    const approved = await admin.post(ws(`/plans/${held.planId ?? ''}/apply`), {
      selection: 'all',
      approve: true,
    })
    expect(approved.status, approved.text).toBe(202)
    const ran = await applied(admin, acme.workspace, bodyOf<RunBody>(approved).run.id)
    expect(ran.run.state).toBe('succeeded')
    const people = await admin.get(ws('/people?status=leaver'))
    expect(bodyOf<{ total: number }>(people).total).toBe(6)
  })
})

describe('invitations', () => {
  it('resends a person’s invitation and lists how each went', async () => {
    const people = await admin.get(ws('/people?status=active'))
    const rows = bodyOf<{
      items: { person: { id: string; fields: { email?: string }; inviteStatus: string } }[]
    }>(people).items
    const person = rows[0]?.person
    if (!person) throw new Error('no active person')
    const before = await admin.get(ws(`/people/${person.id}/invitations`))
    expect(bodyOf<{ invitations: unknown[] }>(before).invitations).toEqual([])

    const resent = await member.post(ws(`/people/${person.id}/invitations`))
    expect(resent.status, resent.text).toBe(201)
    expect(bodyOf<{ invitation: unknown }>(resent).invitation).toMatchObject({
      email: person.fields.email,
      status: 'pending',
      attempts: 0,
      resentBy: 'mia@acme.test',
      sentAt: null,
    })
    const again = await token.post(ws(`/people/${person.id}/invitations`))
    expect(again.status, again.text).toBe(201)
    const listed = bodyOf<{ inviteStatus: string; invitations: { resentBy: string }[] }>(
      await admin.get(ws(`/people/${person.id}/invitations`)),
    )
    expect(listed.inviteStatus).toBe('pending')
    expect(listed.invitations.map((i) => i.resentBy)).toEqual(['token:script', 'mia@acme.test'])
    const shown = await admin.get(ws(`/people/${person.id}`))
    expect(
      bodyOf<{ row: { person: { inviteStatus: string } } }>(shown).row.person.inviteStatus,
    ).toBe('pending')
  })

  it('sends none to a leaver', async () => {
    const leavers = await admin.get(ws('/people?status=leaver'))
    const leaver = bodyOf<{ items: { person: { id: string } }[] }>(leavers).items[0]?.person
    expectError(
      await admin.post(ws(`/people/${leaver?.id ?? ''}/invitations`)),
      422,
      'invalid_input',
    )
  })
})

describe('a connection’s schedule and health', () => {
  it('shows the schedule, off by default, with the health of the connection', async () => {
    const answer = await member.get(ws(`/connections/${connectionId}/schedule`))
    expect(answer.status, answer.text).toBe(200)
    expect(bodyOf<ScheduleBody>(answer)).toEqual({
      schedule: { enabled: false, incremental: '*/15 * * * *', full: '0 3 * * *' },
      timeZone: 'UTC',
      next: { incremental: null, full: null },
      held: expect.stringMatching(/off/) as string,
      health: {
        status: 'active',
        consecutiveFailures: 0,
        quarantinedAt: null,
        lastAttemptAt: null,
        lastError: null,
      },
    })
  })

  it('edits the crons, keeps the rest of the sync config, and says when each runs next', async () => {
    const before = bodyOf<{ version: number; config: unknown }>(
      await admin.get(ws(`/connections/${connectionId}/config`)),
    )
    const saved = await member.put(ws(`/connections/${connectionId}/schedule`), {
      enabled: true,
      incremental: '*/5 * * * *',
      full: '30 2 * * *',
    })
    expect(saved.status, saved.text).toBe(200)
    const view = bodyOf<ScheduleBody>(saved)
    expect(view.held).toBeNull()
    const now = Date.now()
    const incremental = new Date(view.next.incremental ?? '')
    expect(incremental.getTime()).toBeGreaterThan(now - 60_000)
    expect(incremental.getTime()).toBeLessThanOrEqual(now + 5 * 60_000)
    expect(incremental.getUTCMinutes() % 5).toBe(0)
    const full = new Date(view.next.full ?? '')
    expect([full.getUTCHours(), full.getUTCMinutes()]).toEqual([2, 30])
    expect(full.getTime() - now).toBeLessThanOrEqual(24 * 3600_000)

    const after = bodyOf<{ version: number; config: unknown; schedule: unknown }>(
      await admin.get(ws(`/connections/${connectionId}/config`)),
    )
    expect(after.version).toBe(before.version + 1)
    expect(after.config).toEqual(before.config)
    expect(after.schedule).toEqual({
      enabled: true,
      incremental: '*/5 * * * *',
      full: '30 2 * * *',
    })

    // once the scheduler set a slot for this cron, the slot's time is the next run
    await h.jobs.schedules.setSlot(connectionId, 'incremental', {
      cron: '*/5 * * * *',
      timeZone: 'UTC',
      nextAt: '2031-01-01T00:05:00.000Z',
    })
    const shown = bodyOf<ScheduleBody>(await admin.get(ws(`/connections/${connectionId}/schedule`)))
    expect(shown.next.incremental).toBe('2031-01-01T00:05:00.000Z')
  })

  it('refuses a cron it cannot read, naming the field', async () => {
    const bad = await admin.put(ws(`/connections/${connectionId}/schedule`), {
      enabled: true,
      incremental: '61 * * * *',
    })
    expectError(bad, 422, 'invalid_config')
    expect(bodyOf<ErrorBody>(bad).error.issues?.map((i) => i.path)).toEqual([
      ['schedule', 'incremental'],
    ])
  })

  it('shows a quarantine and clears it by hand', async () => {
    for (let i = 0; i < 3; i++) {
      await h.jobs.schedules.recordAttempt(
        connectionId,
        new Date().toISOString(),
        { code: 'upstream_unavailable', message: 'the HR system did not answer' },
        3,
      )
    }
    const sick = bodyOf<ScheduleBody>(await member.get(ws(`/connections/${connectionId}/schedule`)))
    expect(sick.health).toMatchObject({ status: 'quarantined', consecutiveFailures: 3 })
    expect(sick.held).toMatch(/quarantined after 3 failed runs/)

    const cleared = await member.delete(ws(`/connections/${connectionId}/quarantine`))
    expect(cleared.status, cleared.text).toBe(200)
    expect(bodyOf<ScheduleBody>(cleared).health).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      quarantinedAt: null,
    })
    const audit = await h.views.auditOf(acme.workspace.id, 'connection', [connectionId])
    expect(audit.map((a) => a.action)).toContain('connection.quarantine_cleared')
  })

  it('leaves refused credentials to be replaced', async () => {
    await h.store.updateConnection(acme.workspace.id, connectionId, { status: 'needs_reauth' })
    const refused = await admin.delete(ws(`/connections/${connectionId}/quarantine`))
    expectError(refused, 409, 'conflict')
    const view = bodyOf<ScheduleBody>(await admin.get(ws(`/connections/${connectionId}/schedule`)))
    expect(view.health.status).toBe('needs_reauth')
    expect(view.held).toMatch(/refused the credentials/)
    await h.store.updateConnection(acme.workspace.id, connectionId, { status: 'active' })
  })
})

describe('webhooks', () => {
  let receiver: { url: string; bodies: string[]; close: () => Promise<void> }
  beforeAll(async () => {
    const bodies: string[] = []
    // a receiver that is down: every delivery answers 500
    const server = createServer((req, res) => {
      let text = ''
      req.on('data', (d: Buffer) => (text += d.toString()))
      req.on('end', () => {
        bodies.push(text)
        res.writeHead(500).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    receiver = {
      url: `http://127.0.0.1:${String(port)}/hooks`,
      bodies,
      close: () =>
        new Promise((resolve) =>
          server.close(() => {
            resolve()
          }),
        ),
    }
  })
  afterAll(() => receiver.close())

  it('adds an endpoint, shows its signing secret once, logs its deliveries, and removes it', async () => {
    const added = await admin.post(ws('/webhooks'), {
      url: receiver.url,
      events: ['run.completed', 'person.left'],
    })
    expect(added.status, added.text).toBe(201)
    const { webhook, secret } = bodyOf<{ webhook: { id: string }; secret: string }>(added)
    expect(secret).toMatch(/^whsec_[0-9a-f]{32}$/)
    expect(webhook).toMatchObject({ url: receiver.url, events: ['run.completed', 'person.left'] })

    const listed = await admin.get(ws('/webhooks'))
    expect(bodyOf<{ webhooks: { id: string }[] }>(listed).webhooks.map((w) => w.id)).toEqual([
      webhook.id,
    ])
    expect(listed.text).not.toContain(secret)
    // sealed at rest: the stored value is not the secret
    expect(await h.jobs.outbox.webhookSecret(webhook.id)).not.toContain(secret)
    const audit = await h.views.auditOf(acme.workspace.id, 'webhook', [webhook.id])
    expect(JSON.stringify(audit)).not.toContain(secret)

    const empty = await admin.get(ws(`/webhooks/${webhook.id}/deliveries`))
    expect(bodyOf<{ deliveries: unknown[] }>(empty).deliveries).toEqual([])
    await h.jobs.outbox.enqueue({
      workspaceId: acme.workspace.id,
      kind: 'run.completed',
      dedupeKey: 'run.completed:api-test',
      payload: { runId: 'r1', state: 'succeeded' },
    })
    const deliverer = new Deliverer({
      outbox: h.jobs.outbox,
      mailer: null,
      now: () => new Date(),
      logger: h.logger,
      webhookSecret: () => secret,
      // the receiver is on 127.0.0.1
      webhookPolicy: { allowPrivate: true },
    })
    // the fan-out of what is in the outbox, then one attempt each: the six leavers of the
    // approved plan and this run (the people created before are not events it asked for)
    await deliverer.deliver()
    await deliverer.deliver()
    expect(receiver.bodies).toHaveLength(7)
    const log = bodyOf<{ deliveries: { kind: string }[] }>(
      await admin.get(ws(`/webhooks/${webhook.id}/deliveries`)),
    ).deliveries
    expect(log.map((d) => d.kind).sort()).toEqual([
      ...Array<string>(6).fill('person.left'),
      'run.completed',
    ])
    expect(log[0]).toMatchObject({
      kind: 'run.completed',
      status: 'pending',
      attempts: 1,
      responseStatus: 500,
      lastError: 'the endpoint answered 500',
      tries: [
        {
          at: expect.any(String) as string,
          responseStatus: 500,
          error: 'the endpoint answered 500',
        },
      ],
    })
    expect(
      Date.parse(
        bodyOf<{ deliveries: { nextAttemptAt: string }[] }>(
          await admin.get(ws(`/webhooks/${webhook.id}/deliveries?limit=1`)),
        ).deliveries[0]?.nextAttemptAt ?? '',
      ),
    ).toBeGreaterThan(Date.now())

    expect((await admin.delete(ws(`/webhooks/${webhook.id}`))).status).toBe(204)
    expectError(await admin.get(ws(`/webhooks/${webhook.id}/deliveries`)), 404, 'not_found')
    expectError(await admin.delete(ws(`/webhooks/${webhook.id}`)), 404, 'not_found')
  })

  it('refuses a URL that is not http(s) and events it does not know', async () => {
    const ftp = await admin.post(ws('/webhooks'), { url: 'ftp://files.acme.test/in' })
    expectError(ftp, 400, 'invalid_request')
    expect(bodyOf<ErrorBody>(ftp).error.issues).toEqual([
      expect.objectContaining({ path: ['body', 'url'], message: 'must be https:// (not ftp://)' }),
    ])
    const unknown = await admin.post(ws('/webhooks'), {
      url: 'https://hooks.acme.test',
      events: ['person.moved'],
    })
    expectError(unknown, 400, 'invalid_request')
    expect(bodyOf<ErrorBody>(unknown).error.issues?.[0]?.path).toEqual(['body', 'events', 0])
  })

  it('takes an endpoint on 127.0.0.1 over http:// where private addresses are allowed', async () => {
    const added = await admin.post(ws('/webhooks'), { url: 'http://127.0.0.1/x' })
    expect(added.status, added.text).toBe(201)
    const { webhook } = bodyOf<{ webhook: { id: string; url: string } }>(added)
    expect(webhook.url).toBe('http://127.0.0.1/x')
    expect((await admin.delete(ws(`/webhooks/${webhook.id}`))).status).toBe(204)
  })

  describe('on a server that refuses private addresses (the default)', () => {
    let hosted: Awaited<ReturnType<typeof apiHarness>>
    let hostedAdmin: Client
    let hostedWs: string
    beforeAll(async () => {
      hosted = await apiHarness()
      const tenant = await hosted.tenant('hosted')
      hostedAdmin = client(hosted.app)
      await hostedAdmin.signIn(tenant.email, tenant.password)
      hostedWs = at(tenant.workspace, '/webhooks')
    }, 60_000)
    afterAll(() => hosted.close())

    it.each([
      [
        'http://127.0.0.1/x',
        'must be https:// (http:// only with HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true)',
      ],
      [
        'https://169.254.169.254/',
        'points to 169.254.169.254, a link-local address (only with HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true)',
      ],
      [
        'https://[::ffff:10.0.0.5]/in',
        'points to [::ffff:a00:5], a private address (only with HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true)',
      ],
      [
        'https://localhost:5432/',
        'points to localhost, a loopback address (only with HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true)',
      ],
      [
        'https://user:pw@example.com/',
        'must not carry a user name or password (user:pass@): the signature says who sends',
      ],
      ['ftp://x', 'must be https:// (not ftp://)'],
      ['example.com/hooks', 'is not a URL (e.g. https://app.example/hooks/hris-sync)'],
    ])('answers 400 naming url for %s', async (url, message) => {
      const answer = await hostedAdmin.post(hostedWs, { url })
      expectError(answer, 400, 'invalid_request')
      expect(bodyOf<ErrorBody>(answer).error.issues).toEqual([
        { code: 'invalid_custom', severity: 'error', message, path: ['body', 'url'] },
      ])
      // nothing was added, and nothing leaks the password
      expect(answer.text).not.toContain('pw@')
    })

    it('takes an https:// endpoint on a host name', async () => {
      const added = await hostedAdmin.post(hostedWs, { url: 'https://hooks.acme.test/in' })
      expect(added.status, added.text).toBe(201)
      const listed = bodyOf<{ webhooks: { url: string }[] }>(await hostedAdmin.get(hostedWs))
      expect(listed.webhooks.map((w) => w.url)).toEqual(['https://hooks.acme.test/in'])
    })
  })

  it('is for admins: neither a member nor an API token manages webhooks', async () => {
    expectError(await member.get(ws('/webhooks')), 403, 'forbidden')
    expectError(
      await member.post(ws('/webhooks'), { url: 'https://evil.example/in' }),
      403,
      'forbidden',
    )
    expectError(await token.get(ws('/webhooks')), 403, 'forbidden')
  })
})

describe('notification recipients', () => {
  it('always notifies the admins, and keeps a list of others', async () => {
    const first = await member.get(ws('/notifications'))
    expect(first.body).toEqual({ admins: ['acme@example.com'], recipients: [] })

    const set = await admin.put(ws('/notifications'), {
      recipients: ['Ops@Acme.test', 'it@acme.test', 'ops@acme.test'],
    })
    expect(set.status, set.text).toBe(200)
    expect(set.body).toEqual({
      admins: ['acme@example.com'],
      recipients: ['it@acme.test', 'ops@acme.test'],
    })
    const fewer = await admin.put(ws('/notifications'), { recipients: ['ops@acme.test'] })
    expect(bodyOf<{ recipients: string[] }>(fewer).recipients).toEqual(['ops@acme.test'])

    const bad = await admin.put(ws('/notifications'), { recipients: ['not an email'] })
    expectError(bad, 400, 'invalid_request')
    expect(bodyOf<ErrorBody>(bad).error.issues?.[0]?.path).toEqual(['body', 'recipients', 0])
    expectError(await member.put(ws('/notifications'), { recipients: [] }), 403, 'forbidden')
  })
})
