import { z } from 'zod'

import { isSourcePath } from '../model/source-path.ts'

export const FILTER_OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'exists',
  'not_exists',
  'before',
  'after',
  'contains',
] as const

const Scalar = z.union([z.string(), z.number(), z.boolean()])
/** A date, or `today` (the plan's `now`, in the configured time zone). */
const DateValue = z.union([z.iso.date(), z.literal('today')])

const SourcePath = z.string().refine(isSourcePath, {
  message: 'is not a field of the employee model (use e.g. status, office, custom.<key>)',
})

const field = { field: SourcePath }

/** Fields that hold dates; `before`/`after` compare dates, so they take these and custom fields. */
const DATE_FIELDS = new Set(['hireDate', 'terminationDate', 'lastWorkingDay', 'sourceUpdatedAt'])
const DateField = SourcePath.refine((f) => DATE_FIELDS.has(f) || f.startsWith('custom.'), {
  message: 'is not a date field (before and after compare dates)',
})

/** One condition on one field of the employee. */
export const FilterCondition = z.discriminatedUnion('op', [
  z.strictObject({ ...field, op: z.literal('eq'), value: Scalar }),
  z.strictObject({ ...field, op: z.literal('neq'), value: Scalar }),
  z.strictObject({ ...field, op: z.literal('in'), value: z.array(Scalar).min(1) }),
  z.strictObject({ ...field, op: z.literal('not_in'), value: z.array(Scalar).min(1) }),
  z.strictObject({ ...field, op: z.literal('exists') }),
  z.strictObject({ ...field, op: z.literal('not_exists') }),
  z.strictObject({ field: DateField, op: z.literal('before'), value: DateValue }),
  z.strictObject({ field: DateField, op: z.literal('after'), value: DateValue }),
  z.strictObject({ ...field, op: z.literal('contains'), value: Scalar }),
])
export type FilterCondition = z.infer<typeof FilterCondition>

/**
 * A "sync-if" rule: a condition, or a group that needs `all` or `any` of its rules to hold.
 * An empty `all` holds for everyone; an empty `any` for nobody.
 */
export type FilterRule = FilterCondition | { all: FilterRule[] } | { any: FilterRule[] }

// groups first: when a group is malformed ({ all: {...} }) that is the error to report, not a
// missing op of a condition nobody wrote (issuesFromZod keeps the first of equal alternatives)
export const FilterRule: z.ZodType<FilterRule> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(FilterRule) }),
    z.strictObject({ any: z.array(FilterRule) }),
    FilterCondition,
  ]),
)

/** Every source path a rule reads. */
export function filterFields(rule: FilterRule): string[] {
  if ('all' in rule) return rule.all.flatMap(filterFields)
  if ('any' in rule) return rule.any.flatMap(filterFields)
  return [rule.field]
}
