// The HR-system-neutral model of a simulated company: people, org tree, dates. An HR simulator
// (Personio, later BambooHR) renders it in its own API's shapes.
import type { Gender } from './names.ts'

export interface LegalEntity {
  readonly id: number
  readonly name: string
  readonly country: string
}

export interface Office {
  readonly id: number
  readonly name: string
  readonly country: string
  /** Dialling code without '+', and the area code dialled inside the country (with its 0). */
  readonly countryCode: string
  readonly areaCode: string
  readonly legalEntityId: number
  readonly holidayCalendar: { readonly id: number; readonly name: string; readonly state: string }
}

export interface Department {
  readonly id: number
  readonly name: string
  readonly costCenterId: number
}

export interface Team {
  readonly id: number
  readonly name: string
  readonly departmentId: number
}

export interface CostCenter {
  readonly id: number
  readonly name: string
}

export type CustomFieldKind = 'text' | 'date' | 'list' | 'number'
export type CustomValue = string | number | null

/** A field the company defined itself; labels in each language the company may use. */
export interface CustomField {
  readonly key: string
  readonly kind: CustomFieldKind
  readonly labels: { readonly en: string; readonly de: string }
  readonly options?: readonly string[]
}

export type EmploymentStatus = 'active' | 'inactive' | 'onboarding' | 'leave'
export type EmploymentType = 'internal' | 'external'
export type TerminationType = 'resignation' | 'dismissal' | 'mutual_agreement' | 'contract_expired'

/** One employee. Days are 'YYYY-MM-DD', instants ISO 8601 UTC; null is "not set". */
export interface Person {
  readonly id: number
  readonly firstName: string
  readonly lastName: string
  readonly preferredName: string | null
  readonly gender: Gender
  readonly workEmail: string
  readonly personalEmail: string | null
  readonly workPhone: string | null
  readonly mobilePhone: string | null
  readonly employeeNumber: string
  readonly birthday: string | null
  readonly position: string
  readonly departmentId: number
  readonly teamId: number | null
  readonly officeId: number
  readonly legalEntityId: number
  readonly costCenterId: number
  readonly supervisorId: number | null
  readonly employmentType: EmploymentType
  /** As the HR system stores it: a decimal string, '40' or '38.5'. */
  readonly weeklyHours: string
  readonly fixSalary: number
  readonly vacationDayBalance: number
  readonly hireDate: string
  readonly probationEndDate: string | null
  readonly contractEndDate: string | null
  readonly terminationDate: string | null
  readonly lastWorkingDay: string | null
  readonly terminationType: TerminationType | null
  readonly terminationReason: string | null
  readonly status: EmploymentStatus
  readonly custom: Readonly<Record<string, CustomValue>>
  readonly createdAt: string
  readonly updatedAt: string
  /** When each field last changed (keys of Person, or `custom.<key>`); absent: at createdAt. */
  readonly fieldUpdatedAt: Readonly<Record<string, string>>
}

/** The fields an edit may set. */
export type PersonFields = Omit<Person, 'id' | 'createdAt' | 'updatedAt' | 'fieldUpdatedAt'>
export type PersonPatch = Partial<Omit<PersonFields, 'custom'>> & {
  readonly custom?: Readonly<Record<string, CustomValue>>
}

export interface Company {
  readonly name: string
  readonly legalEntities: readonly LegalEntity[]
  readonly offices: readonly Office[]
  readonly departments: readonly Department[]
  readonly teams: readonly Team[]
  readonly costCenters: readonly CostCenter[]
  readonly customFields: readonly CustomField[]
  readonly people: readonly Person[]
}

/** When a field of a person last changed. */
export const fieldUpdatedAt = (person: Person, field: string): string =>
  person.fieldUpdatedAt[field] ?? person.createdAt
