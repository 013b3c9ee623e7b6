// Which BambooHR field feeds which model field. Standard fields have fixed aliases (BambooHR's
// "field names"); custom fields are the company's own, named by an alias that starts with
// `custom` (customShirtSize) or, without one, by their numeric id (4047).
import type { CUSTOM_FIELD_TYPES } from '../../core/model/employee.ts'
import { sourceRoot } from '../../core/model/source-path.ts'

/** BambooHR standard field alias → the model path it feeds. */
export const STANDARD_FIELDS: Readonly<Record<string, string>> = {
  employeeNumber: 'employeeNumber',
  firstName: 'firstName',
  lastName: 'lastName',
  preferredName: 'preferredName',
  workEmail: 'workEmail',
  homeEmail: 'personalEmail',
  mobilePhone: 'mobilePhone',
  workPhone: 'workPhone',
  gender: 'gender',
  hireDate: 'hireDate',
  terminationDate: 'terminationDate',
  status: 'status',
  // the current row of the "Employment Status" table: Full-Time, Contractor, Terminated…
  employmentHistoryStatus: 'employmentType',
  jobTitle: 'position',
  department: 'department',
  // BambooHR has no legal entity: its division is the level above departments, which
  // companies use for their legal entities (or regions)
  division: 'legalEntity',
  location: 'office',
  // the supervisor's employee id (supervisorId is their employee number)
  supervisorEId: 'supervisorExternalId',
  standardHoursPerWeek: 'weeklyHours',
  lastChanged: 'sourceUpdatedAt',
}

/** What else a model field is computed from: a status needs the dates and the employment row. */
const ALSO_NEEDS: Readonly<Record<string, readonly string[]>> = {
  status: ['employmentHistoryStatus', 'hireDate', 'terminationDate'],
}

/** The most fields one report may name (BambooHR's limit). */
export const MAX_FIELDS = 400

/** A field as GET /v1/meta/fields lists it. */
export interface MetaField {
  readonly id: string
  readonly name: string
  readonly type: string
  readonly alias: string | null
}

/** A company's own field: an alias `custom…`, or none at all (then asked for by its id). */
export const isCustom = (field: MetaField) =>
  field.alias === null ||
  (/^custom[A-Z0-9_]/.test(field.alias) && !(field.alias in STANDARD_FIELDS))

/** How a custom field is named in requests and in the model (`custom.<key>`). */
export const customKey = (field: MetaField) => field.alias ?? field.id

type CustomType = (typeof CUSTOM_FIELD_TYPES)[number]

/** A custom field's model type from BambooHR's field type. */
export function customType(bambooType: string | null | undefined): CustomType {
  switch (bambooType?.toLowerCase()) {
    case 'date':
      return 'date'
    case 'int':
    case 'integer':
    case 'decimal':
    case 'float':
    case 'percentage':
      return 'number'
    case 'bool':
    case 'checkbox':
      return 'boolean'
    case 'list':
      return 'options'
    case 'multilist':
    case 'multiselect':
      return 'list'
    default:
      return 'text'
  }
}

/**
 * The fields to ask a report for: the standard ones feeding `wanted` model fields (all of them
 * when `wanted` is null) and the custom ones the company has (from `meta`) or `wanted` names
 * (`custom.<key>`: no list of the company's fields needed). At most `MAX_FIELDS`; `dropped`
 * says how many custom fields did not fit.
 */
export function requestedFields(
  wanted: readonly string[] | null,
  meta: readonly MetaField[] | null,
): { standard: string[]; custom: string[]; dropped: number } {
  const roots = wanted === null ? null : new Set(wanted.map(sourceRoot))
  const standard = new Set<string>()
  for (const [alias, path] of Object.entries(STANDARD_FIELDS)) {
    if (roots !== null && !roots.has(path)) continue
    if (meta !== null && !meta.some((f) => f.alias === alias)) continue
    standard.add(alias)
    for (const other of ALSO_NEEDS[path] ?? []) standard.add(other)
  }
  const customs =
    meta === null
      ? [...(roots ?? [])].filter((p) => p.startsWith('custom.')).map((p) => p.slice(7))
      : meta
          .filter(isCustom)
          .map(customKey)
          .filter((key) => roots === null || roots.has(`custom.${key}`))
  const room = Math.max(0, MAX_FIELDS - standard.size)
  return {
    standard: [...standard],
    custom: customs.slice(0, room),
    dropped: Math.max(0, customs.length - room),
  }
}
