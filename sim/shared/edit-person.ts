import type { Person, PersonFields, PersonPatch } from './company.ts'
import { COMPANY_DOMAIN } from './generate-company.ts'

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * The person with `patch` applied at `at` (ISO instant): every field whose value changed gets
 * that time in `fieldUpdatedAt`, and `updatedAt` moves to it when anything changed.
 */
export const editPerson = (person: Person, patch: PersonPatch, at: string): Person => {
  const changed: string[] = []
  const next: Record<string, unknown> = { ...person }
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'custom') continue
    if (!same(person[key as keyof Person], value)) {
      next[key] = value
      changed.push(key)
    }
  }
  const custom = { ...person.custom }
  for (const [key, value] of Object.entries(patch.custom ?? {})) {
    if (!same(custom[key] ?? null, value)) {
      custom[key] = value
      changed.push(`custom.${key}`)
    }
  }
  if (changed.length === 0) return person
  const fieldUpdatedAt = { ...person.fieldUpdatedAt }
  for (const field of changed) fieldUpdatedAt[field] = at
  return { ...(next as unknown as Person), custom, updatedAt: at, fieldUpdatedAt }
}

/** A new person created at `at`: every field counts as set then. */
export const createPerson = (id: number, fields: PersonFields, at: string): Person => ({
  ...fields,
  id,
  createdAt: at,
  updatedAt: at,
  fieldUpdatedAt: {},
})

export interface Termination {
  /** 'YYYY-MM-DD'; may be after today (the person stays active until then). */
  readonly terminationDate: string
  readonly lastWorkingDay?: string
  readonly terminationType?: Person['terminationType']
  readonly terminationReason?: string | null
}

/** The patch that terminates a person as of `today` ('YYYY-MM-DD'). */
export const terminationPatch = (termination: Termination, today: string): PersonPatch => ({
  terminationDate: termination.terminationDate,
  lastWorkingDay: termination.lastWorkingDay ?? termination.terminationDate,
  terminationType: termination.terminationType ?? 'resignation',
  terminationReason: termination.terminationReason ?? null,
  ...(termination.terminationDate <= today ? { status: 'inactive' as const } : {}),
})

/**
 * What a new employee added through a simulator's admin API is, where the request says nothing:
 * modelled on `template` (the CEO: department, office, hours), reporting to them, hired today.
 */
export const newPersonFields = (id: number, template: Person, today: string): PersonFields => ({
  ...template,
  firstName: 'Neu',
  lastName: `Mitarbeiter ${String(id)}`,
  preferredName: null,
  workEmail: `neu.${String(id)}@${COMPANY_DOMAIN}`,
  personalEmail: null,
  workPhone: null,
  mobilePhone: null,
  employeeNumber: `NL-${String(id).padStart(5, '0')}`,
  position: 'Software Engineer',
  supervisorId: template.id,
  hireDate: today,
  probationEndDate: null,
  contractEndDate: null,
  terminationDate: null,
  lastWorkingDay: null,
  terminationType: null,
  terminationReason: null,
  status: 'active',
  custom: {},
})
