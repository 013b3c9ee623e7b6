import { getCountries } from 'libphonenumber-js/max'
import type { CountryCode } from 'libphonenumber-js/max'
import { z } from 'zod'

import { Text } from '../model/employee.ts'
import { DIRECTORY_FIELDS, isTargetField, targetFieldLabel } from '../model/person.ts'
import { isSourcePath, sourceLabel, sourceType } from '../model/source-path.ts'
import type { SourceType } from '../model/source-path.ts'

export const NAME_FORMATS = ['first_last', 'last_first', 'last_comma_first'] as const
export type NameFormat = (typeof NAME_FORMATS)[number]

const countries = new Set<string>(getCountries())
export const Country = z
  .string()
  .refine((c): c is CountryCode => countries.has(c), { message: 'is not an ISO 3166 country code' })

export const DATE_INPUTS = ['auto', 'YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY'] as const

/** A value written in a config: like a field value, but text is never blank (unknown is null). */
const Value = z.union([Text, z.number(), z.boolean(), z.array(Text)])

/** A named transform, applied in order to the value read from the source. */
export const Transform = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('trim') }),
  z.strictObject({ op: z.literal('lower') }),
  /** Builds a name from the employee's parts (the input value is not used). */
  z.strictObject({
    op: z.literal('name_format'),
    format: z.enum(NAME_FORMATS),
    /** Use the preferred name in place of the first name when there is one (default true). */
    preferred: z.boolean().default(true),
  }),
  /** To E.164; a number that cannot be made valid is an issue on the record, not a value. */
  z.strictObject({ op: z.literal('phone_e164'), defaultCountry: Country }),
  /** To `YYYY-MM-DD`; `auto` takes ISO dates and date-times and `DD.MM.YYYY`. */
  z.strictObject({ op: z.literal('date'), input: z.enum(DATE_INPUTS).default('auto') }),
  /** A value table; a value not in it is kept (`otherwise: keep`) or becomes unknown. */
  z.strictObject({
    op: z.literal('map'),
    table: z.record(z.string(), Value.nullable()),
    otherwise: z.enum(['keep', 'null']).default('keep'),
  }),
  z.strictObject({ op: z.literal('default'), value: Value }),
])
export type Transform = z.infer<typeof Transform>

const SourcePath = z.string().refine(isSourcePath, {
  message: 'is not a field of the employee model (use e.g. workEmail, department, custom.<key>)',
})
const PLACEHOLDER = /\{([^{}]+)\}/g

export const OWNERS = ['hris', 'app'] as const
export type Owner = (typeof OWNERS)[number]

/**
 * How one directory field gets its value: read `from` a model path, fill a `template`
 * (`"{firstName} {lastName}"`) or set a `const`, then apply `transforms`. `owner: hris` (default)
 * means the HR system wins on every sync, overwriting edits made in the application; `owner: app`
 * sets the field on create only.
 */
export const FieldRule = z
  .strictObject({
    from: SourcePath.optional(),
    template: z
      .string()
      .superRefine((t, ctx) => {
        const paths = [...t.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '')
        if (paths.length === 0) {
          ctx.addIssue({
            code: 'custom',
            message: 'has no {placeholder}: use const for a fixed value',
          })
        }
        for (const path of paths.filter((p) => !isSourcePath(p))) {
          ctx.addIssue({
            code: 'custom',
            message: `{${path}} is not a field of the employee model`,
          })
        }
      })
      .optional(),
    const: Value.nullable().optional(),
    transforms: z.array(Transform).default([]),
    owner: z.enum(OWNERS).default('hris'),
  })
  .refine(
    (r) =>
      [r.from, r.template, r.const].filter((x) => x !== undefined).length +
        (r.transforms[0]?.op === 'name_format' ? 1 : 0) ===
      1,
    { message: 'needs exactly one of from, template, const (or a name_format transform first)' },
  )
export type FieldRule = z.infer<typeof FieldRule>

type ValueType = SourceType | 'boolean' | 'any'

/** The type a rule produces, as far as the config tells; `any` when only the data can. */
function ruleType(rule: FieldRule): ValueType {
  let type: ValueType
  if (rule.template !== undefined) type = 'text'
  else if (rule.from !== undefined) type = sourceType(rule.from) ?? 'any'
  else if (rule.const !== undefined) {
    const c = rule.const
    type =
      c === null
        ? 'any'
        : Array.isArray(c)
          ? 'list'
          : typeof c === 'string'
            ? /^\d{4}-\d{2}-\d{2}$/.test(c)
              ? 'date'
              : 'text'
            : (typeof c as 'number' | 'boolean')
  } else type = 'text' // name_format
  for (const t of rule.transforms) {
    if (t.op === 'date') type = 'date'
    else if (t.op === 'map') type = 'any'
    else if (t.op === 'name_format' || t.op === 'phone_e164') type = 'text'
  }
  return type
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)

/** Which produced types a directory field takes: a date is text too, a number is not. */
const ACCEPTS: Record<string, readonly ValueType[]> = {
  text: ['text', 'date', 'datetime'],
  email: ['text'],
  phone: ['text'],
  date: ['date'],
  number: ['number'],
  list: ['list'],
}

/** The mapping: directory field ← rule. Fields not listed are never touched by a sync. */
export const MappingConfig = z.record(z.string(), FieldRule).superRefine((mapping, ctx) => {
  for (const [field, rule] of Object.entries(mapping)) {
    if (!isTargetField(field)) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `"${field}" is not a directory field (use one of the built-in fields or custom.<key>)`,
      })
      continue
    }
    const target = (DIRECTORY_FIELDS as Record<string, { type: string } | undefined>)[field]?.type
    const produced = ruleType(rule)
    const accepts = target === undefined ? undefined : ACCEPTS[target]
    if (target !== undefined && produced !== 'any' && accepts && !accepts.includes(produced)) {
      const what = rule.from === undefined ? 'this rule gives' : `${sourceLabel(rule.from)} is`
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `${targetFieldLabel(field)} takes ${article(target)}, but ${what} ${produced === 'text' ? 'text' : article(produced)}: convert it with a transform (date, map) or a template`,
      })
    }
  }
})
export type MappingConfig = z.infer<typeof MappingConfig>

/** The source paths a rule needs: a field it needs but cannot read is left out of a sync. */
export function ruleSources(rule: FieldRule): string[] {
  if (rule.from !== undefined) return [rule.from]
  if (rule.template !== undefined) {
    return [...rule.template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '')
  }
  // a preferred name that cannot be read is unknown, not absent: without it the display name
  // is left as it is rather than rewritten with the legal first name (preferred: false opts out)
  const names = rule.transforms[0]
  if (names?.op === 'name_format') {
    return names.preferred ? ['firstName', 'lastName', 'preferredName'] : ['firstName', 'lastName']
  }
  return []
}

/**
 * The mapping of the built-in directory: names, emails, phones in E.164, job data and dates,
 * all owned by the HR system. `nameFormat` is how the display name is written.
 */
export function defaultMapping(
  options: { defaultCountry?: CountryCode; nameFormat?: NameFormat } = {},
): MappingConfig {
  const phone = [{ op: 'phone_e164', defaultCountry: options.defaultCountry ?? 'DE' }] as const
  const text = [{ op: 'trim' }] as const
  const email = [{ op: 'trim' }, { op: 'lower' }] as const
  const raw = {
    firstName: { from: 'firstName', transforms: text },
    lastName: { from: 'lastName', transforms: text },
    preferredName: { from: 'preferredName', transforms: text },
    displayName: {
      transforms: [{ op: 'name_format', format: options.nameFormat ?? 'first_last' }],
    },
    email: { from: 'workEmail', transforms: email },
    personalEmail: { from: 'personalEmail', transforms: email },
    phone: { from: 'mobilePhone', transforms: phone },
    workPhone: { from: 'workPhone', transforms: phone },
    employeeNumber: { from: 'employeeNumber', transforms: text },
    jobTitle: { from: 'position' },
    department: { from: 'department' },
    team: { from: 'team' },
    office: { from: 'office' },
    legalEntity: { from: 'legalEntity' },
    employmentType: { from: 'employmentType' },
    hireDate: { from: 'hireDate' },
    terminationDate: { from: 'terminationDate' },
  }
  return MappingConfig.parse(raw)
}
