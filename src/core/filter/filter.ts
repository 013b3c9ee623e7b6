import type { Employee } from '../model/employee.ts'
import type { FieldValue } from '../model/field-value.ts'
import { parseDate } from '../mapping/map-employee.ts'
import { sourceReader } from '../model/source-path.ts'
import type { FilterCondition, FilterRule } from './filter-rule.ts'

export type EmployeePredicate = (employee: Employee) => boolean

const AUTO = { op: 'date', input: 'auto' } as const

const fold = (value: string | number | boolean): string =>
  typeof value === 'string' ? value.trim().toLocaleLowerCase('en') : String(value)

/** Values compare as text, case-insensitively: "berlin" finds the office "Berlin", 40 finds "40". */
function equalsAny(actual: FieldValue, targets: ReadonlySet<string>): boolean {
  if (actual === null) return false
  if (!Array.isArray(actual)) return targets.has(fold(actual))
  return actual.some((v) => targets.has(fold(v)))
}
const folded = (values: readonly (string | number | boolean)[]): ReadonlySet<string> =>
  new Set(values.map(fold))

function compileCondition(condition: FilterCondition, today: string): EmployeePredicate {
  const read = sourceReader(condition.field)
  // a ref field matches by name or by id ("Berlin" or "office-17")
  const idRead = /^(position|department|team|office|legalEntity)$/.test(condition.field)
    ? sourceReader(`${condition.field}.id`)
    : null
  const either =
    (test: (value: FieldValue) => boolean): EmployeePredicate =>
    (e) =>
      test(read(e)) || (idRead !== null && test(idRead(e)))
  const isSet = (v: FieldValue): boolean => v !== null && (!Array.isArray(v) || v.length > 0)
  const date = (v: string): string => (v === 'today' ? today : v)

  switch (condition.op) {
    case 'eq':
    case 'in': {
      const wanted = folded(condition.op === 'eq' ? [condition.value] : condition.value)
      return either((v) => equalsAny(v, wanted))
    }
    case 'neq':
    case 'not_in': {
      const wanted = folded(condition.op === 'neq' ? [condition.value] : condition.value)
      const isIn = either((v) => equalsAny(v, wanted))
      return (e) => !isIn(e)
    }
    case 'exists':
      return (e) => isSet(read(e))
    case 'not_exists':
      return (e) => !isSet(read(e))
    case 'before':
    case 'after': {
      const bound = date(condition.value)
      const before = condition.op === 'before'
      return (e) => {
        // a value that is not a date (a custom text field, say) is neither before nor after
        const v = read(e)
        const day = typeof v === 'string' ? parseDate(v, AUTO) : null
        return day !== null && (before ? day < bound : day > bound)
      }
    }
    case 'contains': {
      const needle = fold(condition.value)
      return (e) => {
        const v = read(e)
        if (v === null) return false
        if (Array.isArray(v)) return v.some((item) => fold(item) === needle)
        // text contains text; a number or a flag only "contains" itself (40 does not contain 4)
        return typeof v === 'string' ? fold(v).includes(needle) : fold(v) === needle
      }
    }
  }
}

/**
 * Compiles a sync-if rule into a predicate once, so a company of 100,000 is filtered without
 * re-reading the rule. `today` (`YYYY-MM-DD`) is what `before`/`after: "today"` compare with.
 * A condition on an unknown value (`null`) fails every op except `neq`, `not_in` and `not_exists`.
 */
export function compileFilter(rule: FilterRule | null, today: string): EmployeePredicate {
  if (rule === null) return () => true
  if ('all' in rule) {
    const parts = rule.all.map((r) => compileFilter(r, today))
    return (e) => parts.every((p) => p(e))
  }
  if ('any' in rule) {
    const parts = rule.any.map((r) => compileFilter(r, today))
    return (e) => parts.some((p) => p(e))
  }
  return compileCondition(rule, today)
}
