// Raw values of an HR system as the model wants them: text (unknown is null, never ''), calendar
// dates, instants with their offset, numbers from text; custom values by their type; and the
// issues of a record whose values will not convert, each naming the record and the field.
import type { Issue } from '../errors.ts'
import type { CUSTOM_FIELD_TYPES, InvalidRecord } from './employee.ts'

/** A value that would not convert: the message names what it was. */
export class BadValue extends Error {
  override readonly name = 'BadValue'
}

const blank = (v: unknown) =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '')

/** Text, or null when empty; numbers become text (ids, numeric custom values). */
export function text(value: unknown): string | null {
  if (blank(value)) return null
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new BadValue(`${JSON.stringify(value)} is not text`)
}

/**
 * The calendar date the company meant: `2014-11-09T00:00:00+01:00` is the 9th, whatever the
 * offset (converting it to UTC would make it the 8th). Also `YYYY-MM-DD` alone.
 */
export function calendarDate(value: unknown): string | null {
  if (blank(value)) return null
  if (typeof value !== 'string') throw new BadValue(`${JSON.stringify(value)} is not a date`)
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value.trim())
  if (!match) throw new BadValue(`"${value}" is not a date`)
  const [, y, m, d] = match
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) {
    throw new BadValue(`"${value}" is not a date`)
  }
  return `${y ?? ''}-${m ?? ''}-${d ?? ''}`
}

/** An instant with its offset (`+0100` and `+01:00` alike), as ISO text; null when empty. */
export function instant(value: unknown): string | null {
  if (blank(value)) return null
  if (typeof value !== 'string') throw new BadValue(`${JSON.stringify(value)} is not a time`)
  const v = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(v) ? v : `${v}Z`
  if (Number.isNaN(Date.parse(withZone))) throw new BadValue(`"${value}" is not a time`)
  return new Date(withZone).toISOString()
}

/** A number from a number or from text (`"40"`, `"37,5"`); null when empty. */
export function decimal(value: unknown): number | null {
  if (blank(value)) return null
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string') {
    const t = value.trim().replace(',', '.')
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t)
  }
  throw new BadValue(`${JSON.stringify(value)} is not a number`)
}

/** A custom field's value as its model type says; null when empty. */
export function customValue(
  type: (typeof CUSTOM_FIELD_TYPES)[number],
  value: unknown,
): string | number | boolean | string[] | null {
  switch (type) {
    case 'date':
      return calendarDate(value)
    case 'number':
      return decimal(value)
    case 'boolean': {
      if (blank(value)) return null
      if (typeof value === 'boolean') return value
      const t = String(value).trim().toLowerCase()
      if (['true', 'yes', 'ja', '1'].includes(t)) return true
      if (['false', 'no', 'nein', '0'].includes(t)) return false
      throw new BadValue(`${JSON.stringify(value)} is not yes or no`)
    }
    case 'list': {
      if (blank(value)) return null
      const items = Array.isArray(value) ? value : String(value).split(',')
      const list = items.map((i) => text(i)).filter((i): i is string => i !== null)
      return list.length === 0 ? null : list
    }
    case 'options':
    case 'text':
      return text(value)
  }
}

/**
 * Collects the problems of one record: `read` converts a value and, when it will not convert,
 * records an issue naming the record and the field ("employee 42: hire_date: …") and gives
 * `fallback`, so every problem of a record is reported at once.
 */
export function recordIssues(name: string, externalId: string) {
  const issues: Issue[] = []
  const read = <T>(field: string, convert: () => T, fallback: T): T => {
    try {
      return convert()
    } catch (error) {
      if (!(error instanceof BadValue)) throw error
      issues.push({
        code: 'invalid_value',
        severity: 'error',
        message: `${name}: ${field}: ${error.message}`,
        path: [field],
        record: externalId,
      })
      return fallback
    }
  }
  return { issues, read }
}

/** A payload that is not a record at all, named as well as it can be. */
export function invalidPayload(
  externalId: string | null,
  message: string,
): { invalid: InvalidRecord } {
  return {
    invalid: {
      externalId,
      issues: [
        {
          code: 'invalid_payload',
          severity: 'error',
          message,
          path: ['id'],
          ...(externalId === null ? {} : { record: externalId }),
        },
      ],
    },
  }
}
