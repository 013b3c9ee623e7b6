import { z } from 'zod'

import type { Issue } from '../errors.ts'

/** Text that is known. Unknown is `null`, never `''`. */
export const Text = z.string().regex(/\S/, { message: 'must not be blank: unknown is null' })
/** A calendar date, `YYYY-MM-DD`. */
export const IsoDate = z.iso.date()

/** A named thing in the HR system (department, office, team, legal entity, position). */
export const Ref = z.strictObject({ id: Text.nullable(), name: Text })
export type Ref = z.infer<typeof Ref>

export const EMPLOYEE_STATUSES = [
  'active',
  'onboarding',
  'leave',
  'inactive',
  'terminated',
] as const
export const EmployeeStatus = z.enum(EMPLOYEE_STATUSES)
export type EmployeeStatus = z.infer<typeof EmployeeStatus>

export const GENDERS = ['female', 'male', 'diverse', 'undisclosed'] as const

export const SALARY_INTERVALS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const
export const Salary = z.strictObject({
  amount: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code' }),
  interval: z.enum(SALARY_INTERVALS),
})

export const Address = z.strictObject({
  street: Text.nullable(),
  postalCode: Text.nullable(),
  city: Text.nullable(),
  region: Text.nullable(),
  country: Text.nullable(),
})

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'options', 'list'] as const
export const CustomValue = z.union([Text, z.number(), z.boolean(), z.array(Text)])
export const CustomField = z.strictObject({
  label: Text,
  type: z.enum(CUSTOM_FIELD_TYPES),
  value: CustomValue.nullable(),
})
export type CustomField = z.infer<typeof CustomField>

/**
 * One employee as every connector delivers it: the unified model the rest of the flow sees.
 * Keys are stable API keys, never the HR system's display labels; unknown is `null` (never `''`,
 * never "now"); dates are ISO calendar dates. `custom` is keyed by the HR system's stable field
 * key (Personio `dynamic_123`, BambooHR `customShirtSize`).
 */
export const Employee = z.strictObject({
  externalId: Text,
  employeeNumber: Text.nullable(),
  firstName: Text.nullable(),
  lastName: Text.nullable(),
  preferredName: Text.nullable(),
  workEmail: Text.nullable(),
  personalEmail: Text.nullable(),
  mobilePhone: Text.nullable(),
  workPhone: Text.nullable(),
  gender: z.enum(GENDERS).nullable(),
  status: EmployeeStatus,
  hireDate: IsoDate.nullable(),
  terminationDate: IsoDate.nullable(),
  lastWorkingDay: IsoDate.nullable(),
  position: Ref.nullable(),
  department: Ref.nullable(),
  team: Ref.nullable(),
  office: Ref.nullable(),
  legalEntity: Ref.nullable(),
  costCenters: z.array(Ref),
  employmentType: Text.nullable(),
  occupationType: Text.nullable(),
  weeklyHours: z.number().nonnegative().nullable(),
  supervisorExternalId: Text.nullable(),
  salary: Salary.nullable(),
  address: Address.nullable(),
  sourceUpdatedAt: z.iso.datetime({ offset: true }).nullable(),
  custom: z.record(z.string().min(1), CustomField),
})
export type Employee = z.infer<typeof Employee>

/** A record the HR system sent that could not be made an `Employee`: planned as `invalid_record`. */
export interface InvalidRecord {
  /** The HR system's id, when the payload had a usable one. */
  readonly externalId: string | null
  readonly issues: readonly Issue[]
}

/** An employee with every optional value unknown: the base that normalizers and tests fill in. */
export function blankEmployee(externalId: string, status: EmployeeStatus = 'active'): Employee {
  return {
    externalId,
    employeeNumber: null,
    firstName: null,
    lastName: null,
    preferredName: null,
    workEmail: null,
    personalEmail: null,
    mobilePhone: null,
    workPhone: null,
    gender: null,
    status,
    hireDate: null,
    terminationDate: null,
    lastWorkingDay: null,
    position: null,
    department: null,
    team: null,
    office: null,
    legalEntity: null,
    costCenters: [],
    employmentType: null,
    occupationType: null,
    weeklyHours: null,
    supervisorExternalId: null,
    salary: null,
    address: null,
    sourceUpdatedAt: null,
    custom: {},
  }
}
