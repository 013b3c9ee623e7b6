import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'

import type { Connector, FieldInfo, ReadEnd, ReadPage } from '../connectors/connector.ts'
import { fakeConnector } from '../connectors/fake/fake-connector.ts'
import { SyncError, err, ok } from '../core/errors.ts'
import { blankEmployee } from '../core/model/employee.ts'
import type { Employee } from '../core/model/employee.ts'
import { createDb } from '../storage/db.ts'
import { SqlOutbox } from '../storage/sql-outbox.ts'
import { SqlStore } from '../storage/sql-store.ts'
import { Vault, beginRotation, loadVault } from '../storage/vault.ts'
import { DirectoryTarget } from '../targets/directory/directory-target.ts'
import { Engine } from './engine.ts'
import type { EngineDeps } from './engine.ts'

const NOW = new Date('2026-11-21T10:00:00Z')

/** An HR system with credentials, whose employees a test sets: it checks the token it gets. */
function hrSystem() {
  const state = {
    employees: [] as Employee[],
    failAfter: null as number | null,
    seen: [] as string[],
    fields: [] as FieldInfo[],
    /** The size each read was told to expect. */
    hints: [] as (number | undefined)[],
  }
  const Secret = z.strictObject({ token: z.string().min(1) })
  const connector: Connector<{ company: string }, z.infer<typeof Secret>> = {
    id: 'fake',
    configSchema: z.strictObject({ company: z.string().min(1) }),
    secretSchema: Secret,
    capabilities: { incremental: false, includesTerminated: true, customFields: false },
    check: (_config, secret) =>
      Promise.resolve(
        secret.token === 'good' || secret.token === 'newer'
          ? ok(undefined)
          : err(new SyncError('auth_failed', 'the HR system refused these credentials')),
      ),
    discoverFields: (_config, secret) => {
      state.seen.push(secret.token)
      return Promise.resolve(ok([...state.fields]))
    },
    enableHint: (path, config) => `Ask ${config.company}'s HR admin for ${path}.`,
    async *read(_config, secret, _ctx, options): AsyncGenerator<ReadPage, ReadEnd> {
      state.seen.push(secret.token)
      state.hints.push(options?.sizeHint)
      for (const [i, e] of state.employees.entries()) {
        await Promise.resolve()
        if (state.failAfter !== null && i >= state.failAfter) {
          throw new SyncError('upstream_unavailable', 'the HR system answered 503', {
            retryable: true,
          })
        }
        yield { records: [e] }
      }
      return { complete: true, readableFields: null, watermark: null, issues: [] }
    },
  }
  return { state, connector: connector as Connector }
}

const staff = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => ({
    ...blankEmployee(String(from + i)),
    firstName: `Person${String(from + i)}`,
    lastName: 'Test',
    workEmail: `p${String(from + i)}@acme.example`,
    department: { id: 'eng', name: 'Engineering' },
  }))

describe('the engine on the built-in directory', () => {
  let store: SqlStore
  let dir: string
  beforeAll(async () => {
    store = new SqlStore(await createDb({ databaseUrl: null, dataDir: 'memory' }))
    dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-engine-'))
  })
  afterAll(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  let n = 0
  async function setup(vault?: Vault, own?: SqlStore) {
    const hr = hrSystem()
    const store_ = own ?? store
    const deps: EngineDeps = {
      store: store_,
      connectors: { fake: hr.connector },
      vault:
        vault ??
        (await loadVault({
          envKey: undefined,
          keyFile: path.join(dir, `k${String(++n)}`),
          create: true,
        })),
      target: (ws) => new DirectoryTarget(store_.directory(ws)),
      now: () => NOW,
    }
    const engine = new Engine(deps)
    const workspace = await store_.ensureWorkspace(`ws-${String(++n)}`)
    const connect = (token: string) =>
      engine.connect({
        workspaceId: workspace.id,
        name: 'hr',
        connector: 'fake',
        config: { company: 'Acme' },
        secret: { token },
      })
    return { hr, engine, workspace, connect, deps }
  }

  it('keeps what the plan counted beside what the sync applied, and tells the next full read the size the last one found', async () => {
    const { hr, engine, connect } = await setup()
    hr.state.employees = staff(7)
    const connection = await connect('good')
    const first = await engine.sync(connection)
    expect(first.status).toBe('applied')
    expect(first.run.counts).toMatchObject({ create: 7, employees: 7, failed: 0 })
    expect(first.run.counts?.['applied']).toBeGreaterThanOrEqual(7)
    hr.state.employees = staff(8)
    const second = await engine.sync(connection)
    expect(second.run.counts).toMatchObject({ create: 1, noop: 7, employees: 8 })
    // the first read knew nothing; the second was told the 7 the first found
    expect(hr.state.hints).toEqual([undefined, 7])
  })

  it('seals credentials in the vault and stores nothing when they do not work', async () => {
    const { workspace, connect, hr, engine } = await setup()
    await expect(connect('wrong')).rejects.toMatchObject({ code: 'auth_failed' })
    expect(await store.connectionByName(workspace.id, 'hr')).toBeNull()

    const connection = await connect('good')
    expect(connection).not.toHaveProperty('secret')
    expect(JSON.stringify(connection)).not.toContain('good')
    const sealed = await store.sealedSecret(workspace.id, connection.id)
    expect(sealed).toMatch(/^hsv1:[0-9a-f]{16}:/)
    expect(sealed).not.toContain('good')
    await engine.fields(connection)
    expect(hr.state.seen).toEqual(['good'])
  })

  it('fields: names each important field the credentials cannot read, whatever the mapping, with the connector’s advice', async () => {
    const { engine, connect, hr } = await setup()
    const connection = await connect('good')
    const field = (path: string): FieldInfo => ({
      path,
      key: path,
      label: path,
      type: 'text',
      custom: false,
      sample: null,
    })
    hr.state.fields = ['workEmail', 'firstName', 'lastName', 'status'].map(field)
    const { fields, issues } = await engine.fields(connection)
    expect(fields.map((f) => f.path)).toEqual(['workEmail', 'firstName', 'lastName', 'status'])
    const messages = issues.map((i) => i.message)
    expect(messages).toContain(
      "termination date is not readable with these credentials: leavers cannot be detected. Ask Acme's HR admin for terminationDate.",
    )
    expect(messages).toContain(
      "hire date is not readable with these credentials: Hire date will not be synced. Ask Acme's HR admin for hireDate.",
    )
    expect(
      messages.filter((m) => m.startsWith('work email') || m.startsWith('first name')),
    ).toEqual([])
    // with the default policy, the supervisor is named once, for the managers it would set
    expect(messages.filter((m) => m.startsWith('supervisor'))).toEqual([
      "supervisor is not readable with these credentials: managers cannot be set from supervisors. Ask Acme's HR admin for supervisorExternalId.",
    ])
  })

  it('names the field of an invalid connection config', async () => {
    const { engine, workspace } = await setup()
    const error = await engine
      .connect({
        workspaceId: workspace.id,
        name: 'x',
        connector: 'fake',
        config: { company: '' },
        secret: {},
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SyncError)
    expect((error as SyncError).issues.map((i) => i.path.join('.'))).toEqual([
      'source.company',
      'secret.token',
    ])
  })

  it('re-encrypts credentials and webhook signing secrets under a new key; the old key then gives a clear error', async () => {
    const keyFile = path.join(dir, 'rotate.key')
    const before = await loadVault({ envKey: undefined, keyFile, create: true })
    // a database of its own: every secret in it is sealed with this key
    const own = new SqlStore(await createDb({ databaseUrl: null, dataDir: 'memory' }))
    const { connect, hr, deps } = await setup(before, own)
    const connection = await connect('good')
    // a webhook endpoint's signing secret, sealed as the API seals it
    const outbox = new SqlOutbox(own.db)
    const webhookId = randomUUID()
    await outbox.createWebhook({
      id: webhookId,
      workspaceId: connection.workspaceId,
      url: 'http://127.0.0.1:9/hook',
      events: ['person.created'],
      secret: before.seal('whsec_signing', `webhook:${webhookId}`),
    })
    const { next, commit } = await beginRotation({ envKey: undefined, keyFile })
    expect(await own.resealSecrets((s, context) => next.reseal(s, context))).toEqual({
      credentials: 1,
      webhookSecrets: 1,
    })
    await commit()
    const after = await loadVault({ envKey: undefined, keyFile, create: false })
    expect(after.keyId).not.toBe(before.keyId)
    // the deliverer opens it with the new key, for its endpoint only
    const sealedHook = (await outbox.webhookSecret(webhookId)) ?? ''
    expect(after.open(sealedHook, `webhook:${webhookId}`)).toBe('whsec_signing')
    expect(() => before.open(sealedHook, `webhook:${webhookId}`)).toThrow()
    await new Engine({ ...deps, vault: after }).fields(connection)
    expect(hr.state.seen).toEqual(['good'])
    const stale = await new Engine({ ...deps, vault: new Vault(Buffer.alloc(32, 7)) })
      .fields(connection)
      .catch((e: unknown) => e)
    expect((stale as Error).message).toContain(`sealed with key ${after.keyId}`)
    expect((stale as Error).message).not.toContain('good')
    await own.close()
  })

  it('applies a selection first, then the rest; the same plan cannot be applied twice', async () => {
    const { engine, connect, hr, workspace } = await setup()
    hr.state.employees = staff(4)
    const connection = await connect('good')
    const preview = await engine.preview(connection)
    expect(preview.run.state).toBe('planned')
    expect(preview.plan.summary.people.create).toBe(4)

    const test = await engine.apply(workspace.id, preview.planId, {
      selection: ['person:2'],
      by: 'ada@example.com',
    })
    expect(test.run.state).toBe('planned')
    expect(test.results.map((r) => [r.changeId, r.status])).toEqual([
      ['person:2', 'applied'],
      ['team:eng', 'applied'],
      ['membership:2:join:team:eng', 'applied'],
    ])
    const rest = await engine.apply(workspace.id, preview.planId)
    expect(rest.run.state).toBe('succeeded')
    expect(rest.counts).toEqual({ applied: 9, stale: 0, skipped: 0, failed: 0 })
    const recorded = await store.results(preview.planId)
    expect(recorded.filter((r) => r.status === 'applied')).toHaveLength(9)
    // two applies of the one run, each with what it did itself
    expect(
      (await store.applies(workspace.id, preview.run.id)).map((a) => [
        a.seq,
        a.selection,
        a.actor,
        a.state,
        a.counts?.['applied'],
      ]),
    ).toEqual([
      [1, 1, 'ada@example.com', 'succeeded', 3],
      [2, null, null, 'succeeded', 6],
    ])
    expect(rest.apply).toMatchObject({ seq: 2, counts: { applied: 6 } })
    await expect(engine.apply(workspace.id, preview.planId)).rejects.toMatchObject({
      code: 'conflict',
    })
    const again = await engine.preview(connection)
    expect(again.run.state).toBe('succeeded')
  })

  it('supersedes a plan nobody applied, and refuses to apply it afterwards', async () => {
    const { engine, connect, hr, workspace } = await setup()
    hr.state.employees = staff(2)
    const connection = await connect('good')
    const first = await engine.preview(connection)
    const second = await engine.preview(connection)
    expect((await store.run(workspace.id, first.run.id))?.state).toBe('cancelled')
    await expect(engine.apply(workspace.id, first.planId)).rejects.toMatchObject({
      code: 'stale_plan',
    })
    expect((await engine.apply(workspace.id, second.planId)).run.state).toBe('succeeded')
  })

  it('runs one operation per connection at a time', async () => {
    const { engine, connect, hr } = await setup()
    hr.state.employees = staff(50)
    const connection = await connect('good')
    const results = await Promise.allSettled([
      engine.preview(connection),
      engine.preview(connection),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const failure = results.find((r) => r.status === 'rejected')
    expect(failure?.reason).toMatchObject({ code: 'conflict', retryable: true })
  })

  it('holds a plan that makes too many leavers until it is approved', async () => {
    const { engine, connect, hr, workspace } = await setup()
    hr.state.employees = staff(5)
    const connection = await connect('good')
    const synced = await engine.sync(connection)
    expect(synced.status).toBe('applied')
    hr.state.employees = staff(3)
    const held = await engine.sync(connection)
    expect(held.status).toBe('awaiting_approval')
    expect(held.run.state).toBe('awaiting_approval')
    await expect(engine.apply(workspace.id, held.planId)).rejects.toMatchObject({
      code: 'approval_required',
    })
    expect((await store.run(workspace.id, held.run.id))?.state).toBe('awaiting_approval')
    const approved = await engine.apply(workspace.id, held.planId, { approved: true })
    expect(approved.run.state).toBe('succeeded')
    const people = []
    for await (const p of store.listPeople(workspace.id)) people.push(p)
    expect(people.filter((p) => p.status === 'leaver')).toHaveLength(2)
  })

  it('fails the run of a read that breaks off, and changes nothing', async () => {
    const { engine, connect, hr, workspace } = await setup()
    hr.state.employees = staff(10)
    hr.state.failAfter = 4
    const connection = await connect('good')
    await expect(engine.preview(connection)).rejects.toMatchObject({
      code: 'upstream_unavailable',
      retryable: true,
    })
    const [run] = await store.listRuns(workspace.id, connection.id, 1)
    expect(run).toMatchObject({
      state: 'failed',
      planId: null,
      error: { code: 'upstream_unavailable' },
    })
    const people = []
    for await (const p of store.listPeople(workspace.id)) people.push(p)
    expect(people).toEqual([])
    // the next run is not blocked by the failed one
    hr.state.failAfter = null
    expect((await engine.preview(connection)).plan.summary.people.create).toBe(10)
  })

  it("gives a connection its connector's default filter until a config names another", async () => {
    const { deps, workspace, hr } = await setup()
    const hireDateOnly = { field: 'hireDate', op: 'exists' } as const
    const engine = new Engine({
      ...deps,
      connectors: { fake: { ...hr.connector, defaultFilter: hireDateOnly } },
    })
    hr.state.employees = staff(3).map((e, i) => ({ ...e, hireDate: i === 0 ? null : '2024-01-01' }))
    const connection = await engine.connect({
      workspaceId: workspace.id,
      name: 'with-default',
      connector: 'fake',
      config: { company: 'Acme' },
      secret: { token: 'good' },
    })
    const skipped = (plan: { changes: readonly { reason: string; id: string }[] }) =>
      plan.changes.filter((c) => c.reason === 'filtered_out').map((c) => c.id)

    // nothing saved: the default filter, for a preview and for a sync alike
    expect(await store.latestSyncConfig(connection.id)).toBeNull()
    expect(engine.initialConfig('fake').filter).toEqual(hireDateOnly)
    const first = await engine.preview(connection)
    expect(skipped(first.plan)).toEqual(['person:1'])
    expect(first.plan.summary.people.create).toBe(2)

    // a config that names no filter is stored with the default, named
    await engine.configure(connection, { identifiers: ['work_email'] }, {})
    expect((await store.latestSyncConfig(connection.id))?.config).toEqual({
      identifiers: ['work_email'],
      filter: hireDateOnly,
    })
    // filter: null syncs everyone
    await engine.configure(connection, { filter: null }, {})
    const all = await engine.sync(connection)
    expect(all.status).toBe('applied')
    expect(all.status === 'applied' && all.counts.applied).toBeGreaterThanOrEqual(3)
    const everyone = await engine.preview(connection)
    expect(skipped(everyone.plan)).toEqual([])
  })

  it('reads a generated company with the fake connector, which needs no credentials', async () => {
    const { deps, workspace } = await setup()
    const engine = new Engine({
      ...deps,
      connectors: { fake: fakeConnector },
    })
    const connection = await engine.connect({
      workspaceId: workspace.id,
      name: 'generated',
      connector: 'fake',
      config: { employees: 30 },
      secret: null,
    })
    expect(connection.hasSecret).toBe(false)
    const result = await engine.sync(connection)
    expect(result.status).toBe('applied')
  })
})
