// Which Personio attribute feeds which model field. Standard attributes have fixed keys; the
// employee number, personal email and phones are custom attributes (`dynamic_…`) in Personio,
// found by the connection's config, else by universal id, else by label (German or English).
import type { PersonioConfig } from './personio-config.ts'

/** Personio v1 standard attribute key → the model path it feeds. */
export const STANDARD_ATTRIBUTES: Readonly<Record<string, string>> = {
  id: 'externalId',
  first_name: 'firstName',
  last_name: 'lastName',
  preferred_name: 'preferredName',
  email: 'workEmail',
  gender: 'gender',
  status: 'status',
  position: 'position',
  supervisor: 'supervisorExternalId',
  employment_type: 'employmentType',
  occupation_type: 'occupationType',
  weekly_working_hours: 'weeklyHours',
  hire_date: 'hireDate',
  termination_date: 'terminationDate',
  last_working_day: 'lastWorkingDay',
  subcompany: 'legalEntity',
  office: 'office',
  department: 'department',
  team: 'team',
  cost_centers: 'costCenters',
  fix_salary: 'salary.amount',
  fix_salary_interval: 'salary.interval',
  last_modified_at: 'sourceUpdatedAt',
}

/**
 * Attributes that feed a model field listed for another one: a salary is fixed or hourly. Read
 * on their own they are custom fields (`custom.hourly_salary`).
 */
const ALSO_FEEDING: Readonly<Record<string, string>> = { hourly_salary: 'salary.amount' }

/**
 * Standard attributes as Personio's API credentials screen names them ("Readable employee
 * attributes"), by the model field they feed: what an admin ticks so a credential reads it.
 */
const SCREEN_NAMES: Readonly<Record<string, string>> = {
  firstName: 'First name',
  lastName: 'Last name',
  preferredName: 'Preferred name',
  workEmail: 'Email',
  gender: 'Gender',
  status: 'Status',
  position: 'Position',
  supervisorExternalId: 'Supervisor',
  employmentType: 'Employment type',
  occupationType: 'Occupation type',
  weeklyHours: 'Weekly hours',
  hireDate: 'Hire date',
  terminationDate: 'Termination date',
  lastWorkingDay: 'Last day of work',
  legalEntity: 'Subcompany',
  office: 'Office',
  department: 'Department',
  team: 'Team',
  costCenters: 'Cost center',
  salary: 'Fix salary and Salary interval (or Hourly salary)',
  sourceUpdatedAt: 'Last modified',
}

/** What v2 never reads by name, whatever the credential: its employments carry ids only. */
const V2_IDS_ONLY = new Set(['department', 'team', 'office', 'legalEntity', 'costCenters'])

/** Where a Personio admin gives a credential what it lacks. */
export const CREDENTIALS_SCREEN = 'Settings → Integrations → API credentials'

/**
 * What to enable in Personio for a credential to read the model field `path` (a root:
 * `workEmail`, `custom.dynamic_123`), in words an admin can act on.
 */
export function enableHint(path: string, apiVersion: 'v1' | 'v2'): string | null {
  if (apiVersion === 'v2' && V2_IDS_ONLY.has(path)) {
    return "Personio's v2 API names it by id only: read it with apiVersion v1"
  }
  const where = `In Personio, ${CREDENTIALS_SCREEN}`
  const name = SCREEN_NAMES[path]
  if (name !== undefined)
    return `${where}, add "${name}" to this credential's readable employee attributes`
  if ((CUSTOM_HELD as readonly string[]).includes(path)) {
    return `${where}, add the custom attribute that holds it to this credential's readable employee attributes (or name its key in the connection's attributes)`
  }
  if (path.startsWith('custom.')) {
    return `${where}, add the attribute ${path.slice('custom.'.length)} to this credential's readable employee attributes`
  }
  return null
}

/** The model fields Personio keeps in custom attributes. */
export const CUSTOM_HELD = ['employeeNumber', 'personalEmail', 'mobilePhone', 'workPhone'] as const
export type CustomHeld = (typeof CUSTOM_HELD)[number]

const UNIVERSAL_IDS: Readonly<Record<CustomHeld, readonly string[]>> = {
  employeeNumber: ['employee_number', 'personnel_number', 'personal_number', 'employee_id'],
  personalEmail: ['personal_email', 'private_email'],
  mobilePhone: ['mobile_phone', 'mobile_number', 'mobile', 'cell_phone'],
  workPhone: ['work_phone', 'phone', 'phone_number', 'business_phone'],
}

const LABELS: Readonly<Record<CustomHeld, readonly string[]>> = {
  employeeNumber: [
    'personalnummer',
    'personal number',
    'personnel number',
    'employee number',
    'mitarbeiternummer',
  ],
  personalEmail: [
    'private e-mail',
    'private email',
    'personal email',
    'personal e-mail',
    'e-mail (privat)',
    'private e-mail-adresse',
  ],
  mobilePhone: [
    'mobile',
    'mobile phone',
    'mobile number',
    'mobilnummer',
    'mobiltelefon',
    'handynummer',
  ],
  workPhone: [
    'phone',
    'work phone',
    'business phone',
    'telefon',
    'telefonnummer',
    'telefon (geschäftlich)',
    'phone number',
  ],
}

/** An attribute as Personio describes it: in an employee payload, or from /attributes. */
export interface AttributeInfo {
  readonly key: string
  readonly label: string
  readonly type: string | null
  readonly universalId: string | null
}

/** Where each custom-held field is, for one credential's attributes. */
export type HeldKeys = Readonly<Partial<Record<CustomHeld, string>>>

export function heldKeys(config: PersonioConfig, attributes: readonly AttributeInfo[]): HeldKeys {
  const out: Partial<Record<CustomHeld, string>> = {}
  const taken = new Set<string>()
  for (const field of CUSTOM_HELD) {
    const named = config.attributes[field]
    if (named !== undefined) {
      out[field] = named
      taken.add(named)
      continue
    }
    const custom = attributes.filter(
      (a) => !Object.hasOwn(STANDARD_ATTRIBUTES, a.key) && !taken.has(a.key),
    )
    const found =
      custom.find((a) => a.universalId !== null && UNIVERSAL_IDS[field].includes(a.universalId)) ??
      custom.find((a) => LABELS[field].includes(a.label.trim().toLowerCase()))
    if (found) {
      out[field] = found.key
      taken.add(found.key)
    }
  }
  return out
}

/**
 * The model path an attribute feeds: a standard field, a custom-held field, or `custom.<key>`:
 * a custom attribute, or a standard one the model has no field of its own for
 * (`custom.termination_type`), read as a custom field so a mapping can use it.
 */
export function modelPathOf(key: string, held: HeldKeys): string {
  const standard = STANDARD_ATTRIBUTES[key]
  if (standard !== undefined) return standard
  for (const field of CUSTOM_HELD) if (held[field] === key) return field
  return `custom.${key}`
}

/** Whether an attribute is read into `Employee.custom` (all but those with a model field). */
export const readAsCustom = (key: string): boolean => !Object.hasOwn(STANDARD_ATTRIBUTES, key)

/** Attributes every read asks for, whatever the sync maps: identity, leaving, freshness. */
const ALWAYS_ASKED = ['id', 'status', 'termination_date', 'last_working_day', 'last_modified_at']

/**
 * The Personio attribute keys that feed `fields` (model roots): the projection a read asks for
 * (`attributes[]`), so an IBAN or a salary nobody maps never leaves Personio.
 */
export function attributeKeysFor(fields: readonly string[], held: HeldKeys): string[] {
  const wanted = new Set(fields)
  const keys = new Set(ALWAYS_ASKED)
  for (const [key, path] of [
    ...Object.entries(STANDARD_ATTRIBUTES),
    ...Object.entries(ALSO_FEEDING),
  ]) {
    if (wanted.has(path.split('.')[0] ?? path)) keys.add(key)
  }
  for (const field of CUSTOM_HELD) {
    const key = held[field]
    if (key !== undefined && wanted.has(field)) keys.add(key)
  }
  for (const path of wanted) if (path.startsWith('custom.')) keys.add(path.slice('custom.'.length))
  return [...keys]
}
