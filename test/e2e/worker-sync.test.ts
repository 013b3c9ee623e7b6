import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { personioConnector } from '../../src/connectors/personio/personio-connector.ts'
import type { Person } from '../../src/core/model/person.ts'
import { approvePlan } from '../../src/engine/approvals.ts'
import { addWebhook } from '../../src/engine/jobs-access.ts'
import { Engine } from '../../src/engine/engine.ts'
import { Deliverer } from '../../src/jobs/deliverer.ts'
import type { JobQueue, Logger, SyncJob } from '../../src/jobs/job-types.ts'
import { Scheduler } from '../../src/jobs/scheduler.ts'
import { smtpMailer } from '../../src/jobs/smtp-mailer.ts'
import { SyncRunner } from '../../src/jobs/sync-runner.ts'
import { SqlAccounts } from '../../src/storage/sql-accounts.ts'
import { SqlOutbox } from '../../src/storage/sql-outbox.ts'
import { SqlSchedules } from '../../src/storage/sql-schedules.ts'
import type { SqlStore } from '../../src/storage/sql-store.ts'
import { Vault, generateKey } from '../../src/storage/vault.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../../sim/personio/start-personio-sim.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'
import { startSmtpSink } from '../helpers/smtp-sink.ts'

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} }

/** A queue the test drains by hand: the jobs a tick queued, run one by one. */
function manualQueue(): JobQueue & { jobs: SyncJob[] } {
  const jobs: SyncJob[] = []
  return {
    jobs,
    send(job) {
      const key = `${job.connectionId}:${job.kind}`
      if (jobs.some((j) => `${j.connectionId}:${j.kind}` === key)) return Promise.resolve(null)
      jobs.push(job)
      return Promise.resolve(key)
    },
  }
}

const selfHosted = { allowPrivate: true }

/** A webhook receiver on 127.0.0.1 that answers 200 and keeps every request. */
async function startReceiver() {
  const received: { headers: IncomingHttpHeaders; body: string }[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString('utf8')))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${String(port)}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  }
}

for (const backend of BACKENDS) {
  describe(`a connection left alone, on ${backend}`, { timeout: 60_000 }, () => {
    let clock = new Date('2026-03-02T08:00:00.000Z')
    const now = () => new Date(clock)
    let sim: PersonioSim
    let smtp: Awaited<ReturnType<typeof startSmtpSink>>
    let receiver: Awaited<ReturnType<typeof startReceiver>>
    let webhookSecret: string
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let engine: Engine
    let workspaceId: string
    let connectionId: string
    let scheduler: Scheduler
    let runner: SyncRunner
    let deliverer: Deliverer
    let outbox: SqlOutbox
    let schedules: SqlSchedules
    const queue = manualQueue()
    const mailer = { current: null as ReturnType<typeof smtpMailer> | null }

    beforeAll(async () => {
      sim = await startPersonioSim({ employees: 40, seed: 11, now, rateLimits: false })
      smtp = await startSmtpSink()
      receiver = await startReceiver()
      opened = await openStore(backend)
      store = opened.store
      const vault = new Vault(generateKey())
      engine = new Engine({
        store,
        connectors: { personio: personioConnector },
        vault,
        target: (ws) => new DirectoryTarget(store.directory(ws)),
        now,
      })
      outbox = new SqlOutbox(store.db)
      schedules = new SqlSchedules(store.db)
      const ws = await store.ensureWorkspace('acme')
      workspaceId = ws.id
      const [credential] = sim.credentials
      const connection = await engine.connect({
        workspaceId,
        name: 'personio',
        connector: 'personio',
        config: { baseUrl: sim.url },
        secret: { clientId: credential?.clientId, clientSecret: credential?.clientSecret },
      })
      connectionId = connection.id
      await engine.configure(connection, { policy: { inviteNewPeople: true } }, { enabled: true })
      // the workspace's admin is told, and whoever is added by hand; a member is not
      const accounts = new SqlAccounts(store.db)
      for (const [email, role] of [
        ['boss@acme.test', 'admin'],
        ['mia@acme.test', 'member'],
      ] as const) {
        const user = await accounts.createUser({ email, name: email, passwordHash: 'unused' })
        await accounts.addMember(workspaceId, user.id, role)
      }
      await outbox.addRecipient(workspaceId, 'Ops@Acme.test')
      // the receiver is on 127.0.0.1: allowed explicitly, as HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE does
      webhookSecret = (
        await addWebhook({ outbox, vault, webhookPolicy: selfHosted }, workspaceId, receiver.url, [
          '*',
        ])
      ).secret
      scheduler = new Scheduler({ schedules, queue, now, logger: quiet })
      runner = new SyncRunner({
        engine,
        store,
        schedules,
        outbox,
        now,
        logger: quiet,
        quarantineAfter: 3,
      })
      mailer.current = smtpMailer(smtp.url, 'hris-sync@acme.test')
      deliverer = new Deliverer({
        outbox,
        mailer: mailer.current,
        now,
        logger: quiet,
        webhookSecret: (id, sealed) => vault.open(sealed, `webhook:${id}`),
        webhookPolicy: selfHosted,
      })
    }, 60_000)
    afterAll(async () => {
      mailer.current?.close()
      await sim.close()
      await smtp.close()
      await receiver.close()
      await opened.close()
    })

    /** Time passes; the scheduler ticks, the jobs it queued run, the outbox is delivered. */
    async function passes(minutes: number) {
      clock = new Date(clock.getTime() + minutes * 60_000)
      const ticked = await scheduler.tick()
      const outcomes = []
      for (const job of queue.jobs.splice(0)) {
        outcomes.push(await runner.run(job, { retryCount: 0, retryLimit: 0 }))
      }
      for (;;) {
        const done = await deliverer.deliver()
        if (done.messages + done.webhooks === 0) break
      }
      return { ticked, outcomes }
    }

    async function people(): Promise<Person[]> {
      const out: Person[] = []
      for await (const p of store.listPeople(workspaceId)) out.push(p)
      return out
    }

    /** What the directory should hold for the simulator's employees now. */
    async function inStep() {
      const today = clock.toISOString().slice(0, 10)
      const byExternal = new Map((await people()).map((p) => [p.sourceKey?.externalId, p]))
      for (const e of sim.admin.employees()) {
        const p = byExternal.get(String(e.id))
        const gone = e.terminationDate !== null && e.terminationDate <= today
        if (!p) {
          // terminated before it was ever imported: never created
          expect(gone, `employee ${String(e.id)}`).toBe(true)
          continue
        }
        expect(p.fields['email'], `employee ${String(e.id)}`).toBe(e.workEmail.toLowerCase())
        expect(p.fields['jobTitle'], `employee ${String(e.id)}`).toBe(e.position)
        expect(p.status, `employee ${String(e.id)}`).toBe(gone ? 'leaver' : 'active')
      }
    }

    /** What the webhook received, each checked against its signature. */
    function hooked() {
      return receiver.received.map(({ headers, body }) => {
        const [, t = '', v1 = ''] =
          /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(headers['x-hris-sync-signature'])) ?? []
        expect(v1).toBe(createHmac('sha256', webhookSecret).update(`${t}.${body}`).digest('hex'))
        return JSON.parse(body) as { id: string; type: string; data: Record<string, unknown> }
      })
    }

    const invitationsTo = (email: string) =>
      smtp.mails.filter((m) => m.to.includes(email) && m.subject === 'You are invited').length

    it('keeps the directory in step with the HR system: first sync, edits, a new hire, a leaver', async () => {
      // a new schedule starts at its next time, not at once
      expect((await passes(0)).ticked.queued).toEqual([])
      const first = await passes(15)
      expect(first.ticked.queued).toEqual([`${connectionId}:incremental`])
      expect(first.outcomes[0]).toMatchObject({ done: true, state: 'succeeded' })
      await inStep()
      const created = await people()
      expect(created.length).toBeGreaterThan(30)
      for (const p of created) {
        expect(invitationsTo(String(p.fields['email']))).toBe(1)
        expect(p.inviteStatus).toBe('sent')
      }
      const invite = smtp.mails.find((m) => m.subject === 'You are invited')
      expect(invite?.from).toBe('hris-sync@acme.test')
      expect(invite?.raw).toContain('you are invited to join')

      const [a, b] = sim.admin.employees().filter((e) => e.status === 'active')
      sim.admin.editEmployee(a?.id ?? 0, { position: 'Chief of Staff' })
      const hire = sim.admin.addEmployee({
        firstName: 'Nora',
        lastName: 'Neu',
        workEmail: 'nora.neu@acme.test',
      })
      sim.admin.terminateEmployee(b?.id ?? 0, { terminationDate: clock.toISOString().slice(0, 10) })
      clock = new Date(clock.getTime() + 60_000)
      const second = await passes(15)
      expect(second.outcomes[0]).toMatchObject({ done: true, state: 'succeeded' })
      const run = await store.latestRun(connectionId)
      expect(run?.kind).toBe('incremental')
      // the incremental read planned the three it read, and left the others alone
      const planned = await store.plan(workspaceId, run?.planId ?? '')
      expect(planned?.plan.basis.employees).toBe(3)
      expect(planned?.plan.changes.filter((c) => c.kind === 'person')).toHaveLength(3)
      await inStep()
      expect(invitationsTo(hire.workEmail.toLowerCase())).toBe(1)

      // nothing changed: the next runs find nothing to do, and invite nobody again
      const mails = smtp.mails.length
      const third = await passes(15)
      expect(third.outcomes[0]).toMatchObject({ done: true, state: 'succeeded' })
      expect(smtp.mails.length).toBe(mails)
      await inStep()

      // the webhook heard of every person created, the edit, the leaver and each run, signed
      const events = hooked()
      const ids = (type: string) =>
        events
          .filter((e) => e.type === type)
          .map((e) => String(e.data['personId'] ?? e.data['runId']))
          .sort()
      const everyone = await people()
      const idOf = (externalId: number | undefined) =>
        everyone.find((p) => p.sourceKey?.externalId === String(externalId))?.id
      expect(ids('person.created')).toEqual(everyone.map((p) => p.id).sort())
      expect(ids('person.updated')).toContain(idOf(a?.id))
      expect(ids('person.left')).toEqual([idOf(b?.id)])
      const runs = await store.listRuns(workspaceId, connectionId, 10)
      expect(runs).toHaveLength(3)
      expect(ids('run.completed')).toEqual(runs.map((r) => r.id).sort())
      expect(events.filter((e) => e.type === 'run.completed').map((e) => e.data['state'])).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
      ])
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
    })

    it('reads everyone at night, once, in place of the incremental run due at the same time', async () => {
      const next = new Date(clock)
      next.setUTCDate(next.getUTCDate() + 1)
      next.setUTCHours(3, 0, 0, 0)
      clock = new Date(next.getTime() - 60_000)
      const night = await passes(1)
      expect(night.ticked.queued).toEqual([`${connectionId}:full`])
      expect((await store.latestRun(connectionId))?.kind).toBe('sync')
      await inStep()
    })

    it('stops on refused credentials until new ones are stored, and tells the admins', async () => {
      const [credential] = sim.credentials
      const rotated = sim.admin.rotateCredential(credential?.clientId ?? '')
      const refused = await passes(15)
      expect(refused.outcomes[0]).toMatchObject({ done: true, state: 'failed' })
      expect((await store.connection(workspaceId, connectionId))?.status).toBe('needs_reauth')
      const told = smtp.mails.filter((m) => m.subject.startsWith('hris-sync:'))
      expect(told.map((m) => [m.subject, [...m.to].sort()])).toEqual([
        [
          'hris-sync: the credentials of "personio" were refused',
          ['boss@acme.test', 'ops@acme.test'],
        ],
      ])
      const held = await passes(15)
      expect(held.ticked.held[0]?.why).toMatch(/credentials/)
      const connection = await engine.connect({
        workspaceId,
        name: 'personio',
        connector: 'personio',
        config: { baseUrl: sim.url },
        secret: { clientId: rotated.clientId, clientSecret: rotated.clientSecret },
      })
      expect(connection.status).toBe('active')
      const back = await passes(15)
      expect(back.outcomes[0]).toMatchObject({ done: true, state: 'succeeded' })
    })

    it('holds a plan that makes too many leavers for approval, tells the admins once, and applies it once approved', async () => {
      const today = clock.toISOString().slice(0, 10)
      const active = sim.admin.employees().filter((e) => e.status === 'active')
      for (const e of active.slice(0, Math.ceil(active.length * 0.3))) {
        sim.admin.terminateEmployee(e.id, { terminationDate: today })
      }
      const held = await passes(15)
      expect(held.outcomes[0]).toMatchObject({ done: true, state: 'awaiting_approval' })
      const again = await passes(15)
      expect(again.outcomes[0]).toMatchObject({ done: true, state: 'awaiting_approval' })
      const asked = smtp.mails.filter((m) => m.subject.includes('needs approval'))
      expect(asked.map((m) => [...m.to].sort())).toEqual([['boss@acme.test', 'ops@acme.test']])
      const run = await store.latestRun(connectionId)
      const applied = await approvePlan({ engine, store }, workspaceId, run?.planId ?? '', 'test')
      expect(applied.run.state).toBe('succeeded')
      await inStep()
    })

    it('quarantines after failures in a row, slows it down, and a success clears it', async () => {
      // a config this credential cannot work with: every run fails (and is not retried)
      const connection = await store.connection(workspaceId, connectionId)
      if (!connection) throw new Error('no connection')
      const broken = { identifiers: [{ custom: 'dynamic_404' }], policy: { inviteNewPeople: true } }
      await engine.configure(connection, broken, { enabled: true })
      for (let i = 0; i < 3; i++) await passes(15)
      const health = await schedules.health(connectionId)
      expect(health).toMatchObject({ status: 'quarantined', consecutiveFailures: 3 })
      const quarantined = smtp.mails.filter((m) => m.subject.includes('quarantined'))
      expect(quarantined.map((m) => [...m.to].sort())).toEqual([
        ['boss@acme.test', 'ops@acme.test'],
      ])
      const slowed = await passes(15)
      expect(slowed.ticked.held[0]?.why).toMatch(/quarantined/)
      await engine.configure(connection, { policy: { inviteNewPeople: true } }, { enabled: true })
      await passes(60)
      expect(await schedules.health(connectionId)).toMatchObject({
        status: 'active',
        consecutiveFailures: 0,
      })
      await inStep()
    })
  })
}
