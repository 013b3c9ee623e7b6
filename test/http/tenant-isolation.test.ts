import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { apiHarness, applied, bodyOf, client, settled } from './api-harness.ts'
import type { Answer, Client } from './api-harness.ts'

const V1 = '/api/v1'

/** The routes that name no workspace: they act on the caller alone. */
const UNSCOPED = [
  'POST /api/v1/auth/login',
  'GET /api/v1/auth/session',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/confirm',
  'PUT /api/v1/auth/password',
  'GET /api/v1/workspaces',
  'POST /api/v1/workspaces',
  'GET /api/v1/meta',
].sort()

interface Operation {
  readonly method: string
  readonly path: string
  readonly query: readonly string[]
}

let h: Awaited<ReturnType<typeof apiHarness>>
let operations: Operation[]
/** Workspace B's ids, by the name of the path or query parameter that carries them. */
let theirs: Record<string, string>
let mine: { workspaceId: string; user: Client; token: Client }

beforeAll(async () => {
  h = await apiHarness()
  const a = await h.tenant('alpha')
  const b = await h.tenant('bravo')

  // workspace B with one of everything: a connection, a run, a plan, people, a team, a token, a
  // member, a webhook
  const bob = client(h.app)
  await bob.signIn(b.email, b.password)
  const at = (rest: string) => `${V1}/workspaces/${b.workspace.id}${rest}`
  const made = await bob.post(at('/connections'), {
    name: 'hr',
    connector: 'fake',
    config: { employees: 12 },
  })
  const connectionId = bodyOf<{ connection: { id: string } }>(made).connection.id
  const started = await bob.post(at(`/connections/${connectionId}/previews`))
  const runId = bodyOf<{ run: { id: string } }>(started).run.id
  const { run } = await settled(bob, b.workspace, runId)
  const apply = await bob.post(at(`/plans/${run.planId ?? ''}/apply`), { selection: 'all' })
  expect(apply.status, apply.text).toBe(202)
  await applied(bob, b.workspace, runId)
  const people = await bob.get(at('/people'))
  const teams = await bob.get(at('/teams'))
  const token = await bob.post(at('/tokens'), { name: 'theirs' })
  const member = await bob.post(at('/members'), {
    email: 'carol@example.com',
    password: 'carol has a long one',
  })
  const webhook = await bob.post(at('/webhooks'), { url: 'https://bravo.example/hooks' })
  theirs = {
    workspaceId: b.workspace.id,
    connectionId,
    planId: run.planId ?? '',
    runId,
    personId: bodyOf<{ items: { person: { id: string } }[] }>(people).items[0]?.person.id ?? '',
    teamId: bodyOf<{ teams: { team: { id: string } }[] }>(teams).teams[0]?.team.id ?? '',
    tokenId: bodyOf<{ apiToken: { id: string } }>(token).apiToken.id,
    userId: bodyOf<{ member: { id: string } }>(member).member.id,
    webhookId: bodyOf<{ webhook: { id: string } }>(webhook).webhook.id,
  }
  for (const [name, id] of Object.entries(theirs)) expect(id, name).toMatch(/^[0-9a-f-]{36}$/)

  // workspace A: its admin, signed in, and one of its API tokens
  const user = client(h.app)
  await user.signIn(a.email, a.password)
  const own = await user.post(`${V1}/workspaces/${a.workspace.id}/tokens`, { name: 'mine' })
  const bearer = client(h.app)
  bearer.useToken(bodyOf<{ token: string }>(own).token)
  mine = { workspaceId: a.workspace.id, user, token: bearer }

  const doc = (await (await h.app.request('/api/openapi.json')).json()) as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>
  }
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    })),
  )
}, 60_000)
afterAll(() => h.close())

const fill = (path: string, ids: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const id = ids[name]
    if (id === undefined) throw new Error(`${path}: no id for {${name}} in the test: add one`)
    return id
  })

async function call(c: Client, method: string, url: string): Promise<Answer> {
  // an empty body: the scope is checked before the body is, so no body gets a route past it
  return c.request(method, url, method === 'GET' || method === 'DELETE' ? undefined : {})
}

describe('tenant isolation', () => {
  it('knows every route of the document: each names a workspace, or is one of the few that do not', () => {
    const unscoped = operations
      .filter((o) => !o.path.includes('{workspaceId}'))
      .map((o) => `${o.method} ${o.path}`)
      .sort()
    expect(unscoped).toEqual(UNSCOPED)
    expect(operations.length).toBeGreaterThan(30)
  })

  it('answers 404 on every route to ids of another workspace, in any position', async () => {
    const leaks: string[] = []
    const scoped = operations.filter((o) => o.path.includes('{workspaceId}'))
    for (const op of scoped) {
      const cases = [
        // my workspace, their ids
        { who: 'user', c: mine.user, ids: { ...theirs, workspaceId: mine.workspaceId } },
        { who: 'token', c: mine.token, ids: { ...theirs, workspaceId: mine.workspaceId } },
        // their workspace altogether
        { who: 'user', c: mine.user, ids: theirs },
        { who: 'token', c: mine.token, ids: theirs },
      ]
      const ownsIds = /\{(?!workspaceId)\w+\}/.test(op.path)
      for (const { who, c, ids } of cases) {
        // a route with only {workspaceId} and my workspace is mine to use: not a case
        if (!ownsIds && ids.workspaceId === mine.workspaceId) continue
        const answer = await call(c, op.method, fill(op.path, ids))
        if (
          answer.status !== 404 ||
          bodyOf<{ error?: { code: string } } | null>(answer)?.error?.code !== 'not_found'
        ) {
          leaks.push(
            `${who} ${op.method} ${fill(op.path, ids)} → ${String(answer.status)} ${answer.text.slice(0, 120)}`,
          )
        }
      }
      // ids in the query (runs of a connection, people of a team)
      for (const name of op.query.filter((q) => q in theirs && q !== 'workspaceId')) {
        const url = `${fill(op.path, { ...theirs, workspaceId: mine.workspaceId })}?${name}=${theirs[name] ?? ''}`
        if (ownsIds) continue
        const answer = await call(mine.user, op.method, url)
        if (answer.status !== 404) leaks.push(`user ${op.method} ${url} → ${String(answer.status)}`)
      }
    }
    expect(leaks).toEqual([])
  })

  it('finds the same ids for their own workspace (the walk above is not vacuous)', async () => {
    const bob = client(h.app)
    await bob.signIn('bravo@example.com', 'a good long password')
    const gets = operations.filter((o) => o.method === 'GET' && o.path.includes('{workspaceId}'))
    expect(gets.length).toBeGreaterThan(15)
    for (const op of gets) {
      const answer = await bob.get(fill(op.path, theirs))
      expect(answer.status, `${op.path}: ${answer.text.slice(0, 200)}`).toBe(200)
    }
  })

  it('changed nothing of the other workspace on the way', async () => {
    const bob = client(h.app)
    await bob.signIn('bravo@example.com', 'a good long password')
    const at = (rest: string) => `${V1}/workspaces/${theirs['workspaceId'] ?? ''}${rest}`
    const tokens = await bob.get(at('/tokens'))
    expect(bodyOf<{ tokens: { id: string }[] }>(tokens).tokens.map((t) => t.id)).toContain(
      theirs['tokenId'],
    )
    const members = await bob.get(at('/members'))
    expect(bodyOf<{ members: { id: string }[] }>(members).members.map((m) => m.id)).toContain(
      theirs['userId'],
    )
    const connection = await bob.get(at(`/connections/${theirs['connectionId'] ?? ''}`))
    expect(bodyOf<{ connection: { config: object } }>(connection).connection.config).toMatchObject({
      employees: 12,
    })
    const runs = await bob.get(at('/runs'))
    expect(bodyOf<{ runs: unknown[] }>(runs).runs).toHaveLength(1)
  })

  it('lists only the caller’s own workspaces', async () => {
    const listed = await mine.user.get(`${V1}/workspaces`)
    expect(bodyOf<{ workspaces: { id: string }[] }>(listed).workspaces.map((w) => w.id)).toEqual([
      mine.workspaceId,
    ])
  })
})
