import { randomUUID } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'

import { CsvError, parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import ExcelJS from 'exceljs'

import { SyncError } from '../../core/errors.ts'
import type { Issue } from '../../core/errors.ts'

/** The formats a table file can have. */
export const TABLE_FORMATS = ['csv', 'xlsx'] as const
export type TableFormat = (typeof TABLE_FORMATS)[number]

/** One cell as read: text is trimmed, and an empty cell is `null` (never `''`). */
export type TableCell = string | number | boolean | Date | null

/** One data row; `row` is its number as a spreadsheet shows it (the header is normally row 1). */
export interface TableRow {
  readonly row: number
  /** One cell per header column, in header order. */
  readonly cells: readonly TableCell[]
}

/**
 * A table read from a file: a header row of unique, non-empty names and the data rows below it.
 * Rows whose every cell is empty are left out. CSV cells are text (or null); XLSX cells keep
 * their type (a date cell is a `Date` whose UTC components are the calendar date).
 */
export interface Table {
  readonly format: TableFormat
  /** The sheet read (XLSX), null for CSV. */
  readonly sheet: string | null
  readonly header: readonly string[]
  readonly rows: readonly TableRow[]
}

// a string Excel would run as a formula when it opens a CSV
const FORMULA_START = /^[=+\-@\t\r]/
const GUARDED = /^'[=+\-@\t\r]/
const MAX_ISSUES = 100

/** The format a file name says, or null: `.csv`, `.tsv`, `.txt` are CSV, `.xlsx` is XLSX. */
export function formatOf(path: string): TableFormat | null {
  const ext = extname(path).toLowerCase()
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv'
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx'
  return null
}

/**
 * Reads a CSV or XLSX table: the header row (the first row that is not empty) and every data row.
 * The format comes from the extension unless `options.format` says it.
 *
 * CSV: UTF-8 with or without a byte order mark (UTF-16 with a BOM too); the delimiter (`,` `;` or
 * tab) is the one the header line uses most; quoted fields may span lines; a leading `'` that
 * `writeTable` put before a formula-looking value is removed again.
 * XLSX: the sheet named `options.sheet` (any case; ignored for CSV), else the first; rich text is joined, a
 * hyperlink reads as its text, a formula as its result, an error cell as null.
 *
 * Throws `SyncError('invalid_input')`, naming the file, with one issue per problem: file not
 * found or unreadable, empty, no header row, a column without a name (that has values), two
 * columns with the same name (case-insensitive), a CSV row with more cells than the header, an
 * unknown sheet, a file that is not a workbook, text that is not UTF-8.
 */
export async function readTable(
  path: string,
  options: { readonly format?: TableFormat; readonly sheet?: string } = {},
): Promise<Table> {
  const format = options.format ?? formatOf(path)
  if (format === null) {
    const ext = extname(path).toLowerCase()
    throw fileError(
      path,
      'unknown_format',
      ext === '.xls'
        ? 'old .xls workbooks cannot be read: save it as .xlsx (Excel workbook) or CSV UTF-8'
        : `cannot tell the format from the name: use .csv or .xlsx, or set the format`,
    )
  }
  const bytes = await readBytes(path)
  if (bytes.length === 0) throw fileError(path, 'empty_file', 'the file is empty')
  return format === 'csv' ? csvTable(path, bytes) : await xlsxTable(path, bytes, options.sheet)
}

/**
 * Writes a table to `path` (replacing it) through a temporary file in the same folder, so a
 * reader never sees half a file. CSV: UTF-8 with a byte order mark (Excel then shows umlauts
 * right), comma-separated, CRLF, quoted where needed, and a text cell that starts with `=` `+`
 * `-` `@` (Excel would run it as a formula) gets a leading `'`. XLSX: one sheet (`options.sheet`,
 * default `Sheet1`) with a bold, frozen header row and columns as wide as their content; cells
 * are typed, so text is never a formula there.
 */
export async function writeTable(
  path: string,
  format: TableFormat,
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
  options: { readonly sheet?: string } = {},
): Promise<void> {
  rows.forEach((cells, i) => {
    if (cells.length > header.length) {
      throw new SyncError(
        'internal',
        `${path}: row ${i + 2} has ${cells.length} cells, the header has ${header.length}`,
      )
    }
  })
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`)
  try {
    if (format === 'csv') {
      const text = stringify(
        [header, ...rows].map((cells) => cells.map(guardFormula)),
        { bom: true, record_delimiter: 'windows' },
      )
      await writeFile(temp, text)
    } else {
      await xlsxWorkbook(header, rows, options.sheet ?? 'Sheet1').xlsx.writeFile(temp)
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    if (error instanceof SyncError) throw error
    throw new SyncError('internal', `${path}: cannot write the file: ${messageOf(error)}`, {
      cause: error,
    })
  }
}

function guardFormula(cell: string | number | null): string | number | null {
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell
}

function xlsxWorkbook(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
  sheet: string,
): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook()
  const worksheet = workbook.addWorksheet(sheet, { views: [{ state: 'frozen', ySplit: 1 }] })
  worksheet.addRow([...header]).font = { bold: true }
  for (const cells of rows) worksheet.addRow([...cells])
  worksheet.columns.forEach((column, i) => {
    const longest = rows.reduce(
      (most, cells) => Math.max(most, String(cells[i] ?? '').length),
      header[i]?.length ?? 0,
    )
    column.width = Math.min(Math.max(longest + 2, 8), 60)
  })
  return workbook
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ENOENT') throw fileError(path, 'file_not_found', 'file not found', error)
    if (code === 'EISDIR') throw fileError(path, 'unreadable', 'is a folder, not a file', error)
    throw fileError(path, 'unreadable', `cannot read the file: ${messageOf(error)}`, error)
  }
}

/** A row as the file has it, before the header is known: cells in column order, 0-based. */
interface RawRow {
  readonly row: number
  readonly cells: readonly TableCell[]
}

function csvTable(path: string, bytes: Buffer): Table {
  const text = decode(path, bytes)
  if (text.trim() === '') throw fileError(path, 'empty_file', 'the file is empty')
  let records: string[][]
  try {
    records = parse(text, {
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
    })
  } catch (error) {
    if (!(error instanceof CsvError)) throw error
    const message =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? `row ${typeof error.records === 'number' ? error.records + 1 : '?'}: a quoted field is never closed (a " is missing)`
        : error.message
    throw fileError(path, 'invalid_csv', message, error)
  }
  // each record is one spreadsheet row, an empty line too
  const rows = records.map((cells, i) => ({ row: i + 1, cells: cells.map(csvCell) }))
  return tableOf(path, 'csv', null, rows)
}

function csvCell(value: string): string | null {
  const text = value.trim()
  if (text === '') return null
  return GUARDED.test(text) ? text.slice(1) : text
}

function decode(path: string, bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return utf8(path, bytes.subarray(3))
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder('utf-16le').decode(bytes.subarray(2))
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder('utf-16be').decode(bytes.subarray(2))
  }
  return utf8(path, bytes)
}

function utf8(path: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (error) {
    // a guess at the encoding could silently garble every name with an umlaut
    throw fileError(
      path,
      'not_utf8',
      'the file is not UTF-8 text (Excel: save as "CSV UTF-8"); other encodings are not guessed',
      error,
    )
  }
}

/** The delimiter the header line (the first line with text) uses most: `,` `;` or tab. */
function detectDelimiter(text: string): string {
  const counts = new Map([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ])
  let quoted = false
  let seen = false
  for (const char of text) {
    if (char === '"') quoted = !quoted
    else if (!quoted && (char === '\n' || char === '\r')) {
      if (seen) break
    } else if (!quoted) {
      const count = counts.get(char)
      if (count !== undefined) counts.set(char, count + 1)
      else if (char.trim() !== '') seen = true
    }
  }
  let best = ','
  for (const [delimiter, count] of counts) {
    if (count > (counts.get(best) ?? 0)) best = delimiter
  }
  return best
}

async function xlsxTable(path: string, bytes: Buffer, sheet: string | undefined): Promise<Table> {
  if (bytes.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) {
    throw fileError(
      path,
      'not_a_workbook',
      'this is an old .xls workbook or a password-protected one: save it as .xlsx without a password',
    )
  }
  const workbook = new ExcelJS.Workbook()
  try {
    if (!bytes.subarray(0, 2).equals(Buffer.from('PK'))) throw new Error('no zip signature')
    // exceljs types ask for the pre-generic Buffer
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer)
  } catch (error) {
    throw fileError(
      path,
      'not_a_workbook',
      'not a valid XLSX workbook (a CSV file renamed to .xlsx?): open it in Excel and save it as .xlsx',
      error,
    )
  }
  const names = workbook.worksheets.map((w) => w.name)
  const worksheet =
    sheet === undefined
      ? workbook.worksheets[0]
      : (workbook.worksheets.find((w) => w.name === sheet) ??
        workbook.worksheets.find((w) => w.name.toLowerCase() === sheet.toLowerCase()))
  if (worksheet === undefined) {
    throw fileError(
      path,
      'sheet_not_found',
      sheet === undefined
        ? 'the workbook has no sheet'
        : `sheet "${sheet}" not found; sheets: ${names.join(', ')}`,
    )
  }
  const rows: RawRow[] = []
  worksheet.eachRow({ includeEmpty: false }, (row, number) => {
    const values = row.values
    const cells = Array.isArray(values) ? values.slice(1) : []
    rows.push({ row: number, cells: Array.from(cells, (value) => xlsxCell(value)) })
  })
  return tableOf(path, 'xlsx', worksheet.name, rows)
}

function xlsxCell(value: ExcelJS.CellValue): TableCell {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim()
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean') return value
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value
  if ('richText' in value) return xlsxCell(value.richText.map((part) => part.text).join(''))
  if ('hyperlink' in value) {
    // exceljs types it as a string, but the text of a hyperlink may itself be rich text
    const text = xlsxCell(value.text)
    return text ?? xlsxCell(value.hyperlink.replace(/^mailto:/i, ''))
  }
  if ('formula' in value || 'sharedFormula' in value) return xlsxCell(value.result)
  return null
}

/**
 * The table in `rows`: the first non-empty row is the header. Columns without a name and
 * without values are left out; every other file-level problem is collected and thrown.
 */
function tableOf(
  path: string,
  format: TableFormat,
  sheet: string | null,
  all: readonly RawRow[],
): Table {
  const rows = all.filter((r) => r.cells.some((c) => c !== null))
  const [headerRow, ...data] = rows
  if (headerRow === undefined) {
    throw fileError(
      path,
      'no_header',
      sheet ? `sheet "${sheet}" has no header row` : 'no header row',
    )
  }
  const issues: Issue[] = []
  const problem = (code: string, message: string, record?: string) => {
    issues.push({ code, severity: 'error', message, path: [], ...(record ? { record } : {}) })
  }
  const names = headerRow.cells.map(headerName)
  // a CSV header line fixes the number of cells; in a sheet, a value under no name is the problem
  const width = format === 'csv' ? names.length : 0
  for (const { row, cells } of data) {
    const last = cells.findLastIndex((c) => c !== null)
    if (format === 'csv' && last >= width) {
      problem(
        'extra_cells',
        `row ${row} has ${cells.length} cells, the header has ${width}`,
        `row ${row}`,
      )
    }
  }
  // a loop, not Math.max(...rows): a spread of many rows overflows the stack
  const columns = data.reduce((most, r) => Math.max(most, r.cells.length), names.length)
  const kept: number[] = []
  for (let i = 0; i < columns; i++) {
    const name = names[i] ?? null
    if (name !== null) kept.push(i)
    else if (data.some((r) => (r.cells[i] ?? null) !== null) && !(format === 'csv' && i >= width)) {
      problem('unnamed_column', `column ${columnName(i, format)} has no name`)
    }
  }
  const byName = new Map<string, number[]>()
  for (const i of kept) {
    const key = (names[i] ?? '').toLowerCase()
    byName.set(key, [...(byName.get(key) ?? []), i])
  }
  for (const same of byName.values()) {
    if (same.length < 2) continue
    const first = names[same[0] ?? 0] ?? ''
    const listed = same.map((i) => columnName(i, format))
    const count = same.length === 2 ? 'two' : String(same.length)
    problem(
      'duplicate_column',
      `${count} columns are named "${first}" (columns ${listed.slice(0, -1).join(', ')} and ${listed.at(-1) ?? ''})`,
    )
  }
  if (issues.length > 0) {
    const shown = issues.slice(0, 3).map((i) => i.message)
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''
    throw new SyncError('invalid_input', `${path}: ${shown.join('; ')}${more}`, {
      issues: issues.slice(0, MAX_ISSUES).map((i) => ({ ...i, message: `${path}: ${i.message}` })),
    })
  }
  return {
    format,
    sheet,
    header: kept.map((i) => names[i] ?? ''),
    rows: data.map(({ row, cells }) => ({ row, cells: kept.map((i) => cells[i] ?? null) })),
  }
}

function headerName(cell: TableCell): string | null {
  if (cell === null) return null
  const text = cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell)
  const name = text.replace(/\s+/g, ' ').trim()
  return name === '' ? null : name
}

/** `4` in a CSV, `4 (D)` in a sheet, where people see letters. */
function columnName(index: number, format: TableFormat): string {
  if (format === 'csv') return String(index + 1)
  let letters = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  }
  return `${index + 1} (${letters})`
}

function fileError(path: string, code: string, message: string, cause?: unknown): SyncError {
  return new SyncError('invalid_input', `${path}: ${message}`, {
    cause,
    issues: [{ code, severity: 'error', message: `${path}: ${message}`, path: [] }],
  })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
