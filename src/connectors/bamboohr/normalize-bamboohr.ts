import { z } from 'zod'

import { blankEmployee } from '../../core/model/employee.ts'
import type {
  CustomField,
  Employee,
  EmployeeStatus,
  InvalidRecord,
} from '../../core/model/employee.ts'
import {
  BadValue,
  calendarDate,
  customValue,
  decimal,
  instant,
  invalidPayload,
  recordIssues,
  text,
} from '../../core/model/raw-values.ts'
import { STANDARD_FIELDS, customType } from './bamboohr-fields.ts'

/** One row of a custom report: the employee id and one value per field, text or null. */
export const ReportRow = z.looseObject({ id: z.union([z.string(), z.number()]) })

/** A column of a custom report, as its `fields` list names it. */
export interface Column {
  /** The field as it was asked for and keys the rows: an alias or a numeric id. */
  readonly key: string
  readonly label: string
  readonly type: string | null
  readonly custom: boolean
}

/** BambooHR's dates: 'YYYY-MM-DD', and '0000-00-00' for none. */
export function bambooDate(value: unknown): string | null {
  if (value === '0000-00-00') return null
  return calendarDate(value)
}

const GENDERS: Readonly<Record<string, Employee['gender']>> = {
  male: 'male',
  female: 'female',
  nonbinary: 'diverse',
  'non-binary': 'diverse',
}

function gender(value: unknown): Employee['gender'] {
  const t = text(value)?.toLowerCase()
  return t === undefined ? null : (GENDERS[t] ?? 'undisclosed')
}

/**
 * The model status from BambooHR's: `Inactive` is terminated once the termination date has come
 * (or the employment row says Terminated), and onboarding before the hire date (future hires may
 * be either status); an active employee on a "Leave of Absence" row is on leave.
 */
function status(
  value: unknown,
  employment: string | null,
  hireDate: string | null,
  terminationDate: string | null,
  today: string,
): EmployeeStatus {
  const t = text(value)?.toLowerCase()
  const ended = terminationDate !== null && terminationDate <= today
  const future = hireDate !== null && hireDate > today
  const row = employment?.toLowerCase() ?? ''
  if (t === 'inactive') {
    if (ended || row === 'terminated') return 'terminated'
    return future ? 'onboarding' : 'inactive'
  }
  if (t !== undefined && t !== 'active')
    throw new BadValue(`"${String(value)}" is not a BambooHR status`)
  if (t === undefined && ended) return 'terminated'
  if (future) return 'onboarding'
  return row.includes('leave') ? 'leave' : 'active'
}

const named = (value: unknown) => {
  const name = text(value)
  return name === null ? null : { id: null, name }
}

/**
 * A custom report row as an `Employee` (still to be validated), or an invalid record whose issues
 * name the employee and the BambooHR field ("employee 42: hireDate: "2024-13-01" is not a date").
 * Only the `columns` the report has are read: a field the key cannot see is absent and stays null.
 */
export function normalizeEmployee(
  raw: unknown,
  columns: readonly Column[],
  today: string,
): { record: Employee } | { invalid: InvalidRecord } {
  return employeeNormalizer(columns, today)(raw)
}

/** `normalizeEmployee` for many rows of one report: its columns are looked at once. */
export function employeeNormalizer(
  columns: readonly Column[],
  today: string,
): (raw: unknown) => { record: Employee } | { invalid: InvalidRecord } {
  const has = new Set(columns.map((c) => c.key))
  const customs = columns
    .filter((c) => c.custom && !Object.hasOwn(STANDARD_FIELDS, c.key))
    .map((c) => ({
      key: c.key,
      type: customType(c.type),
      label: c.label.trim() === '' ? c.key : c.label.trim(),
    }))
  return (raw) => normalizeRow(raw, has, customs, today)
}

function normalizeRow(
  raw: unknown,
  has: ReadonlySet<string>,
  customs: readonly { key: string; type: CustomField['type']; label: string }[],
  today: string,
): { record: Employee } | { invalid: InvalidRecord } {
  const parsed = ReportRow.safeParse(raw)
  const externalId = parsed.success ? String(parsed.data.id).trim() : null
  if (!parsed.success || externalId === null || externalId === '') {
    return invalidPayload(
      null,
      'an employee without an id: not a report row as BambooHR sends them',
    )
  }
  const row = parsed.data as Record<string, unknown>
  const name = `employee ${externalId}`
  const { issues, read: convert } = recordIssues(name, externalId)
  const read = <T>(key: string, to: (value: unknown) => T, fallback: T): T =>
    has.has(key) ? convert(key, () => to(row[key]), fallback) : fallback

  const e = blankEmployee(externalId)
  e.employeeNumber = read('employeeNumber', text, null)
  e.firstName = read('firstName', text, null)
  e.lastName = read('lastName', text, null)
  const preferred = read('preferredName', text, null)
  e.preferredName = preferred === e.firstName ? null : preferred
  e.workEmail = read('workEmail', text, null)
  e.personalEmail = read('homeEmail', text, null)
  e.mobilePhone = read('mobilePhone', text, null)
  e.workPhone = read('workPhone', text, null)
  e.gender = read('gender', gender, null)
  e.hireDate = read('hireDate', bambooDate, null)
  e.terminationDate = read('terminationDate', bambooDate, null)
  const employment = read('employmentHistoryStatus', text, null)
  e.employmentType = employment?.toLowerCase() === 'terminated' ? null : employment
  e.status = read(
    'status',
    (v) => status(v, employment, e.hireDate, e.terminationDate, today),
    'active',
  )
  if (!has.has('status')) e.status = status(null, employment, e.hireDate, e.terminationDate, today)
  e.position = read('jobTitle', named, null)
  e.department = read('department', named, null)
  e.legalEntity = read('division', named, null)
  e.office = read('location', named, null)
  e.supervisorExternalId = read('supervisorEId', text, null)
  e.weeklyHours = read('standardHoursPerWeek', decimal, null)
  e.sourceUpdatedAt = read('lastChanged', instant, null)

  const custom: Record<string, CustomField> = {}
  for (const { key, type, label } of customs) {
    const value = read(key, (v) => customValue(type, type === 'date' ? bambooDate(v) : v), null)
    custom[key] = { label, type, value }
  }
  e.custom = custom

  if (issues.length > 0) return { invalid: { externalId, issues } }
  return { record: e }
}
