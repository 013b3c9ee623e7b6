import { SyncError, err, ok } from '../../core/errors.ts'
import type { Issue } from '../../core/errors.ts'
import type { CUSTOM_FIELD_TYPES, Employee, InvalidRecord } from '../../core/model/employee.ts'
import { sourceReader, sourceRoot, sourceType } from '../../core/model/source-path.ts'
import type { SourceType } from '../../core/model/source-path.ts'
import type {
  Connector,
  ConnectorContext,
  FieldInfo,
  ReadEnd,
  ReadOptions,
  ReadPage,
} from '../connector.ts'
import { TaskPool, asSyncError as toSyncError, completions } from '../http.ts'
import { attributesOf, normalizeV1, V1EmployeesPage, V1Employee } from './normalize-v1.ts'
import {
  EMPLOYMENT_EXTRAS,
  V2Employment,
  V2Page,
  V2Person,
  attributesOfV2,
  currentEmployment,
  customKeyV2,
  normalizeV2,
  readableV2,
} from './normalize-v2.ts'
import type { V2Employment as Employment } from './normalize-v2.ts'
import { PersonioApi } from './personio-api.ts'
import {
  CUSTOM_HELD,
  attributeKeysFor,
  enableHint,
  heldKeys,
  modelPathOf,
  readAsCustom,
} from './personio-attributes.ts'
import type { AttributeInfo, HeldKeys } from './personio-attributes.ts'
import { PersonioConfig, PersonioSecret } from './personio-config.ts'
import { customType } from './personio-values.ts'

/** The largest pages each API serves. */
export const V1_PAGE_SIZE = 100
export const V2_PAGE_SIZE = 50
/**
 * Requests in flight at once: a whole burst (Personio allows 15 a second) can be under way while
 * the answers come; the pacer keeps the rate.
 */
const CONCURRENCY = 16
/**
 * How far back an incremental read looks before the last one started. Personio reads
 * `updated_since` without a time zone, in one it does not document: a day covers any.
 */
export const WATERMARK_OVERLAP_MS = 24 * 60 * 60 * 1000

const today = (ctx: ConnectorContext) => ctx.now().toISOString().slice(0, 10)

const asSyncError = (error: unknown) => toSyncError('Personio', error)

/** Errors that end a read at once: trying the other pages cannot help. */
const fatal = (error: SyncError) =>
  error.code === 'auth_failed' || error.code === 'permission_denied' || error.code === 'internal'

/** `updated_since` as Personio documents it: ISO 8601 without an offset (UTC here). */
function personioTime(watermark: string): string {
  const at = Date.parse(watermark)
  if (Number.isNaN(at)) {
    throw new SyncError('invalid_input', `the watermark "${watermark}" is not a time`)
  }
  return new Date(at).toISOString().slice(0, 19)
}

const watermarkOf = (startedAt: Date) =>
  new Date(startedAt.getTime() - WATERMARK_OVERLAP_MS).toISOString()

/** The model fields an employee payload shows the credential can read. */
function readableOf(attributes: readonly AttributeInfo[], held: HeldKeys): string[] {
  const paths = new Set<string>(['externalId'])
  for (const a of attributes) {
    paths.add(sourceRoot(modelPathOf(a.key, held)))
    if (readAsCustom(a.key)) paths.add(`custom.${a.key}`)
  }
  return [...paths]
}

interface Normalized {
  records: Employee[]
  invalid: InvalidRecord[]
}

type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number]

function pageIssue(message: string): Issue {
  return { code: 'incomplete_read', severity: 'warning', message, path: [] }
}

async function* readV1(
  api: PersonioApi,
  ctx: ConnectorContext,
  { since, sizeHint, fields }: ReadOptions,
): AsyncGenerator<ReadPage, ReadEnd> {
  const startedAt = ctx.now()
  const day = today(ctx)
  const seen = new Set<string>()
  const issues: Issue[] = []
  let complete = since === undefined
  // what the first employee shows of the credential's attributes, for every page
  const learned: { held: HeldKeys; readable: string[] | null } = { held: {}, readable: null }
  let read = 0

  const fetchPage = async (query: URLSearchParams) => {
    const what = 'GET /v1/company/employees'
    const body = await api.get(`v1/company/employees?${query.toString()}`, what)
    const page = V1EmployeesPage.safeParse(body)
    if (!page.success) {
      throw new SyncError(
        'invalid_response',
        `Personio answered ${what} with a body that is not a page of employees`,
      )
    }
    return page.data
  }
  const normalize = (data: readonly unknown[]): Normalized => {
    const out: Normalized = { records: [], invalid: [] }
    for (const raw of data) {
      const id = (raw as { attributes?: { id?: { value?: unknown } } } | null)?.attributes?.id
        ?.value
      // a record repeated across pages (offsets shift when someone is added) is taken once
      if (typeof id === 'number' || typeof id === 'string') {
        if (seen.has(String(id))) continue
        seen.add(String(id))
      }
      const result = normalizeV1(raw, learned.held, day)
      if ('record' in result) out.records.push(result.record)
      else out.invalid.push(result.invalid)
    }
    read += data.length
    return out
  }
  // only the attributes the sync reads, when it says which (attributes[]: Personio's projection;
  // with updated_since it also selects only employees whose listed attributes changed)
  let projection: string[] | null = null
  if (fields !== undefined) {
    learned.held = heldKeys(api.config, await api.attributes())
    projection = attributeKeysFor(fields, learned.held)
  }
  const withProjection = (params: Record<string, string>) => {
    const query = new URLSearchParams(params)
    for (const key of projection ?? []) query.append('attributes[]', key)
    return query
  }
  const learn = (data: readonly unknown[]) => {
    const first = V1Employee.safeParse(data[0])
    if (!first.success) return
    const attributes = attributesOf(first.data)
    // a projection knows its custom attributes from the credential's list already
    if (projection === null) learned.held = heldKeys(api.config, attributes)
    learned.readable = readableOf(attributes, learned.held)
  }

  if (since !== undefined) {
    // with updated_since Personio ignores limit and offset: one answer holds every change
    const page = await fetchPage(withProjection({ updated_since: personioTime(since) }))
    learn(page.data)
    const out = normalize(page.data)
    ctx.progress?.({ read, total: page.data.length })
    yield out
    return {
      complete: false,
      readableFields: learned.readable,
      watermark: watermarkOf(startedAt),
      issues,
    }
  }

  const pageAt = (offset: number) => async () => {
    try {
      const query = withProjection({ limit: String(V1_PAGE_SIZE), offset: String(offset) })
      return { offset, page: await fetchPage(query), error: null }
    } catch (error) {
      return { offset, page: null, error: asSyncError(error) }
    }
  }
  // the pages the last read needed are asked for at once; the total of the first answer says
  // whether more are needed, and they are asked for as soon as it is known, before that answer
  // is worked on
  const pool = new TaskPool<Awaited<ReturnType<ReturnType<typeof pageAt>>>>(CONCURRENCY)
  let covered = 0
  const askUpTo = (end: number) => {
    for (; covered < end; covered += V1_PAGE_SIZE) pool.add(pageAt(covered))
  }
  askUpTo(Math.max(1, Math.ceil((sizeHint ?? 0) / V1_PAGE_SIZE)) * V1_PAGE_SIZE)
  // (a cast: the type checker does not follow assignments made inside for await)
  let total = null as number | null
  for await (const result of pool.results()) {
    if (result.error) {
      if (fatal(result.error) || (total === null && result.offset === 0)) throw result.error
      complete = false
      issues.push(
        pageIssue(
          `the employees from ${result.offset + 1} to ${result.offset + V1_PAGE_SIZE} could not be read (${result.error.message}): nobody is marked a leaver for being missing`,
        ),
      )
      continue
    }
    const { page } = result
    const pageTotal = page.metadata?.total_elements ?? null
    if (total === null && pageTotal !== null) {
      total = pageTotal
      askUpTo(total)
    } else if (total !== null && pageTotal !== null && pageTotal !== total) {
      complete = false
      issues.push(
        pageIssue(
          `the number of employees changed during the read (${total} then ${pageTotal}): read again to see everyone`,
        ),
      )
    }
    // no total: the next page after the last one asked for, while the pages come back full
    if (
      total === null &&
      page.data.length >= V1_PAGE_SIZE &&
      result.offset + V1_PAGE_SIZE >= covered
    ) {
      askUpTo(covered + V1_PAGE_SIZE)
    }
    if (learned.readable === null) learn(page.data)
    const out = normalize(page.data)
    ctx.progress?.({ read, total })
    yield out
  }
  if (complete && total !== null && seen.size < total) {
    complete = false
    issues.push(
      pageIssue(
        `Personio reported ${String(total)} employees but sent ${String(seen.size)} different ones: nobody is marked a leaver for being missing`,
      ),
    )
  }
  return {
    complete,
    readableFields: learned.readable,
    watermark: watermarkOf(startedAt),
    issues,
  }
}

/** A `next` link as a path on the API's own host: the token is never sent anywhere else. */
function onOwnHost(api: PersonioApi, href: string): string {
  const base = new URL(
    api.config.baseUrl.endsWith('/') ? api.config.baseUrl : `${api.config.baseUrl}/`,
  )
  const next = new URL(href, base)
  const path = next.pathname.startsWith(base.pathname)
    ? next.pathname.slice(base.pathname.length)
    : next.pathname.replace(/^\//, '')
  return `${path}${next.search}`
}

async function employmentsOf(api: PersonioApi, personId: string): Promise<Employment[]> {
  const what = 'GET /v2/persons/{id}/employments'
  const body = await api.get(`v2/persons/${encodeURIComponent(personId)}/employments`, what)
  const page = V2Page.safeParse(body)
  if (!page.success) {
    throw new SyncError(
      'invalid_response',
      `Personio answered ${what} with a body that is not a list of employments`,
    )
  }
  return page.data._data.flatMap((raw) => {
    const parsed = V2Employment.safeParse(raw)
    return parsed.success ? [parsed.data] : []
  })
}

async function* readV2(
  api: PersonioApi,
  ctx: ConnectorContext,
  { since }: ReadOptions,
): AsyncGenerator<ReadPage, ReadEnd> {
  const startedAt = ctx.now()
  const day = today(ctx)
  const issues: Issue[] = []
  const seen = new Set<string>()
  const cursors = new Set<string>()
  let complete = since === undefined
  let held: HeldKeys | null = null
  const readable = new Set<string>()
  let read = 0
  const query = new URLSearchParams({ limit: String(V2_PAGE_SIZE) })
  if (since !== undefined) query.set('updated_at.gt', new Date(Date.parse(since)).toISOString())
  let next = `v2/persons?${query.toString()}`
  for (;;) {
    cursors.add(next)
    let body: unknown
    try {
      body = await api.get(next, 'GET /v2/persons')
    } catch (error) {
      const e = asSyncError(error)
      // the first page failing is a failed read; a later one ends it short of everyone
      if (fatal(e) || read === 0) throw e
      complete = false
      issues.push(
        pageIssue(
          `the persons after the first ${String(read)} could not be read (${e.message}): nobody is marked a leaver for being missing`,
        ),
      )
      break
    }
    const page = V2Page.safeParse(body)
    if (!page.success) {
      throw new SyncError(
        'invalid_response',
        'Personio answered GET /v2/persons with a body that is not a page of persons',
      )
    }
    const persons = page.data._data.filter((raw) => {
      const id = (raw as { id?: unknown } | null)?.id
      if (typeof id !== 'string' && typeof id !== 'number') return true
      if (seen.has(String(id))) return false
      seen.add(String(id))
      return true
    })
    if (held === null) {
      const firstPerson = V2Person.safeParse(persons[0])
      if (firstPerson.success) held = heldKeys(api.config, attributesOfV2(firstPerson.data))
    }
    const keys = held ?? {}
    const tasks = persons.map((raw) => async () => {
      const id = (raw as { id?: unknown } | null)?.id
      if (typeof id !== 'string' && typeof id !== 'number') return normalizeV2(raw, null, keys, day)
      try {
        const employment = currentEmployment(await employmentsOf(api, String(id)))
        const person = V2Person.safeParse(raw)
        if (person.success)
          for (const path of readableV2(person.data, employment, keys)) readable.add(path)
        return normalizeV2(raw, employment, keys, day)
      } catch (error) {
        const e = asSyncError(error)
        if (fatal(e)) throw e
        return {
          invalid: {
            externalId: String(id),
            issues: [
              {
                code: 'employment_unreadable',
                severity: 'error' as const,
                message: `person ${String(id)}: employment: ${e.message}`,
                path: ['employment'],
                record: String(id),
              },
            ],
          } satisfies InvalidRecord,
        }
      }
    })
    const out: Normalized = { records: [], invalid: [] }
    for await (const result of completions(tasks, CONCURRENCY)) {
      if ('record' in result) out.records.push(result.record)
      else {
        out.invalid.push(result.invalid)
        if (result.invalid.issues.some((i) => i.code === 'employment_unreadable')) complete = false
      }
    }
    read += persons.length
    ctx.progress?.({ read, total: null })
    yield out
    const href = page.data._meta?.links?.['next']?.href ?? null
    if (href === null || href === '') break
    if (persons.length === 0) {
      // more is said to follow, but this page moved nothing on: following a cursor that does
      // not advance could loop, and stopping here may leave people out
      complete = false
      issues.push(
        pageIssue(
          page.data._data.length === 0
            ? `Personio sent an empty page of persons after the first ${String(read)}, yet a next page: the read stopped there, and nobody is marked a leaver for being missing`
            : `Personio sent a page of persons already read after the first ${String(read)} (its cursor did not move on): the read stopped there, and nobody is marked a leaver for being missing`,
        ),
      )
      break
    }
    const following = onOwnHost(api, href)
    if (cursors.has(following)) {
      complete = false
      issues.push(
        pageIssue(
          'Personio sent the same next page twice: the read stopped there, and nobody is marked a leaver for being missing',
        ),
      )
      break
    }
    next = following
  }
  return {
    complete,
    readableFields: read === 0 ? null : [...readable],
    watermark: watermarkOf(startedAt),
    issues,
  }
}

/** A custom field type as the console shows types. */
const listType = (t: CustomFieldType): SourceType =>
  t === 'number' ? 'number' : t === 'date' ? 'date' : t === 'list' ? 'list' : 'text'

/** The type a field shows in the console: the model's, or the custom attribute's. */
function typeOf(path: string, personioType: string | null): SourceType {
  return sourceType(path) ?? listType(customType(personioType))
}

/** A company's own attribute (`dynamic_…`), not one of Personio's standard ones. */
const isCustomAttribute = (key: string) => key.startsWith('dynamic_')

function sampleOf(path: string, employees: readonly Employee[]) {
  const read = sourceReader(path)
  for (const e of employees) {
    const v = read(e)
    if (v !== null && !(Array.isArray(v) && v.length === 0)) return v
  }
  return null
}

async function fieldsV1(api: PersonioApi, ctx: ConnectorContext): Promise<FieldInfo[]> {
  const [listed, firstPage] = await Promise.all([
    api.attributes(),
    api.get(
      `v1/company/employees?limit=${String(V1_PAGE_SIZE)}&offset=0`,
      'GET /v1/company/employees',
    ),
  ])
  const attributes = [...listed]
  const page = V1EmployeesPage.safeParse(firstPage)
  const employees = page.success ? page.data.data : []
  // the employee payload knows attribute types and the id, which /attributes may leave out
  const fromPayload = (() => {
    const first = V1Employee.safeParse(employees[0])
    return first.success ? attributesOf(first.data) : []
  })()
  for (const a of fromPayload) if (!attributes.some((b) => b.key === a.key)) attributes.push(a)
  const held = heldKeys(api.config, attributes)
  const normalized = employees.flatMap((raw) => {
    const r = normalizeV1(raw, held, today(ctx))
    return 'record' in r ? [r.record] : []
  })
  // every attribute once: under its model field, else (no field of its own, or one already
  // listed) as the custom field it is read into
  const fields: FieldInfo[] = []
  const listedPaths = new Set<string>()
  for (const a of attributes) {
    const modelPath = modelPathOf(a.key, held)
    const path = listedPaths.has(modelPath) ? `custom.${a.key}` : modelPath
    if (listedPaths.has(path)) continue
    listedPaths.add(path)
    const payloadType = fromPayload.find((b) => b.key === a.key)?.type ?? a.type
    const readType = normalized.find((e) => e.custom[a.key])?.custom[a.key]?.type
    fields.push({
      path,
      key: a.key,
      label: a.label,
      type: path.startsWith('custom.') && readType ? listType(readType) : typeOf(path, payloadType),
      custom: isCustomAttribute(a.key),
      sample: sampleOf(path, normalized),
    })
  }
  return fields
}

async function fieldsV2(api: PersonioApi, ctx: ConnectorContext): Promise<FieldInfo[]> {
  const body = await api.get(`v2/persons?limit=${V2_PAGE_SIZE}`, 'GET /v2/persons')
  const page = V2Page.safeParse(body)
  const persons = (page.success ? page.data._data : []).flatMap((raw) => {
    const p = V2Person.safeParse(raw)
    return p.success ? [p.data] : []
  })
  const attributes = persons.flatMap(attributesOfV2)
  const held = heldKeys(api.config, attributes)
  const sampleIds = persons.slice(0, 3).map((p) => p.id)
  const employments = await Promise.all(sampleIds.map((id) => employmentsOf(api, id)))
  const normalized = persons.flatMap((p, i) => {
    const r = normalizeV2(p, currentEmployment(employments[i] ?? []), held, today(ctx))
    return 'record' in r ? [r.record] : []
  })
  const fields: FieldInfo[] = []
  const standard: [string, string, string][] = [
    ['externalId', 'id', 'ID'],
    ['firstName', 'first_name', 'First name'],
    ['lastName', 'last_name', 'Last name'],
    ['preferredName', 'preferred_name', 'Preferred name'],
    ['workEmail', 'email', 'Email'],
    ['gender', 'gender', 'Gender'],
    ['status', 'employment.status', 'Status'],
    ['hireDate', 'employment.employment_start_date', 'Hire date'],
    ['terminationDate', 'employment.termination.termination_date', 'Termination date'],
    ['lastWorkingDay', 'employment.termination.last_working_day', 'Last day of work'],
    ['position', 'employment.position.title', 'Position'],
    ['weeklyHours', 'employment.weekly_working_hours', 'Weekly hours'],
    ['employmentType', 'employment.type', 'Employment type'],
    ['supervisorExternalId', 'employment.supervisor.id', 'Supervisor'],
    ['sourceUpdatedAt', 'updated_at', 'Last modified'],
  ]
  const readable = new Set(
    persons.flatMap((p, i) =>
      i < sampleIds.length ? readableV2(p, currentEmployment(employments[i] ?? []), held) : [],
    ),
  )
  for (const [path, key, label] of standard) {
    if (!readable.has(path)) continue
    fields.push({
      path,
      key,
      label,
      type: typeOf(path, null),
      custom: false,
      sample: sampleOf(path, normalized),
    })
  }
  for (const { key, label, type } of EMPLOYMENT_EXTRAS) {
    const path = `custom.${key}`
    if (!readable.has(path)) continue
    fields.push({
      path,
      key,
      label,
      type: listType(type),
      custom: false,
      sample: sampleOf(path, normalized),
    })
  }
  const listed = new Set<string>()
  for (const a of attributes) {
    if (listed.has(a.key)) continue
    listed.add(a.key)
    const heldAs = CUSTOM_HELD.find((f) => held[f] === a.key)
    const path = heldAs ?? `custom.${customKeyV2(a.key)}`
    fields.push({
      path,
      key: a.key,
      label: a.label,
      type: typeOf(path, a.type),
      custom: true,
      sample: sampleOf(path, normalized),
    })
  }
  return fields
}

/**
 * Personio (https://developer.personio.de). v1 (the default) reads `GET /v1/company/employees`
 * 100 at a time: the first page gives the total, the others are read in parallel, paced under
 * Personio's documented limit (300 a minute, bursts of 15 a second); an incremental read is one
 * request (`updated_since`). v2 reads `GET /v2/persons` 50 at a time along its cursor, and each
 * person's employments. Tokens are cached per credential and renewed once on a 401.
 *
 * A read is complete only when every page came back and the company did not change size during
 * it: a page that failed after its retries, a total that moved, a repeated cursor, or a v2 page
 * with a next link but nobody new on it (empty, or only people already read) make it incomplete,
 * so nobody becomes a leaver for being missing from it. A record repeated across pages
 * is taken once.
 */
export const personioConnector: Connector<PersonioConfig, PersonioSecret> = {
  id: 'personio',
  configSchema: PersonioConfig,
  secretSchema: PersonioSecret,
  capabilities: { incremental: true, includesTerminated: true, customFields: true },
  enableHint: (path, config) => enableHint(path, config.apiVersion),

  async check(config, secret, ctx) {
    try {
      const api = new PersonioApi(config, secret, ctx)
      await api.authenticate()
      // a token alone does not prove the credential may read employees
      if (config.apiVersion === 'v1') {
        await api.get('v1/company/employees?limit=1&offset=0', 'GET /v1/company/employees')
      } else {
        await api.get('v2/persons?limit=1', 'GET /v2/persons')
      }
      return ok(undefined)
    } catch (error) {
      return err(asSyncError(error))
    }
  },

  async discoverFields(config, secret, ctx) {
    try {
      const api = new PersonioApi(config, secret, ctx)
      return ok(config.apiVersion === 'v1' ? await fieldsV1(api, ctx) : await fieldsV2(api, ctx))
    } catch (error) {
      return err(asSyncError(error))
    }
  },

  read(config, secret, ctx, options = {}) {
    const api = new PersonioApi(config, secret, ctx)
    return config.apiVersion === 'v1' ? readV1(api, ctx, options) : readV2(api, ctx, options)
  },
}
