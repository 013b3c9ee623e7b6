import { stringify } from 'csv-stringify/sync'
import { XMLParser } from 'fast-xml-parser'
import type { Hono } from 'hono'
import { z } from 'zod'

import { requestKey } from '../shared/network.ts'
import { createRenderCache } from '../shared/render-cache.ts'
import type { BambooPerson, FieldDefinition } from './bamboohr-fields.ts'
import { FIELDS, bambooTime, fieldNamed } from './bamboohr-fields.ts'
import type { Ctx, Env, XmlNode } from './bamboohr-http.ts'
import { bambooError, element, json, wantsJson, xml } from './bamboohr-http.ts'
import type { BambooHRState, SimApiKey } from './bamboohr-state.ts'

/** The most fields one request may name (GET /v1/employees/{id}, POST /v1/reports/custom). */
export const MAX_FIELDS = 400

/** The fields a key may read among those asked for, each under the name it was asked by. */
const visible = (state: BambooHRState, apiKey: SimApiKey, names: readonly string[]) => {
  const out: { name: string; def: FieldDefinition }[] = []
  const seen = new Set<FieldDefinition>()
  for (const raw of names) {
    const name = raw.trim()
    const def = fieldNamed(name)
    // unknown fields and those the key's user may not see are left out, without an error
    if (def === undefined || seen.has(def) || !state.sees(apiKey, name)) continue
    seen.add(def)
    out.push({ name, def })
  }
  return out
}

const rowOf = (
  state: BambooHRState,
  person: BambooPerson,
  fields: readonly { name: string; def: FieldDefinition }[],
) => {
  const row: Record<string, string | null> = { id: String(person.id) }
  for (const { name, def } of fields) row[name] = def.value(person, state.fieldContext)
  return row
}

/** A report row as JSON text, made once per version of the person (see `createRenderCache`). */
const rendered = createRenderCache()
const rowJson = (
  state: BambooHRState,
  person: BambooPerson,
  fields: readonly { name: string; def: FieldDefinition }[],
  key: string,
) => {
  const supervisor = person.supervisorId === null ? undefined : state.person(person.supervisorId)
  return rendered(person, key, supervisor, () => JSON.stringify(rowOf(state, person, fields)))
}

const xmlRow = (row: Record<string, string | null>): XmlNode => ({
  '@id': row['id'] ?? '',
  field: Object.entries(row)
    .filter(([k]) => k !== 'id')
    .map(([id, value]) => element({ id }, value)),
})

/** ISO 8601 with a time and an offset, as `since` and `lastChanged` are documented. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/
const instant = (text: string): number | null => {
  if (!DATE_TIME.test(text.trim())) return null
  const t = Date.parse(text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  return Number.isNaN(t) ? null : t
}

/** A report definition as a JSON body may give it (POST /v1/reports/custom). */
const ReportRequest = z.looseObject({
  title: z.string().optional(),
  fields: z.array(z.union([z.string(), z.number()]).transform(String)),
  filters: z
    .looseObject({
      lastChanged: z
        .looseObject({ value: z.string(), includeNull: z.enum(['yes', 'no']).optional() })
        .optional(),
      employeeIds: z
        .array(z.union([z.int(), z.string().regex(/^\d+$/)]).transform(Number))
        .optional(),
    })
    .optional(),
  filterDuplicates: z.enum(['yes', 'no']).optional(),
})
type ReportRequest = z.infer<typeof ReportRequest>

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => name === 'field' || name === 'employeeId',
})

const textOf = (node: unknown): string =>
  typeof node === 'string' || typeof node === 'number'
    ? String(node)
    : typeof node === 'object' && node !== null && '#text' in node
      ? textOf(node['#text'])
      : ''

/** The `<report>` document of an XML body, as the JSON form; null when it is none. */
const reportFromXml = (text: string): unknown => {
  const doc = xmlParser.parse(text) as { report?: unknown }
  const report = doc.report
  if (typeof report !== 'object' || report === null) return null
  const r = report as Record<string, unknown>
  const fields = (r['fields'] as { field?: { '@id'?: string }[] } | undefined)?.field ?? []
  const filters = r['filters'] as
    { lastChanged?: unknown; employeeIds?: { employeeId?: unknown[] } } | undefined
  const lastChanged = filters?.lastChanged
  const includeNull = (lastChanged as { '@includeNull'?: unknown } | undefined)?.['@includeNull']
  return {
    ...(typeof r['title'] === 'string' ? { title: r['title'] } : {}),
    fields: fields.map((f) => f['@id'] ?? ''),
    filters: {
      ...(lastChanged === undefined
        ? {}
        : {
            lastChanged: {
              value: textOf(lastChanged),
              ...(includeNull === undefined ? {} : { includeNull }),
            },
          }),
      ...(filters?.employeeIds?.employeeId
        ? { employeeIds: filters.employeeIds.employeeId.map(textOf) }
        : {}),
    },
    ...(typeof r['filterDuplicates'] === 'string'
      ? { filterDuplicates: r['filterDuplicates'] }
      : {}),
  }
}

/** The body: JSON only with Content-Type exactly application/json, else XML (as documented). */
const reportBody = async (c: Ctx): Promise<ReportRequest | Response> => {
  const text = await c.req.text()
  const isJson = c.req.header('content-type') === 'application/json'
  let raw: unknown
  try {
    raw = isJson ? JSON.parse(text) : reportFromXml(text)
  } catch {
    raw = null
  }
  const parsed = ReportRequest.safeParse(raw)
  if (!parsed.success) return bambooError(400, isJson ? 'Malformed JSON' : 'Malformed XML')
  return parsed.data
}

type ReportFormat = 'json' | 'xml' | 'csv'

/** `format`, else the Accept header's exact value; null: 404 (the simulator renders no PDF/XLS). */
const reportFormat = (c: Ctx): ReportFormat | null => {
  const format = c.req.query('format')?.toLowerCase()
  if (format !== undefined)
    return format === 'json' || format === 'xml' || format === 'csv' ? format : null
  const accept = c.req.header('accept')?.trim()
  if (accept === 'application/json') return 'json'
  if (accept === 'text/xml') return 'xml'
  if (accept === 'text/csv') return 'csv'
  return null
}

export const mountApi = (api: Hono<Env>, state: BambooHRState) => {
  api.get('/v1/meta/fields', (c) => {
    if (wantsJson(c)) {
      return json(
        FIELDS.map((f) => ({
          id: f.id,
          name: f.name,
          type: f.type,
          ...(f.alias === null ? {} : { alias: f.alias }),
        })),
      )
    }
    return xml({
      fields: {
        field: FIELDS.map((f) =>
          element(
            { id: String(f.id), type: f.type, ...(f.alias === null ? {} : { alias: f.alias }) },
            f.name,
          ),
        ),
      },
    })
  })

  api.get('/v1/employees/directory', (c) => {
    const apiKey = c.get('apiKey')
    const onlyCurrent = c.req.query('onlyCurrent') !== 'false'
    const today = state.today()
    const names = [
      'displayName',
      'firstName',
      'lastName',
      'preferredName',
      'jobTitle',
      'workPhone',
      'mobilePhone',
      'workEmail',
      'department',
      'location',
      'division',
      'supervisor',
    ]
    const fields = visible(state, apiKey, names)
    // active employees only; future hires only when asked for
    const people = state
      .people()
      .filter((p) => p.status !== 'inactive')
      .filter((p) => !onlyCurrent || p.hireDate === null || p.hireDate <= today)
    if (people.length === 0) return bambooError(404, 'The directory is empty')
    const rows = people.map((p) => ({
      ...rowOf(state, p, fields),
      photoUploaded: false,
      photoUrl: 'https://resources.bamboohr.com/images/photo_person_150x150.png',
      canUploadPhoto: 0,
    }))
    const defs = [
      ...fields.map(({ name, def }) => ({ id: name, type: def.type, name: def.name })),
      { id: 'photoUploaded', type: 'bool', name: 'Employee photo exists' },
      { id: 'photoUrl', type: 'url', name: 'Employee photo url' },
      { id: 'canUploadPhoto', type: 'bool', name: 'Can upload photo' },
    ]
    if (wantsJson(c)) return json({ fields: defs, employees: rows })
    return xml({
      directory: {
        fieldset: { field: defs.map((d) => element({ id: d.id }, d.name)) },
        employees: {
          employee: rows.map((row) =>
            xmlRow(
              Object.fromEntries(
                Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]),
              ),
            ),
          ),
        },
      },
    })
  })

  api.get('/v1/employees/changed', (c) => {
    const sinceText = c.req.query('since')
    const since = sinceText === undefined ? null : instant(sinceText)
    if (since === null) {
      return bambooError(400, 'The since parameter must be an ISO 8601 date-time')
    }
    const type = (c.req.query('type') ?? 'all').toLowerCase()
    if (!['inserted', 'updated', 'deleted', 'all'].includes(type)) {
      return bambooError(400, 'The type parameter must be inserted, updated, deleted or all')
    }
    const changes: { id: string; action: 'Inserted' | 'Updated' | 'Deleted'; at: string }[] = []
    for (const p of state.people()) {
      if (Date.parse(p.updatedAt) <= since) continue
      const action = Date.parse(p.createdAt) > since ? 'Inserted' : 'Updated'
      changes.push({ id: String(p.id), action, at: p.updatedAt })
    }
    for (const [id, at] of state.deleted()) {
      if (Date.parse(at) > since) changes.push({ id: String(id), action: 'Deleted', at })
    }
    const wanted = changes.filter((ch) => type === 'all' || ch.action.toLowerCase() === type)
    const newest = wanted.reduce((t, ch) => Math.max(t, Date.parse(ch.at)), since)
    const latest = bambooTime(new Date(newest).toISOString())
    if (wantsJson(c)) {
      return json({
        latest,
        employees: Object.fromEntries(
          wanted.map((ch) => [
            ch.id,
            { id: ch.id, action: ch.action, lastChanged: bambooTime(ch.at) },
          ]),
        ),
      })
    }
    return xml({
      employees: {
        '@latest': latest,
        employee: wanted.map((ch) =>
          element({ id: ch.id, action: ch.action, lastChanged: bambooTime(ch.at) }, null),
        ),
      },
    })
  })

  api.get('/v1/employees/:id', (c) => {
    const apiKey = c.get('apiKey')
    const idText = c.req.param('id')
    const id = /^\d+$/.test(idText) ? Number(idText) : Number.NaN
    const person = state.person(id === 0 ? (apiKey.employeeId ?? -1) : id)
    if (person === undefined) return bambooError(404, 'Employee not found')
    const names = (c.req.query('fields') ?? 'firstName,lastName').split(',').filter((n) => n !== '')
    if (names.length > MAX_FIELDS) {
      return bambooError(400, `At most ${String(MAX_FIELDS)} fields may be requested`)
    }
    const row = rowOf(state, person, visible(state, apiKey, names))
    return wantsJson(c) ? json(row) : xml({ employee: xmlRow(row) })
  })

  api.post('/v1/reports/custom', async (c) => {
    const format = reportFormat(c)
    if (format === null) return bambooError(404, 'Report format not found')
    const report = await reportBody(c)
    if (report instanceof Response) return report
    if (report.fields.length > MAX_FIELDS) {
      return bambooError(400, `At most ${String(MAX_FIELDS)} fields may be requested`)
    }
    const fields = visible(state, c.get('apiKey'), report.fields)
    const ids = report.filters?.employeeIds
    const changedSince = report.filters?.lastChanged
    const since = changedSince === undefined ? null : instant(changedSince.value)
    if (changedSince !== undefined && since === null) {
      return bambooError(400, 'lastChanged must be an ISO 8601 date-time')
    }
    // every employee, active or not; the filters narrow it
    const wantedIds = ids === undefined ? null : new Set(ids)
    let people = state
      .people()
      .filter((p) => wantedIds === null || wantedIds.has(p.id))
      .filter((p) => since === null || Date.parse(p.updatedAt) >= since)
    const request = requestKey(c)
    const { chaos } = state.config
    if (chaos.strikes('duplicate', request, state.attempt(`${request}/duplicate`))) {
      const rate = chaos.options.duplicateRate ?? 0
      people = people.flatMap((p) =>
        chaos.draw(`duplicate/${String(p.id)}`) < rate ? [p, p] : [p],
      )
    }
    const title = report.title ?? 'Report'
    const defs = fields.map(({ name, def }) => ({ id: name, type: def.type, name: def.name }))
    if (format === 'json') {
      const key = fields.map((f) => f.name).join(',')
      const head = JSON.stringify({ title, fields: defs, employees: [] }).slice(0, -2)
      return new Response(
        `${head}${people.map((p) => rowJson(state, p, fields, key)).join(',')}]}`,
        {
          status: 200,
          headers: { 'content-type': 'application/json' },
        },
      )
    }
    const rows = people.map((p) => rowOf(state, p, fields))
    if (format === 'csv') {
      return new Response(
        stringify([
          ['id', ...defs.map((d) => d.name)],
          ...rows.map((r) => [r['id'], ...defs.map((d) => r[d.id] ?? '')]),
        ]),
        { status: 200, headers: { 'content-type': 'text/csv' } },
      )
    }
    return xml(
      {
        report: {
          title,
          fields: { field: defs.map((d) => element({ id: d.id, type: d.type }, d.name)) },
          employees: { employee: rows.map(xmlRow) },
        },
      },
      'text/xml',
    )
  })
}
