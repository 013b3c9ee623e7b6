import { randomUUID } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { personHash, contentOf } from '../../src/core/model/person.ts'
import { applyPlan } from '../../src/engine/apply-plan.ts'
import { SqlAccounts } from '../../src/storage/sql-accounts.ts'
import { SqlOutbox } from '../../src/storage/sql-outbox.ts'
import type { SqlStore } from '../../src/storage/sql-store.ts'
import { SqlViews } from '../../src/storage/sql-views.ts'
import { OWNED_KINDS } from '../../src/storage/store.ts'
import type { Workspace } from '../../src/storage/store.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'
import { POLICY, collect, company, planFor } from './target-contract.ts'

const HOUR = 3600_000
const iso = (ms: number) => new Date(ms).toISOString()

for (const backend of BACKENDS) {
  describe(`SqlAccounts and SqlViews on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let accounts: SqlAccounts
    let views: SqlViews
    beforeAll(async () => {
      opened = await openStore(backend)
      store = opened.store
      accounts = new SqlAccounts(store.db)
      views = new SqlViews(store.db)
    }, 60_000)
    afterAll(() => opened.close())

    const workspace = () => accounts.createWorkspace(`ws-${randomUUID()}`)
    const user = (email = `${randomUUID()}@example.com`) =>
      accounts.createUser({ email, name: 'Someone', passwordHash: '$argon2id$stub' })

    describe('users and members', () => {
      it('keeps one account per email, whatever its case', async () => {
        const email = `Ada.${randomUUID()}@Example.com`
        const ada = await user(`  ${email} `)
        expect(ada.email).toBe(email.toLowerCase())
        await expect(user(email.toUpperCase())).rejects.toMatchObject({ code: 'conflict' })
        expect(await accounts.userByEmail(email)).toMatchObject({
          id: ada.id,
          passwordHash: '$argon2id$stub',
        })
        expect(await accounts.user(ada.id)).toEqual(ada)
        expect(await accounts.passwordHash(ada.id)).toBe('$argon2id$stub')
        expect(await accounts.userByEmail('nobody@example.com')).toBeNull()
        expect(await accounts.countUsers()).toBeGreaterThan(0)
      })

      it('adds members with a role, changes the role, and removes them', async () => {
        const ws = await workspace()
        const other = await workspace()
        const ada = await user()
        await accounts.addMember(ws.id, ada.id, 'member')
        await accounts.addMember(ws.id, ada.id, 'admin')
        expect(await accounts.role(ws.id, ada.id)).toBe('admin')
        expect(await accounts.role(other.id, ada.id)).toBeNull()
        expect(await accounts.members(ws.id)).toEqual([{ ...ada, role: 'admin' }])
        expect(await accounts.workspacesOf(ada.id)).toEqual([{ ...ws, role: 'admin' }])
        expect(await accounts.removeMember(other.id, ada.id)).toBe(false)
        expect(await accounts.removeMember(ws.id, ada.id)).toBe(true)
        expect(await accounts.workspacesOf(ada.id)).toEqual([])
        await expect(accounts.createWorkspace(ws.name)).rejects.toMatchObject({ code: 'conflict' })
        expect(await accounts.workspace(ws.id)).toEqual(ws)
      })
    })

    describe('sessions', () => {
      it('finds a session until it expires; a new password ends the others', async () => {
        const ada = await user()
        const now = Date.now()
        const session = (id: string) =>
          accounts.createSession({
            id,
            userId: ada.id,
            csrfToken: 'csrf',
            expiresAt: iso(now + HOUR),
            confirmedAt: iso(now),
            ip: '127.0.0.1',
            userAgent: 'test',
          })
        const one = await session(`s-${randomUUID()}`)
        const two = await session(`s-${randomUUID()}`)
        expect(await accounts.session(one.id, iso(now))).toEqual(one)
        expect(await accounts.session(one.id, iso(now + 2 * HOUR))).toBeNull()
        await accounts.touchSession(one.id, {
          expiresAt: iso(now + 3 * HOUR),
          confirmedAt: iso(now + 1000),
        })
        expect(await accounts.session(one.id, iso(now + 2 * HOUR))).toMatchObject({
          confirmedAt: iso(now + 1000),
        })
        await accounts.setPassword(ada.id, '$argon2id$new', one.id)
        expect(await accounts.session(two.id, iso(now))).toBeNull()
        expect(await accounts.session(one.id, iso(now))).not.toBeNull()
        expect(await accounts.passwordHash(ada.id)).toBe('$argon2id$new')
        await accounts.deleteSession(one.id)
        expect(await accounts.session(one.id, iso(now))).toBeNull()
      })
    })

    describe('API tokens', () => {
      it('finds a token by its hash until it is revoked, in its workspace only', async () => {
        const ws = await workspace()
        const other = await workspace()
        const hash = `h-${randomUUID()}`
        const token = await accounts.createApiToken({
          workspaceId: ws.id,
          name: 'ci',
          tokenHash: hash,
          prefix: 'hst_abcdef',
          createdBy: null,
        })
        expect(token.lastUsedAt).toBeNull()
        const used = await accounts.useApiToken(hash, iso(Date.now()))
        expect(used?.lastUsedAt).not.toBeNull()
        expect(await accounts.apiTokens(ws.id)).toHaveLength(1)
        expect(await accounts.revokeApiToken(other.id, token.id)).toBe(false)
        expect(await accounts.revokeApiToken(ws.id, token.id)).toBe(true)
        expect(await accounts.revokeApiToken(ws.id, token.id)).toBe(false)
        expect(await accounts.useApiToken(hash, iso(Date.now()))).toBeNull()
        expect(await accounts.apiTokens(ws.id)).toEqual([])
      })
    })

    describe('sign-in failures', () => {
      it('counts failures of a key in a window, and forgets them when told', async () => {
        const key = `login:${randomUUID()}|10.0.0.1`
        const now = Date.now()
        await accounts.recordLoginFailure(key, iso(now - 20 * 60_000))
        await accounts.recordLoginFailure(key, iso(now - 60_000))
        await accounts.recordLoginFailure(key, iso(now))
        const since = iso(now - 15 * 60_000)
        expect(await accounts.loginFailures(key, since)).toEqual({
          count: 2,
          oldest: iso(now - 60_000),
        })
        expect(await accounts.loginFailures(`${key}x`, since)).toEqual({ count: 0, oldest: null })
        await accounts.clearLoginFailures(key)
        expect((await accounts.loginFailures(key, since)).count).toBe(0)
      })
    })

    describe('views', () => {
      let ws: Workspace
      let planId: string
      let runId: string
      let connectionId: string
      beforeAll(async () => {
        ws = await workspace()
        const c = await store.createConnection({
          workspaceId: ws.id,
          name: 'hr',
          connector: 'fake',
          config: {},
          secret: null,
        })
        connectionId = c.id
        const target = new DirectoryTarget(store.directory(ws.id))
        const planned = await planFor(target, company(), { connectionId })
        const run = await store.createRun({
          workspaceId: ws.id,
          connectionId,
          kind: 'sync',
          configVersion: null,
        })
        runId = run.id
        planId = await store.savePlan(run, planned)
        const report = await applyPlan(target, planned, { policy: POLICY })
        const applied = report.results
          .flatMap((r) => (r.status === 'applied' ? [r] : []))
          .slice(0, 3)
        await store.recordResults(
          planId,
          runId,
          1,
          applied.map((r) => ({
            changeId: r.changeId,
            status: 'applied' as const,
            entityId: r.entityId,
            message: null,
            errorCode: null,
          })),
        )
      })

      it('says whether a workspace owns an id, for every kind, and never for another', async () => {
        const other = await workspace()
        const [person] = await collect(store.listPeople(ws.id))
        const [team] = await collect(store.directory(ws.id).listTeams())
        const member = await user()
        await accounts.addMember(ws.id, member.id, 'member')
        const token = await accounts.createApiToken({
          workspaceId: ws.id,
          name: 't',
          tokenHash: `h-${randomUUID()}`,
          prefix: 'hst_',
          createdBy: null,
        })
        const webhook = await new SqlOutbox(store.db).createWebhook({
          id: randomUUID(),
          workspaceId: ws.id,
          url: 'https://app.example/hooks',
          events: ['*'],
          secret: 'sealed',
        })
        const ids = {
          connection: connectionId,
          plan: planId,
          run: runId,
          person: person?.id ?? '',
          team: team?.id ?? '',
          token: token.id,
          member: member.id,
          webhook: webhook.id,
        }
        for (const kind of OWNED_KINDS) {
          expect(await views.owns(ws.id, kind, ids[kind]), kind).toBe(true)
          expect(await views.owns(other.id, kind, ids[kind]), kind).toBe(false)
          expect(await views.owns(ws.id, kind, randomUUID()), kind).toBe(false)
        }
      })

      it('pages a plan’s changes, filtered by kind, action, reason and result', async () => {
        const header = await views.planHeader(ws.id, planId)
        expect(header?.runId).toBe(runId)
        const creates =
          header?.counts.find((c) => c.kind === 'person' && c.action === 'create')?.count ?? 0
        expect(creates).toBeGreaterThan(2)
        expect(header?.results).toEqual({ applied: 3 })
        const first = await views.planChanges(ws.id, planId, {
          kinds: ['person'],
          actions: ['create'],
          offset: 0,
          limit: 2,
        })
        expect(first.total).toBe(creates)
        expect(first.items).toHaveLength(2)
        const next = await views.planChanges(ws.id, planId, {
          kinds: ['person'],
          actions: ['create'],
          offset: 2,
          limit: 2,
        })
        expect(next.items[0]?.change.id).not.toBe(first.items[0]?.change.id)
        const applied = await views.planChanges(ws.id, planId, {
          statuses: ['applied'],
          offset: 0,
          limit: 50,
        })
        expect(applied.total).toBe(3)
        expect(applied.items.every((i) => i.result?.status === 'applied')).toBe(true)
        const pending = await views.planChanges(ws.id, planId, {
          statuses: ['pending'],
          offset: 0,
          limit: 1,
        })
        expect(pending.total + 3).toBe(header?.counts.reduce((n, c) => n + c.count, 0))
        const byReason = await views.planChanges(ws.id, planId, {
          reasons: ['nothing_like_this'],
          offset: 0,
          limit: 5,
        })
        expect(byReason.total).toBe(0)
        // a person change's diff comes back as it was planned
        const change = first.items[0]?.change
        expect(change?.kind === 'person' ? change.diff.length : 0).toBeGreaterThan(0)
        const other = await workspace()
        expect(await views.planHeader(other.id, planId)).toBeNull()
        await expect(
          views.planChanges(other.id, planId, { offset: 0, limit: 1 }),
        ).rejects.toMatchObject({ code: 'not_found' })
        const results = await views.runResults(ws.id, runId, { offset: 0, limit: 10 })
        expect(results.total).toBe(3)
        expect(results.items[0]).toMatchObject({
          status: 'applied',
          apply: 1,
          label: expect.any(String) as string,
        })
        // an apply's own results
        expect(
          (await views.runResults(ws.id, runId, { apply: 1, offset: 0, limit: 1 })).total,
        ).toBe(3)
        expect(
          (await views.runResults(ws.id, runId, { apply: 2, offset: 0, limit: 1 })).total,
        ).toBe(0)
        await expect(
          views.runResults(other.id, runId, { offset: 0, limit: 1 }),
        ).rejects.toMatchObject({ code: 'not_found' })
      })

      it('pages and searches people; edits a person’s fields with a new hash and an audit entry', async () => {
        const all = await views.people(ws.id, { offset: 0, limit: 100 })
        expect(all.total).toBeGreaterThan(2)
        const someone = all.items.find((p) => p.managerId !== null) ?? all.items[0]
        if (!someone) throw new Error('nobody')
        const name = String(someone.fields['lastName'])
        const found = await views.people(ws.id, { q: name.toUpperCase(), offset: 0, limit: 10 })
        expect(found.items.map((p) => p.id)).toContain(someone.id)
        expect((await views.people(ws.id, { q: '%', offset: 0, limit: 10 })).total).toBe(0)
        const teamId = someone.teamIds[0]
        if (teamId !== undefined) {
          const members = await views.people(ws.id, { teamId, offset: 0, limit: 100 })
          expect(members.items.every((p) => p.teamIds.includes(teamId))).toBe(true)
          const teams = await views.teams(ws.id)
          expect(teams.find((t) => t.id === teamId)?.members).toBe(members.total)
          expect(await views.team(ws.id, teamId)).toMatchObject({ id: teamId })
        }
        if (someone.managerId !== null) {
          const reports = await views.people(ws.id, {
            managerId: someone.managerId,
            offset: 0,
            limit: 100,
          })
          expect(reports.items.map((p) => p.id)).toContain(someone.id)
        }
        const edited = await views.editPerson(
          ws.id,
          someone.id,
          { 'custom.desk': 'B12', email: 'New@Example.com' },
          'tester',
        )
        expect(edited.fields).toMatchObject({ 'custom.desk': 'B12', email: 'New@Example.com' })
        expect(edited.hash).toBe(personHash(contentOf(edited)))
        expect(edited.hash).not.toBe(someone.hash)
        expect(edited.teamIds).toEqual(someone.teamIds)
        // the email is unique per workspace as before
        const another = all.items.find((p) => p.id !== someone.id)
        await expect(
          views.editPerson(ws.id, another?.id ?? '', { email: 'new@example.com' }, 'tester'),
        ).rejects.toMatchObject({ code: 'conflict' })
        const audit = await views.auditOf(ws.id, 'person', [someone.id])
        expect(audit.at(-1)).toMatchObject({ actor: 'tester', action: 'person.edited' })
        const other = await workspace()
        await expect(
          views.editPerson(other.id, someone.id, { 'custom.desk': 'x' }, 't'),
        ).rejects.toMatchObject({
          code: 'not_found',
        })
        expect(await views.person(other.id, someone.id)).toBeNull()
      })
    })
  })
}
