import { SyncError, err, ok } from '../../core/errors.ts'
import type { Issue } from '../../core/errors.ts'
import type { Employee, InvalidRecord } from '../../core/model/employee.ts'
import type { FieldValue } from '../../core/model/field-value.ts'
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
import { asSyncError } from '../http.ts'
import { BambooHRApi } from './bamboohr-api.ts'
import type { Report } from './bamboohr-api.ts'
import { BambooHRConfig, BambooHRSecret } from './bamboohr-config.ts'
import { STANDARD_FIELDS, customType, requestedFields } from './bamboohr-fields.ts'
import type { MetaField } from './bamboohr-fields.ts'
import { employeeNormalizer } from './normalize-bamboohr.ts'
import type { Column } from './normalize-bamboohr.ts'

/** Records per page handed on: a report is one answer, the rest of the flow takes it in parts. */
const PAGE = 1000
/** Employees per report of changes (their ids go in the request body). */
const IDS_PER_REPORT = 1000
/**
 * How far back an incremental read looks before the last one started: for a clock of this
 * machine behind BambooHR's, and for changes saved while the last read was under way.
 */
export const WATERMARK_OVERLAP_MS = 10 * 60 * 1000

const today = (ctx: ConnectorContext) => ctx.now().toISOString().slice(0, 10)
const failed = (error: unknown) => asSyncError('BambooHR', error)
const watermarkOf = (startedAt: Date) =>
  new Date(startedAt.getTime() - WATERMARK_OVERLAP_MS).toISOString()

/** `since` as BambooHR documents it: ISO 8601 with an offset (UTC here), whole seconds. */
function bambooTime(watermark: string): string {
  const at = Date.parse(watermark)
  if (Number.isNaN(at)) {
    throw new SyncError('invalid_input', `the watermark "${watermark}" is not a time`)
  }
  return `${new Date(at).toISOString().slice(0, 19)}Z`
}

/** The model path a report column feeds. */
const pathOf = (column: Column) => STANDARD_FIELDS[column.key] ?? `custom.${column.key}`

/** The columns of a report; those not asked for as standard fields are the company's own. */
function columnsOf(report: Report, meta: readonly MetaField[] | null): Column[] {
  return report.fields
    .filter((f) => f.id !== 'id')
    .map((f) => {
      const listed = meta?.find((m) => m.alias === f.id || m.id === f.id)
      return {
        key: f.id,
        label: listed?.name ?? f.name ?? f.id,
        type: f.type ?? listed?.type ?? null,
        custom: !Object.hasOwn(STANDARD_FIELDS, f.id),
      }
    })
}

/** The model fields a report's columns show readable, among `wanted` when the sync said. */
function readableOf(columns: readonly Column[], wanted: readonly string[] | undefined): string[] {
  const roots = wanted === undefined ? null : new Set(wanted.map(sourceRoot))
  const paths = new Set(['externalId'])
  for (const column of columns) {
    const path = sourceRoot(pathOf(column))
    if (roots === null || roots.has(path)) paths.add(path)
  }
  return [...paths]
}

function fieldIssue(code: string, message: string): Issue {
  return { code, severity: 'warning', message, path: [] }
}

/** A report's rows normalized, each employee once (a repeated row is taken once), in pages. */
function* pagesOf(
  report: Report,
  columns: readonly Column[],
  day: string,
  seen: Set<string>,
): Generator<{ records: Employee[]; invalid: InvalidRecord[] }> {
  const normalize = employeeNormalizer(columns, day)
  for (let start = 0; start < report.employees.length; start += PAGE) {
    const records: Employee[] = []
    const invalid: InvalidRecord[] = []
    for (const raw of report.employees.slice(start, start + PAGE)) {
      const id = (raw as { id?: unknown } | null)?.id
      if (typeof id === 'string' || typeof id === 'number') {
        if (seen.has(String(id))) continue
        seen.add(String(id))
      }
      const result = normalize(raw)
      if ('record' in result) records.push(result.record)
      else invalid.push(result.invalid)
    }
    yield { records, invalid }
  }
}

async function* readFull(
  api: BambooHRApi,
  ctx: ConnectorContext,
  { fields }: ReadOptions,
): AsyncGenerator<ReadPage, ReadEnd> {
  const startedAt = ctx.now()
  const issues: Issue[] = []
  // the sync says what it reads: custom fields by key, no list of the company's fields needed
  const meta = fields === undefined ? await api.fields(true) : null
  const asked = requestedFields(fields ?? null, meta)
  if (asked.dropped > 0) {
    issues.push(
      fieldIssue(
        'fields_not_read',
        `BambooHR reports at most 400 fields: ${String(asked.dropped)} custom fields were not read`,
      ),
    )
  }
  const report = await api.report([...asked.standard, ...asked.custom])
  const columns = columnsOf(report, meta)
  const seen = new Set<string>()
  for (const page of pagesOf(report, columns, today(ctx), seen)) {
    ctx.progress?.({ read: seen.size, total: report.employees.length })
    yield page
  }
  // a repeated row is counted once
  ctx.progress?.({ read: seen.size, total: seen.size })
  return {
    // one answer holds every employee: it came, or the read failed
    complete: true,
    readableFields: readableOf(columns, fields),
    watermark: watermarkOf(startedAt),
    issues,
  }
}

async function* readChanges(
  api: BambooHRApi,
  ctx: ConnectorContext,
  since: string,
  { fields }: ReadOptions,
): AsyncGenerator<ReadPage, ReadEnd> {
  const startedAt = ctx.now()
  const issues: Issue[] = []
  const [changed, meta] = await Promise.all([
    api.changedSince(bambooTime(since)),
    fields === undefined ? api.fields(false) : Promise.resolve(null),
  ])
  const ids: number[] = []
  for (const [id, change] of Object.entries(changed.employees)) {
    if (change.action.toLowerCase() !== 'deleted') {
      if (/^\d+$/.test(id)) ids.push(Number(id))
      continue
    }
    issues.push({
      code: 'deleted_in_source',
      severity: 'warning',
      message: `employee ${id} was deleted in BambooHR: the next full read no longer finds them`,
      path: [],
      record: id,
    })
  }
  const asked = requestedFields(fields ?? null, meta)
  const seen = new Set<string>()
  let columns: Column[] = []
  // a part that fails fails the read: the watermark must not move past changes not delivered
  for (let start = 0; start < ids.length; start += IDS_PER_REPORT) {
    const report = await api.report([...asked.standard, ...asked.custom], {
      employeeIds: ids.slice(start, start + IDS_PER_REPORT),
    })
    columns = columnsOf(report, meta)
    for (const page of pagesOf(report, columns, today(ctx), seen)) {
      ctx.progress?.({ read: seen.size, total: ids.length })
      yield page
    }
  }
  if (ids.length === 0) yield { records: [] }
  return {
    // a read of changes is never complete: nobody is missing from it
    complete: false,
    readableFields: ids.length === 0 ? null : readableOf(columns, fields),
    watermark: watermarkOf(startedAt),
    issues,
  }
}

/** The type a field shows in the console: the model's, or the custom field's. */
function typeOf(column: Column): SourceType {
  const known = sourceType(pathOf(column))
  if (known !== null) return known
  const t = customType(column.type)
  return t === 'date' || t === 'number' || t === 'list' ? t : 'text'
}

async function fieldsOf(api: BambooHRApi, ctx: ConnectorContext): Promise<FieldInfo[]> {
  const meta = await api.fields(true)
  const asked = requestedFields(null, meta)
  const report = await api.report([...asked.standard, ...asked.custom])
  const columns = columnsOf(report, meta)
  const employees = [...pagesOf(report, columns, today(ctx), new Set())].flatMap((p) => p.records)
  // a sample: the first employee's value that says something
  const samples = new Map<string, FieldValue>()
  for (const e of employees) {
    for (const column of columns) {
      const path = pathOf(column)
      if (samples.has(path)) continue
      const v = sourceReader(path)(e)
      if (v !== null && !(Array.isArray(v) && v.length === 0)) samples.set(path, v)
    }
    if (samples.size === columns.length) break
  }
  const listed = new Set<string>()
  const fields: FieldInfo[] = []
  for (const column of columns) {
    const path = pathOf(column)
    if (listed.has(path)) continue
    listed.add(path)
    fields.push({
      path,
      key: column.key,
      label: column.label,
      type: typeOf(column),
      custom: column.custom,
      sample: samples.get(path) ?? null,
    })
  }
  return fields
}

/** Nobody changed after tomorrow: a report of nobody, which proves the key may run reports. */
const nobody = (ctx: ConnectorContext) => ({
  lastChanged: {
    value: bambooTime(new Date(ctx.now().getTime() + 86_400_000).toISOString()),
    includeNull: 'no' as const,
  },
})

/**
 * BambooHR (https://documentation.bamboohr.com), with an API key and the company's domain. A full
 * read is one custom report (`POST /v1/reports/custom`) of every employee, active or not, with the
 * fields the sync reads (without a list of them, the company's own fields from
 * `GET /v1/meta/fields` first): one or two requests whatever the company's size. An incremental
 * read asks `GET /v1/employees/changed` who changed and reports on them alone: two requests.
 * Requests are paced on the client side (BambooHR publishes no limit) and 429s and 503s are
 * retried after their Retry-After.
 *
 * A full read is complete when its report came: one answer holds every employee; an employee
 * repeated in it is taken once. A record without a hire date is read as it is: the connection's
 * default filter (`hireDate exists`, as Ledgy's BambooHR sync) leaves it out of the sync.
 */
export const bamboohrConnector: Connector<BambooHRConfig, BambooHRSecret> = {
  id: 'bamboohr',
  configSchema: BambooHRConfig,
  secretSchema: BambooHRSecret,
  capabilities: { incremental: true, includesTerminated: true, customFields: true },
  defaultFilter: { field: 'hireDate', op: 'exists' },

  async check(config, secret, ctx) {
    try {
      // a key that works and may read employees: a report that finds nobody
      await new BambooHRApi(config, secret, ctx).report(['firstName'], nobody(ctx))
      return ok(undefined)
    } catch (error) {
      return err(failed(error))
    }
  },

  async discoverFields(config, secret, ctx) {
    try {
      return ok(await fieldsOf(new BambooHRApi(config, secret, ctx), ctx))
    } catch (error) {
      return err(failed(error))
    }
  },

  read(config, secret, ctx, options = {}) {
    const api = new BambooHRApi(config, secret, ctx)
    const { since } = options
    return since === undefined ? readFull(api, ctx, options) : readChanges(api, ctx, since, options)
  },
}
