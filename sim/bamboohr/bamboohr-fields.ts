// The employee fields of the simulated BambooHR account, as GET /v1/meta/fields lists them, and
// how each reads from a person of the shared company. BambooHR answers every value as text:
// dates 'YYYY-MM-DD' ('0000-00-00' when empty), lists by their option's name, employees (the
// supervisor) by name or id.
import type { Company, CustomField, Person } from '../shared/company.ts'
import { CUSTOM_FIELDS } from '../shared/generate-company.ts'

/** 'YYYY-MM-DD', or BambooHR's empty date. */
export const EMPTY_DATE = '0000-00-00'

/** A person as the BambooHR account holds them: some were entered without a hire date. */
export interface BambooPerson extends Omit<Person, 'hireDate'> {
  readonly hireDate: string | null
}

/** What rendering needs besides the person. */
export interface FieldContext {
  readonly company: Company
  readonly person: (id: number) => BambooPerson | undefined
}

/** One employee field: the id and alias requests name it by, and its value for a person. */
export interface FieldDefinition {
  readonly id: number
  /** Custom fields may have none: they are asked for by their numeric id. */
  readonly alias: string | null
  readonly name: string
  readonly type: string
  readonly value: (person: BambooPerson, ctx: FieldContext) => string | null
}

const date = (value: string | null) => value ?? EMPTY_DATE
/** BambooHR's preferred name is a first name; the shared company keeps a whole name. */
const preferred = (p: BambooPerson) => {
  const name = p.preferredName?.replace(new RegExp(` ${p.lastName}$`), '').trim()
  return name === undefined || name === '' || name === p.firstName ? null : name
}
const supervisorOf = (p: BambooPerson, ctx: FieldContext) =>
  p.supervisorId === null ? undefined : ctx.person(p.supervisorId)
const isTerminated = (p: BambooPerson) => p.status === 'inactive'

/** The "Employment Status" table's current row, as a BambooHR company words it. */
const employmentStatus = (p: BambooPerson) => {
  if (isTerminated(p)) return 'Terminated'
  if (p.status === 'leave') return 'Leave of Absence'
  if (p.employmentType === 'external') return 'Contractor'
  return Number(p.weeklyHours) < 35 ? 'Part-Time' : 'Full-Time'
}

const GENDERS = { male: 'Male', female: 'Female', diverse: 'Nonbinary' } as const

/** BambooHR's timestamp format: '2024-01-23T18:21:37+00:00'. */
export const bambooTime = (iso: string) => `${iso.slice(0, 19)}+00:00`

export const STANDARD_FIELDS: readonly FieldDefinition[] = [
  {
    id: 17,
    alias: 'employeeNumber',
    name: 'Employee #',
    type: 'text',
    value: (p) => p.employeeNumber,
  },
  { id: 1, alias: 'firstName', name: 'First Name', type: 'text', value: (p) => p.firstName },
  { id: 2, alias: 'lastName', name: 'Last Name', type: 'text', value: (p) => p.lastName },
  { id: 1358, alias: 'preferredName', name: 'Preferred Name', type: 'text', value: preferred },
  {
    id: 3,
    alias: 'displayName',
    name: 'Display name',
    type: 'text',
    value: (p) => `${preferred(p) ?? p.firstName} ${p.lastName}`,
  },
  { id: 156, alias: 'gender', name: 'Gender', type: 'gender', value: (p) => GENDERS[p.gender] },
  { id: 4, alias: 'dateOfBirth', name: 'Birth Date', type: 'date', value: (p) => date(p.birthday) },
  { id: 15, alias: 'workEmail', name: 'Work Email', type: 'email', value: (p) => p.workEmail },
  { id: 16, alias: 'homeEmail', name: 'Home Email', type: 'email', value: (p) => p.personalEmail },
  { id: 18, alias: 'workPhone', name: 'Work Phone', type: 'phone', value: (p) => p.workPhone },
  {
    id: 13,
    alias: 'mobilePhone',
    name: 'Mobile Phone',
    type: 'phone',
    value: (p) => p.mobilePhone,
  },
  { id: 19, alias: 'hireDate', name: 'Hire Date', type: 'date', value: (p) => date(p.hireDate) },
  {
    id: 1936,
    alias: 'terminationDate',
    name: 'Termination Date',
    type: 'date',
    value: (p) => date(p.terminationDate),
  },
  {
    id: 20,
    alias: 'status',
    name: 'Status',
    type: 'status',
    value: (p) => (isTerminated(p) ? 'Inactive' : 'Active'),
  },
  {
    id: 1360,
    alias: 'employmentHistoryStatus',
    name: 'Employment Status',
    type: 'list',
    value: employmentStatus,
  },
  { id: 30, alias: 'jobTitle', name: 'Job Title', type: 'list', value: (p) => p.position },
  {
    id: 31,
    alias: 'department',
    name: 'Department',
    type: 'list',
    value: (p, ctx) => ctx.company.departments.find((d) => d.id === p.departmentId)?.name ?? null,
  },
  {
    id: 32,
    alias: 'division',
    name: 'Division',
    type: 'list',
    value: (p, ctx) =>
      ctx.company.legalEntities.find((l) => l.id === p.legalEntityId)?.name ?? null,
  },
  {
    id: 33,
    alias: 'location',
    name: 'Location',
    type: 'list',
    value: (p, ctx) => ctx.company.offices.find((o) => o.id === p.officeId)?.name ?? null,
  },
  {
    id: 91,
    alias: 'supervisor',
    name: 'Reporting to',
    type: 'employee',
    value: (p, ctx) => {
      const s = supervisorOf(p, ctx)
      return s === undefined ? null : `${s.lastName}, ${s.firstName}`
    },
  },
  {
    id: 4071,
    alias: 'supervisorId',
    name: 'Supervisor employee number',
    type: 'text',
    value: (p, ctx) => supervisorOf(p, ctx)?.employeeNumber ?? null,
  },
  {
    id: 4072,
    alias: 'supervisorEId',
    name: 'Supervisor EID',
    type: 'int',
    value: (p) => (p.supervisorId === null ? null : String(p.supervisorId)),
  },
  {
    id: 4073,
    alias: 'supervisorEmail',
    name: 'Supervisor email',
    type: 'email',
    value: (p, ctx) => supervisorOf(p, ctx)?.workEmail ?? null,
  },
  {
    id: 4313,
    alias: 'standardHoursPerWeek',
    name: 'Standard Hours Per Week',
    type: 'int',
    value: (p) => p.weeklyHours,
  },
  {
    id: 4074,
    alias: 'lastChanged',
    name: 'Last changed',
    type: 'timestamp',
    value: (p) => bambooTime(p.updatedAt),
  },
]

/** The BambooHR face of each custom field of the shared company; some have no alias. */
const CUSTOM_FACES: Readonly<Record<string, { id: number; alias: string | null; type: string }>> = {
  title: { id: 4051, alias: 'customTitle', type: 'text' },
  iban: { id: 4052, alias: null, type: 'text' },
  anniversary: { id: 4053, alias: 'customAnniversaryDate', type: 'date' },
  shirt_size: { id: 4054, alias: 'customShirtSize', type: 'list' },
  bonus_target: { id: 4055, alias: null, type: 'decimal' },
}

const customDefinition = (field: CustomField, index: number): FieldDefinition => {
  const face = CUSTOM_FACES[field.key] ?? {
    id: 4100 + index,
    alias: null,
    type: field.kind === 'number' ? 'decimal' : field.kind,
  }
  return {
    ...face,
    name: field.labels.en,
    value: (p) => {
      const v = p.custom[field.key] ?? null
      if (face.type === 'date') return date(typeof v === 'string' ? v : null)
      return v === null ? null : String(v)
    },
  }
}

export const CUSTOM_DEFINITIONS: readonly FieldDefinition[] = CUSTOM_FIELDS.map(customDefinition)

/** Every field of the account, in the order /v1/meta/fields lists them. */
export const FIELDS: readonly FieldDefinition[] = [...STANDARD_FIELDS, ...CUSTOM_DEFINITIONS]

const byName = new Map<string, FieldDefinition>()
for (const f of FIELDS) {
  byName.set(String(f.id), f)
  if (f.alias !== null) byName.set(f.alias, f)
}

/** The field a request names, by alias or numeric id; undefined for an unknown name. */
export const fieldNamed = (name: string): FieldDefinition | undefined => byName.get(name.trim())
