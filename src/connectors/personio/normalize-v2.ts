import { z } from 'zod'

import { blankEmployee } from '../../core/model/employee.ts'
import type { CustomField, Employee, InvalidRecord } from '../../core/model/employee.ts'
import { CUSTOM_HELD } from './personio-attributes.ts'
import type { AttributeInfo, HeldKeys } from './personio-attributes.ts'
import {
  calendarDate,
  customType,
  customValue,
  decimal,
  gender,
  instant,
  invalidPayload,
  preferredFirstName,
  recordIssues,
  status,
  text,
} from './personio-values.ts'

const Id = z.union([z.string(), z.number()]).transform(String)
const IdRef = z.looseObject({ id: Id.nullish() }).nullish()

export const V2CustomAttribute = z.looseObject({
  id: Id,
  type: z.string().nullish(),
  global_id: z.string().nullish(),
  label: z.string().nullish(),
  value: z.unknown(),
})

export const V2Person = z.looseObject({
  id: Id,
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  preferred_name: z.string().nullish(),
  gender: z.string().nullish(),
  status: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  custom_attributes: z.array(V2CustomAttribute).nullish(),
  employments: z.array(z.looseObject({ id: Id })).nullish(),
})
export type V2Person = z.infer<typeof V2Person>

export const V2Employment = z.looseObject({
  id: Id,
  position: z.looseObject({ title: z.string().nullish() }).nullish(),
  status: z.string().nullish(),
  weekly_working_hours: z.union([z.number(), z.string()]).nullish(),
  employment_start_date: z.string().nullish(),
  type: z.string().nullish(),
  supervisor: IdRef,
  office: IdRef,
  legal_entity: IdRef,
  sub_company: IdRef,
  org_units: z.array(z.looseObject({ type: z.string().nullish(), id: Id.nullish() })).nullish(),
  cost_centers: z.array(z.looseObject({ id: Id.nullish() })).nullish(),
  termination: z
    .looseObject({
      termination_date: z.string().nullish(),
      last_working_day: z.string().nullish(),
      type: z.string().nullish(),
      reason: z.string().nullish(),
    })
    .nullish(),
  employment_end_date: z.string().nullish(),
  probation_end_date: z.string().nullish(),
  contract_end_date: z.string().nullish(),
  updated_at: z.string().nullish(),
})
export type V2Employment = z.infer<typeof V2Employment>

/** `{ _data: [...], _meta: { links: { next: { href } } } }`: items are checked one by one. */
export const V2Page = z.looseObject({
  _data: z.array(z.unknown()),
  _meta: z
    .looseObject({
      links: z
        .record(z.string(), z.looseObject({ href: z.string().nullish() }).nullish())
        .nullish(),
    })
    .nullish(),
})

/**
 * Employment fields the model has no field of its own for, read as custom fields under the keys
 * of the v1 attributes they match (a mapping of `custom.contract_end_date` works with either API).
 */
export const EMPLOYMENT_EXTRAS = [
  {
    key: 'contract_end_date',
    label: 'Contract ends',
    type: 'date',
    from: (m: V2Employment) =>
      Object.hasOwn(m, 'contract_end_date') ? m.contract_end_date : undefined,
  },
  {
    key: 'probation_period_end',
    label: 'Probation period end',
    type: 'date',
    from: (m: V2Employment) =>
      Object.hasOwn(m, 'probation_end_date') ? m.probation_end_date : undefined,
  },
  {
    key: 'termination_type',
    label: 'Termination type',
    type: 'text',
    from: (m: V2Employment) => m.termination?.type ?? undefined,
  },
  {
    key: 'termination_reason',
    label: 'Termination reason',
    type: 'text',
    from: (m: V2Employment) => m.termination?.reason ?? undefined,
  },
] as const

/** The key a v2 custom attribute is stored under: its id, as a model key allows. */
export const customKeyV2 = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_')

export function attributesOfV2(person: V2Person): AttributeInfo[] {
  return (person.custom_attributes ?? []).map((a) => ({
    key: customKeyV2(a.id),
    label: a.label ?? a.id,
    type: a.type ?? null,
    universalId: a.global_id ?? null,
  }))
}

const V2_STATUS: Readonly<Record<string, string | null>> = {
  ACTIVE: 'active',
  ONBOARDING: 'onboarding',
  LEAVE: 'leave',
  INACTIVE: 'inactive',
  UNSPECIFIED: null,
}

/**
 * The employment a person is synced by: the current one (active, on leave or onboarding), else
 * the one that started last.
 */
export function currentEmployment(employments: readonly V2Employment[]): V2Employment | null {
  const live = employments.filter((e) => ['ACTIVE', 'LEAVE', 'ONBOARDING'].includes(e.status ?? ''))
  const pool = live.length > 0 ? live : employments
  return (
    [...pool].sort((a, b) =>
      (b.employment_start_date ?? '').localeCompare(a.employment_start_date ?? ''),
    )[0] ?? null
  )
}

/**
 * A v2 person with its employment as an `Employee`, or an invalid record naming the person and
 * the field. v2 employments name their office, org units and legal entity by id only, so those
 * stay unknown here (v1 reads them by name).
 */
export function normalizeV2(
  rawPerson: unknown,
  employment: V2Employment | null,
  held: HeldKeys,
  today: string,
): { record: Employee } | { invalid: InvalidRecord } {
  const parsed = V2Person.safeParse(rawPerson)
  const rawId = (rawPerson as { id?: unknown } | null)?.id
  const externalId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null
  const name = externalId === null ? 'a person without an id' : `person ${externalId}`
  if (!parsed.success || externalId === null) {
    return invalidPayload(externalId, `${name}: not a person as Personio sends them`)
  }
  const p = parsed.data
  const { issues, read } = recordIssues(name, externalId)
  const e = blankEmployee(externalId)
  e.firstName = text(p.first_name)
  e.lastName = text(p.last_name)
  e.preferredName = preferredFirstName(text(p.preferred_name), e.firstName, e.lastName)
  e.workEmail = text(p.email)
  const g = text(p.gender)
  e.gender = g === null || g === 'UNSPECIFIED' ? null : gender(g.toLowerCase())
  e.sourceUpdatedAt = read('updated_at', () => instant(p.updated_at), null)
  if (employment) {
    const m = employment
    e.hireDate = read('employment_start_date', () => calendarDate(m.employment_start_date), null)
    e.terminationDate = read(
      'termination.termination_date',
      () => calendarDate(m.termination?.termination_date ?? m.employment_end_date),
      null,
    )
    e.lastWorkingDay = read(
      'termination.last_working_day',
      () => calendarDate(m.termination?.last_working_day),
      null,
    )
    const s = V2_STATUS[m.status ?? 'UNSPECIFIED'] ?? null
    e.status = read('status', () => status(s, e.terminationDate, today), 'active')
    const title = text(m.position?.title)
    e.position = title === null ? null : { id: null, name: title }
    e.weeklyHours = read('weekly_working_hours', () => decimal(m.weekly_working_hours), null)
    const type = text(m.type)
    e.employmentType = type === null || type === 'UNSPECIFIED' ? null : type.toLowerCase()
    e.supervisorExternalId = m.supervisor?.id ?? null
  } else {
    // no employment: the person's own status, which knows only active and inactive
    const s = p.status === 'ACTIVE' ? 'active' : p.status === 'INACTIVE' ? 'inactive' : null
    e.status = status(s, null, today)
  }
  const custom: Record<string, CustomField> = {}
  for (const a of p.custom_attributes ?? []) {
    const key = customKeyV2(a.id)
    const type = customType(a.type)
    custom[key] = {
      label: text(a.label) ?? key,
      type,
      value: read(key, () => customValue(type, a.value), null),
    }
  }
  for (const extra of employment ? EMPLOYMENT_EXTRAS : []) {
    const value = employment === null ? undefined : extra.from(employment)
    if (value === undefined) continue
    const { key, label, type } = extra
    custom[key] = { label, type, value: read(key, () => customValue(type, value), null) }
  }
  e.custom = custom
  for (const field of CUSTOM_HELD) {
    const key = held[field]
    const value = key === undefined ? undefined : custom[key]?.value
    if (value !== undefined && value !== null)
      e[field] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  if (issues.length > 0) return { invalid: { externalId, issues } }
  return { record: e }
}

const PERSON_KEYS: Readonly<Record<string, string>> = {
  email: 'workEmail',
  first_name: 'firstName',
  last_name: 'lastName',
  preferred_name: 'preferredName',
  gender: 'gender',
  updated_at: 'sourceUpdatedAt',
}
const EMPLOYMENT_KEYS: Readonly<Record<string, readonly string[]>> = {
  status: ['status'],
  employment_start_date: ['hireDate'],
  employment_end_date: ['terminationDate', 'lastWorkingDay'],
  position: ['position'],
  weekly_working_hours: ['weeklyHours'],
  type: ['employmentType'],
  supervisor: ['supervisorExternalId'],
}

/**
 * The model fields a v2 person and employment show the credential reads: the keys it sends (v2
 * leaves out what a credential may not read; a key with a null value is readable). Some keys
 * come only with a value (a supervisor, a custom attribute): the union over a read tells.
 */
export function readableV2(
  person: V2Person,
  employment: V2Employment | null,
  held: HeldKeys,
): string[] {
  const out = ['externalId']
  for (const [key, path] of Object.entries(PERSON_KEYS))
    if (Object.hasOwn(person, key)) out.push(path)
  if (employment) {
    for (const [key, paths] of Object.entries(EMPLOYMENT_KEYS)) {
      if (Object.hasOwn(employment, key)) out.push(...paths)
    }
    if (employment.termination?.termination_date != null) out.push('terminationDate')
    for (const extra of EMPLOYMENT_EXTRAS)
      if (extra.from(employment) !== undefined) out.push(`custom.${extra.key}`)
  }
  for (const a of person.custom_attributes ?? []) {
    const key = customKeyV2(a.id)
    out.push(`custom.${key}`)
    for (const field of CUSTOM_HELD) if (held[field] === key) out.push(field)
  }
  return out
}
