import { parsePhoneNumberFromString } from 'libphonenumber-js/max'

import type { Issue } from '../errors.ts'
import type { Employee } from '../model/employee.ts'
import type { FieldValue } from '../model/field-value.ts'
import { sameValue } from '../model/field-value.ts'
import { targetFieldLabel } from '../model/person.ts'
import { sourceReader, sourceRoot } from '../model/source-path.ts'
import type { FieldRule, MappingConfig, Owner, Transform } from './mapping-config.ts'
import { ruleSources } from './mapping-config.ts'

/**
 * The directory record an employee should have. `fields` holds only the fields this mapping could
 * decide: a field whose source is not readable, or whose value was invalid (a phone number that
 * cannot be made E.164), is absent, so a sync leaves it as it is instead of clearing it.
 */
export interface MappedEmployee {
  readonly fields: Record<string, FieldValue>
  readonly issues: readonly Issue[]
}

export interface CompiledMapping {
  readonly map: (employee: Employee) => MappedEmployee
  /**
   * Whether the fields the HR system owns already hold what `map` would give (the issues `map`
   * would report, if so), or null if any differs; `map`'s answer, without building a record.
   */
  readonly agrees: (
    employee: Employee,
    current: Readonly<Record<string, FieldValue>>,
  ) => readonly Issue[] | null
  /** Who owns each mapped field (`hris` overwrites on every sync, `app` sets on create only). */
  readonly owners: ReadonlyMap<string, Owner>
  /** The mapped fields the HR system owns (overwritten on every sync), in mapping order. */
  readonly hrisFields: readonly string[]
  /** Fields left out because a source they read is not readable with the credential. */
  readonly unreadable: readonly string[]
}

const NO_ISSUES: readonly Issue[] = Object.freeze([])

type Step = (value: FieldValue, employee: Employee) => { value: FieldValue } | { problem: string }

const keep = (value: FieldValue) => ({ value })
const eachText = (value: FieldValue, f: (s: string) => string | null): FieldValue => {
  if (typeof value === 'string') return f(value)
  if (Array.isArray(value)) return value.map(f).filter((s) => s !== null)
  return value
}

function formatName(
  employee: Employee,
  format: 'first_last' | 'last_first' | 'last_comma_first',
  preferred: boolean,
): string | null {
  const first = (
    preferred ? (employee.preferredName ?? employee.firstName) : employee.firstName
  )?.trim()
  const last = employee.lastName?.trim()
  if (!first || !last) return first || last || null
  switch (format) {
    case 'first_last':
      return `${first} ${last}`
    case 'last_first':
      return `${last} ${first}`
    case 'last_comma_first':
      return `${last}, ${first}`
  }
}

const DATE_PATTERNS = {
  // a date, or a date-time whose date part is taken as written
  'YYYY-MM-DD': {
    re: /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/,
    order: [1, 2, 3],
  },
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: [3, 2, 1] },
  'MM/DD/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 1, 2] },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 2, 1] },
} as const

/** `YYYY-MM-DD` for a real calendar date in one of the formats, else null. */
export function parseDate(text: string, input: Transform & { op: 'date' }): string | null {
  const formats =
    input.input === 'auto' ? (['YYYY-MM-DD', 'DD.MM.YYYY'] as const) : ([input.input] as const)
  for (const name of formats) {
    const { re, order } = DATE_PATTERNS[name]
    const m = re.exec(text.trim())
    if (!m) continue
    const [y, mo, d] = order.map((i) => Number(m[i]))
    if (y === undefined || mo === undefined || d === undefined) continue
    const date = new Date(Date.UTC(y, mo - 1, d))
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
      return null
    }
    return date.toISOString().slice(0, 10)
  }
  return null
}

function compileTransform(t: Transform): Step {
  switch (t.op) {
    case 'trim':
      return (v) => keep(eachText(v, (s) => s.trim() || null))
    case 'lower':
      return (v) => keep(eachText(v, (s) => s.toLowerCase()))
    case 'name_format':
      return (_v, e) => keep(formatName(e, t.format, t.preferred))
    case 'phone_e164': {
      // numbers repeat within a company (switchboards), and parsing is the costly part of mapping
      const seen = new Map<string, ReturnType<Step>>()
      return (v) => {
        if (v === null) return keep(null)
        const text = String(v)
        let out = seen.get(text)
        if (out === undefined) {
          const phone = parsePhoneNumberFromString(text, { defaultCountry: t.defaultCountry })
          out = phone?.isValid()
            ? keep(phone.number)
            : {
                problem: `"${text}" is not a valid phone number (default country ${t.defaultCountry}); add the country code in the HR system`,
              }
          seen.set(text, out)
        }
        return out
      }
    }
    case 'date':
      return (v) => {
        if (v === null) return keep(null)
        const date = parseDate(String(v), t)
        return date === null
          ? { problem: `"${String(v)}" is not a date (expected ${t.input})` }
          : keep(date)
      }
    case 'map': {
      // the table is keyed by text; a value without an entry keeps its own type (40 stays 40)
      const look = (v: string | number | boolean): FieldValue =>
        Object.hasOwn(t.table, String(v))
          ? (t.table[String(v)] ?? null)
          : t.otherwise === 'keep'
            ? v
            : null
      return (v) => {
        if (v === null) return keep(null)
        if (Array.isArray(v)) {
          return keep(v.map(look).filter((s): s is string => typeof s === 'string'))
        }
        return keep(look(v))
      }
    }
    case 'default':
      return (v) => keep(v === null || (Array.isArray(v) && v.length === 0) ? t.value : v)
  }
}

function compileSource(rule: FieldRule): (employee: Employee) => FieldValue {
  if (rule.from !== undefined) return sourceReader(rule.from)
  if (rule.template !== undefined) {
    const parts = rule.template.split(/(\{[^{}]+\})/).map((part) => {
      const path = /^\{(.+)\}$/.exec(part)?.[1]
      return path === undefined ? { text: part } : { read: sourceReader(path) }
    })
    // one unknown part makes the whole value unknown: never "Jane.@acme.com" or ", Jane"
    return (e) => {
      let text = ''
      for (const p of parts) {
        if ('text' in p) {
          text += p.text
          continue
        }
        const v = p.read(e)
        if (v === null || (Array.isArray(v) && v.length === 0)) return null
        text += Array.isArray(v) ? v.join(', ') : String(v)
      }
      const value = text.replace(/\s+/g, ' ').trim()
      return value === '' ? null : value
    }
  }
  const constant = rule.const ?? null
  return () => constant
}

/**
 * Compiles a mapping once for a whole read. `readable` is the set of model fields the credential
 * can read (null when every field is); a field whose sources are not all readable is left out.
 */
export function compileMapping(
  mapping: MappingConfig,
  readable: ReadonlySet<string> | null = null,
): CompiledMapping {
  const owners = new Map<string, Owner>()
  const unreadable: string[] = []
  const compiled: {
    field: string
    owner: Owner
    read: (e: Employee) => FieldValue
    steps: Step[]
  }[] = []

  for (const [field, rule] of Object.entries(mapping)) {
    if (readable && !ruleSources(rule).every((path) => readable.has(sourceRoot(path)))) {
      unreadable.push(field)
      continue
    }
    owners.set(field, rule.owner)
    compiled.push({
      field,
      owner: rule.owner,
      read: compileSource(rule),
      steps: rule.transforms.map(compileTransform),
    })
  }

  /** One field's value for an employee, or the issue that makes it unknown. */
  const valueOf = (entry: (typeof compiled)[number], employee: Employee): FieldValue | Issue => {
    let value = entry.read(employee)
    for (const step of entry.steps) {
      const out = step(value, employee)
      if ('problem' in out) {
        return {
          code: 'invalid_value',
          severity: 'warning',
          message: `${targetFieldLabel(entry.field)}: ${out.problem}; the field is left unchanged`,
          path: [entry.field],
          record: employee.externalId,
        }
      }
      value = out.value
    }
    return value
  }
  const isIssue = (v: FieldValue | Issue): v is Issue =>
    v !== null && typeof v === 'object' && !Array.isArray(v)

  const map = (employee: Employee): MappedEmployee => {
    const fields: Record<string, FieldValue> = {}
    let issues: Issue[] | undefined
    for (const entry of compiled) {
      const value = valueOf(entry, employee)
      if (isIssue(value)) (issues ??= []).push(value)
      else fields[entry.field] = value
    }
    return { fields, issues: issues ?? NO_ISSUES }
  }

  // most people are up to date: tell so field by field, building nothing
  const agrees = (employee: Employee, current: Readonly<Record<string, FieldValue>>) => {
    let issues: Issue[] | undefined
    for (const entry of compiled) {
      if (entry.owner !== 'hris') continue
      const value = valueOf(entry, employee)
      if (isIssue(value)) (issues ??= []).push(value)
      else if (!sameValue(current[entry.field] ?? null, value)) return null
    }
    return issues ?? NO_ISSUES
  }

  const hrisFields = [...owners].filter(([, owner]) => owner === 'hris').map(([field]) => field)
  return { map, agrees, owners, hrisFields, unreadable }
}
