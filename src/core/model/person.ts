import { createHash } from 'node:crypto'
import { z } from 'zod'

import { IsoDate, Text } from './employee.ts'
import { FieldValue } from './field-value.ts'

/** The fields of a person in the built-in directory; `custom.<key>` adds a field of your own. */
export const DIRECTORY_FIELDS = {
  firstName: { label: 'First name', type: 'text' },
  lastName: { label: 'Last name', type: 'text' },
  preferredName: { label: 'Preferred name', type: 'text' },
  displayName: { label: 'Name', type: 'text' },
  email: { label: 'Email', type: 'email' },
  personalEmail: { label: 'Personal email', type: 'email' },
  phone: { label: 'Mobile phone', type: 'phone' },
  workPhone: { label: 'Work phone', type: 'phone' },
  employeeNumber: { label: 'Employee number', type: 'text' },
  gender: { label: 'Gender', type: 'text' },
  jobTitle: { label: 'Job title', type: 'text' },
  department: { label: 'Department', type: 'text' },
  team: { label: 'Team', type: 'text' },
  office: { label: 'Office', type: 'text' },
  legalEntity: { label: 'Legal entity', type: 'text' },
  costCenters: { label: 'Cost centers', type: 'list' },
  employmentType: { label: 'Employment type', type: 'text' },
  occupationType: { label: 'Occupation type', type: 'text' },
  weeklyHours: { label: 'Weekly hours', type: 'number' },
  hireDate: { label: 'Hire date', type: 'date' },
  terminationDate: { label: 'Termination date', type: 'date' },
  lastWorkingDay: { label: 'Last working day', type: 'date' },
  salaryAmount: { label: 'Salary', type: 'number' },
  salaryCurrency: { label: 'Salary currency', type: 'text' },
  salaryInterval: { label: 'Salary interval', type: 'text' },
} as const satisfies Record<string, { label: string; type: string }>

export type DirectoryField = keyof typeof DIRECTORY_FIELDS

/** A directory field name: one of `DIRECTORY_FIELDS` or `custom.<key>`. */
export const TargetField = z.string().refine((name) => isTargetField(name), {
  message: 'is not a directory field (use one of the built-in fields or custom.<key>)',
})

export function isTargetField(name: string): boolean {
  return Object.hasOwn(DIRECTORY_FIELDS, name) || /^custom\.[A-Za-z0-9_-]+$/.test(name)
}

export function targetFieldLabel(name: string): string {
  return (DIRECTORY_FIELDS as Record<string, { label: string }>)[name]?.label ?? name
}

const E164 = /^\+[1-9]\d{1,14}$/
const Email = z.email()

/**
 * What is wrong with `value` for directory field `field`, by the field's type (a date field takes
 * `YYYY-MM-DD`, a number field a number…), or null when it fits. `null` (empty) fits every field;
 * a custom field has no declared type and takes any value.
 */
export function fieldValueProblem(field: string, value: FieldValue): string | null {
  if (value === null) return null
  const type = (DIRECTORY_FIELDS as Record<string, { type: string } | undefined>)[field]?.type
  if (type === undefined) return null
  const label = targetFieldLabel(field)
  const shown = JSON.stringify(value)
  switch (type) {
    case 'text':
      return typeof value === 'string' ? null : `${label} takes text, not ${shown}`
    case 'email':
      return typeof value === 'string' && Email.safeParse(value.trim()).success
        ? null
        : `${label} takes an email address (name@example.com), not ${shown}`
    case 'phone':
      return typeof value === 'string' && E164.test(value)
        ? null
        : `${label} takes a phone number in international form (+4917112345678), not ${shown}`
    case 'date':
      return typeof value === 'string' && IsoDate.safeParse(value).success
        ? null
        : `${label} takes a date as YYYY-MM-DD (2026-03-31), not ${shown}`
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? null
        : `${label} takes a number, not ${shown}`
    case 'list':
      return Array.isArray(value) ? null : `${label} takes a list of text, not ${shown}`
    default:
      return null
  }
}

/** Which record of which connection a person or team came from; set once linked, never guessed. */
export const SourceKey = z.strictObject({ connectionId: Text, externalId: Text })
export type SourceKey = z.infer<typeof SourceKey>

export const PERSON_STATUSES = ['active', 'leaver'] as const
export const INVITE_STATUSES = ['not_invited', 'pending', 'sent', 'accepted', 'failed'] as const

/**
 * What a sync decides about a person: everything the content hash covers. Team memberships and
 * the manager link are changes of their own (they refer to people and teams that a plan may
 * create), so they are not part of it.
 */
export const PersonContent = z.strictObject({
  fields: z.record(TargetField, FieldValue),
  identifier: Text.nullable(),
  sourceKey: SourceKey.nullable(),
  status: z.enum(PERSON_STATUSES),
  leaverDate: IsoDate.nullable(),
  groups: z.array(Text),
})
export type PersonContent = z.infer<typeof PersonContent>

/**
 * A record of the built-in directory. `identifier` is the value used for matching (Ledgy's
 * "Identifier" column); `hash` is the content hash a plan is computed against.
 */
export const Person = PersonContent.extend({
  id: Text,
  managerId: Text.nullable(),
  teamIds: z.array(Text),
  inviteStatus: z.enum(INVITE_STATUSES),
  hash: z.string(),
})
export type Person = z.infer<typeof Person>

export const TeamContent = z.strictObject({ name: Text, sourceKey: SourceKey.nullable() })
export type TeamContent = z.infer<typeof TeamContent>
export const Team = TeamContent.extend({ id: Text, hash: z.string() })
export type Team = z.infer<typeof Team>

/** JSON with object keys sorted, so equal content always serializes (and hashes) the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  )
}

const sha = (text: string): string => createHash('sha256').update(text).digest('base64url')

/** The content hash of a person: changes exactly when what a sync decides about it changes. */
export function personHash(content: PersonContent): string {
  return sha(
    canonicalJson({
      fields: content.fields,
      identifier: content.identifier,
      sourceKey: content.sourceKey,
      status: content.status,
      leaverDate: content.leaverDate,
      groups: [...content.groups].sort(),
    }),
  )
}

export function teamHash(content: TeamContent): string {
  return sha(canonicalJson({ name: content.name, sourceKey: content.sourceKey }))
}

export function contentOf(person: Person): PersonContent {
  return {
    fields: person.fields,
    identifier: person.identifier,
    sourceKey: person.sourceKey,
    status: person.status,
    leaverDate: person.leaverDate,
    groups: person.groups,
  }
}
