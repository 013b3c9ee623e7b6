import type { Employee, Ref } from './employee.ts'
import type { FieldValue } from './field-value.ts'

type Reader = (employee: Employee) => FieldValue
/** What a path reads: `date` is `YYYY-MM-DD`, `datetime` an ISO instant. */
export type SourceType = 'text' | 'date' | 'datetime' | 'number' | 'list'

const refName = (ref: Ref | null): string | null => ref?.name ?? null
const refId = (ref: Ref | null): string | null => ref?.id ?? null

/**
 * Every path of the `Employee` model that a mapping, a filter or an identifier can read, with the
 * label people see in messages. A ref field (`department`) reads as its name; `department.id` is
 * its id. `custom.<key>` reads a custom field; it is not listed here because keys vary by company.
 */
export const SOURCE_PATHS: Readonly<
  Record<string, { label: string; read: Reader; type?: SourceType }>
> = {
  externalId: { label: 'employee id', read: (e) => e.externalId },
  employeeNumber: { label: 'employee number', read: (e) => e.employeeNumber },
  firstName: { label: 'first name', read: (e) => e.firstName },
  lastName: { label: 'last name', read: (e) => e.lastName },
  preferredName: { label: 'preferred name', read: (e) => e.preferredName },
  workEmail: { label: 'work email', read: (e) => e.workEmail },
  personalEmail: { label: 'personal email', read: (e) => e.personalEmail },
  mobilePhone: { label: 'mobile phone', read: (e) => e.mobilePhone },
  workPhone: { label: 'work phone', read: (e) => e.workPhone },
  gender: { label: 'gender', read: (e) => e.gender },
  status: { label: 'status', read: (e) => e.status },
  hireDate: { label: 'hire date', type: 'date', read: (e) => e.hireDate },
  terminationDate: { label: 'termination date', type: 'date', read: (e) => e.terminationDate },
  lastWorkingDay: { label: 'last working day', type: 'date', read: (e) => e.lastWorkingDay },
  position: { label: 'position', read: (e) => refName(e.position) },
  'position.id': { label: 'position id', read: (e) => refId(e.position) },
  department: { label: 'department', read: (e) => refName(e.department) },
  'department.id': { label: 'department id', read: (e) => refId(e.department) },
  team: { label: 'team', read: (e) => refName(e.team) },
  'team.id': { label: 'team id', read: (e) => refId(e.team) },
  office: { label: 'office', read: (e) => refName(e.office) },
  'office.id': { label: 'office id', read: (e) => refId(e.office) },
  legalEntity: { label: 'legal entity', read: (e) => refName(e.legalEntity) },
  'legalEntity.id': { label: 'legal entity id', read: (e) => refId(e.legalEntity) },
  costCenters: {
    label: 'cost centers',
    type: 'list',
    read: (e) => e.costCenters.map((c) => c.name),
  },
  employmentType: { label: 'employment type', read: (e) => e.employmentType },
  occupationType: { label: 'occupation type', read: (e) => e.occupationType },
  weeklyHours: { label: 'weekly hours', type: 'number', read: (e) => e.weeklyHours },
  supervisorExternalId: { label: 'supervisor', read: (e) => e.supervisorExternalId },
  'salary.amount': { label: 'salary', type: 'number', read: (e) => e.salary?.amount ?? null },
  'salary.currency': { label: 'salary currency', read: (e) => e.salary?.currency ?? null },
  'salary.interval': { label: 'salary interval', read: (e) => e.salary?.interval ?? null },
  'address.street': { label: 'street', read: (e) => e.address?.street ?? null },
  'address.postalCode': { label: 'postal code', read: (e) => e.address?.postalCode ?? null },
  'address.city': { label: 'city', read: (e) => e.address?.city ?? null },
  'address.region': { label: 'region', read: (e) => e.address?.region ?? null },
  'address.country': { label: 'country', read: (e) => e.address?.country ?? null },
  sourceUpdatedAt: { label: 'last modified', type: 'datetime', read: (e) => e.sourceUpdatedAt },
}

const CUSTOM = /^custom\.([A-Za-z0-9_-]+)$/

export function isSourcePath(path: string): boolean {
  return Object.hasOwn(SOURCE_PATHS, path) || CUSTOM.test(path)
}

/** The model field a path reads: the unit the HR credential grants (`department.id` → `department`). */
export function sourceRoot(path: string): string {
  return path.startsWith('custom.') ? path : (path.split('.')[0] ?? path)
}

/** The type a path reads (text unless said otherwise); null for a custom field, known only later. */
export function sourceType(path: string): SourceType | null {
  if (path.startsWith('custom.')) return null
  return SOURCE_PATHS[path]?.type ?? 'text'
}

export function sourceLabel(path: string): string {
  return SOURCE_PATHS[path]?.label ?? `custom field ${path.slice('custom.'.length)}`
}

/** A compiled reader for a path; throws on an unknown path (configs are validated before this). */
export function sourceReader(path: string): Reader {
  const known = SOURCE_PATHS[path]
  if (known) return known.read
  const key = CUSTOM.exec(path)?.[1]
  if (key === undefined) throw new Error(`unknown source path: ${path}`)
  return (e) => e.custom[key]?.value ?? null
}
