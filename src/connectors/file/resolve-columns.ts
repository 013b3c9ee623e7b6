import { SyncError } from '../../core/errors.ts'
import type { Issue } from '../../core/errors.ts'
import { SOURCE_PATHS, isSourcePath, sourceRoot } from '../../core/model/source-path.ts'

/** A column of the file: its position in the header and its name. */
export interface Column {
  readonly index: number
  readonly header: string
}

/** A column no model field claims: the custom field `custom.<key>`, labelled with the header. */
export interface CustomColumn extends Column {
  readonly key: string
}

/** Which column feeds which model path (`workEmail`, `department.id`), and the custom fields. */
export interface ColumnPlan {
  readonly fields: ReadonlyMap<string, Column>
  readonly custom: readonly CustomColumn[]
}

/** Header names besides a field's key and label that mean the field. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  externalId: ['id'],
  workEmail: ['email', 'e-mail', 'email address'],
  mobilePhone: ['mobile', 'phone'],
  office: ['location'],
  legalEntity: ['company'],
  supervisorExternalId: ['supervisor id', 'manager id'],
  hireDate: ['start date'],
  terminationDate: ['end date'],
  position: ['job title'],
  costCenters: ['cost center'],
}

const REF_IDS = ['position.id', 'department.id', 'team.id', 'office.id', 'legalEntity.id']
const SALARY = ['salary.amount', 'salary.currency', 'salary.interval']
// problems of the column map, as opposed to problems of the file
const CONFIG_CODES = new Set(['unknown_field', 'unknown_column', 'incomplete_field'])

/** A header as it is compared: case, spaces, `_`, `-` and `.` do not count. */
export function comparable(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_.-]/g, '')
}

/** The header names a model path answers to: its key, its label, its aliases. */
export function columnNames(path: string): string[] {
  const known = SOURCE_PATHS[path]
  return known ? [...new Set([path, known.label, ...(ALIASES[path] ?? [])])] : []
}

/** Every name of every model path, compared by `comparable` → the path. */
export const COLUMN_NAMES: ReadonlyMap<string, string> = new Map(
  Object.keys(SOURCE_PATHS).flatMap((path) =>
    columnNames(path).map((name) => [comparable(name), path] as const),
  ),
)

/**
 * Decides which column feeds which model path. A path named in `columns` takes that header
 * (exact, else compared as `comparable`; `custom.<key>` names a custom field's key); every other
 * header is compared with each path's key, label and aliases; what matches nothing becomes a
 * custom field keyed by the header's slug. A ref id (`department.id`) needs its name column and a
 * salary needs amount, currency and interval: a match that lacks them becomes a custom field.
 *
 * Throws `SyncError('invalid_config')` naming `columns.<path>` when the map names a header the
 * file lacks, and `SyncError('invalid_input')` when no column is the employee id or two columns
 * match one field.
 */
export function resolveColumns(
  header: readonly string[],
  columns: Readonly<Record<string, string>> | undefined,
  file: string,
): ColumnPlan {
  const issues: Issue[] = []
  const messages: string[] = []
  const problem = (path: string[], code: string, message: string) => {
    messages.push(message)
    issues.push({ code, severity: 'error', message: `${file}: ${message}`, path })
  }
  const listed = header.map((h) => `"${h}"`).join(', ')
  const fields = new Map<string, Column>()
  const explicit = new Map<string, Column>()
  const customKeys = new Set<string>()
  const custom: CustomColumn[] = []
  const claimed = new Set<number>()

  for (const [path, name] of Object.entries(columns ?? {})) {
    if (!isSourcePath(path)) {
      problem(
        ['columns', path],
        'unknown_field',
        `columns.${path}: not a field of the employee model`,
      )
      continue
    }
    const found = findHeader(header, name)
    if (found.length !== 1) {
      const what =
        found.length === 0
          ? `the file has no column "${name}"; its columns: ${listed}`
          : `"${name}" matches ${found.map((i) => `"${header[i] ?? ''}"`).join(' and ')}`
      problem(['columns', path], 'unknown_column', `columns.${path}: ${what}`)
      continue
    }
    const index = found[0] ?? 0
    const column = { index, header: header[index] ?? name }
    claimed.add(index)
    if (path.startsWith('custom.')) {
      const key = path.slice('custom.'.length)
      customKeys.add(key)
      custom.push({ ...column, key })
    } else {
      explicit.set(path, column)
      fields.set(path, column)
    }
  }

  const candidates = new Map<string, Column[]>()
  const unmatched: Column[] = []
  header.forEach((name, index) => {
    if (claimed.has(index)) return
    const path = COLUMN_NAMES.get(comparable(name))
    if (path === undefined || explicit.has(path)) unmatched.push({ index, header: name })
    else candidates.set(path, [...(candidates.get(path) ?? []), { index, header: name }])
  })
  for (const [path, found] of candidates) {
    const [column] = found
    if (found.length === 1 && column) fields.set(path, column)
    else {
      const names = found.map((c) => `"${c.header}"`).join(' and ')
      problem(
        ['columns', path],
        'ambiguous_column',
        `columns ${names} ${found.length === 2 ? 'both' : 'all'} look like ${label(path)}: name the one to use in columns.${path}`,
      )
    }
  }

  // a part that cannot stand alone: an explicit one is a mistake, a guessed one a custom field
  const needs = (path: string, required: readonly string[], what: string) => {
    const column = fields.get(path)
    if (column === undefined || required.every((r) => fields.has(r))) return
    fields.delete(path)
    if (explicit.has(path))
      problem(['columns', path], 'incomplete_field', `columns.${path}: ${what}`)
    else unmatched.push(column)
  }
  for (const path of REF_IDS) {
    const base = sourceRoot(path)
    needs(path, [base], `${label(path)} needs a ${label(base)} (name) column too`)
  }
  for (const path of SALARY) {
    needs(path, SALARY, 'a salary needs amount, currency and interval columns')
  }

  if (!fields.has('externalId') && !columns?.['externalId'] && !candidates.has('externalId')) {
    const searched = columnNames('externalId').map((n) => `"${n}"`)
    problem(
      ['columns', 'externalId'],
      'missing_id_column',
      `no employee id column: looked for a column named ${searched.join(', ')} (case, spaces, - and _ aside); its columns: ${listed}; name the id column in columns.externalId`,
    )
  }
  if (issues.length > 0) {
    throw new SyncError(
      issues.some((i) => CONFIG_CODES.has(i.code)) ? 'invalid_config' : 'invalid_input',
      `${file}: ${messages.join('; ')}`,
      { issues },
    )
  }

  for (const column of unmatched.sort((a, b) => a.index - b.index)) {
    const key = uniqueKey(slug(column.header, column.index), customKeys)
    customKeys.add(key)
    custom.push({ ...column, key })
  }
  return { fields, custom: custom.sort((a, b) => a.index - b.index) }
}

function findHeader(header: readonly string[], name: string): number[] {
  const exact = header.flatMap((h, i) => (h === name.trim() ? [i] : []))
  if (exact.length > 0) return exact
  return header.flatMap((h, i) => (comparable(h) === comparable(name) ? [i] : []))
}

function label(path: string): string {
  return SOURCE_PATHS[path]?.label ?? path
}

/** `Shirt size` → `shirt_size`, `Größe` → `groesse`; a header of no letters → `column_4`. */
function slug(header: string, index: number): string {
  const key = header
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return key === '' ? `column_${index + 1}` : key
}

function uniqueKey(key: string, taken: ReadonlySet<string>): string {
  if (!taken.has(key)) return key
  let n = 2
  while (taken.has(`${key}_${n}`)) n++
  return `${key}_${n}`
}
