import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { addWebhook } from '../engine/jobs-access.ts'
import { SqlOutbox } from '../storage/sql-outbox.ts'
import type { SqlStore } from '../storage/sql-store.ts'
import { Vault, generateKey } from '../storage/vault.ts'
import { BACKENDS, openStore } from '../../test/helpers/stores.ts'
import { Deliverer } from './deliverer.ts'
import type { Logger } from './job-types.ts'
import type { Resolve } from './post-webhook.ts'

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} }

interface Received {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/**
 * A webhook receiver on 127.0.0.1: keeps every request, and answers each path with the statuses
 * planned for it, in turn (then 200).
 */
async function startReceiver() {
  const received: Received[] = []
  const plans = new Map<string, number[]>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString('utf8')))
    req.on('end', () => {
      const path = req.url ?? ''
      received.push({ path, headers: req.headers, body })
      const status = plans.get(path)?.shift() ?? 200
      // a redirect goes to /elsewhere on this receiver
      const moved = status >= 300 && status < 400
      res.writeHead(status, moved ? { location: `http://127.0.0.1:${String(port)}/elsewhere` } : {})
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${String(port)}${path}`,
    received,
    to: (path: string) => received.filter((r) => r.path === path),
    plan: (path: string, statuses: number[]) => plans.set(path, statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  }
}

/** A port nothing listens on: a server is started and closed. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve()
    }),
  )
  return port
}

for (const backend of BACKENDS) {
  describe(`webhook deliveries on ${backend}`, { timeout: 60_000 }, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let outbox: SqlOutbox
    let vault: Vault
    let receiver: Awaited<ReturnType<typeof startReceiver>>
    let clock = Date.parse('2026-03-02T08:00:00.000Z')
    const now = () => new Date(clock)
    // the receiver is on 127.0.0.1: these tests allow private addresses, as a self-hosted
    // server that sets HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true does, unless they say otherwise
    const selfHosted = { allowPrivate: true }
    const hosted = { allowPrivate: false }
    const deliverer = (
      options: { maxAttempts?: number; allowPrivate?: boolean; resolve?: Resolve } = {},
    ) =>
      new Deliverer({
        outbox,
        mailer: null,
        now,
        logger: quiet,
        webhookSecret: (id, sealed) => vault.open(sealed, `webhook:${id}`),
        webhookPolicy: { allowPrivate: options.allowPrivate ?? true },
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
        ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
      })
    const add = (ws: string, url: string, events = ['*']) =>
      addWebhook({ outbox, vault, webhookPolicy: selfHosted }, ws, url, events)
    /** Delivers until nothing is due now. */
    const drain = async (d = deliverer()) => {
      for (;;) {
        const done = await d.deliver()
        if (done.messages + done.webhooks === 0) return
      }
    }
    let workspaces = 0
    const workspace = async () => (await store.ensureWorkspace(`ws-${String(++workspaces)}`)).id

    beforeAll(async () => {
      opened = await openStore(backend)
      store = opened.store
      outbox = new SqlOutbox(store.db)
      vault = new Vault(generateKey())
      receiver = await startReceiver()
    }, 60_000)
    afterAll(async () => {
      await receiver.close()
      await opened.close()
    })

    const personEvents = (workspaceId: string, key: string, events: object[]) =>
      outbox.enqueue({
        workspaceId,
        kind: 'people.changed',
        dedupeKey: `people.changed:${key}`,
        payload: { events },
      })

    it('signs each delivery: HMAC-SHA256 of "<t>.<body>" with the endpoint’s secret', async () => {
      const ws = await workspace()
      const { endpoint, secret } = await add(ws, receiver.url('/signed'))
      expect(await outbox.webhookSecret(endpoint.id)).not.toContain(secret)
      await personEvents(ws, 'signed', [
        { kind: 'person.created', personId: 'p1', identifier: 'ada@acme.test', status: 'active' },
      ])
      await drain()

      const [request] = receiver.to('/signed')
      if (!request) throw new Error('nothing received')
      expect(request.headers['content-type']).toBe('application/json')
      expect(request.headers['x-hris-sync-event']).toBe('person.created')
      const body = JSON.parse(request.body) as {
        id: string
        type: string
        createdAt: string
        data: Record<string, unknown>
      }
      expect(body).toMatchObject({
        type: 'person.created',
        data: { personId: 'p1', identifier: 'ada@acme.test', status: 'active' },
      })
      expect(request.headers['x-hris-sync-delivery']).toBe(body.id)
      const signature = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
        String(request.headers['x-hris-sync-signature']),
      )
      expect(signature).not.toBeNull()
      const [, t = '', v1 = ''] = signature ?? []
      expect(Number(t)).toBe(Math.floor(clock / 1000))
      const expected = createHmac('sha256', secret).update(`${t}.${request.body}`).digest('hex')
      expect(v1).toBe(expected)
      // another secret, or another body, gives another signature
      const other = createHmac('sha256', `${secret}x`).update(`${t}.${request.body}`).digest('hex')
      expect(v1).not.toBe(other)
      expect(v1).not.toBe(
        createHmac('sha256', secret).update(`${t}.${request.body} `).digest('hex'),
      )

      const [logged] = await outbox.deliveries(ws, endpoint.id, 10)
      expect(logged).toMatchObject({
        eventId: body.id,
        status: 'delivered',
        attempts: 1,
        responseStatus: 200,
        deliveredAt: now().toISOString(),
        nextAttemptAt: null,
        tries: [{ at: now().toISOString(), responseStatus: 200, error: null }],
      })
    })

    it('tries a 500 again later, backing off, and logs every try until it is delivered', async () => {
      const ws = await workspace()
      const { endpoint } = await add(ws, receiver.url('/flaky'), ['run.completed'])
      receiver.plan('/flaky', [500, 500])
      await outbox.enqueue({
        workspaceId: ws,
        kind: 'run.completed',
        dedupeKey: 'run.completed:flaky',
        payload: { runId: 'r1', state: 'succeeded' },
      })
      const log = async () => {
        const [d] = await outbox.deliveries(ws, endpoint.id, 10)
        if (!d) throw new Error('no delivery')
        return d
      }

      await drain()
      expect(receiver.to('/flaky')).toHaveLength(1)
      const first = await log()
      expect(first).toMatchObject({
        status: 'pending',
        attempts: 1,
        responseStatus: 500,
        lastError: 'the endpoint answered 500',
      })
      const firstWait = Date.parse(first.nextAttemptAt ?? '') - clock
      // 10 s, give or take the jitter
      expect(firstWait).toBeGreaterThanOrEqual(8000)
      expect(firstWait).toBeLessThanOrEqual(12_000)

      // not before its time
      clock += firstWait - 1000
      await drain()
      expect(receiver.to('/flaky')).toHaveLength(1)

      clock += 1000
      await drain()
      expect(receiver.to('/flaky')).toHaveLength(2)
      const second = await log()
      expect(second).toMatchObject({ status: 'pending', attempts: 2, responseStatus: 500 })
      const secondWait = Date.parse(second.nextAttemptAt ?? '') - clock
      // twice as long: 20 s, give or take the jitter
      expect(secondWait).toBeGreaterThanOrEqual(16_000)
      expect(secondWait).toBeLessThanOrEqual(24_000)
      expect(Date.parse(second.nextAttemptAt ?? '')).toBeGreaterThan(
        Date.parse(first.nextAttemptAt ?? ''),
      )

      clock += secondWait
      await drain()
      const done = await log()
      expect(done).toMatchObject({
        status: 'delivered',
        attempts: 3,
        responseStatus: 200,
        lastError: null,
        deliveredAt: now().toISOString(),
        nextAttemptAt: null,
      })
      expect(done.tries.map((t) => [t.responseStatus, t.error])).toEqual([
        [500, 'the endpoint answered 500'],
        [500, 'the endpoint answered 500'],
        [200, null],
      ])
      // the same event each time (a receiver dedupes on its id), signed afresh
      const sent = receiver.to('/flaky')
      const ids = sent.map((r) => (JSON.parse(r.body) as { id: string }).id)
      expect(new Set(ids)).toEqual(new Set([done.eventId]))
      expect(new Set(sent.map((r) => r.headers['x-hris-sync-signature'])).size).toBe(3)

      clock += 24 * 3600_000
      await drain()
      expect(receiver.to('/flaky')).toHaveLength(3)
    })

    it('gives up after the last try, and logs an endpoint that does not answer', async () => {
      const ws = await workspace()
      const port = await closedPort()
      const { endpoint } = await add(ws, `http://127.0.0.1:${String(port)}/gone`, ['run.completed'])
      await outbox.enqueue({
        workspaceId: ws,
        kind: 'run.completed',
        dedupeKey: 'run.completed:gone',
        payload: { runId: 'r2', state: 'failed' },
      })
      const twice = deliverer({ maxAttempts: 2 })
      await drain(twice)
      clock += 3600_000
      await drain(twice)
      clock += 3600_000
      await drain(twice)
      const [d] = await outbox.deliveries(ws, endpoint.id, 10)
      expect(d).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: null })
      expect(d?.tries).toHaveLength(2)
      for (const t of d?.tries ?? []) {
        expect(t.responseStatus).toBeNull()
        expect(t.error).toBe(`connect ECONNREFUSED 127.0.0.1:${String(port)}`)
      }
    })

    it('sends each endpoint the events it asked for, and only those', async () => {
      const ws = await workspace()
      const created = await add(ws, receiver.url('/created'), ['person.created'])
      const all = await add(ws, receiver.url('/all'), ['*'])
      const ends = await add(ws, receiver.url('/ends'), ['person.left', 'run.completed'])
      await personEvents(ws, 'filters', [
        { kind: 'person.created', personId: 'p1' },
        { kind: 'person.updated', personId: 'p2' },
        { kind: 'person.left', personId: 'p3', leaverDate: '2026-03-01' },
      ])
      await outbox.enqueue({
        workspaceId: ws,
        kind: 'run.completed',
        dedupeKey: 'run.completed:filters',
        payload: { runId: 'r3', state: 'succeeded' },
      })
      await drain()
      const types = (path: string) =>
        receiver
          .to(path)
          .map((r) => (JSON.parse(r.body) as { type: string }).type)
          .sort()
      expect(types('/created')).toEqual(['person.created'])
      expect(types('/all')).toEqual([
        'person.created',
        'person.left',
        'person.updated',
        'run.completed',
      ])
      expect(types('/ends')).toEqual(['person.left', 'run.completed'])
      const logged = async (id: string) =>
        (await outbox.deliveries(ws, id, 10)).map((d) => `${d.kind}:${d.status}`).sort()
      expect(await logged(created.endpoint.id)).toEqual(['person.created:delivered'])
      expect(await logged(all.endpoint.id)).toHaveLength(4)
      expect(await logged(ends.endpoint.id)).toEqual([
        'person.left:delivered',
        'run.completed:delivered',
      ])
    })

    /** One run.completed event for the workspace's webhooks. */
    const runCompleted = (ws: string, key: string) =>
      outbox.enqueue({
        workspaceId: ws,
        kind: 'run.completed',
        dedupeKey: `run.completed:${key}`,
        payload: { runId: key, state: 'succeeded' },
      })
    const onlyDelivery = async (ws: string, endpointId: string) => {
      const [d, ...more] = await outbox.deliveries(ws, endpointId, 10)
      if (!d || more.length > 0) throw new Error('not one delivery')
      return d
    }

    it('refuses, once and for good, an endpoint that is or resolves to a private address, and connects to nothing', async () => {
      const ws = await workspace()
      // endpoints stored while the policy allowed them (or before it existed), or whose name
      // resolved elsewhere when they were added: DNS can change after that check
      const literal = await add(ws, receiver.url('/literal'))
      const local = await add(ws, `http://localhost:${String(receiver.port)}/local`)
      const rebound = await add(ws, `http://rebind.test:${String(receiver.port)}/rebound`)
      const mixed = await add(ws, `http://mixed.test:${String(receiver.port)}/mixed`)
      await runCompleted(ws, 'refused')
      const asked: string[] = []
      const resolve: Resolve = (hostname) => {
        asked.push(hostname)
        return Promise.resolve(
          hostname === 'rebind.test'
            ? [{ address: '127.0.0.1', family: 4 }]
            : // one public address is not enough: every address must be public
              [
                { address: '93.184.215.14', family: 4 },
                { address: '::ffff:10.0.0.5', family: 6 },
              ],
        )
      }
      const warned: string[] = []
      const d = new Deliverer({
        outbox,
        mailer: null,
        now,
        logger: {
          ...quiet,
          warn: (obj, msg) => warned.push(`${msg} ${JSON.stringify(obj)}`),
        },
        webhookSecret: (id, sealed) => vault.open(sealed, `webhook:${id}`),
        webhookPolicy: hosted,
        resolve,
      })
      await drain(d)

      for (const path of ['/literal', '/local', '/rebound', '/mixed']) {
        expect(receiver.to(path)).toEqual([])
      }
      // localhost and addresses are known without asking a resolver
      expect(asked.sort()).toEqual(['mixed.test', 'rebind.test'])
      for (const [endpoint, error] of [
        [literal, 'refused: 127.0.0.1 is a loopback address'],
        [local, 'refused: localhost is a loopback address'],
        [rebound, 'refused: rebind.test resolves to 127.0.0.1, a loopback address'],
        [mixed, 'refused: mixed.test resolves to ::ffff:10.0.0.5, a private address'],
      ] as const) {
        expect(await onlyDelivery(ws, endpoint.endpoint.id)).toMatchObject({
          status: 'failed',
          attempts: 1,
          responseStatus: null,
          lastError: error,
          tries: [{ at: now().toISOString(), responseStatus: null, error }],
        })
      }
      expect(warned.filter((w) => w.startsWith('webhook refused'))).toHaveLength(4)
      expect(warned.join('\n')).not.toMatch(/whsec_/)

      // not tried again, however long it waits
      clock += 24 * 3600_000
      await drain(d)
      expect(asked).toHaveLength(2)
      expect((await onlyDelivery(ws, rebound.endpoint.id)).attempts).toBe(1)
    })

    it('delivers to private addresses where they are allowed, connecting to the address resolved', async () => {
      const ws = await workspace()
      // rebind.test is in no DNS: only the address the resolver gave can be reached
      const { endpoint } = await add(ws, `http://rebind.test:${String(receiver.port)}/allowed`)
      await runCompleted(ws, 'allowed')
      const resolve: Resolve = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }])
      await drain(deliverer({ allowPrivate: true, resolve }))

      const [request, ...more] = receiver.to('/allowed')
      expect(more).toEqual([])
      expect(request?.headers.host).toBe(`rebind.test:${String(receiver.port)}`)
      expect(await onlyDelivery(ws, endpoint.id)).toMatchObject({
        status: 'delivered',
        responseStatus: 200,
      })
    })

    it('does not follow a redirect: a 3xx is a failed try', async () => {
      const ws = await workspace()
      const { endpoint } = await add(ws, receiver.url('/moved'), ['run.completed'])
      receiver.plan('/moved', [302])
      await runCompleted(ws, 'moved')
      await drain()

      expect(receiver.to('/moved')).toHaveLength(1)
      expect(receiver.to('/elsewhere')).toEqual([])
      expect(await onlyDelivery(ws, endpoint.id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        responseStatus: 302,
        lastError: 'the endpoint answered 302, a redirect: not followed',
      })
    })
  })
}
