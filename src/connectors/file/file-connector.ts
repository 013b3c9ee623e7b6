import { resolve } from 'node:path'

import { z } from 'zod'

import { SyncError, err, ok } from '../../core/errors.ts'
import { isSourcePath, sourceReader, sourceRoot, sourceType } from '../../core/model/source-path.ts'
import type { Connector, ConnectorContext, FieldInfo, ReadEnd, ReadPage } from '../connector.ts'
import { DATE_FORMATS } from './cell-value.ts'
import { customType, normalizeRows } from './normalize-rows.ts'
import type { RowResult } from './normalize-rows.ts'
import { resolveColumns } from './resolve-columns.ts'
import type { ColumnPlan } from './resolve-columns.ts'
import { TABLE_FORMATS, readTable } from './table-file.ts'
import type { Table } from './table-file.ts'

/**
 * Where the export is and how to read it. `path` is relative to the config file's folder
 * (`ctx.baseDir`); the format comes from the extension unless `format` says it; `sheet` picks a
 * sheet of a workbook (default: the first; ignored for CSV); `columns` names the header that feeds a model path
 * (`{ "workEmail": "Business e-mail", "custom.shirt": "Shirt size" }`), other headers are matched
 * by name; `dateFormat` says how text dates read (ISO `YYYY-MM-DD` is always accepted).
 */
export const FileSourceConfig = z.strictObject({
  path: z.string().trim().min(1),
  format: z.enum(TABLE_FORMATS).optional(),
  sheet: z.string().trim().min(1).optional(),
  columns: z
    .record(
      z.string().refine(isSourcePath, {
        message: 'not a field of the employee model (a model path, or custom.<key>)',
      }),
      z.string().trim().min(1),
    )
    .optional(),
  dateFormat: z.enum(DATE_FORMATS).default('iso'),
})
export type FileSourceConfig = z.infer<typeof FileSourceConfig>

/** Records per page of a read. */
export const FILE_PAGE_SIZE = 1000

interface Loaded {
  readonly file: string
  readonly table: Table
  readonly plan: ColumnPlan
}

async function load(config: FileSourceConfig, ctx: ConnectorContext): Promise<Loaded> {
  const file = resolve(ctx.baseDir ?? '.', config.path)
  const table = await readTable(file, {
    ...(config.format ? { format: config.format } : {}),
    ...(config.sheet ? { sheet: config.sheet } : {}),
  })
  return { file, table, plan: resolveColumns(table.header, config.columns, file) }
}

function normalize(loaded: Loaded, config: FileSourceConfig, ctx: ConnectorContext): RowResult[] {
  const today = ctx.now().toISOString().slice(0, 10)
  return normalizeRows(loaded.table, loaded.plan, { dateFormat: config.dateFormat, today })
}

/** Every mapped column as model path and header, in the file's column order. */
function mapped(plan: ColumnPlan): { path: string; header: string; index: number }[] {
  return [
    ...[...plan.fields].map(([path, c]) => ({ path, header: c.header, index: c.index })),
    ...plan.custom.map((c) => ({ path: `custom.${c.key}`, header: c.header, index: c.index })),
  ].sort((a, b) => a.index - b.index)
}

function asSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new SyncError('internal', `reading the file failed: ${message}`, { cause: error })
}

/**
 * Employees from a CSV or XLSX export, for HR systems without an API: one header row, one
 * employee per row. Columns are matched to model fields by name (key, label or a common alias,
 * ignoring case, spaces, `_` and `-`) unless `columns` names them; an employee id column is
 * required; every other column becomes a custom field `custom.<slug of the header>` (a number
 * when every value is one, else text).
 *
 * A row that cannot be normalized is an `InvalidRecord` naming the row and column, never dropped;
 * two rows with one id are both invalid. `status` comes from a status column when the cell has a
 * value; otherwise it is `terminated` when the termination date (else the last working day) is
 * before today (`ctx.now()`, UTC) and `active` otherwise, so a future leaver stays active until
 * the day. Dates of workbook date cells are calendar dates (their UTC components).
 *
 * A read is always complete (the whole file is read) and `readableFields` lists the model fields
 * that have a column, `status` (always known) and every `custom.<key>`.
 */
export const fileConnector: Connector<FileSourceConfig, null> = {
  id: 'file',
  configSchema: FileSourceConfig,
  secretSchema: null,
  capabilities: { incremental: false, includesTerminated: true, customFields: true },

  async check(config, _secret, ctx) {
    try {
      await load(config, ctx)
      return ok(undefined)
    } catch (error) {
      return err(asSyncError(error))
    }
  },

  async discoverFields(config, _secret, ctx) {
    try {
      const loaded = await load(config, ctx)
      const employees = normalize(loaded, config, ctx).flatMap((r) =>
        'record' in r ? [r.record] : [],
      )
      const customTypes = new Map(
        loaded.plan.custom.map((c) => [`custom.${c.key}`, customType(loaded.table, c)]),
      )
      const fields = mapped(loaded.plan).map(({ path, header }): FieldInfo => {
        const read = sourceReader(path)
        const sample =
          employees
            .map(read)
            .find((v) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) ?? null
        return {
          path,
          key: header,
          label: header,
          type: sourceType(path) ?? customTypes.get(path) ?? 'text',
          custom: path.startsWith('custom.'),
          sample,
        }
      })
      return ok(fields)
    } catch (error) {
      return err(asSyncError(error))
    }
  },

  async *read(config, _secret, ctx): AsyncGenerator<ReadPage, ReadEnd> {
    ctx.signal?.throwIfAborted()
    const loaded = await load(config, ctx)
    const results = normalize(loaded, config, ctx)
    for (let start = 0; start < results.length; start += FILE_PAGE_SIZE) {
      ctx.signal?.throwIfAborted()
      const page = results.slice(start, start + FILE_PAGE_SIZE)
      ctx.progress?.({ read: start + page.length, total: results.length })
      yield {
        records: page.flatMap((r) => ('record' in r ? [r.record] : [])),
        invalid: page.flatMap((r) => ('invalid' in r ? [r.invalid] : [])),
      }
    }
    const readable = new Set(mapped(loaded.plan).map(({ path }) => sourceRoot(path)))
    readable.add('status')
    return { complete: true, readableFields: [...readable], watermark: null, issues: [] }
  },
}
