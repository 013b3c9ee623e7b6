import { spawn } from 'node:child_process'
import path from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import type { Answer } from './personio-test-kit.ts'
import { bearerInit, form, request, startTestSim, v1Token } from './personio-test-kit.ts'
import type { PersonioSim } from './start-personio-sim.ts'

type Sim = Awaited<ReturnType<typeof startTestSim>>
const open: PersonioSim[] = []
const start = async (options: Parameters<typeof startTestSim>[0] = {}): Promise<Sim> => {
  const sim = await startTestSim(options)
  open.push(sim)
  return sim
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

interface V1Attribute {
  label: string
  value: unknown
}
interface V1Page {
  metadata: { total_elements: number; current_page: number; total_pages: number }
  offset: number
  limit: number
  data: { attributes: Record<string, V1Attribute> }[]
}
interface V2Page {
  _data: Record<string, unknown>[]
  _meta: { links: { self: { href: string }; next?: { href: string } } }
}
const v1Page = (answer: Answer) => answer.body as V1Page
const v2Page = (answer: Answer) => answer.body as V2Page
const ids = (page: V1Page) => page.data.map((e) => e.attributes['id']?.value)

const v2Token = async (sim: PersonioSim, index = 0) => {
  const c = sim.credentials[index]
  if (!c) throw new Error('no credential')
  const answer = await request(
    `${sim.url}/v2/auth/token`,
    form({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }),
  )
  return (answer.body as { access_token: string }).access_token
}

const walkV2 = async (first: string, token: string) => {
  const seen: Record<string, unknown>[] = []
  let next: string | undefined = first
  for (let guard = 0; next && guard < 1000; guard++) {
    const page = v2Page(await request(next, bearerInit(token)))
    seen.push(...page._data)
    next = page._meta.links.next?.href
  }
  return seen
}

describe('v1 employees', () => {
  it('pages by offset and limit (default 50, at most 100) with the metadata of the doc', async () => {
    const sim = await start({ employees: 123 })
    const token = await v1Token(sim)
    const first = v1Page(await request(`${sim.url}/v1/company/employees`, bearerInit(token)))
    expect(first).toMatchObject({
      offset: 0,
      limit: 50,
      metadata: { total_elements: 123, current_page: 0, total_pages: 3 },
    })
    const seen: unknown[] = []
    for (let offset = 0; offset < 123; offset += 20) {
      const page = v1Page(
        await request(
          `${sim.url}/v1/company/employees?limit=20&offset=${String(offset)}`,
          bearerInit(token),
        ),
      )
      expect(page.metadata.current_page).toBe(offset / 20)
      seen.push(...ids(page))
    }
    expect(seen).toEqual(Array.from({ length: 123 }, (_, i) => i + 1))
    for (const limit of ['0', '101', 'ten']) {
      expect(
        (await request(`${sim.url}/v1/company/employees?limit=${limit}`, bearerInit(token))).status,
      ).toBe(400)
    }
    expect(
      (await request(`${sim.url}/v1/company/employees?offset=-1`, bearerInit(token))).status,
    ).toBe(400)
    expect(
      v1Page(await request(`${sim.url}/v1/company/employees?offset=500`, bearerInit(token))).data,
    ).toEqual([])
  })

  it('filters by email, echoes the token in the Authorization header, answers one employee by id', async () => {
    const sim = await start()
    const token = await v1Token(sim)
    const someone = sim.admin.employee(7)
    if (!someone) throw new Error('no employee 7')
    const answer = await request(
      `${sim.url}/v1/company/employees?email=${someone.workEmail.toUpperCase()}`,
      bearerInit(token),
    )
    expect(answer.headers.get('authorization')).toBe(`Bearer ${token}`)
    expect(ids(v1Page(answer))).toEqual([7])
    const one = await request(`${sim.url}/v1/company/employees/7`, bearerInit(token))
    expect(
      (one.body as { data: { attributes: Record<string, V1Attribute> } }).data.attributes['email']
        ?.value,
    ).toBe(someone.workEmail)
  })

  it('renders nested objects, string hours, dates with offsets and dynamic attributes', async () => {
    const sim = await start()
    const token = await v1Token(sim)
    const page = v1Page(
      await request(`${sim.url}/v1/company/employees?limit=30`, bearerInit(token)),
    )
    const second = page.data[1]?.attributes ?? {}
    expect(second['supervisor']?.value).toMatchObject({
      type: 'Employee',
      attributes: { id: { value: 1 } },
    })
    expect(page.data[0]?.attributes['supervisor']?.value).toBeNull()
    const department = second['department']?.value as {
      type: string
      attributes: { id: unknown; name: unknown }
    }
    expect(department.type).toBe('Department')
    expect(typeof department.attributes.id).toBe('number')
    expect(typeof department.attributes.name).toBe('string')
    expect(second['subcompany']?.value).toMatchObject({ type: 'Subcompany' })
    expect(second['office']?.value).toMatchObject({ type: 'Office' })
    expect(second['cost_centers']?.value).toMatchObject([
      { type: 'CostCenter', attributes: { percentage: 100 } },
    ])
    expect(typeof second['weekly_working_hours']?.value).toBe('string')
    expect(second['hire_date']?.value).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\+0[12]:00$/)
    expect(Object.keys(second).filter((k) => k.startsWith('dynamic_')).length).toBeGreaterThan(5)
    expect(page.data.some((e) => e.attributes['team']?.value === null)).toBe(true)
  })

  it('with updated_since ignores email, limit and offset; with attributes[] keeps those whose attributes changed', async () => {
    const sim = await start({ employees: 80 })
    const token = await v1Token(sim)
    sim.clock.advance(60_000)
    const since = sim.clock.now().toISOString()
    sim.clock.advance(60_000)
    sim.admin.editEmployee(3, { position: 'Chief of Staff' })
    sim.admin.editEmployee(4, { lastName: 'Großmann' })
    const all = v1Page(
      await request(
        `${sim.url}/v1/company/employees?updated_since=${since}&limit=1&offset=5&email=x@y.z`,
        bearerInit(token),
      ),
    )
    expect(ids(all)).toEqual([3, 4])
    const byName = v1Page(
      await request(
        `${sim.url}/v1/company/employees?updated_since=${since}&attributes[]=last_name`,
        bearerInit(token),
      ),
    )
    expect(ids(byName)).toEqual([4])
    expect(Object.keys(byName.data[0]?.attributes ?? {})).toEqual(['id', 'last_name'])
    const local = v1Page(
      await request(
        `${sim.url}/v1/company/employees?updated_since=2026-03-02T10:01:30`,
        bearerInit(token),
      ),
    )
    expect(ids(local)).toEqual([3, 4])
    expect(
      (await request(`${sim.url}/v1/company/employees?updated_since=soon`, bearerInit(token)))
        .status,
    ).toBe(400)
  })
})

describe('admin edits', () => {
  it('adds, edits and terminates; updated_since and updated_at.gt find them, over HTTP too', async () => {
    const sim = await start()
    const token = await v1Token(sim)
    const since = sim.clock.now().toISOString()
    sim.clock.advance(1_000)
    const added = sim.admin.addEmployee({ firstName: 'Zoë', lastName: 'Nguyễn' })
    const patched = await request(`${sim.url}/_admin/employees/5`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mobilePhone: '0171 1234567' }),
    })
    expect(patched.status).toBe(200)
    const terminated = await request(`${sim.url}/_admin/employees/6/terminate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ terminationDate: '2026-02-28' }),
    })
    expect(terminated.body).toMatchObject({ status: 'inactive', terminationDate: '2026-02-28' })
    sim.admin.terminateEmployee(8, { terminationDate: '2026-06-30' })
    expect(sim.admin.employee(8)?.status).not.toBe('inactive')
    const v1 = v1Page(
      await request(`${sim.url}/v1/company/employees?updated_since=${since}`, bearerInit(token)),
    )
    expect(ids(v1)).toEqual([5, 6, 8, added.id])
    const v2 = v2Page(
      await request(`${sim.url}/v2/persons?updated_at.gt=${since}`, bearerInit(token)),
    )
    expect(v2._data.map((p) => p['id'])).toEqual(['5', '6', '8', String(added.id)])
    expect(
      (await request(`${sim.url}/_admin/employees/9999`, { method: 'PATCH', body: '{}' })).status,
    ).toBe(404)
  })
})

describe('v2 persons and employments', () => {
  it('pages by cursor through _meta.links.next until there is none', async () => {
    const sim = await start({ employees: 47 })
    const token = await v2Token(sim)
    const first = v2Page(await request(`${sim.url}/v2/persons`, bearerInit(token)))
    expect(first._data).toHaveLength(10)
    const all = await walkV2(`${sim.url}/v2/persons?limit=6`, token)
    expect(all.map((p) => p['id'])).toEqual(Array.from({ length: 47 }, (_, i) => String(i + 1)))
    const last = v2Page(await request(`${sim.url}/v2/persons?limit=50`, bearerInit(token)))
    expect(last._meta.links.next).toBeUndefined()
  })

  it('filters by email, status and updated_at, carried through the cursor', async () => {
    const sim = await start({ employees: 200 })
    const token = await v2Token(sim)
    const [a, b] = sim.admin.employees()
    const byEmail = v2Page(
      await request(
        `${sim.url}/v2/persons?email=${a?.workEmail ?? ''},${b?.workEmail ?? ''}`,
        bearerInit(token),
      ),
    )
    expect(byEmail._data.map((p) => p['id'])).toEqual(['1', '2'])
    const inactive = await walkV2(`${sim.url}/v2/persons?status=INACTIVE&limit=2`, token)
    const expected = sim.admin.employees().filter((p) => p.status === 'inactive')
    expect(inactive.map((p) => p['id'])).toEqual(expected.map((p) => String(p.id)))
    expect(inactive.every((p) => p['status'] === 'INACTIVE')).toBe(true)
    const cut = '2025-01-01T00:00:00Z'
    const older = await walkV2(`${sim.url}/v2/persons?updated_at.lt=${cut}&limit=50`, token)
    expect(older.length).toBe(sim.admin.employees().filter((p) => p.updatedAt < cut).length)
  })

  it('filters by first_name, last_name and preferred_name (whole names, all filters at once), through the cursor', async () => {
    const sim = await start({
      employees: 200,
      credentials: [{ attributes: 'all' }, { attributes: ['last_name', 'email'] }],
    })
    const token = await v2Token(sim)
    const people = sim.admin.employees()
    const url = (query: Record<string, string>) =>
      `${sim.url}/v2/persons?${new URLSearchParams(query).toString()}`
    const ids = (list: readonly { id: number }[]) => list.map((p) => String(p.id))
    const idsOf = (list: readonly Record<string, unknown>[]) => list.map((p) => p['id'])
    // the most common last name, so the answer takes more than one page
    const counts = new Map<string, number>()
    for (const p of people) counts.set(p.lastName, (counts.get(p.lastName) ?? 0) + 1)
    const [lastName] = [...counts].sort((x, y) => y[1] - x[1])[0] ?? ['']
    const named = people.filter((p) => p.lastName === lastName)
    expect(named.length).toBeGreaterThan(1)
    expect(idsOf(await walkV2(url({ last_name: lastName, limit: '1' }), token))).toEqual(ids(named))
    const [first] = named
    if (!first) throw new Error('nobody')
    expect(
      idsOf(await walkV2(url({ first_name: first.firstName, last_name: lastName }), token)),
    ).toEqual(ids(named.filter((p) => p.firstName === first.firstName)))
    // whole names only, as given
    const part = first.firstName.slice(0, 2)
    expect(idsOf(await walkV2(url({ first_name: part }), token))).toEqual(
      ids(people.filter((p) => p.firstName === part)),
    )
    const preferred = people.find((p) => p.preferredName !== null)
    if (!preferred?.preferredName) throw new Error('nobody with a preferred name')
    expect(idsOf(await walkV2(url({ preferred_name: preferred.preferredName }), token))).toEqual(
      ids(people.filter((p) => p.preferredName === preferred.preferredName)),
    )
    expect((await request(url({ first_name: ' ' }), bearerInit(token))).status).toBe(400)
    // a credential that may not read first names finds nobody by one, and still by last name
    const restricted = await v2Token(sim, 1)
    expect(await walkV2(url({ first_name: first.firstName }), restricted)).toEqual([])
    expect(idsOf(await walkV2(url({ last_name: lastName }), restricted))).toEqual(ids(named))
  })

  it('lists a person’s employment; 404 for someone unknown', async () => {
    const sim = await start()
    const token = await v2Token(sim)
    const answer = v2Page(await request(`${sim.url}/v2/persons/2/employments`, bearerInit(token)))
    expect(answer._data).toHaveLength(1)
    expect(answer._data[0]).toMatchObject({ person: { id: '2' }, supervisor: { id: '1' } })
    expect((await request(`${sim.url}/v2/persons/999/employments`, bearerInit(token))).status).toBe(
      404,
    )
  })
})

describe('credentials', () => {
  it('leave out what a credential may not read, silently, also from /attributes and v2', async () => {
    const sim = await start({
      credentials: [
        { attributes: 'all' },
        { attributes: ['last_name', 'email', 'dynamic_1146706'] },
      ],
    })
    const token = await v1Token(sim, 1)
    const page = v1Page(
      await request(
        `${sim.url}/v1/company/employees?attributes[]=first_name&attributes[]=last_name`,
        bearerInit(token),
      ),
    )
    expect(Object.keys(page.data[0]?.attributes ?? {})).toEqual(['id', 'last_name'])
    const full = v1Page(await request(`${sim.url}/v1/company/employees`, bearerInit(token)))
    expect(Object.keys(full.data[0]?.attributes ?? {})).toEqual([
      'id',
      'last_name',
      'email',
      'dynamic_1146706',
    ])
    const attributes = (
      await request(`${sim.url}/v1/company/employees/attributes`, bearerInit(token))
    ).body as { data: { key: string }[] }
    expect(attributes.data.map((a) => a.key)).toEqual([
      'id',
      'last_name',
      'email',
      'dynamic_1146706',
    ])
    const person = (await request(`${sim.url}/v2/persons/2`, bearerInit(token))).body as Record<
      string,
      unknown
    >
    expect(person['first_name']).toBeUndefined()
    expect(person['last_name']).toBeDefined()
    expect(
      (person['custom_attributes'] as { id: string }[]).every((c) => c.id === 'dynamic_1146706'),
    ).toBe(true)
    const since = sim.clock.now().toISOString()
    sim.clock.advance(1_000)
    sim.admin.editEmployee(2, { firstName: 'Jörg' })
    const hidden = `${sim.url}/v1/company/employees?updated_since=${since}&attributes[]=first_name`
    expect(v1Page(await request(hidden, bearerInit(token))).data).toEqual([])
    const everything = await v1Token(sim, 0)
    const attributesAll = (
      await request(`${sim.url}/v1/company/employees/attributes`, bearerInit(everything))
    ).body as { data: { key: string }[] }
    expect(attributesAll.data.length).toBeGreaterThan(40)
  })

  it('give a token that stays the same for 24 hours, then stops working', async () => {
    const sim = await start()
    const token = await v1Token(sim)
    sim.clock.advance(23 * 3_600_000)
    expect(await v1Token(sim)).toBe(token)
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(token))).status).toBe(200)
    sim.clock.advance(3_600_000)
    const expired = await request(`${sim.url}/v1/company/employees`, bearerInit(token))
    expect(expired.status).toBe(401)
    expect(expired.body).toEqual({
      success: false,
      error: { code: 401, message: 'Provided authorization is not valid' },
    })
    const fresh = await v1Token(sim)
    expect(fresh).not.toBe(token)
    expect((await request(`${sim.url}/v2/persons`, bearerInit(token))).status).toBe(401)
  })

  it('rotated: the old secret and its tokens are refused, the new ones work', async () => {
    const sim = await start()
    const old = sim.credentials[0]
    if (!old) throw new Error('no credential')
    const token = await v1Token(sim)
    const rotated = await request(`${sim.url}/_admin/credentials/${old.clientId}/rotate`, {
      method: 'POST',
    })
    expect(rotated.body).toMatchObject({ clientId: old.clientId })
    expect(sim.credentials[0]?.clientSecret).not.toBe(old.clientSecret)
    const refused = await request(`${sim.url}/v1/company/employees`, bearerInit(token))
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ success: false, error: { code: 401 } })
    const v2Refused = await request(`${sim.url}/v2/persons`, bearerInit(token))
    expect(v2Refused.status).toBe(401)
    expect(v2Refused.headers.get('content-type')).toBe('application/problem+json')
    const oldSecret = await request(
      `${sim.url}/v1/auth`,
      form({ client_id: old.clientId, client_secret: old.clientSecret }),
    )
    expect(oldSecret.status).toBe(401)
    const again = await v1Token(sim)
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(again))).status).toBe(200)
  })

  it('refuses credentials in the query string with 403', async () => {
    const sim = await start()
    const c = sim.credentials[0]
    const answer = await request(
      `${sim.url}/v1/auth?client_id=${c?.clientId ?? ''}&client_secret=${c?.clientSecret ?? ''}`,
      { method: 'POST' },
    )
    expect(answer.status).toBe(403)
  })

  it('answer a credential without the scope a route needs with 403 (v1 and v2 shapes)', async () => {
    const sim = await start({
      credentials: [
        { attributes: 'all' },
        { attributes: 'all', scopes: ['personio:persons:read'] },
        { attributes: 'all', scopes: ['employees:read', 'personio:employments:read'] },
      ],
    })
    const personsOnly = await v1Token(sim, 1)
    const v1 = await request(`${sim.url}/v1/company/employees`, bearerInit(personsOnly))
    expect(v1.status).toBe(403)
    expect(v1.body).toEqual({
      success: false,
      error: { code: 403, message: 'Provided authorization is not valid' },
    })
    const attributes = `${sim.url}/v1/company/employees/attributes`
    expect((await request(attributes, bearerInit(personsOnly))).status).toBe(403)
    expect((await request(`${sim.url}/v2/persons`, bearerInit(personsOnly))).status).toBe(200)
    const employments = await request(
      `${sim.url}/v2/persons/1/employments`,
      bearerInit(personsOnly),
    )
    expect(employments.status).toBe(403)
    expect(employments.headers.get('content-type')).toBe('application/problem+json')
    expect(employments.body).toMatchObject({
      errors: [
        { title: 'Forbidden', type: expect.stringMatching(/#common\.forbidden$/) as unknown },
      ],
    })
    const noPersons = await v1Token(sim, 2)
    expect((await request(`${sim.url}/v2/persons`, bearerInit(noPersons))).status).toBe(403)
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(noPersons))).status).toBe(
      200,
    )
  })

  it('v2 token: a scope the credential lacks is invalid_scope; none asked gives what it has', async () => {
    const sim = await start({
      credentials: [{ attributes: 'all', scopes: ['personio:persons:read'] }],
    })
    const c = sim.credentials[0]
    if (!c) throw new Error('no credential')
    const ask = (scope?: string) =>
      request(
        `${sim.url}/v2/auth/token`,
        form({
          grant_type: 'client_credentials',
          client_id: c.clientId,
          client_secret: c.clientSecret,
          ...(scope === undefined ? {} : { scope }),
        }),
      )
    const refused = await ask('personio:persons:read personio:employments:read')
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({
      error: 'invalid_scope',
      error_description: 'One of the requested scopes is invalid.',
    })
    const granted = await ask('personio:persons:read')
    expect(granted.body).toMatchObject({ scope: 'personio:persons:read' })
    expect((await ask()).body).toMatchObject({ scope: 'personio:persons:read' })
  })

  it('access changed at run time: a held token loses a scope taken away, keeps working otherwise', async () => {
    const sim = await start()
    const c = sim.credentials[0]
    if (!c) throw new Error('no credential')
    const token = await v2Token(sim)
    const employments = `${sim.url}/v2/persons/1/employments`
    expect((await request(employments, bearerInit(token))).status).toBe(200)
    const changed = await request(`${sim.url}/_admin/credentials/${c.clientId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['employees:read', 'personio:persons:read'] }),
    })
    expect(changed.body).toMatchObject({ scopes: ['employees:read', 'personio:persons:read'] })
    expect((await request(employments, bearerInit(token))).status).toBe(403)
    expect((await request(`${sim.url}/v2/persons`, bearerInit(token))).status).toBe(200)
    // given back, the same token works again: it was issued with the scope
    sim.admin.setCredentialAccess(c.clientId, { scopes: 'all' })
    expect((await request(employments, bearerInit(token))).status).toBe(200)
  })

  it('revoked tokens: 401, while the secret still gets a new one', async () => {
    const sim = await start()
    const c = sim.credentials[0]
    if (!c) throw new Error('no credential')
    const token = await v1Token(sim)
    const revoked = await request(`${sim.url}/_admin/credentials/${c.clientId}/revoke-tokens`, {
      method: 'POST',
    })
    expect(revoked.body).toEqual({ revoked: 1 })
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(token))).status).toBe(401)
    const fresh = await v1Token(sim)
    expect(fresh).not.toBe(token)
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(fresh))).status).toBe(200)
  })
})

describe('labels', () => {
  it('follow the company language', async () => {
    for (const [language, first, termination] of [
      ['de', 'Vorname', 'Austrittsdatum'],
      ['en', 'First name', 'Termination date'],
    ] as const) {
      const sim = await start({ language })
      const page = v1Page(
        await request(`${sim.url}/v1/company/employees?limit=1`, bearerInit(await v1Token(sim))),
      )
      expect(page.data[0]?.attributes['first_name']?.label).toBe(first)
      expect(page.data[0]?.attributes['termination_date']?.label).toBe(termination)
    }
  })
})

describe('rate limits', () => {
  const burst = async (count: number, send: () => Promise<Answer>) => {
    const statuses: number[] = []
    for (let i = 0; i < count; i++) statuses.push((await send()).status)
    return statuses
  }

  it('v1 employees: 15 in any second, 300 in any minute, 429 with Retry-After, then success', async () => {
    const sim = await start({ rateLimits: {} })
    const token = await v1Token(sim)
    const list = () => request(`${sim.url}/v1/company/employees?limit=1`, bearerInit(token))
    expect(await burst(15, list)).toEqual(Array(15).fill(200))
    const refused = await list()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.body).toEqual({
      success: false,
      error: { code: 429, message: 'Too Many Requests' },
    })
    sim.clock.advance(1_000)
    expect((await list()).status).toBe(200)
    // fill the minute: 300 in all by second 19
    for (let second = 1; second < 20; second++) {
      sim.clock.advance(second === 1 ? 0 : 1_000)
      await burst(second === 1 ? 14 : 15, list)
    }
    sim.clock.advance(1_000)
    const minute = await list()
    expect(minute.status).toBe(429)
    expect(minute.headers.get('retry-after')).toBe('40')
    sim.clock.advance(40_000)
    expect((await list()).status).toBe(200)
    expect(sim.stats().rateLimited).toBe(2)
  })

  it('POST /v1/auth: 60 a minute, then a 60 second cool-down', async () => {
    const sim = await start({ rateLimits: {} })
    const c = sim.credentials[0]
    const auth = () =>
      request(
        `${sim.url}/v1/auth`,
        form({ client_id: c?.clientId ?? '', client_secret: c?.clientSecret ?? '' }),
      )
    expect(await burst(60, auth)).toEqual(Array(60).fill(200))
    const refused = await auth()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    sim.clock.advance(59_000)
    expect((await auth()).status).toBe(429)
    sim.clock.advance(1_000)
    expect((await auth()).status).toBe(200)
  })

  it('POST /v2/auth/token: 150 a minute, then 1 a second for 60 seconds', async () => {
    const sim = await start({ rateLimits: {} })
    const c = sim.credentials[0]
    const token = () =>
      request(
        `${sim.url}/v2/auth/token`,
        form({
          grant_type: 'client_credentials',
          client_id: c?.clientId ?? '',
          client_secret: c?.clientSecret ?? '',
        }),
      )
    expect(await burst(150, token)).toEqual(Array(150).fill(200))
    const refused = await token()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    sim.clock.advance(1_000)
    expect(await burst(2, token)).toEqual([200, 429])
    sim.clock.advance(60_000)
    expect(await burst(3, token)).toEqual([200, 200, 200])
  })

  it('v2 persons and employments: none by default, as configured; Retry-After can be switched off', async () => {
    const sim = await start({ rateLimits: {} })
    const token = await v2Token(sim)
    expect(await burst(40, () => request(`${sim.url}/v2/persons`, bearerInit(token)))).toEqual(
      Array(40).fill(200),
    )
    sim.admin.setRateLimits({
      v2Persons: { windows: [{ limit: 2, windowMs: 1_000 }] },
      v2Employments: { windows: [{ limit: 1, windowMs: 1_000 }] },
    })
    expect(await burst(3, () => request(`${sim.url}/v2/persons`, bearerInit(token)))).toEqual([
      200, 200, 429,
    ])
    expect(
      await burst(2, () => request(`${sim.url}/v2/persons/1/employments`, bearerInit(token))),
    ).toEqual([200, 429])
    sim.admin.setRetryAfter(false)
    expect(
      (await request(`${sim.url}/v2/persons`, bearerInit(token))).headers.get('retry-after'),
    ).toBeNull()
    sim.clock.advance(1_000)
    expect((await request(`${sim.url}/v2/persons`, bearerInit(token))).status).toBe(200)
  })
})

describe('chaos', () => {
  it('answers 5xx, drops connections, slows down, as configured at run time', async () => {
    const sim = await start()
    const token = await v1Token(sim)
    sim.admin.setChaos({ errorRate: 1 })
    const failed = await request(`${sim.url}/v1/company/employees`, bearerInit(token))
    expect([500, 502, 503]).toContain(failed.status)
    sim.admin.setChaos({ dropRate: 1 })
    await expect(fetch(`${sim.url}/v1/company/employees`, bearerInit(token))).rejects.toThrow()
    sim.admin.setChaos({ slowRate: 1, slowMs: 10 })
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(token))).status).toBe(200)
    sim.admin.setChaos({})
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(token))).status).toBe(200)
    expect(sim.stats().dropped).toBe(1)
  })

  it('repeats a record across two pages (v1 and v2) and makes a next link repeat itself', async () => {
    const sim = await start({ chaos: { duplicateRate: 1 } })
    const token = await v1Token(sim)
    const second = v1Page(
      await request(`${sim.url}/v1/company/employees?limit=10&offset=10`, bearerInit(token)),
    )
    expect(ids(second).slice(0, 2)).toEqual([10, 11])
    const first = v2Page(await request(`${sim.url}/v2/persons?limit=5`, bearerInit(token)))
    const next = first._meta.links.next?.href ?? ''
    const page2 = v2Page(await request(next, bearerInit(token)))
    expect(page2._data.map((p) => p['id']).slice(0, 2)).toEqual(['5', '6'])
    sim.admin.setChaos({ repeatNextRate: 1 })
    const looping = v2Page(await request(`${sim.url}/v2/persons?limit=5`, bearerInit(token)))
    expect(looping._meta.links.next?.href).toBe(looping._meta.links.self.href)
  })

  it('v2: a cursor that does not move on repeats a page under new cursors; an empty page links on', async () => {
    const sim = await start({ chaos: { stuckCursorRate: 1 } })
    const token = await v1Token(sim)
    const personIds = (page: V2Page) => page._data.map((p) => p['id'])
    const first = v2Page(await request(`${sim.url}/v2/persons?limit=5`, bearerInit(token)))
    const second = v2Page(await request(first._meta.links.next?.href ?? '', bearerInit(token)))
    const third = v2Page(await request(second._meta.links.next?.href ?? '', bearerInit(token)))
    expect(personIds(second)).toEqual(personIds(first))
    expect(personIds(third)).toEqual(personIds(first))
    const links = [first, second, third].map((p) => p._meta.links.next?.href)
    expect(new Set(links).size).toBe(3)
    sim.admin.setChaos({ emptyPageRate: 1 })
    const start1 = v2Page(await request(`${sim.url}/v2/persons?limit=5`, bearerInit(token)))
    expect(personIds(start1)).toEqual(['1', '2', '3', '4', '5'])
    const empty = v2Page(await request(start1._meta.links.next?.href ?? '', bearerInit(token)))
    expect(empty._data).toEqual([])
    const after = v2Page(await request(empty._meta.links.next?.href ?? '', bearerInit(token)))
    sim.admin.setChaos({})
    const honest = v2Page(await request(empty._meta.links.next?.href ?? '', bearerInit(token)))
    // the empty page stood for persons 6 to 10: its next link goes past them
    expect(personIds(honest)).toEqual(['11', '12', '13', '14', '15'])
    expect(after._data).toEqual([])
  })

  it('loses tokens: a valid token answered 401 on v1 and v2, while new ones are still issued', async () => {
    const sim = await start()
    const token = await v1Token(sim)
    sim.admin.setChaos({ lostTokenRate: 1 })
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(token))).status).toBe(401)
    expect((await request(`${sim.url}/v2/persons`, bearerInit(token))).status).toBe(401)
    expect(await v1Token(sim)).toBe(token)
    sim.admin.setChaos({})
    expect((await request(`${sim.url}/v1/company/employees`, bearerInit(token))).status).toBe(200)
  })

  it('is the same on every run for the same seed, and a retry is decided afresh', async () => {
    const statuses = async () => {
      const sim = await start({ seed: 3 })
      const token = await v1Token(sim)
      sim.admin.setChaos({ errorRate: 0.5 })
      const out: number[] = []
      for (let i = 0; i < 12; i++)
        out.push(
          (
            await request(
              `${sim.url}/v1/company/employees?offset=${String(i % 4)}`,
              bearerInit(token),
            )
          ).status,
        )
      return out
    }
    const one = await statuses()
    expect(await statuses()).toEqual(one)
    expect(one.some((s) => s === 200)).toBe(true)
    expect(one.some((s) => s >= 500)).toBe(true)
  })
})

describe('determinism', () => {
  it('gives byte-identical responses for the same seed and size', async () => {
    const bodies = async (seed: number) => {
      const sim = await start({ employees: 60, seed })
      const token = await v1Token(sim)
      return [
        (
          await request(`${sim.url}/v1/company/employees?limit=60`, bearerInit(token))
        ).text.replaceAll(sim.url, 'URL'),
        (await request(`${sim.url}/v2/persons?limit=50`, bearerInit(token))).text.replaceAll(
          sim.url,
          'URL',
        ),
        (await request(`${sim.url}/v2/persons/9/employments`, bearerInit(token))).text.replaceAll(
          sim.url,
          'URL',
        ),
        token,
      ]
    }
    const a = await bodies(11)
    expect(await bodies(11)).toEqual(a)
    expect((await bodies(12))[0]).not.toBe(a[0])
  })
})

describe('stats', () => {
  it('counts requests per route and status, the app id header, peak concurrency', async () => {
    const sim = await start({ latencyMs: 30 })
    const token = await v1Token(sim)
    const headers = { 'X-Personio-App-ID': 'HRIS_SYNC', 'X-Personio-Partner-ID': 'ACME' }
    await Promise.all(
      Array.from({ length: 4 }, () =>
        request(`${sim.url}/v1/company/employees`, bearerInit(token, headers)),
      ),
    )
    await request(`${sim.url}/v1/company/employees/12`, bearerInit(token))
    const stats = (await request(`${sim.url}/_admin/stats`)).body as ReturnType<
      PersonioSim['stats']
    >
    expect(stats.routes['GET /v1/company/employees']).toEqual({
      requests: 4,
      statuses: { '200': 4 },
    })
    expect(stats.routes['GET /v1/company/employees/{id}']).toEqual({
      requests: 1,
      statuses: { '200': 1 },
    })
    expect(stats.routes['POST /v1/auth']?.requests).toBe(1)
    expect(stats.appIds).toEqual(['HRIS_SYNC'])
    expect(stats.partnerIds).toEqual(['ACME'])
    expect(stats.peakConcurrency).toBeGreaterThan(1)
    sim.admin.resetStats()
    expect(sim.stats().requests).toBe(0)
  })
})

describe('npm run sim:personio', () => {
  it('prints the URL and the sandbox credential, and serves until killed', async () => {
    const main = path.join(import.meta.dirname, 'main.ts')
    const child = spawn(
      process.execPath,
      [main, '--employees', '12', '--language', 'de', '--no-rate-limit'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      let out = ''
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('client_secret:')) resolve()
        })
        child.once('exit', () => {
          reject(new Error(`exited: ${out}`))
        })
      })
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? ''
      const clientId = /client_id:\s+(\S+)/.exec(out)?.[1] ?? ''
      const clientSecret = /client_secret:\s+(\S+)/.exec(out)?.[1] ?? ''
      const auth = await request(
        `${url}/v1/auth`,
        form({ client_id: clientId, client_secret: clientSecret }),
      )
      const token = (auth.body as { data: { token: string } }).data.token
      const page = v1Page(await request(`${url}/v1/company/employees`, bearerInit(token)))
      expect(page.metadata.total_elements).toBe(12)
      expect(page.data[0]?.attributes['first_name']?.label).toBe('Vorname')
    } finally {
      child.kill('SIGTERM')
    }
  })
})
