import type { Company, Person } from '../shared/company.ts'
import { formatBerlinDay, formatBerlinInstant } from '../shared/dates.ts'
import { CUSTOM_FIELDS } from '../shared/generate-company.ts'

export type Language = 'de' | 'en'

/** `TypeEnum` of the v1 personnel data document. */
export type AttributeType =
  'standard' | 'date' | 'integer' | 'decimal' | 'list' | 'link' | 'tags' | 'multiline'

/** What rendering needs besides the person. */
export interface RenderContext {
  readonly company: Company
  readonly language: Language
  readonly baseUrl: string
  readonly person: (id: number) => Person | undefined
  /** The attribute keys the credential may read. */
  readonly readable: (key: string) => boolean
}

/** One v1 employee attribute: its key, labels, type and how its value is read from a person. */
export interface AttributeDefinition {
  readonly key: string
  readonly labels: { readonly en: string; readonly de: string }
  readonly type: AttributeType
  readonly universalId: string | null
  readonly options: readonly string[]
  /** The person fields it shows: its change time is the latest of theirs. */
  readonly fields: readonly string[]
  readonly currency?: string
  readonly value: (person: Person, ctx: RenderContext) => unknown
}

const day = (value: string | null) => (value === null ? null : formatBerlinDay(value))

const entity = (type: string, found: { id: number; name: string } | undefined) =>
  found === undefined ? null : { type, attributes: { id: found.id, name: found.name } }

const TERMINATION_TYPES = {
  resignation: { en: 'Resignation', de: 'Kündigung durch Arbeitnehmer' },
  dismissal: { en: 'Dismissal', de: 'Kündigung durch Arbeitgeber' },
  mutual_agreement: { en: 'Mutual agreement', de: 'Aufhebungsvertrag' },
  contract_expired: { en: 'Contract expired', de: 'Befristung ausgelaufen' },
} as const

const workDay = (hours: string) => {
  const minutes = Math.round((Number(hours) / 5) * 60)
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

interface Spec {
  readonly key: string
  readonly en: string
  readonly de: string
  readonly type?: AttributeType
  readonly universalId?: string | null
  readonly options?: readonly string[]
  readonly fields: readonly string[]
  readonly currency?: string
  readonly value: (person: Person, ctx: RenderContext) => unknown
}

const define = (spec: Spec): AttributeDefinition => ({
  key: spec.key,
  labels: { en: spec.en, de: spec.de },
  type: spec.type ?? 'standard',
  universalId: spec.universalId === undefined ? spec.key : spec.universalId,
  options: spec.options ?? [],
  fields: spec.fields,
  ...(spec.currency === undefined ? {} : { currency: spec.currency }),
  value: spec.value,
})

/** `{label, value, type, universal_id}` of one attribute, in the company's language. */
export const renderAttribute = (def: AttributeDefinition, person: Person, ctx: RenderContext) => ({
  label: def.labels[ctx.language],
  value: def.value(person, ctx),
  type: def.type,
  universal_id: def.universalId,
  ...(def.currency === undefined ? {} : { currency: def.currency }),
})

const SHORT_EMPLOYEE = ['id', 'first_name', 'last_name', 'email'] as const

const supervisor = (person: Person, ctx: RenderContext) => {
  const boss = person.supervisorId === null ? undefined : ctx.person(person.supervisorId)
  if (boss === undefined) return null
  const attributes: Record<string, unknown> = {}
  for (const key of SHORT_EMPLOYEE) {
    const def = ATTRIBUTE_BY_KEY.get(key)
    if (def && (key === 'id' || ctx.readable(key)))
      attributes[key] = renderAttribute(def, boss, ctx)
  }
  return { type: 'Employee', attributes }
}

/** Custom (dynamic) attributes: `dynamic_<id>` keys; ids as a Personio account would number them. */
const dynamic = (
  id: number,
  field: string,
  type: AttributeType,
  spec: Omit<Spec, 'key' | 'fields' | 'type' | 'value'>,
) => {
  const customKey = field.startsWith('custom.') ? field.slice('custom.'.length) : null
  return define({
    ...spec,
    key: `dynamic_${String(id)}`,
    type,
    universalId: spec.universalId ?? null,
    fields: [field],
    value: (p) => (customKey === null ? p[field as keyof Person] : p.custom[customKey]) ?? null,
  })
}

/** A custom attribute for one of the company's own fields, with its labels and options. */
const custom = (
  id: number,
  key: string,
  type: AttributeType,
  universalId: string | null = null,
) => {
  const field = CUSTOM_FIELDS.find((f) => f.key === key)
  if (!field) throw new Error(`no custom field ${key}`)
  return dynamic(id, `custom.${key}`, type, {
    ...field.labels,
    universalId,
    options: field.options ?? [],
  })
}

/** Every attribute a fully privileged credential reads, in Personio's order. */
export const ATTRIBUTES: readonly AttributeDefinition[] = [
  define({ key: 'id', en: 'ID', de: 'ID', type: 'integer', fields: [], value: (p) => p.id }),
  define({
    key: 'first_name',
    en: 'First name',
    de: 'Vorname',
    fields: ['firstName'],
    value: (p) => p.firstName,
  }),
  define({
    key: 'last_name',
    en: 'Last name',
    de: 'Nachname',
    fields: ['lastName'],
    value: (p) => p.lastName,
  }),
  define({
    key: 'preferred_name',
    en: 'Name (preferred)',
    de: 'Rufname',
    fields: ['preferredName'],
    value: (p) => p.preferredName,
  }),
  define({
    key: 'email',
    en: 'Email',
    de: 'E-Mail',
    fields: ['workEmail'],
    value: (p) => p.workEmail,
  }),
  define({
    key: 'gender',
    en: 'Gender',
    de: 'Geschlecht',
    fields: ['gender'],
    value: (p) => p.gender,
  }),
  define({ key: 'status', en: 'Status', de: 'Status', fields: ['status'], value: (p) => p.status }),
  define({
    key: 'position',
    en: 'Position',
    de: 'Position',
    fields: ['position'],
    value: (p) => p.position,
  }),
  define({
    key: 'supervisor',
    en: 'Supervisor',
    de: 'Vorgesetzte:r',
    fields: ['supervisorId'],
    value: supervisor,
  }),
  define({
    key: 'employment_type',
    en: 'Employment type',
    de: 'Beschäftigungsart',
    fields: ['employmentType'],
    value: (p) => p.employmentType,
  }),
  define({
    key: 'weekly_working_hours',
    en: 'Weekly hours',
    de: 'Wochenstunden',
    fields: ['weeklyHours'],
    value: (p) => p.weeklyHours,
  }),
  define({
    key: 'hire_date',
    en: 'Hire date',
    de: 'Eintrittsdatum',
    type: 'date',
    fields: ['hireDate'],
    value: (p) => day(p.hireDate),
  }),
  define({
    key: 'contract_end_date',
    en: 'Contract ends',
    de: 'Vertragsende',
    type: 'date',
    fields: ['contractEndDate'],
    value: (p) => day(p.contractEndDate),
  }),
  define({
    key: 'termination_date',
    en: 'Termination date',
    de: 'Austrittsdatum',
    type: 'date',
    fields: ['terminationDate'],
    value: (p) => day(p.terminationDate),
  }),
  define({
    key: 'termination_type',
    en: 'Termination type',
    de: 'Kündigungsart',
    fields: ['terminationType'],
    value: (p, ctx) =>
      p.terminationType === null ? null : TERMINATION_TYPES[p.terminationType][ctx.language],
  }),
  define({
    key: 'termination_reason',
    en: 'Termination reason',
    de: 'Kündigungsgrund',
    fields: ['terminationReason'],
    value: (p) => p.terminationReason,
  }),
  define({
    key: 'probation_period_end',
    en: 'Probation period end',
    de: 'Ende der Probezeit',
    type: 'date',
    fields: ['probationEndDate'],
    value: (p) => day(p.probationEndDate),
  }),
  define({
    key: 'created_at',
    en: 'created_at',
    de: 'created_at',
    type: 'date',
    fields: [],
    value: (p) => formatBerlinInstant(new Date(p.createdAt)),
  }),
  define({
    key: 'last_modified_at',
    en: 'Last modified',
    de: 'Zuletzt geändert',
    type: 'date',
    fields: ['*'],
    value: (p) => formatBerlinInstant(new Date(p.updatedAt)),
  }),
  define({
    key: 'subcompany',
    en: 'Subcompany',
    de: 'Firma',
    fields: ['legalEntityId'],
    value: (p, ctx) =>
      entity(
        'Subcompany',
        ctx.company.legalEntities.find((e) => e.id === p.legalEntityId),
      ),
  }),
  define({
    key: 'office',
    en: 'Office',
    de: 'Standort',
    fields: ['officeId'],
    value: (p, ctx) =>
      entity(
        'Office',
        ctx.company.offices.find((o) => o.id === p.officeId),
      ),
  }),
  define({
    key: 'department',
    en: 'Department',
    de: 'Abteilung',
    fields: ['departmentId'],
    value: (p, ctx) =>
      entity(
        'Department',
        ctx.company.departments.find((d) => d.id === p.departmentId),
      ),
  }),
  define({
    key: 'cost_centers',
    en: 'Cost center',
    de: 'Kostenstelle',
    fields: ['costCenterId'],
    value: (p, ctx) =>
      ctx.company.costCenters
        .filter((c) => c.id === p.costCenterId)
        .map((c) => ({
          type: 'CostCenter',
          attributes: { id: c.id, name: c.name, percentage: 100 },
        })),
  }),
  define({
    key: 'holiday_calendar',
    en: 'Public holidays',
    de: 'Feiertage',
    fields: ['officeId'],
    value: (p, ctx) => {
      const office = ctx.company.offices.find((o) => o.id === p.officeId)
      if (!office) return null
      const { id, name, state } = office.holidayCalendar
      return { type: 'HolidayCalendar', attributes: { id, name, country: office.country, state } }
    },
  }),
  define({
    key: 'absence_entitlement',
    en: 'Absence entitlement',
    de: 'Abwesenheitsanspruch',
    fields: ['weeklyHours'],
    value: (p, ctx) => [
      {
        type: 'TimeOffType',
        attributes: {
          id: 113437,
          name: ctx.language === 'de' ? 'Urlaub' : 'Paid vacation',
          category: 'paid_vacation',
          entitlement: Math.round((Number(p.weeklyHours) / 40) * 30),
        },
      },
    ],
  }),
  define({
    key: 'work_schedule',
    en: 'Work schedule',
    de: 'Arbeitszeitmodell',
    fields: ['weeklyHours'],
    value: (p) => {
      const hours = workDay(p.weeklyHours)
      return {
        type: 'WorkSchedule',
        attributes: {
          id: 97188 + Math.round(Number(p.weeklyHours) * 10),
          name: `${p.weeklyHours} hours (mon,tue,wed,thu,fri)`,
          valid_from: null,
          monday: hours,
          tuesday: hours,
          wednesday: hours,
          thursday: hours,
          friday: hours,
          saturday: '00:00',
          sunday: '00:00',
        },
      }
    },
  }),
  define({
    key: 'fix_salary',
    en: 'Fix salary',
    de: 'Fixgehalt',
    type: 'decimal',
    currency: 'EUR',
    fields: ['fixSalary'],
    value: (p) => p.fixSalary,
  }),
  define({
    key: 'fix_salary_interval',
    en: 'Salary interval',
    de: 'Gehaltsintervall',
    fields: ['fixSalary'],
    value: () => 'yearly',
  }),
  define({
    key: 'hourly_salary',
    en: 'Hourly salary',
    de: 'Stundenlohn',
    type: 'decimal',
    currency: 'EUR',
    fields: [],
    value: () => 0,
  }),
  define({
    key: 'vacation_day_balance',
    en: 'Vacation day balance',
    de: 'Urlaubstage-Saldo',
    type: 'decimal',
    fields: ['vacationDayBalance'],
    value: (p) => p.vacationDayBalance,
  }),
  define({
    key: 'last_working_day',
    en: 'Last day of work',
    de: 'Letzter Arbeitstag',
    type: 'date',
    fields: ['lastWorkingDay'],
    value: (p) => day(p.lastWorkingDay),
  }),
  define({
    key: 'profile_picture',
    en: 'Profile Picture',
    de: 'Profilbild',
    fields: [],
    value: (p, ctx) => `${ctx.baseUrl}/v1/company/employees/${String(p.id)}/profile-picture`,
  }),
  define({
    key: 'team',
    en: 'Team',
    de: 'Team',
    fields: ['teamId'],
    value: (p, ctx) =>
      entity(
        'Team',
        ctx.company.teams.find((t) => t.id === p.teamId),
      ),
  }),
  custom(24407, 'title', 'standard'),
  custom(21827, 'iban', 'standard', 'iban'),
  dynamic(180883, 'birthday', 'date', {
    en: 'Birthday',
    de: 'Geburtstag',
    universalId: 'date_of_birth',
  }),
  custom(33400, 'anniversary', 'date'),
  dynamic(1146702, 'personalEmail', 'standard', { en: 'Private email', de: 'Private E-Mail' }),
  dynamic(1146703, 'workPhone', 'standard', { en: 'Work phone', de: 'Telefon (geschäftlich)' }),
  dynamic(1146704, 'mobilePhone', 'standard', { en: 'Mobile phone', de: 'Mobiltelefon' }),
  dynamic(1146705, 'employeeNumber', 'standard', { en: 'Employee number', de: 'Personalnummer' }),
  custom(1146706, 'shirt_size', 'list'),
  custom(1146707, 'bonus_target', 'decimal'),
]

export const ATTRIBUTE_BY_KEY: ReadonlyMap<string, AttributeDefinition> = new Map(
  ATTRIBUTES.map((a) => [a.key, a]),
)

/** The keys of the custom attributes; the rest are Personio's standard attributes. */
export const isDynamicKey = (key: string) => key.startsWith('dynamic_')
