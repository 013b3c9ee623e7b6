// Personio's values as the model wants them: calendar dates from its offset timestamps, numbers
// from its strings, genders and statuses from its words (in English or German).
import type { CUSTOM_FIELD_TYPES, EmployeeStatus, GENDERS } from '../../core/model/employee.ts'
import { BadValue, text } from '../../core/model/raw-values.ts'

export {
  BadValue,
  calendarDate,
  customValue,
  decimal,
  instant,
  invalidPayload,
  recordIssues,
  text,
} from '../../core/model/raw-values.ts'

const GENDER_WORDS: Readonly<Record<string, (typeof GENDERS)[number]>> = {
  male: 'male',
  männlich: 'male',
  female: 'female',
  weiblich: 'female',
  diverse: 'diverse',
  divers: 'diverse',
  undisclosed: 'undisclosed',
  unspecified: 'undisclosed',
  'keine angabe': 'undisclosed',
}

export function gender(value: unknown): (typeof GENDERS)[number] | null {
  const t = text(value)?.toLowerCase()
  if (t === undefined) return null
  return GENDER_WORDS[t] ?? 'undisclosed'
}

const STATUS_WORDS: Readonly<Record<string, EmployeeStatus>> = {
  active: 'active',
  aktiv: 'active',
  onboarding: 'onboarding',
  leave: 'leave',
  abwesend: 'leave',
  inactive: 'inactive',
  inaktiv: 'inactive',
}

/**
 * The model status: Personio's own, except that an inactive employee whose termination date has
 * come is `terminated`. Without a readable status, a termination date that has come means
 * `terminated` and anything else `active`.
 */
export function status(
  value: unknown,
  terminationDate: string | null,
  today: string,
): EmployeeStatus {
  const ended = terminationDate !== null && terminationDate <= today
  const t = text(value)?.toLowerCase()
  if (t === undefined) return ended ? 'terminated' : 'active'
  const known = STATUS_WORDS[t]
  if (known === undefined) throw new BadValue(`"${String(value)}" is not a Personio status`)
  return known === 'inactive' && ended ? 'terminated' : known
}

const INTERVALS: Readonly<Record<string, 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly'>> = {
  hourly: 'hourly',
  stündlich: 'hourly',
  daily: 'daily',
  täglich: 'daily',
  weekly: 'weekly',
  wöchentlich: 'weekly',
  monthly: 'monthly',
  monatlich: 'monthly',
  yearly: 'yearly',
  annually: 'yearly',
  jährlich: 'yearly',
}

export function salaryInterval(value: unknown) {
  const t = text(value)?.toLowerCase()
  return t === undefined ? null : (INTERVALS[t] ?? null)
}

/**
 * A preferred first name from Personio's preferred name, which is a whole name ("Alex Bergmann"):
 * without the last name; null when it says nothing the first name does not.
 */
export function preferredFirstName(
  preferred: string | null,
  firstName: string | null,
  lastName: string | null,
): string | null {
  if (preferred === null) return null
  let name = preferred
  if (lastName !== null && name.toLowerCase().endsWith(` ${lastName.toLowerCase()}`)) {
    name = name.slice(0, name.length - lastName.length).trim()
  }
  if (name === '' || name === firstName) return null
  return name
}

type CustomType = (typeof CUSTOM_FIELD_TYPES)[number]

/** A custom attribute's model type from Personio's attribute type. */
export function customType(personioType: string | null | undefined): CustomType {
  switch (personioType?.toLowerCase()) {
    case 'date':
      return 'date'
    case 'integer':
    case 'decimal':
    case 'int':
    case 'double':
      return 'number'
    case 'list':
      return 'options'
    case 'tags':
    case 'string_list':
      return 'list'
    case 'boolean':
      return 'boolean'
    default:
      return 'text'
  }
}
