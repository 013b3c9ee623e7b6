import { z } from 'zod'

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']

const FIELDS = [
  { name: 'minute', min: 0, max: 59, names: [] as string[], base: 0 },
  { name: 'hour', min: 0, max: 23, names: [], base: 0 },
  { name: 'day of month', min: 1, max: 31, names: [], base: 0 },
  { name: 'month', min: 1, max: 12, names: MONTHS, base: 1 },
  // 7 is Sunday too, as in Vixie cron
  { name: 'day of week', min: 0, max: 7, names: DAYS, base: 0 },
] as const

type Field = (typeof FIELDS)[number]

/** A value of a field, or a name (`mon`, `jan`) where the field has names; null when neither. */
function value(field: Field, text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text)
  const i = (field.names as readonly string[]).indexOf(text.toLowerCase())
  return i === -1 ? null : i + field.base
}

/** What is wrong with one comma-separated part of a field (`1-5/2`, `*`), or null. */
function partProblem(field: Field, part: string): string | null {
  const [range = '', step, extra] = part.split('/')
  if (extra !== undefined) return `${field.name} "${part}" has more than one /`
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) {
    return `${field.name} "${part}": the step after / must be a positive number`
  }
  if (range === '*') return null
  const bounds = range.split('-')
  if (bounds.length > 2) return `${field.name} "${part}" is not a value or a range a-b`
  const values = bounds.map((b) => value(field, b))
  if (values.some((v) => v === null)) {
    return `${field.name} "${part}" is not a number${field.names.length > 0 ? ' or a name' : ''}`
  }
  const out = values.find((v) => v !== null && (v < field.min || v > field.max))
  if (out !== undefined) {
    return `${field.name} ${out} is out of range ${field.min}-${field.max}`
  }
  const [from, to] = values
  if (from != null && to != null && from > to) {
    return `${field.name} range "${range}" runs backwards`
  }
  return null
}

/**
 * What is wrong with a five-field cron expression (`minute hour day-of-month month day-of-week`,
 * each `*`, a value, a range `a-b`, a step `/n` or a comma list of these), or null when it is
 * valid. Months and days of the week also take names (`jan`, `mon`).
 */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== FIELDS.length) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron expression has 5: minute hour day-of-month month day-of-week (e.g. "*/15 * * * *")`
  }
  for (const [i, field] of FIELDS.entries()) {
    for (const part of (fields[i] ?? '').split(',')) {
      const problem = partProblem(field, part)
      if (problem !== null) return problem
    }
  }
  return null
}

/** A five-field cron expression, checked field by field so the message says which is wrong. */
export const Cron = z.string().superRefine((expression, ctx) => {
  const problem = cronProblem(expression)
  if (problem !== null)
    ctx.addIssue({ code: 'custom', message: `is not a valid schedule: ${problem}` })
})
