import { z } from 'zod'

import { blankEmployee } from '../../core/model/employee.ts'
import type { CustomField, Employee, InvalidRecord, Ref } from '../../core/model/employee.ts'
import { CUSTOM_HELD, readAsCustom } from './personio-attributes.ts'
import type { AttributeInfo, HeldKeys } from './personio-attributes.ts'
import {
  BadValue,
  calendarDate,
  customType,
  customValue,
  decimal,
  gender,
  instant,
  invalidPayload,
  preferredFirstName,
  recordIssues,
  salaryInterval,
  status,
  text,
} from './personio-values.ts'

/** One attribute of a v1 employee: `{ label, value, type, universal_id }` (salaries add `currency`). */
export const V1Attribute = z.looseObject({
  label: z.string(),
  value: z.unknown(),
  type: z.string().nullish(),
  universal_id: z.string().nullish(),
  currency: z.string().nullish(),
})
export type V1Attribute = z.infer<typeof V1Attribute>

export const V1Employee = z.looseObject({
  type: z.string().optional(),
  attributes: z.record(z.string(), V1Attribute),
})
export type V1Employee = z.infer<typeof V1Employee>

/** The envelope of GET /v1/company/employees: each employee is checked on its own. */
export const V1EmployeesPage = z.looseObject({
  success: z.literal(true),
  metadata: z
    .looseObject({
      total_elements: z.int().nonnegative(),
      current_page: z.int().nonnegative().optional(),
      total_pages: z.int().nonnegative().optional(),
    })
    .nullish(),
  offset: z.coerce.number().int().nullish(),
  limit: z.coerce.number().int().nullish(),
  data: z.array(z.unknown()),
})

/** A nested object `{ type, attributes: { id, name } }` (department, office, team, subcompany). */
const Nested = z.looseObject({
  type: z.string().optional(),
  attributes: z.looseObject({
    id: z.union([z.string(), z.number()]).nullish(),
    name: z.string().nullish(),
  }),
})

function ref(value: unknown): Ref | null {
  if (value === null || value === undefined || value === '') return null
  const parsed = Nested.safeParse(value)
  if (!parsed.success) throw new BadValue('is not a Personio object with an id and a name')
  const name = text(parsed.data.attributes.name)
  if (name === null) return null
  return { id: text(parsed.data.attributes.id), name }
}

function refs(value: unknown): Ref[] {
  if (value === null || value === undefined || value === '') return []
  if (!Array.isArray(value)) throw new BadValue('is not a list')
  return value.map(ref).filter((r): r is Ref => r !== null)
}

/** A supervisor is a short employee: `{ type: "Employee", attributes: { id: { value } } }`. */
function supervisorId(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null
  const attrs = (value as { attributes?: { id?: unknown } } | null)?.attributes
  const id = attrs?.id
  const raw = id !== null && typeof id === 'object' ? (id as { value?: unknown }).value : id
  const t = text(raw)
  if (t === null) throw new BadValue('is a supervisor without an id')
  return t
}

/**
 * A nested object (`holiday_calendar`, `work_schedule`: `{ type, attributes: { id, name } }`) by
 * its name, a list of them (`absence_entitlement`) by their names; anything else as it is.
 */
function named(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(named)
  if (value === null || typeof value !== 'object') return value
  const name = (value as { attributes?: { name?: unknown } }).attributes?.name
  if (name === undefined) throw new BadValue('is an object without a name')
  return name
}

/** The custom field type of an attribute read as one: a list when Personio sends a list. */
export const customTypeV1 = (attr: V1Attribute) =>
  Array.isArray(attr.value) ? 'list' : customType(attr.type)

/** What the attributes of an employee payload say about the credential's attributes. */
export function attributesOf(employee: V1Employee): AttributeInfo[] {
  return Object.entries(employee.attributes).map(([key, a]) => ({
    key,
    label: a.label,
    type: a.type ?? null,
    universalId: a.universal_id ?? null,
  }))
}

/**
 * A v1 employee payload as an `Employee` (still to be validated), or an invalid record whose
 * issues name the employee and the Personio attribute ("employee 42: hire_date: "31.02.2024" is
 * not a date"). Keys are Personio's attribute keys, never its labels (which follow the company's
 * language); an attribute the credential cannot read is absent and stays null.
 */
export function normalizeV1(
  raw: unknown,
  held: HeldKeys,
  today: string,
): { record: Employee } | { invalid: InvalidRecord } {
  const parsed = V1Employee.safeParse(raw)
  const rawId = (raw as { attributes?: { id?: { value?: unknown } } } | null)?.attributes?.id?.value
  const externalId = typeof rawId === 'number' || typeof rawId === 'string' ? String(rawId) : null
  const name = externalId === null ? 'an employee without an id' : `employee ${externalId}`
  if (!parsed.success || externalId === null || externalId.trim() === '') {
    return invalidPayload(
      externalId,
      `${name}: ${parsed.success ? 'id: missing' : 'not an employee as Personio sends them'}`,
    )
  }
  const attrs = parsed.data.attributes
  const { issues, read: convert } = recordIssues(name, externalId)
  const read = <T>(key: string, to: (value: unknown, attr: V1Attribute) => T, fallback: T): T => {
    const attr = attrs[key]
    return attr === undefined ? fallback : convert(key, () => to(attr.value, attr), fallback)
  }

  const e = blankEmployee(externalId)
  e.firstName = read('first_name', text, null)
  e.lastName = read('last_name', text, null)
  e.preferredName = preferredFirstName(read('preferred_name', text, null), e.firstName, e.lastName)
  e.workEmail = read('email', text, null)
  e.gender = read('gender', gender, null)
  e.hireDate = read('hire_date', calendarDate, null)
  e.terminationDate = read('termination_date', calendarDate, null)
  e.lastWorkingDay = read('last_working_day', calendarDate, null)
  e.status = read('status', (v) => status(v, e.terminationDate, today), 'active')
  if (attrs['status'] === undefined) e.status = status(null, e.terminationDate, today)
  const position = read('position', text, null)
  e.position = position === null ? null : { id: null, name: position }
  e.supervisorExternalId = read('supervisor', supervisorId, null)
  e.employmentType = read('employment_type', text, null)
  e.occupationType = read('occupation_type', text, null)
  e.weeklyHours = read('weekly_working_hours', decimal, null)
  e.legalEntity = read('subcompany', ref, null)
  e.office = read('office', ref, null)
  e.department = read('department', ref, null)
  e.team = read('team', ref, null)
  e.costCenters = read('cost_centers', refs, [])
  e.sourceUpdatedAt = read('last_modified_at', instant, null)
  e.salary = salary(attrs, read)

  for (const field of CUSTOM_HELD) {
    const key = held[field]
    if (key !== undefined) e[field] = read(key, text, null)
  }
  const custom: Record<string, CustomField> = {}
  for (const [key, attr] of Object.entries(attrs)) {
    if (!readAsCustom(key)) continue
    const type = customTypeV1(attr)
    const label = attr.label.trim() === '' ? key : attr.label.trim()
    custom[key] = { label, type, value: read(key, (v) => customValue(type, named(v)), null) }
  }
  e.custom = custom

  if (issues.length > 0) return { invalid: { externalId, issues } }
  return { record: e }
}

function salary(
  attrs: Readonly<Record<string, V1Attribute>>,
  read: <T>(key: string, convert: (value: unknown, attr: V1Attribute) => T, fallback: T) => T,
): Employee['salary'] {
  const fix = read('fix_salary', decimal, null)
  const hourly = read('hourly_salary', decimal, null)
  const currency = (key: string) => {
    const c = attrs[key]?.currency?.trim().toUpperCase()
    return c !== undefined && /^[A-Z]{3}$/.test(c) ? c : null
  }
  if (fix !== null && fix > 0) {
    const interval = read('fix_salary_interval', salaryInterval, null)
    const cur = currency('fix_salary')
    return interval === null || cur === null ? null : { amount: fix, currency: cur, interval }
  }
  if (hourly !== null && hourly > 0) {
    const cur = currency('hourly_salary')
    return cur === null ? null : { amount: hourly, currency: cur, interval: 'hourly' }
  }
  return null
}
