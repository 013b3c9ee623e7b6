import { getCountries } from 'libphonenumber-js/max'
import type { CountryCode } from 'libphonenumber-js/max'
import { z } from 'zod'

import { FieldValue } from '../model/field-value.ts'
import { isTargetField } from '../model/person.ts'
import { isSourcePath } from '../model/source-path.ts'

export const NAME_FORMATS = ['first_last', 'last_first', 'last_comma_first'] as const
export type NameFormat = (typeof NAME_FORMATS)[number]

const countries = new Set<string>(getCountries())
export const Country = z
  .string()
  .refine((c): c is CountryCode => countries.has(c), { message: 'is not an ISO 3166 country code' })

export const DATE_INPUTS = ['auto', 'YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY'] as const

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
    table: z.record(z.string(), FieldValue),
    otherwise: z.enum(['keep', 'null']).default('keep'),
  }),
  z.strictObject({
    op: z.literal('default'),
    value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]),
  }),
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
      .refine((t) => [...t.matchAll(PLACEHOLDER)].every((m) => isSourcePath(m[1] ?? '')), {
        message: 'has a {placeholder} that is not a field of the employee model',
      })
      .optional(),
    const: FieldValue.optional(),
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

/** The mapping: directory field ← rule. Fields not listed are never touched by a sync. */
export const MappingConfig = z.record(z.string(), FieldRule).superRefine((mapping, ctx) => {
  for (const field of Object.keys(mapping)) {
    if (!isTargetField(field)) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `"${field}" is not a directory field (use one of the built-in fields or custom.<key>)`,
      })
    }
  }
})
export type MappingConfig = z.infer<typeof MappingConfig>

/** Every source path a rule reads. */
export function ruleSources(rule: FieldRule): string[] {
  if (rule.from !== undefined) return [rule.from]
  if (rule.template !== undefined) {
    return [...rule.template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '')
  }
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
