// Every simulator endpoint, answers good and bad, in both languages and for a restricted
// credential, validated against Personio's public API documents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { at } from '../shared/reference-validator.ts'
import { mediaType } from '../shared/test-kit.ts'
import type { Answer } from './personio-test-kit.ts'
import { bearerInit, form, request, startTestSim, v1Auth, v1Token } from './personio-test-kit.ts'
import type { ResponseLookup } from './reference-validator.ts'
import { createReferenceValidator } from './reference-validator.ts'
import type { PersonioSim } from './start-personio-sim.ts'

const reference = createReferenceValidator()
const V1_ERROR = 'personnel#/components/schemas/ErrorResponse'
const V2_ERROR = 'common#/components/schemas/ErrorResponse'
// the document shows /attributes only by example, without a schema: this one is read off it
const ATTRIBUTES_FROM_EXAMPLE = {
  type: 'object',
  required: ['success', 'data'],
  properties: {
    success: { const: true },
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'label', 'type', 'universal_id', 'options'],
        additionalProperties: false,
        properties: {
          key: { type: 'string' },
          label: { type: 'string' },
          type: { $ref: 'personnel#/components/schemas/TypeEnum' },
          universal_id: { type: ['string', 'null'] },
          options: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
}

const documented = (answer: Answer, lookup: Omit<ResponseLookup, 'status' | 'contentType'>) => {
  const full = { ...lookup, status: answer.status, contentType: mediaType(answer) }
  expect(
    reference.validateResponse(full, answer.body),
    `${answer.status} ${answer.text.slice(0, 300)}`,
  ).toEqual([])
}

const bySchema = (answer: Answer, ref: string | object) => {
  const errors = reference.validateSchema(ref, answer.body)
  expect(errors, answer.text.slice(0, 300)).toEqual([])
}

it('the validator refuses what the documents rule out', () => {
  const persons = {
    document: 'persons',
    path: '/v2/persons',
    method: 'get',
    status: 200,
    contentType: 'application/json',
  } as const
  expect(reference.validateResponse(persons, { _data: [{ id: '1', gender: 'male' }] })).not.toEqual(
    [],
  )
  const list = {
    document: 'personnel',
    path: '/company/employees',
    method: 'get',
    status: 200,
    contentType: 'application/json',
  } as const
  const employee = {
    type: 'Employee',
    attributes: { id: { label: 'ID', value: 1, type: 'text', universal_id: 'id' } },
  }
  expect(
    reference.validateResponse(list, {
      success: true,
      metadata: { total_elements: 1, current_page: 0, total_pages: 1 },
      offset: 0,
      limit: 1,
      data: [employee],
    }),
  ).not.toEqual([])
  const token = {
    document: 'credentials',
    path: '/v2/auth/token',
    method: 'post',
    status: 400,
    contentType: 'application/problem+json',
  } as const
  expect(reference.validateResponse(token, { error: 'wrong_secret' })).not.toEqual([])
})

describe.each(['en', 'de'] as const)(
  'the simulator against the reference documents (%s)',
  (language) => {
    let sim: PersonioSim
    let token: string
    let restricted: string
    beforeAll(async () => {
      sim = await startTestSim({
        employees: 120,
        language,
        credentials: [
          { attributes: 'all' },
          { attributes: ['first_name', 'last_name', 'email', 'team', 'dynamic_1146706'] },
          { attributes: 'all', scopes: ['personio:persons:read'] },
        ],
      })
      token = await v1Token(sim)
      restricted = await v1Token(sim, 1)
    })
    afterAll(() => sim.close())

    const v1 = { document: 'personnel' as const, method: 'get' as const }
    const list = { ...v1, path: '/company/employees' }

    it('POST /v1/auth: JSON and form bodies; errors in the v1 error shape', async () => {
      const [credential] = sim.credentials
      if (!credential) throw new Error('no credential')
      const auth = { document: 'auth' as const, path: '/auth', method: 'post' as const }
      documented(await v1Auth(sim), auth)
      documented(
        await request(
          `${sim.url}/v1/auth`,
          form({ client_id: credential.clientId, client_secret: credential.clientSecret }),
        ),
        auth,
      )
      const inQuery = await request(
        `${sim.url}/v1/auth?client_id=${credential.clientId}&client_secret=${credential.clientSecret}`,
        { method: 'POST' },
      )
      expect(inQuery.status).toBe(403)
      bySchema(inQuery, V1_ERROR)
      const wrong = await request(
        `${sim.url}/v1/auth`,
        form({ client_id: credential.clientId, client_secret: 'wrong' }),
      )
      expect(wrong.status).toBe(401)
      bySchema(wrong, V1_ERROR)
      const missing = await request(`${sim.url}/v1/auth`, form({ client_id: credential.clientId }))
      expect(missing.status).toBe(400)
      bySchema(missing, V1_ERROR)
    })

    it('GET /v1/company/employees: pages, projections, updated_since, a restricted credential', async () => {
      for (const query of [
        '',
        '?limit=100',
        '?limit=7&offset=14',
        '?offset=119',
        '?attributes[]=first_name&attributes[]=team',
        '?updated_since=2020-01-01',
        '?email=nobody@example.com',
        '?first_name=Anna&last_name=M%C3%BCller&preferred_name=Anni',
      ]) {
        documented(
          await request(`${sim.url}/v1/company/employees${query}`, bearerInit(token)),
          list,
        )
        documented(
          await request(`${sim.url}/v1/company/employees${query}`, bearerInit(restricted)),
          list,
        )
      }
    })

    it('GET /v1/company/employees/{id} and its 404', async () => {
      const one = { ...v1, path: '/company/employees/{employee_id}' }
      documented(await request(`${sim.url}/v1/company/employees/2`, bearerInit(token)), one)
      documented(await request(`${sim.url}/v1/company/employees/2`, bearerInit(restricted)), one)
      const missing = await request(`${sim.url}/v1/company/employees/99999`, bearerInit(token))
      expect(missing.status).toBe(404)
      documented(missing, one)
    })

    it('GET /v1/company/employees/attributes (and its alias custom-attributes)', async () => {
      for (const path of ['attributes', 'custom-attributes']) {
        bySchema(
          await request(`${sim.url}/v1/company/employees/${path}`, bearerInit(token)),
          ATTRIBUTES_FROM_EXAMPLE,
        )
        bySchema(
          await request(`${sim.url}/v1/company/employees/${path}`, bearerInit(restricted)),
          ATTRIBUTES_FROM_EXAMPLE,
        )
      }
    })

    it('v1 errors the document shows only as shared examples: 400, 401, 429', async () => {
      const tooBig = await request(`${sim.url}/v1/company/employees?limit=101`, bearerInit(token))
      expect(tooBig.status).toBe(400)
      bySchema(tooBig, V1_ERROR)
      const none = await request(`${sim.url}/v1/company/employees`)
      expect(none.status).toBe(401)
      bySchema(none, V1_ERROR)
      const bad = await request(`${sim.url}/v1/company/employees`, bearerInit('papi-nonsense'))
      expect(bad.status).toBe(401)
      bySchema(bad, V1_ERROR)
      sim.admin.setRateLimits({ v1Employees: { windows: [{ limit: 1, windowMs: 60_000 }] } })
      await request(`${sim.url}/v1/company/employees`, bearerInit(token))
      const limited = await request(`${sim.url}/v1/company/employees`, bearerInit(token))
      sim.admin.setRateLimits(false)
      expect(limited.status).toBe(429)
      bySchema(limited, V1_ERROR)
    })

    it('POST /v2/auth/token: a token and every documented 400', async () => {
      const [credential] = sim.credentials
      if (!credential) throw new Error('no credential')
      const token = {
        document: 'credentials' as const,
        path: '/v2/auth/token',
        method: 'post' as const,
      }
      const good = {
        grant_type: 'client_credentials',
        client_id: credential.clientId,
        client_secret: credential.clientSecret,
      }
      documented(await request(`${sim.url}/v2/auth/token`, form(good)), token)
      const cases: [Record<string, string>, string][] = [
        [{ client_id: credential.clientId }, 'invalid_request'],
        [{ grant_type: 'client_credentials', client_id: 'client_who' }, 'invalid_client'],
        [{ grant_type: 'lilu_dallas_multipass' }, 'invalid_grant'],
        [{ ...good, client_secret: 'verY-wr0ng-p4ssw0rd' }, 'unauthorized_client'],
        [{ grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }, 'unsupported_grant_type'],
        [{ ...good, scope: 'personio:persons:read fake_scope:777' }, 'invalid_scope'],
      ]
      for (const [body, error] of cases) {
        const answer = await request(`${sim.url}/v2/auth/token`, form(body))
        expect(answer.status).toBe(400)
        expect(answer.body).toMatchObject({ error })
        documented(answer, token)
      }
      const personsOnly = sim.credentials[2]
      if (!personsOnly) throw new Error('no credential')
      const notGranted = await request(
        `${sim.url}/v2/auth/token`,
        form({
          grant_type: 'client_credentials',
          client_id: personsOnly.clientId,
          client_secret: personsOnly.clientSecret,
          scope: 'personio:persons:read personio:employments:read',
        }),
      )
      expect(notGranted.body).toMatchObject({ error: 'invalid_scope' })
      documented(notGranted, token)
      const asJson = await request(`${sim.url}/v2/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(good),
      })
      expect(asJson.body).toMatchObject({ error: 'invalid_request' })
      documented(asJson, token)
    })

    it('GET /v2/persons: pages, filters, a restricted credential, 400s', async () => {
      const persons = { document: 'persons' as const, path: '/v2/persons', method: 'get' as const }
      for (const query of [
        '',
        '?limit=50',
        '?limit=3&status=INACTIVE',
        '?email=nobody@example.com',
        '?first_name=Anna&last_name=M%C3%BCller&preferred_name=Anni',
        '?updated_at.gt=2020-01-01T00:00:00Z&updated_at.lt=2030-01-01T00:00:00Z',
      ]) {
        documented(await request(`${sim.url}/v2/persons${query}`, bearerInit(token)), persons)
        documented(await request(`${sim.url}/v2/persons${query}`, bearerInit(restricted)), persons)
      }
      const first = await request(`${sim.url}/v2/persons?limit=5`, bearerInit(token))
      const next = (first.body as { _meta: { links: { next: { href: string } } } })._meta.links.next
        .href
      documented(await request(next, bearerInit(token)), persons)
      for (const query of [
        '?created_at.lt=wrong-date-format',
        '?id.nooperator=1',
        '?limit=51',
        '?status=GONE',
        '?last_name=',
        '?cursor=nonsense',
      ]) {
        const answer = await request(`${sim.url}/v2/persons${query}`, bearerInit(token))
        expect(answer.status).toBe(400)
        documented(answer, persons)
      }
    })

    it('GET /v2/persons/{id} and its 404', async () => {
      const person = {
        document: 'persons' as const,
        path: '/v2/persons/{id}',
        method: 'get' as const,
      }
      documented(await request(`${sim.url}/v2/persons/3`, bearerInit(token)), person)
      documented(await request(`${sim.url}/v2/persons/3`, bearerInit(restricted)), person)
      const missing = await request(`${sim.url}/v2/persons/404404`, bearerInit(token))
      expect(missing.status).toBe(404)
      documented(missing, person)
    })

    it('GET /v2/persons/{person_id}/employments, its 400 and 404', async () => {
      const employments = {
        document: 'employments' as const,
        path: '/v2/persons/{person_id}/employments',
        method: 'get' as const,
      }
      const terminated = sim.admin.employees().find((p) => p.terminationDate !== null)
      for (const id of [1, 2, terminated?.id ?? 3]) {
        documented(
          await request(`${sim.url}/v2/persons/${String(id)}/employments`, bearerInit(token)),
          employments,
        )
        documented(
          await request(`${sim.url}/v2/persons/${String(id)}/employments`, bearerInit(restricted)),
          employments,
        )
      }
      const bad = await request(
        `${sim.url}/v2/persons/1/employments?updated_at.gt=yesterday`,
        bearerInit(token),
      )
      expect(bad.status).toBe(400)
      documented(bad, employments)
      const missing = await request(`${sim.url}/v2/persons/404404/employments`, bearerInit(token))
      expect(missing.status).toBe(404)
      documented(missing, employments)
    })

    it('403 for a credential without the access a route needs: the v1 shared example, the v2 common shape', async () => {
      const personsOnly = await v1Token(sim, 2)
      const v1Refused = await request(`${sim.url}/v1/company/employees`, bearerInit(personsOnly))
      expect(v1Refused.status).toBe(403)
      bySchema(v1Refused, V1_ERROR)
      expect(v1Refused.body).toEqual(
        at(reference.raw.personnel, 'components', 'examples', '403ForbiddenErrorExample')['value'],
      )
      const v2Refused = await request(
        `${sim.url}/v2/persons/1/employments`,
        bearerInit(personsOnly),
      )
      expect(v2Refused.status).toBe(403)
      expect(mediaType(v2Refused)).toBe('application/problem+json')
      bySchema(v2Refused, V2_ERROR)
    })

    it('v2 errors the documents do not list for these routes, in the common error shape: 401, 429', async () => {
      const none = await request(`${sim.url}/v2/persons`)
      expect(none.status).toBe(401)
      bySchema(none, V2_ERROR)
      sim.admin.setRateLimits({ v2Persons: { windows: [{ limit: 1, windowMs: 60_000 }] } })
      await request(`${sim.url}/v2/persons`, bearerInit(token))
      const limited = await request(`${sim.url}/v2/persons`, bearerInit(token))
      sim.admin.setRateLimits(false)
      expect(limited.status).toBe(429)
      bySchema(limited, V2_ERROR)
    })

    it('chaos 5xx answers keep the error shapes', async () => {
      sim.admin.setChaos({ errorRate: 1 })
      const v1Failure = await request(`${sim.url}/v1/company/employees`, bearerInit(token))
      const v2Failure = await request(`${sim.url}/v2/persons`, bearerInit(token))
      sim.admin.setChaos({})
      expect(v1Failure.status).toBeGreaterThanOrEqual(500)
      bySchema(v1Failure, V1_ERROR)
      expect(v2Failure.status).toBeGreaterThanOrEqual(500)
      bySchema(v2Failure, V2_ERROR)
    })
  },
)
