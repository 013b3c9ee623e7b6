// Every simulator endpoint the connector uses, answers good and bad, in JSON and XML and for a
// key whose user may not see every field, validated against BambooHR's public OpenAPI document.
import { XMLParser } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { mediaType } from '../shared/test-kit.ts'
import type { Answer } from './bamboohr-test-kit.ts'
import {
  apiBase,
  basic,
  call,
  getWithHost,
  report,
  request,
  startTestSim,
} from './bamboohr-test-kit.ts'
import type { ResponseLookup } from './reference-validator.ts'
import { createReferenceValidator } from './reference-validator.ts'

// the document is 690 KB: read and compiled once for this file
const reference = createReferenceValidator()
const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' })

const documented = (answer: Answer, lookup: Omit<ResponseLookup, 'status' | 'contentType'>) => {
  const full = { ...lookup, status: answer.status, contentType: mediaType(answer) }
  expect(
    reference.validateResponse(full, answer.body),
    `${String(answer.status)} ${answer.text.slice(0, 300)}`,
  ).toEqual([])
}

/**
 * An error as BambooHR answers one: an empty body, what went wrong in X-BambooHR-Error-Message,
 * and every header the document's shared response of that status names, with the same words.
 */
const bambooError = (answer: Answer) => {
  expect(answer.text).toBe('')
  const message = answer.headers.get('x-bamboohr-error-message')
  expect(message).toMatch(/\S/)
  for (const header of reference.sharedHeaders(answer.status)) {
    expect(answer.headers.get(header), header).toBe(message)
  }
}

/** An error as the document lists it for the operation: its status, an empty body, the headers. */
const documentedError = (answer: Answer, path: string, method: 'get' | 'post') => {
  expect(reference.statuses(path, method)).toContain(String(answer.status))
  bambooError(answer)
}

const FIELDS_PATH = '/api/v1/meta/fields'
const EMPLOYEE_PATH = '/api/v1/employees/{id}'
const CHANGED_PATH = '/api/v1/employees/changed'
const DIRECTORY_PATH = '/api/v1/employees/directory'
const REPORT_PATH = '/api/v1/reports/custom'
const get = { document: 'public', method: 'get' } as const

it('the validator refuses what the document rules out', () => {
  const lookup = { ...get, path: FIELDS_PATH, status: 200, contentType: 'application/json' }
  expect(reference.validateResponse(lookup, [{ id: 1, name: 'First Name' }])).not.toEqual([])
  const changed = { ...get, path: CHANGED_PATH, status: 200, contentType: 'application/json' }
  expect(reference.validateResponse(changed, { employees: {} })).not.toEqual([])
  const custom = {
    document: 'public',
    path: REPORT_PATH,
    method: 'post',
    status: 200,
    contentType: 'application/json',
  } as const
  expect(
    reference.validateResponse(custom, { employees: [{ id: '1', hireDate: 20240101 }] }),
  ).not.toEqual([])
})

describe('the simulator against the reference document', () => {
  let sim: Awaited<ReturnType<typeof startTestSim>>
  let restricted: string
  beforeAll(async () => {
    sim = await startTestSim({ employees: 60, withoutHireDate: 0.1 })
    restricted = sim.admin.addApiKey({ hidden: ['workEmail', 'terminationDate', 'department'] }).key
  })
  afterAll(() => sim.close())

  it('GET /v1/meta/fields: every field with id, name, type and alias (custom ones by id only, some)', async () => {
    const answer = await call(sim, '/meta/fields')
    documented(answer, { ...get, path: FIELDS_PATH })
    const fields = answer.body as { id: number; alias?: string }[]
    expect(fields.some((f) => f.alias === 'customShirtSize')).toBe(true)
    expect(fields.some((f) => f.alias === undefined)).toBe(true)
    const asXml = await call(sim, '/meta/fields', { accept: 'application/xml' })
    expect(mediaType(asXml)).toBe('application/xml')
    const doc = xmlParser.parse(asXml.text) as { fields: { field: { '@id': string }[] } }
    expect(doc.fields.field).toHaveLength(fields.length)
  })

  it('GET /v1/employees/{id}: the fields asked for, those the user may see, 0000-00-00 for no date', async () => {
    const noHire = sim.admin.employees().find((p) => p.hireDate === null)
    if (!noHire) throw new Error('the company has everyone with a hire date')
    const fields = 'firstName,lastName,workEmail,hireDate,terminationDate,status,supervisorEId,4052'
    const answer = await call(sim, `/employees/${String(noHire.id)}?fields=${fields}`)
    documented(answer, { ...get, path: EMPLOYEE_PATH })
    expect(answer.body).toMatchObject({
      id: String(noHire.id),
      hireDate: '0000-00-00',
      status: expect.stringMatching(/^(Active|Inactive)$/) as unknown,
    })
    const hidden = await call(sim, `/employees/${String(noHire.id)}?fields=${fields}`, {
      key: restricted,
    })
    documented(hidden, { ...get, path: EMPLOYEE_PATH })
    expect(Object.keys(hidden.body as object)).not.toContain('workEmail')
    const asXml = await call(sim, `/employees/${String(noHire.id)}?fields=firstName`, {
      accept: '*/*',
    })
    expect(mediaType(asXml)).toBe('application/xml')
    expect(xmlParser.parse(asXml.text)).toMatchObject({ employee: { '@id': String(noHire.id) } })
  })

  it('GET /v1/employees/{id}: 404 for no such employee, 400 for more than 400 fields', async () => {
    documentedError(await call(sim, '/employees/99999'), EMPLOYEE_PATH, 'get')
    const many = Array.from({ length: 401 }, (_, i) => `f${String(i)}`).join(',')
    documentedError(await call(sim, `/employees/1?fields=${many}`), EMPLOYEE_PATH, 'get')
  })

  it('GET /v1/employees/changed: who changed since, Inserted, Updated and Deleted', async () => {
    const since = sim.clock.now().toISOString()
    sim.clock.advance(1000)
    sim.admin.editEmployee(3, { position: 'Chief of Staff' })
    const added = sim.admin.addEmployee({ firstName: 'Neu' })
    sim.admin.deleteEmployee(5)
    const answer = await call(sim, `/employees/changed?since=${encodeURIComponent(since)}`)
    documented(answer, { ...get, path: CHANGED_PATH })
    const { employees } = answer.body as { employees: Record<string, { action: string }> }
    expect(employees['3']?.action).toBe('Updated')
    expect(employees[String(added.id)]?.action).toBe('Inserted')
    expect(employees['5']?.action).toBe('Deleted')
    const asXml = await call(sim, `/employees/changed?since=${encodeURIComponent(since)}`, {
      accept: 'application/xml',
    })
    const doc = xmlParser.parse(asXml.text) as { employees: { employee: unknown[] } }
    expect(doc.employees.employee).toHaveLength(3)
    documentedError(await call(sim, '/employees/changed'), CHANGED_PATH, 'get')
    documentedError(await call(sim, '/employees/changed?since=yesterday'), CHANGED_PATH, 'get')
  })

  it('GET /v1/employees/directory: active employees only, in JSON and XML', async () => {
    const answer = await call(sim, '/employees/directory')
    documented(answer, { ...get, path: DIRECTORY_PATH })
    const { employees } = answer.body as { employees: { id: string }[] }
    const inactive = sim.admin.employees().filter((p) => p.status === 'inactive')
    expect(inactive.length).toBeGreaterThan(0)
    expect(employees.map((e) => e.id)).not.toContain(String(inactive[0]?.id))
    const asXml = await call(sim, '/employees/directory', { accept: 'application/xml' })
    const doc = xmlParser.parse(asXml.text) as { directory: { employees: { employee: unknown[] } } }
    expect(doc.directory.employees.employee).toHaveLength(employees.length)
  })

  it('POST /v1/reports/custom: every employee, the fields the user may see, JSON or XML', async () => {
    const fields = [
      'firstName',
      'hireDate',
      'terminationDate',
      'workEmail',
      'customShirtSize',
      '4052',
    ]
    const answer = await report(sim, { title: 'Everyone', fields })
    documented(answer, { ...get, method: 'post', path: REPORT_PATH })
    const body = answer.body as { fields: { id: string }[]; employees: Record<string, unknown>[] }
    expect(body.employees).toHaveLength(sim.admin.employees().length)
    expect(body.employees.some((e) => e['hireDate'] === '0000-00-00')).toBe(true)
    const hidden = await report(sim, { fields }, restricted)
    documented(hidden, { ...get, method: 'post', path: REPORT_PATH })
    expect((hidden.body as typeof body).fields.map((f) => f.id)).toEqual([
      'firstName',
      'hireDate',
      'customShirtSize',
      '4052',
    ])
    const byIds = await report(sim, { fields, filters: { employeeIds: [1, 2] } })
    expect((byIds.body as typeof body).employees.map((e) => e['id'])).toEqual(['1', '2'])
    const asXml = await call(sim, '/reports/custom', {
      method: 'POST',
      accept: 'text/xml',
      headers: { 'content-type': 'text/xml' },
      body: '<report><fields><field id="firstName"/></fields><filters><employeeIds><employeeId>1</employeeId></employeeIds></filters></report>',
    })
    expect(mediaType(asXml)).toBe('text/xml')
    expect(xmlParser.parse(asXml.text)).toMatchObject({
      report: { employees: { employee: { '@id': '1' } } },
    })
  })

  it('POST /v1/reports/custom: 404 for an unknown format, 400 for a malformed body', async () => {
    const post = { method: 'POST', headers: { 'content-type': 'application/json' } }
    documentedError(
      await call(sim, '/reports/custom?format=bogus', { ...post, body: '{"fields":[]}' }),
      REPORT_PATH,
      'post',
    )
    documentedError(
      await call(sim, '/reports/custom', { ...post, accept: '*/*', body: '{"fields":[]}' }),
      REPORT_PATH,
      'post',
    )
    documentedError(
      await call(sim, '/reports/custom?format=json', { ...post, body: '{"fields":' }),
      REPORT_PATH,
      'post',
    )
    // "application/json; charset=UTF-8" is not JSON to BambooHR: the body is read as XML
    const charset = await call(sim, '/reports/custom?format=json', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: '{"fields":["firstName"]}',
    })
    documentedError(charset, REPORT_PATH, 'post')
    expect(charset.headers.get('x-bamboohr-error-message')).toBe('Malformed XML')
  })

  // the endpoints the connector calls list no 401: the shared 401 response and BambooHR's
  // Technical Overview ("401: your API key is missing") say how it looks
  it('a bad or missing API key is 401, with the headers of the shared 401 response', async () => {
    expect(reference.statuses(FIELDS_PATH, 'get')).not.toContain('401')
    expect(reference.sharedHeaders(401)).toEqual(['X-BambooHR-Message'])
    const answer = await call(sim, '/meta/fields', { key: 'not-a-key' })
    expect(answer.status).toBe(401)
    bambooError(answer)
    expect(answer.headers.get('x-bamboohr-error-message')).toBe('Invalid API key')
    const missing = await request(`${apiBase(sim)}/meta/fields`)
    expect(missing.status).toBe(401)
    bambooError(missing)
    expect(missing.headers.get('x-bamboohr-message')).toBe('API key is missing')
  })

  // a URL that is no API of BambooHR's is 404 (its Technical Overview); the custom report lists it
  it('an unknown company domain is 404 with an empty body and the error headers, in both URL forms', async () => {
    const key = basic(sim.apiKeys[0]?.key ?? '')
    const gateway = await request(`${sim.url}/api/gateway.php/globex/v1/reports/custom`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json' },
      body: '{"fields":["firstName"]}',
    })
    documentedError(gateway, REPORT_PATH, 'post')
    expect(gateway.status).toBe(404)
    expect(gateway.headers.get('x-bamboohr-error-message')).toBe(
      'No company with the domain "globex"',
    )
    const subdomain = await getWithHost(
      `${sim.url}/api/v1/meta/fields`,
      'globex.bamboohr.com',
      sim.apiKeys[0]?.key ?? '',
    )
    expect(subdomain.status).toBe(404)
    bambooError(subdomain)
    expect(subdomain.headers.get('x-bamboohr-message')).toContain('"globex"')
  })
})
