import type { Issue } from '../../core/errors.ts'
import { blankEmployee } from '../../core/model/employee.ts'
import type {
  CustomField,
  Employee,
  EmployeeStatus,
  InvalidRecord,
  Ref,
} from '../../core/model/employee.ts'
import { SOURCE_PATHS } from '../../core/model/source-path.ts'
import { cellText, cellValue, plainNumber } from './cell-value.ts'
import type { CellKind, CellValue, DateFormat } from './cell-value.ts'
import type { Column, ColumnPlan, CustomColumn } from './resolve-columns.ts'
import type { Table, TableRow } from './table-file.ts'

/** One data row, normalized: an employee record, or why it could not be one. */
export type RowResult =
  | { readonly row: number; readonly record: Employee }
  | { readonly row: number; readonly invalid: InvalidRecord }

const KINDS: Readonly<Record<string, CellKind>> = {
  gender: 'gender',
  status: 'status',
  hireDate: 'date',
  terminationDate: 'date',
  lastWorkingDay: 'date',
  costCenters: 'list',
  weeklyHours: 'amount',
  'salary.amount': 'amount',
  'salary.currency': 'currency',
  'salary.interval': 'interval',
  sourceUpdatedAt: 'datetime',
}

const ISSUE_CODES: Readonly<Record<CellKind, string>> = {
  text: 'invalid_value',
  list: 'invalid_value',
  date: 'invalid_date',
  datetime: 'invalid_datetime',
  amount: 'invalid_number',
  gender: 'invalid_gender',
  status: 'invalid_status',
  currency: 'invalid_currency',
  interval: 'invalid_interval',
}

const REFS = ['position', 'department', 'team', 'office', 'legalEntity'] as const
const ADDRESS = ['street', 'postalCode', 'city', 'region', 'country'] as const

/** The type of a custom column: `number` when every value in it is a plain number, else `text`. */
export function customType(table: Table, column: Column): 'number' | 'text' {
  const cells = table.rows.map((r) => r.cells[column.index] ?? null).filter((c) => c !== null)
  return cells.length > 0 && cells.every((c) => plainNumber(c) !== null) ? 'number' : 'text'
}

/**
 * Turns every data row into an employee record or an `InvalidRecord` whose issues name the row
 * and column (`row 7, column "Hire date": "31.02.2024" is not a valid date`); a row is never
 * dropped. A row without an id, or with an id another row has too, is invalid. `status` comes
 * from its column when the cell has a value, else it is `terminated` when the termination date
 * (else the last working day) is before `today`, and `active` otherwise.
 */
export function normalizeRows(
  table: Table,
  plan: ColumnPlan,
  options: { readonly dateFormat: DateFormat; readonly today: string },
): RowResult[] {
  const fields = [...plan.fields].sort(([, a], [, b]) => a.index - b.index)
  const custom = plan.custom.map((column) => ({ column, type: customType(table, column) }))
  const idColumn = plan.fields.get('externalId')
  const results = table.rows.map((row) => normalizeRow(row, fields, custom, options))

  const rowsById = new Map<string, number[]>()
  for (const { id, row } of results) {
    if (id !== null) rowsById.set(id, [...(rowsById.get(id) ?? []), row])
  }
  return results.map(({ id, row, employee, issues }) => {
    const same = id === null ? [] : (rowsById.get(id) ?? [])
    if (same.length > 1 && id !== null) {
      issues.push(
        issue(
          row,
          'externalId',
          'duplicate_id',
          `row ${row}, column "${idColumn?.header ?? 'id'}": ${JSON.stringify(id)} appears in rows ${list(same)}; an id must be unique`,
        ),
      )
    }
    return issues.length > 0
      ? { row, invalid: { externalId: id, issues } }
      : { row, record: employee }
  })
}

function normalizeRow(
  { row, cells }: TableRow,
  fields: readonly (readonly [string, Column])[],
  custom: readonly { readonly column: CustomColumn; readonly type: 'number' | 'text' }[],
  options: { readonly dateFormat: DateFormat; readonly today: string },
): { id: string | null; row: number; employee: Employee; issues: Issue[] } {
  const issues: Issue[] = []
  const values = new Map<string, CellValue>()
  const columns = new Map(fields)
  const at = (column: Column) => `row ${row}, column "${column.header}"`
  for (const [path, column] of fields) {
    const kind = KINDS[path] ?? 'text'
    const result = cellValue(cells[column.index] ?? null, kind, options.dateFormat)
    if (result.ok) values.set(path, result.value)
    else issues.push(issue(row, path, ISSUE_CODES[kind], `${at(column)}: ${result.problem}`))
  }
  const text = (path: string): string | null => {
    const value = values.get(path)
    return typeof value === 'string' ? value : null
  }
  const id = text('externalId')
  if (id === null) {
    const header = columns.get('externalId')?.header ?? 'id'
    issues.push(issue(row, 'externalId', 'missing_id', `row ${row}: column "${header}" is empty`))
  }

  const ref = (base: string): Ref | null => {
    const name = text(base)
    const refId = text(`${base}.id`)
    const idColumn = columns.get(`${base}.id`)
    if (name === null && refId !== null && idColumn) {
      const what = SOURCE_PATHS[base]?.label ?? base
      issues.push(
        issue(
          row,
          `${base}.id`,
          'invalid_value',
          `${at(idColumn)}: "${refId}" has no ${what} name`,
        ),
      )
    }
    return name === null ? null : { id: refId, name }
  }
  const employee: Employee = {
    ...blankEmployee(id ?? '-'),
    employeeNumber: text('employeeNumber'),
    firstName: text('firstName'),
    lastName: text('lastName'),
    preferredName: text('preferredName'),
    workEmail: text('workEmail'),
    personalEmail: text('personalEmail'),
    mobilePhone: text('mobilePhone'),
    workPhone: text('workPhone'),
    gender: text('gender') as Employee['gender'],
    hireDate: text('hireDate'),
    terminationDate: text('terminationDate'),
    lastWorkingDay: text('lastWorkingDay'),
    employmentType: text('employmentType'),
    occupationType: text('occupationType'),
    supervisorExternalId: text('supervisorExternalId'),
    sourceUpdatedAt: text('sourceUpdatedAt'),
    costCenters: ((values.get('costCenters') ?? []) as readonly string[]).map((name) => ({
      id: null,
      name,
    })),
  }
  for (const base of REFS) employee[base] = ref(base)
  const hours = values.get('weeklyHours')
  employee.weeklyHours = typeof hours === 'number' ? hours : null

  const amount = values.get('salary.amount')
  if (typeof amount === 'number') {
    const currency = text('salary.currency')
    const interval = text('salary.interval') as NonNullable<Employee['salary']>['interval'] | null
    for (const [path, value] of [
      ['salary.currency', currency],
      ['salary.interval', interval],
    ] as const) {
      const column = columns.get(path)
      if (value === null && column) {
        const what = SOURCE_PATHS[path]?.label ?? path
        issues.push(
          issue(row, path, 'missing_value', `${at(column)} is empty: a salary needs a ${what}`),
        )
      }
    }
    employee.salary = currency && interval ? { amount, currency, interval } : null
  }
  const address = Object.fromEntries(ADDRESS.map((part) => [part, text(`address.${part}`)]))
  if (Object.values(address).some((v) => v !== null)) {
    employee.address = address as Employee['address']
  }

  const status = text('status') as EmployeeStatus | null
  const leaving = employee.terminationDate ?? employee.lastWorkingDay
  employee.status =
    status ?? (leaving !== null && leaving < options.today ? 'terminated' : 'active')

  // fromEntries: a key like __proto__ stays an own property
  employee.custom = Object.fromEntries(
    custom.map(({ column, type }): [string, CustomField] => {
      const cell = cells[column.index] ?? null
      const value = type === 'number' ? plainNumber(cell) : cellText(cell)
      return [column.key, { label: column.header, type, value }]
    }),
  )
  return { id, row, employee, issues }
}

function issue(row: number, path: string, code: string, message: string): Issue {
  return { code, severity: 'error', message, path: [path], record: `row ${row}` }
}

/** `3 and 7`, `3, 7 and 9`. */
function list(rows: readonly number[]): string {
  return rows.length < 2
    ? rows.join('')
    : `${rows.slice(0, -1).join(', ')} and ${rows.at(-1) ?? ''}`
}
