import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../../sim/personio/start-personio-sim.ts'
import type { Workspace } from '../../src/storage/store.ts'
import { ORIGIN, apiHarness, applied, bodyOf, client, settled } from './api-harness.ts'
import type { Answer, Client } from './api-harness.ts'

const V1 = '/api/v1'

interface ErrorBody {
  error: {
    code: string
    message: string
    issues: { code: string; path: (string | number)[]; message: string }[]
  }
}
interface ConnectionBody {
  connection: { id: string }
  secret: Record<string, string>
}
interface Count {
  kind: string
  action: string
  count: number
}
interface ChangeRow {
  change: { id: string; kind: string; action: string }
  result: { status: string } | null
}
interface Page<T> {
  total: number
  items: T[]
}
interface PersonRowBody {
  person: { id: string; fields: Record<string, unknown> }
  name: string
  manager: { id: string; name: string } | null
  teams: { id: string; name: string }[]
}
interface ApplyBody {
  run: { id: string; state: string }
}

let h: Awaited<ReturnType<typeof apiHarness>>
let sim: PersonioSim
let acme: Awaited<ReturnType<typeof h.tenant>>
let secret: { clientId: string; clientSecret: string }
beforeAll(async () => {
  h = await apiHarness()
  sim = await startPersonioSim({ employees: 20, seed: 'api', rateLimits: false })
  const [credential] = sim.credentials
  if (!credential) throw new Error('no credential')
  secret = { clientId: credential.clientId, clientSecret: credential.clientSecret }
  acme = await h.tenant('acme')
}, 60_000)
afterAll(async () => {
  await sim.close()
  await h.close()
})

const at = (workspace: Workspace, rest = '') => `${V1}/workspaces/${workspace.id}${rest}`

/** Every answer is checked: a credential never comes back in one. */
function clean(answer: Answer): Answer {
  expect(answer.text).not.toContain(secret.clientSecret)
  return answer
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value')
  return value
}

function expectError(answer: Answer, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status)
  expect(answer.body).toMatchObject({ error: { code, message: expect.any(String) as string } })
}

describe('sign-in and sessions', () => {
  it('signs in with the password and sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const c = client(h.app)
    const wrong = await c.post(`${V1}/auth/login`, { email: acme.email, password: 'nope' })
    expectError(wrong, 401, 'unauthenticated')
    const unknown = await c.post(`${V1}/auth/login`, { email: 'who@example.com', password: 'x' })
    // the same answer whether the account exists or not
    expect(unknown.body).toEqual(wrong.body)
    const ok = await c.signIn(acme.email.toUpperCase(), acme.password)
    const cookie = ok.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^hris_session=[\w-]{43};/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).not.toMatch(/Secure/)
    expect(ok.body).toMatchObject({
      user: { email: acme.email },
      workspaces: [{ id: acme.workspace.id, role: 'admin' }],
    })
    expect(JSON.stringify(ok.body)).not.toMatch(/argon2|passwordHash/)
    expect(await h.accounts.passwordHash(acme.user.id)).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
    )
    expect((await c.get(`${V1}/auth/session`)).status).toBe(200)
    expect((await c.post(`${V1}/auth/logout`)).status).toBe(204)
    expectError(await c.get(`${V1}/auth/session`), 401, 'unauthenticated')
  })

  it('marks the cookie Secure (and __Host-) over https', async () => {
    const answer = await h.app.request('https://hris.example/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://hris.example' },
      body: JSON.stringify({ email: acme.email, password: acme.password }),
    })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('set-cookie')).toMatch(/^__Host-hris_session=.*; Secure/)
  })

  it('refuses a change without the CSRF token or from another origin', async () => {
    const c = client(h.app)
    await c.signIn(acme.email, acme.password)
    const body = JSON.stringify({ name: 'x' })
    const base = { 'content-type': 'application/json', cookie: c.cookie ?? '' }
    const noToken = await h.app.request(at(acme.workspace, '/tokens'), {
      method: 'POST',
      headers: { ...base, origin: ORIGIN },
      body,
    })
    expect(noToken.status).toBe(403)
    expect(await noToken.json()).toMatchObject({ error: { code: 'csrf_failed' } })
    const elsewhere = await c.request(
      'POST',
      at(acme.workspace, '/tokens'),
      { name: 'x' },
      {
        headers: { origin: 'https://evil.example' },
      },
    )
    expectError(elsewhere, 403, 'csrf_failed')
    const login = await client(h.app).request(
      'POST',
      `${V1}/auth/login`,
      { email: acme.email, password: acme.password },
      { headers: { origin: 'https://evil.example' } },
    )
    expectError(login, 403, 'csrf_failed')
  })

  it('limits wrong passwords per account and address', async () => {
    const victim = await h.tenant('limited')
    const from = client(h.app, { ip: '10.0.0.1' })
    for (let i = 0; i < 5; i++) {
      const answer = await from.post(`${V1}/auth/login`, {
        email: victim.email,
        password: `guess ${String(i)}`,
      })
      expect(answer.status).toBe(401)
    }
    const blocked = await from.post(`${V1}/auth/login`, {
      email: victim.email,
      password: victim.password,
    })
    expectError(blocked, 429, 'too_many_attempts')
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    // the owner elsewhere still gets in
    await client(h.app, { ip: '10.0.0.2' }).signIn(victim.email, victim.password)
    // and the window passes
    h.advance(16 * 60_000)
    await from.signIn(victim.email, victim.password)
  })

  it('limits wrong passwords per address, whatever the emails', async () => {
    const owner = await h.tenant('sprayed')
    const from = client(h.app, { ip: '10.0.0.9' })
    // one address trying many accounts: each try would cost an argon2 hash
    for (let i = 0; i < 20; i++) {
      const answer = await from.post(`${V1}/auth/login`, {
        email: `nobody-${String(i)}@example.com`,
        password: 'guess',
      })
      expect(answer.status, answer.text).toBe(401)
    }
    const blocked = await from.post(`${V1}/auth/login`, {
      email: owner.email,
      password: owner.password,
    })
    expectError(blocked, 429, 'too_many_attempts')
    expect(bodyOf<ErrorBody>(blocked).error.message).toContain('from this address')
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    // another address is not held, and a success there does not free this one
    await client(h.app, { ip: '10.0.0.10' }).signIn(owner.email, owner.password)
    expectError(
      await from.post(`${V1}/auth/login`, { email: owner.email, password: owner.password }),
      429,
      'too_many_attempts',
    )
    h.advance(16 * 60_000)
    await from.signIn(owner.email, owner.password)
  })

  it('answers 401 in the envelope to a request without a session', async () => {
    expectError(await client(h.app).get(`${V1}/workspaces`), 401, 'unauthenticated')
    expectError(await client(h.app).get(`${V1}/nothing-here`), 404, 'not_found')
  })
})

describe('the flow: connect, configure, preview, apply, read', () => {
  let c: Client
  let connectionId: string
  let planId: string
  beforeAll(async () => {
    c = client(h.app)
    await c.signIn(acme.email, acme.password)
  })

  it('connects only with working credentials, and never returns them', async () => {
    const bad = clean(
      await c.post(at(acme.workspace, '/connections'), {
        name: 'hr',
        connector: 'personio',
        config: { baseUrl: sim.url },
        secret: { clientId: secret.clientId, clientSecret: 'wrong' },
      }),
    )
    expectError(bad, 422, 'auth_failed')
    expect(
      bodyOf<{ connections: unknown[] }>(await c.get(at(acme.workspace, '/connections')))
        .connections,
    ).toEqual([])
    const invalid = await c.post(at(acme.workspace, '/connections'), {
      name: 'hr',
      connector: 'personio',
      config: { baseUrl: 'not a url' },
      secret: {},
    })
    expectError(invalid, 422, 'invalid_config')
    expect(bodyOf<ErrorBody>(invalid).error.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['source.baseUrl', 'secret.clientId']),
    )
    const made = clean(
      await c.post(at(acme.workspace, '/connections'), {
        name: 'hr',
        connector: 'personio',
        config: { baseUrl: sim.url },
        secret,
      }),
    )
    expect(made.status, made.text).toBe(201)
    connectionId = bodyOf<ConnectionBody>(made).connection.id
    expect(bodyOf<ConnectionBody>(made).secret['clientSecret']).toMatch(/^•+.{4}$/)
    expect(bodyOf<ConnectionBody>(made).secret['clientSecret']?.slice(-4)).toBe(
      secret.clientSecret.slice(-4),
    )
    expectError(
      await c.post(at(acme.workspace, '/connections'), {
        name: 'hr',
        connector: 'personio',
        config: {},
        secret,
      }),
      409,
      'conflict',
    )
    expect(
      clean(await c.post(at(acme.workspace, `/connections/${connectionId}/test`))).status,
    ).toBe(200)
    const rotated = clean(
      await c.put(at(acme.workspace, `/connections/${connectionId}/secret`), {
        secret: { ...secret, clientSecret: 'wrong' },
      }),
    )
    expectError(rotated, 422, 'auth_failed')
    const fields = clean(await c.get(at(acme.workspace, `/connections/${connectionId}/fields`)))
    expect(fields.status).toBe(200)
    expect(
      bodyOf<{ fields: { path: string }[] }>(fields).fields.map((f: { path: string }) => f.path),
    ).toEqual(expect.arrayContaining(['workEmail', 'terminationDate']))
  })

  it('validates a sync config as a whole, every issue with its path', async () => {
    const path = at(acme.workspace, `/connections/${connectionId}/config`)
    const initial = await c.get(path)
    expect(initial.body).toMatchObject({ version: null, config: { identifiers: ['work_email'] } })
    const bad = await c.put(path, {
      config: { identifiers: ['shoe_size'], policy: { leaverThreshold: 2 } },
      schedule: { full: 'every day' },
    })
    expectError(bad, 422, 'invalid_config')
    const paths = bodyOf<ErrorBody>(bad).error.issues.map((i: { path: (string | number)[] }) =>
      i.path.join('.'),
    )
    expect(paths).toEqual(
      expect.arrayContaining([
        'config.identifiers.0',
        'config.policy.leaverThreshold',
        'schedule.full',
      ]),
    )
    const mapping = {
      ...bodyOf<{ config: { mapping: object } }>(initial).config.mapping,
      jobTitle: { from: 'position', owner: 'app' },
    }
    const saved = await c.put(path, {
      config: {
        ...bodyOf<{ config: { mapping: object } }>(initial).config,
        mapping,
        identifiers: ['work_email', 'employee_number'],
      },
      schedule: { enabled: false },
    })
    expect(saved.status, saved.text).toBe(200)
    expect(saved.body).toMatchObject({
      version: 1,
      schedule: { enabled: false, full: '0 3 * * *' },
    })
  })

  it('makes a preview in the background and pages its changes by action and reason', async () => {
    const started = await c.post(at(acme.workspace, `/connections/${connectionId}/previews`))
    expect(started.status, started.text).toBe(202)
    const run = await settled(c, acme.workspace, bodyOf<{ run: { id: string } }>(started).run.id)
    expect(run.run.state).toBe('planned')
    planId = run.run.planId ?? ''
    const header = await c.get(at(acme.workspace, `/plans/${planId}`))
    expect(header.status).toBe(200)
    const creates = bodyOf<{ counts: Count[] }>(header)
      .counts.filter(
        (x: { kind: string; action: string }) => x.kind === 'person' && x.action === 'create',
      )
      .reduce((n: number, x: { count: number }) => n + x.count, 0)
    expect(creates).toBeGreaterThan(10)
    const page = await c.get(
      at(acme.workspace, `/plans/${planId}/changes?action=create&kind=person&limit=5`),
    )
    expect(bodyOf<Page<ChangeRow>>(page).total).toBe(creates)
    expect(bodyOf<Page<ChangeRow>>(page).items).toHaveLength(5)
    expect(bodyOf<Page<ChangeRow>>(page).items[0]).toMatchObject({
      change: { kind: 'person', action: 'create' },
      result: null,
    })
    const byReason = await c.get(
      at(acme.workspace, `/plans/${planId}/changes?kind=person&reason=new_in_source,nothing`),
    )
    expect(bodyOf<Page<ChangeRow>>(byReason).total).toBe(creates)
    const second = await c.get(
      at(acme.workspace, `/plans/${planId}/changes?action=create&kind=person&offset=5&limit=5`),
    )
    expect(bodyOf<Page<ChangeRow>>(second).items[0]?.change.id).not.toBe(
      bodyOf<Page<ChangeRow>>(page).items[0]?.change.id,
    )
    expectError(
      await c.get(at(acme.workspace, `/plans/${planId}/changes?limit=0`)),
      400,
      'invalid_request',
    )
  })

  it('applies a selection, asking for the password again after 5 minutes', async () => {
    const page = await c.get(at(acme.workspace, `/plans/${planId}/changes?action=create&limit=2`))
    const ids = bodyOf<Page<ChangeRow>>(page).items.map(
      (i: { change: { id: string } }) => i.change.id,
    )
    h.advance(6 * 60_000)
    const asked = await c.post(at(acme.workspace, `/plans/${planId}/apply`), { selection: ids })
    expectError(asked, 403, 'password_required')
    const wrong = await c.post(at(acme.workspace, `/plans/${planId}/apply`), {
      selection: ids,
      password: 'not it',
    })
    expectError(wrong, 403, 'password_required')
    const started = await c.post(at(acme.workspace, `/plans/${planId}/apply`), {
      selection: ids,
      password: acme.password,
    })
    // answered once applying has begun; the changes go on in the background
    expect(started.status, started.text).toBe(202)
    expect(bodyOf<ApplyBody>(started).run.state).toBe('applying')
    const runId = bodyOf<ApplyBody>(started).run.id
    const first = await applied(c, acme.workspace, runId)
    expect(first.run.state).toBe('planned')
    expect(first.applies).toHaveLength(1)
    const selected = must(first.applies[0])
    expect(selected.selection).toBe(ids.length)
    expect(selected.counts['applied']).toBeGreaterThanOrEqual(2)
    // confirmed now: the next apply goes through without it
    const people = await c.get(at(acme.workspace, '/people'))
    expect(bodyOf<Page<PersonRowBody>>(people).total).toBe(2)
    const rest = await c.post(at(acme.workspace, `/plans/${planId}/apply`), { selection: 'all' })
    expect(rest.status, rest.text).toBe(202)
    const done = await applied(c, acme.workspace, runId)
    expect(done.run.state).toBe('succeeded')
    expect(done.applies.map((a) => a.selection)).toEqual([ids.length, 'all'])
    const all = must(done.applies[1])
    // each apply counts what it did: together, every change of the plan
    expect((selected.counts['applied'] ?? 0) + (all.counts['applied'] ?? 0)).toBe(
      done.run.counts?.['applied'],
    )
    expect(done.applies).toMatchObject([
      { seq: 1, state: 'succeeded', actor: acme.email, approved: false },
      { seq: 2, state: 'succeeded', actor: acme.email },
    ])
    // each apply has its own results: the selection's are not the rest's
    const ofApply = async (seq: number) =>
      bodyOf<Page<{ changeId: string; apply: number }>>(
        await c.get(at(acme.workspace, `/runs/${runId}/results?apply=${String(seq)}&limit=500`)),
      )
    const [one, two] = [await ofApply(1), await ofApply(2)]
    expect(one.total).toBe(selected.counts['applied'])
    expect(two.total).toBe(all.counts['applied'])
    expect(one.items.map((r) => r.changeId)).toEqual(expect.arrayContaining(ids))
    expect(two.items.filter((r) => ids.includes(r.changeId))).toEqual([])
    const results = await c.get(at(acme.workspace, `/runs/${runId}/results?status=applied&limit=3`))
    expect(bodyOf<Page<{ status: string }>>(results).total).toBe(done.run.counts?.['applied'])
    expect(bodyOf<Page<{ status: string }>>(results).items[0]).toMatchObject({
      status: 'applied',
      label: expect.any(String) as string,
    })
    const history = await c.get(at(acme.workspace, `/runs?connectionId=${connectionId}`))
    expect(bodyOf<{ runs: unknown[] }>(history).runs).toHaveLength(1)
    expectError(await c.post(at(acme.workspace, `/plans/${planId}/apply`), {}), 409, 'conflict')
  })

  it('lists the directory with managers and teams, and edits only what the app owns', async () => {
    const people = await c.get(at(acme.workspace, '/people?limit=100'))
    expect(bodyOf<Page<PersonRowBody>>(people).total).toBeGreaterThan(10)
    const withManager = must(
      bodyOf<Page<PersonRowBody>>(people).items.find((r) => r.manager !== null),
    )
    expect(withManager.manager?.name).toEqual(expect.any(String))
    expect(withManager.teams.length).toBeGreaterThan(0)
    const teams = await c.get(at(acme.workspace, '/teams'))
    const team = must(
      bodyOf<{ teams: { team: { id: string }; members: number }[] }>(teams).teams[0],
    )
    const members = await c.get(at(acme.workspace, `/teams/${team.team.id}`))
    expect(bodyOf<{ members: unknown[] }>(members).members).toHaveLength(team.members)
    const filtered = await c.get(at(acme.workspace, `/people?teamId=${team.team.id}`))
    expect(bodyOf<Page<PersonRowBody>>(filtered).total).toBe(team.members)
    const search = await c.get(
      at(acme.workspace, `/people?q=${encodeURIComponent(withManager.name)}`),
    )
    expect(
      bodyOf<Page<PersonRowBody>>(search).items.map((r: { person: { id: string } }) => r.person.id),
    ).toContain(withManager.person.id)

    const path = at(acme.workspace, `/people/${withManager.person.id}`)
    const owned = await c.patch(path, { fields: { email: 'changed@example.com' } })
    expectError(owned, 422, 'invalid_input')
    expect(bodyOf<ErrorBody>(owned).error.issues[0]).toMatchObject({
      code: 'owned_by_hris',
      path: ['fields', 'email'],
    })
    const edited = await c.patch(path, {
      fields: { jobTitle: 'Chief of Staff', 'custom.desk': 'B12' },
    })
    expect(edited.status, edited.text).toBe(200)
    expect(
      bodyOf<{ row: { person: { fields: object } }; ownedBy: Record<string, string> }>(edited).row
        .person.fields,
    ).toMatchObject({
      jobTitle: 'Chief of Staff',
      'custom.desk': 'B12',
    })
    expect(
      bodyOf<{ row: { person: { fields: object } }; ownedBy: Record<string, string> }>(edited)
        .ownedBy['email'],
    ).toBe('hr')
  })

  it('checks each edited value against its field’s type, naming the field', async () => {
    const people = await c.get(at(acme.workspace, '/people?limit=1'))
    const person = must(bodyOf<Page<PersonRowBody>>(people).items[0]).person
    const path = at(acme.workspace, `/people/${person.id}`)
    const bad = await c.patch(path, {
      fields: {
        lastWorkingDay: 'tomorrow',
        weeklyHours: 'forty',
        costCenters: 'Sales',
        gender: 3,
        'custom.desk': 7,
      },
    })
    expectError(bad, 422, 'invalid_input')
    const issues = bodyOf<ErrorBody>(bad).error.issues
    expect(issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['invalid_value', 'fields.lastWorkingDay'],
      ['invalid_value', 'fields.weeklyHours'],
      ['invalid_value', 'fields.costCenters'],
      ['invalid_value', 'fields.gender'],
    ])
    expect(issues[0]?.message).toBe(
      'Last working day takes a date as YYYY-MM-DD (2026-03-31), not "tomorrow"',
    )
    // nothing was changed
    const unchanged = bodyOf<{ row: { person: { fields: Record<string, unknown> } } }>(
      await c.get(path),
    )
    expect(unchanged.row.person.fields['lastWorkingDay'] ?? null).toBeNull()
    const good = await c.patch(path, {
      fields: {
        lastWorkingDay: '2026-12-31',
        weeklyHours: 38.5,
        costCenters: ['Sales'],
        gender: null,
      },
    })
    expect(good.status, good.text).toBe(200)
    expect(
      bodyOf<{ row: { person: { fields: Record<string, unknown> } } }>(good).row.person.fields,
    ).toMatchObject({ lastWorkingDay: '2026-12-31', weeklyHours: 38.5, costCenters: ['Sales'] })
  })

  it('exports identifiers and imports them back, all rows or none', async () => {
    const exported = await c.get(at(acme.workspace, '/identifiers/export?format=csv'))
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-disposition')).toContain('people.csv')
    const [header, first, ...rest] = exported.text.trim().split(/\r?\n/)
    expect(header).toMatch(/^id,identifier,/)
    const cells = (first ?? '').split(',')
    cells[1] = 'custom-identifier-1'
    const edited = [header, cells.join(','), ...rest].join('\n')
    const bad = await c.request(
      'POST',
      at(acme.workspace, '/identifiers/import?name=people.csv'),
      undefined,
      {
        raw: `${header ?? ''}\nnobody,x\n`,
      },
    )
    expectError(bad, 422, 'invalid_input')
    expect(bodyOf<ErrorBody>(bad).error.issues[0]?.message).toContain('no person has the id')
    const ok = await c.request(
      'POST',
      at(acme.workspace, '/identifiers/import?name=people.csv'),
      undefined,
      {
        raw: edited,
      },
    )
    expect(ok.status, ok.text).toBe(200)
    expect(ok.body).toMatchObject({ changed: 1, linked: 1 })
    const xlsx = await h.app.request(at(acme.workspace, '/identifiers/export?format=xlsx'), {
      headers: { cookie: c.cookie ?? '' },
    })
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml')
    expect(new Uint8Array(await xlsx.arrayBuffer()).slice(0, 2)).toEqual(
      new Uint8Array([0x50, 0x4b]),
    )
  })

  it('imports identifiers from an edited XLSX export, all rows or none', async () => {
    const exported = await h.app.request(at(acme.workspace, '/identifiers/export?format=xlsx'), {
      headers: { cookie: c.cookie ?? '' },
    })
    expect(exported.status).toBe(200)
    // as an admin edits it in a spreadsheet: the identifier column of one row, then a mistake
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(await exported.arrayBuffer())
    const sheet = must(book.worksheets[0])
    const header = (sheet.getRow(1).values as unknown[]).map((v) =>
      typeof v === 'string' ? v : '',
    )
    const idAt = header.indexOf('id')
    const identifierAt = header.indexOf('identifier')
    expect(idAt).toBeGreaterThan(0)
    expect(identifierAt).toBeGreaterThan(0)
    const personId = sheet.getRow(3).getCell(idAt).text
    sheet.getRow(3).getCell(identifierAt).value = 'xlsx-identifier-3'
    const upload = async () =>
      c.request('POST', at(acme.workspace, '/identifiers/import?name=people.xlsx'), undefined, {
        raw: new Uint8Array(await book.xlsx.writeBuffer()),
      })
    const original = sheet.getRow(4).getCell(idAt).value
    sheet.getRow(4).getCell(idAt).value = 'nobody'
    const bad = await upload()
    expectError(bad, 422, 'invalid_input')
    expect(bodyOf<ErrorBody>(bad).error.issues).toEqual([
      expect.objectContaining({
        path: [4, 'id'],
        message: 'row 4, column "id": no person has the id "nobody"',
      }),
    ])
    const person = at(acme.workspace, `/people/${personId}`)
    const before = bodyOf<{ row: { person: { identifier: string | null } } }>(await c.get(person))
    expect(before.row.person.identifier).not.toBe('xlsx-identifier-3')
    // the mistake put right: the one edited row is set
    const people = bodyOf<Page<PersonRowBody>>(await c.get(at(acme.workspace, '/people?limit=200')))
    sheet.getRow(4).getCell(idAt).value = original
    const ok = await upload()
    expect(ok.status, ok.text).toBe(200)
    expect(ok.body).toMatchObject({ changed: 1, unchanged: people.total - 1 })
    const after = bodyOf<{ row: { person: { identifier: string | null } } }>(await c.get(person))
    expect(after.row.person.identifier).toBe('xlsx-identifier-3')
  })

  it('connects a file only through an upload of the workspace', async () => {
    const typed = await c.post(at(acme.workspace, '/connections'), {
      name: 'file',
      connector: 'file',
      config: { path: '/etc/passwd' },
    })
    expectError(typed, 422, 'invalid_config')
    const csv = 'Employee ID,First name,Last name,Email\n1,Ada,Lovelace,ada@acme.example\n'
    const upload = await c.request(
      'POST',
      at(acme.workspace, '/uploads?name=people.csv'),
      undefined,
      {
        raw: csv,
      },
    )
    expect(upload.status, upload.text).toBe(201)
    const other = await h.tenant('uploads-other')
    const elsewhere = await c.post(at(acme.workspace, '/connections'), {
      name: 'file',
      connector: 'file',
      config: {
        path: bodyOf<{ upload: { path: string } }>(upload).upload.path.replace(
          acme.workspace.id,
          other.workspace.id,
        ),
      },
    })
    expectError(elsewhere, 422, 'invalid_config')
    const made = await c.post(at(acme.workspace, '/connections'), {
      name: 'file',
      connector: 'file',
      config: { path: bodyOf<{ upload: { path: string } }>(upload).upload.path },
    })
    expect(made.status, made.text).toBe(201)
    const fields = await c.get(
      at(acme.workspace, `/connections/${bodyOf<ConnectionBody>(made).connection.id}/fields`),
    )
    expect(
      bodyOf<{ fields: { path: string }[] }>(fields).fields.map((f: { path: string }) => f.path),
    ).toContain('workEmail')
  })
})

describe('API tokens', () => {
  it('are shown once, stored as hashes, and work as Bearer in their workspace only', async () => {
    const c = client(h.app)
    await c.signIn(acme.email, acme.password)
    const made = await c.post(at(acme.workspace, '/tokens'), { name: 'ci' })
    expect(made.status).toBe(201)
    const token: string = bodyOf<{ token: string; apiToken: { id: string } }>(made).token
    expect(token).toMatch(/^hst_[\w-]{43}$/)
    const listed = await c.get(at(acme.workspace, '/tokens'))
    expect(listed.text).not.toContain(token)
    expect(bodyOf<{ tokens: { prefix: string }[] }>(listed).tokens[0]?.prefix).toBe(
      token.slice(0, 10),
    )

    const bot = client(h.app)
    bot.useToken(token)
    expect((await bot.get(at(acme.workspace, '/connections'))).status).toBe(200)
    // a token needs no CSRF token: a browser never sends it on its own
    expect((await bot.post(at(acme.workspace, '/uploads?name=a.csv'), {})).status).not.toBe(403)
    expectError(await bot.get(at(acme.workspace, '/tokens')), 403, 'forbidden')
    const other = await h.tenant('token-other')
    expectError(await bot.get(at(other.workspace, '/connections')), 404, 'not_found')
    expect(bodyOf<{ workspaces: unknown[] }>(await bot.get(`${V1}/workspaces`)).workspaces).toEqual(
      [{ ...acme.workspace, role: 'member' }],
    )
    expect(
      (
        await c.delete(
          at(
            acme.workspace,
            `/tokens/${bodyOf<{ token: string; apiToken: { id: string } }>(made).apiToken.id}`,
          ),
        )
      ).status,
    ).toBe(204)
    // revoked is gone: revoking it again finds nothing
    const again = await c.delete(
      at(
        acme.workspace,
        `/tokens/${bodyOf<{ token: string; apiToken: { id: string } }>(made).apiToken.id}`,
      ),
    )
    expectError(again, 404, 'not_found')
    expectError(await bot.get(at(acme.workspace, '/connections')), 401, 'unauthenticated')
    bot.useToken('hst_not-a-token')
    expectError(await bot.get(at(acme.workspace, '/connections')), 401, 'unauthenticated')
  })
})

describe('the document and the log', () => {
  it('has an OpenAPI 3.1 document from the schemas and a rendered reference', async () => {
    const doc = await h.app.request('/api/openapi.json')
    const body = (await doc.json()) as {
      openapi: string
      paths: Record<string, Record<string, { responses: object }>>
      components: { schemas: Record<string, unknown> }
    }
    expect(body.openapi).toBe('3.1.0')
    expect(Object.keys(body.paths).length).toBeGreaterThan(20)
    expect(body.components.schemas).toHaveProperty('SyncConfig')
    expect(JSON.stringify(body)).not.toContain('#/$defs/')
    const docs = await h.app.request('/api/docs')
    expect(docs.status).toBe(200)
    const csp = docs.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).toContain("default-src 'none'")
    const html = await docs.text()
    const sources = [...html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1] ?? '',
    )
    // every script and style from this server, and no inline script (the policy forbids it)
    expect(sources.length).toBeGreaterThanOrEqual(3)
    for (const source of sources) expect(source).toMatch(/^\/api\/docs\//)
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    for (const source of sources) {
      const asset = await h.app.request(source)
      expect(asset.status, source).toBe(200)
      const type = asset.headers.get('content-type') ?? ''
      expect(type).toMatch(source.endsWith('.css') ? /^text\/css/ : /^text\/javascript/)
      expect((await asset.text()).length).toBeGreaterThan(100)
    }
    const init = await (await h.app.request(must(sources.at(-1)))).text()
    expect(init).toContain('/api/openapi.json')
    expect((await h.app.request(must(sources[0]).replace(/[^/]+$/, 'constructor'))).status).toBe(
      404,
    )
  })

  it('never logs a credential', () => {
    expect(h.logger.lines.join('\n')).not.toContain(secret.clientSecret)
    expect(h.logger.lines.join('\n')).not.toContain(acme.password)
  })
})
