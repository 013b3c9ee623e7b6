import { z } from 'zod'

import { EMPLOYEE_STATUSES, GENDERS, SALARY_INTERVALS } from '../../core/model/employee.ts'
import type { TableCell } from './table-file.ts'

/** How dates written as text read: ISO `YYYY-MM-DD` always; `dmy` 31.12.2024, `mdy` 12/31/2024. */
export const DATE_FORMATS = ['iso', 'dmy', 'mdy'] as const
export type DateFormat = (typeof DATE_FORMATS)[number]

/** What a cell must hold for a model field. */
export type CellKind =
  'text' | 'date' | 'datetime' | 'amount' | 'gender' | 'status' | 'list' | 'currency' | 'interval'

/** A cell read as a kind: text, a number, a list (cost centers), or null when empty. */
export type CellValue = string | number | readonly string[] | null

/** A cell read as a kind: the value, or what is wrong with it, in words for an admin. */
export type CellResult =
  | { readonly ok: true; readonly value: CellValue }
  | { readonly ok: false; readonly problem: string }

const GENDER_WORDS: Readonly<Record<string, (typeof GENDERS)[number]>> = {
  ...Object.fromEntries(GENDERS.map((g) => [g, g])),
  f: 'female',
  w: 'female',
  weiblich: 'female',
  m: 'male',
  männlich: 'male',
  d: 'diverse',
  divers: 'diverse',
  'non-binary': 'diverse',
  nonbinary: 'diverse',
  'not disclosed': 'undisclosed',
  'prefer not to say': 'undisclosed',
}

const STATUS_WORDS: Readonly<Record<string, (typeof EMPLOYEE_STATUSES)[number]>> = {
  ...Object.fromEntries(EMPLOYEE_STATUSES.map((s) => [s, s])),
  aktiv: 'active',
  employed: 'active',
  current: 'active',
  'on leave': 'leave',
  'leave of absence': 'leave',
  inaktiv: 'inactive',
  former: 'terminated',
  left: 'terminated',
  offboarded: 'terminated',
  ausgeschieden: 'terminated',
}

const INTERVAL_WORDS: Readonly<Record<string, (typeof SALARY_INTERVALS)[number]>> = {
  ...Object.fromEntries(SALARY_INTERVALS.map((i) => [i, i])),
  hour: 'hourly',
  day: 'daily',
  week: 'weekly',
  month: 'monthly',
  year: 'yearly',
  annual: 'yearly',
  annually: 'yearly',
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DMY_DATE = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/
const MDY_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/
const DATE_SHAPES: Readonly<Record<DateFormat, string>> = {
  iso: 'YYYY-MM-DD; set dateFormat for other formats',
  dmy: 'DD.MM.YYYY, DD/MM/YYYY or YYYY-MM-DD',
  mdy: 'MM/DD/YYYY or YYYY-MM-DD',
}
// a plain decimal: a comma is taken as the decimal mark (37,5 hours), never as thousands
const DECIMAL = /^([+-]?\d+)(?:[.,](\d+))?$/
const DATETIME = z.iso.datetime({ offset: true })

/** A cell as text, `null` when empty: numbers in plain notation, a date cell as `YYYY-MM-DD`. */
export function cellText(cell: TableCell): string | null {
  if (cell === null) return null
  if (cell instanceof Date) return isoDay(cell)
  return String(cell)
}

/** How a cell shows in a message: `"31.02.2024"`. */
function quoted(cell: TableCell): string {
  return JSON.stringify(cellText(cell) ?? '')
}

/**
 * Reads a non-empty cell as `kind`. A date cell of a workbook is a calendar date (its UTC
 * components); text dates follow `dateFormat`, and ISO `YYYY-MM-DD` is always accepted.
 */
export function cellValue(cell: TableCell, kind: CellKind, dateFormat: DateFormat): CellResult {
  if (cell === null) return { ok: true, value: kind === 'list' ? [] : null }
  const text = cellText(cell) ?? ''
  const word = text.toLowerCase().replace(/\s+/g, ' ')
  const fail = (problem: string): CellResult => ({
    ok: false,
    problem: `${quoted(cell)} ${problem}`,
  })
  switch (kind) {
    case 'text':
      return { ok: true, value: text }
    case 'list':
      return {
        ok: true,
        value: text
          .split(';')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      }
    case 'date': {
      if (cell instanceof Date) return { ok: true, value: isoDay(cell) }
      // a date's serial number in a cell not formatted as a date: which calendar is not guessed
      if (typeof cell === 'number')
        return fail('is a number, not a date: format the column as dates, or write YYYY-MM-DD')
      if (typeof cell !== 'string') return fail('is not a valid date')
      const parsed = parseDate(cell, dateFormat)
      if (!parsed.shape) {
        return fail(`is not a valid date (expected ${DATE_SHAPES[dateFormat]})`)
      }
      return parsed.day === null ? fail('is not a valid date') : { ok: true, value: parsed.day }
    }
    case 'datetime':
      if (cell instanceof Date) return { ok: true, value: cell.toISOString() }
      return typeof cell === 'string' && DATETIME.safeParse(cell).success
        ? { ok: true, value: cell }
        : fail(
            'is not a valid date and time (expected ISO 8601 with an offset: 2024-05-01T09:30:00Z)',
          )
    case 'amount': {
      const amount =
        typeof cell === 'number' ? cell : typeof cell === 'string' ? decimal(cell) : null
      if (amount === null || !Number.isFinite(amount)) return fail('is not a number')
      return amount < 0 ? fail('must not be negative') : { ok: true, value: amount }
    }
    case 'gender': {
      const gender = GENDER_WORDS[word]
      return gender ? { ok: true, value: gender } : fail(`is not a gender (${GENDERS.join(', ')})`)
    }
    case 'status': {
      const status = STATUS_WORDS[word]
      return status
        ? { ok: true, value: status }
        : fail(`is not a status (${EMPLOYEE_STATUSES.join(', ')})`)
    }
    case 'currency':
      return /^[a-z]{3}$/i.test(text)
        ? { ok: true, value: text.toUpperCase() }
        : fail('is not a currency code (three letters, like EUR)')
    case 'interval': {
      const interval = INTERVAL_WORDS[word]
      return interval
        ? { ok: true, value: interval }
        : fail(`is not a salary interval (${SALARY_INTERVALS.join(', ')})`)
    }
  }
}

/** A number a whole column can be typed as: plain notation, no leading zeros (`0042` is a code). */
export function plainNumber(cell: TableCell): number | null {
  if (typeof cell === 'number') return cell
  if (typeof cell !== 'string' || !/^-?(0|[1-9]\d*)(\.\d+)?$/.test(cell)) return null
  const value = Number(cell)
  return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : null
}

function decimal(text: string): number | null {
  const match = DECIMAL.exec(text)
  if (!match) return null
  return Number(`${match[1] ?? ''}.${match[2] ?? '0'}`)
}

/** The date a text names: `shape` false when it is not a date format; `day` null when no such day. */
function parseDate(
  text: string,
  format: DateFormat,
): { readonly shape: false } | { readonly shape: true; readonly day: string | null } {
  let parts: [string, string, string] | null = null
  const iso = ISO_DATE.exec(text)
  if (iso) parts = [iso[1] ?? '', iso[2] ?? '', iso[3] ?? '']
  else if (format === 'dmy') {
    const m = DMY_DATE.exec(text)
    if (m) parts = [m[3] ?? '', m[2] ?? '', m[1] ?? '']
  } else if (format === 'mdy') {
    const m = MDY_DATE.exec(text)
    if (m) parts = [m[3] ?? '', m[1] ?? '', m[2] ?? '']
  }
  if (parts === null) return { shape: false }
  const [year, month, day] = parts.map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  const valid =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  return { shape: true, day: valid ? isoDay(date) : null }
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}
