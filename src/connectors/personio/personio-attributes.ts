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
  hourly_salary: 'salary.amount',
  last_modified_at: 'sourceUpdatedAt',
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

/** The model path an attribute feeds: a standard field, a custom-held field, or `custom.<key>`. */
export function modelPathOf(key: string, held: HeldKeys): string | null {
  const standard = STANDARD_ATTRIBUTES[key]
  if (standard !== undefined) return standard
  for (const field of CUSTOM_HELD) if (held[field] === key) return field
  return key.startsWith('dynamic_') ? `custom.${key}` : null
}

/** Attributes every read asks for, whatever the sync maps: identity, leaving, freshness. */
const ALWAYS_ASKED = ['id', 'status', 'termination_date', 'last_working_day', 'last_modified_at']

/**
 * The Personio attribute keys that feed `fields` (model roots): the projection a read asks for
 * (`attributes[]`), so an IBAN or a salary nobody maps never leaves Personio.
 */
export function attributeKeysFor(fields: readonly string[], held: HeldKeys): string[] {
  const wanted = new Set(fields)
  const keys = new Set(ALWAYS_ASKED)
  for (const [key, path] of Object.entries(STANDARD_ATTRIBUTES)) {
    if (wanted.has(path.split('.')[0] ?? path)) keys.add(key)
  }
  for (const field of CUSTOM_HELD) {
    const key = held[field]
    if (key !== undefined && wanted.has(field)) keys.add(key)
  }
  for (const path of wanted)
    if (path.startsWith('custom.dynamic_')) keys.add(path.slice('custom.'.length))
  return [...keys]
}
