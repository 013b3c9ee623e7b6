import type {
  Company,
  CostCenter,
  CustomField,
  CustomValue,
  Department,
  EmploymentStatus,
  LegalEntity,
  Office,
  Person,
  Team,
  TerminationType,
} from './company.ts'
import { addDays, daysBetween } from './dates.ts'
import { emailLocalPart, FIRST_NAMES, LAST_NAMES, NICKNAMES } from './names.ts'
import type { Random } from './random.ts'
import { createRandom } from './random.ts'

export interface GenerateCompanyOptions {
  readonly employees: number
  readonly seed: number | string
  /** The company's "today" ('YYYY-MM-DD'): hire, termination and update dates are around it. */
  readonly today: string
}

export const COMPANY_DOMAIN = 'nordlicht.example'

const LEGAL_ENTITIES: readonly LegalEntity[] = [
  { id: 7033, name: 'Nordlicht Software GmbH', country: 'DE' },
  { id: 7034, name: 'Nordlicht Österreich GmbH', country: 'AT' },
]

const OFFICES: readonly Office[] = [
  office(131014, 'München', 'DE', '49', '089', 7033, [
    2,
    'Deutschland (Bayern) Feiertage',
    'Bayern',
  ]),
  office(131015, 'Berlin', 'DE', '49', '030', 7033, [
    3,
    'Deutschland (Berlin) Feiertage',
    'Berlin',
  ]),
  office(131016, 'Köln', 'DE', '49', '0221', 7033, [4, 'Deutschland (NRW) Feiertage', 'NRW']),
  office(131017, 'Wien', 'AT', '43', '01', 7034, [5, 'Österreich Feiertage', 'Wien']),
]

function office(
  id: number,
  name: string,
  country: string,
  countryCode: string,
  areaCode: string,
  legalEntityId: number,
  [calendarId, calendarName, state]: readonly [number, string, string],
): Office {
  const holidayCalendar = { id: calendarId, name: calendarName, state }
  return { id, name, country, countryCode, areaCode, legalEntityId, holidayCalendar }
}

const DEPARTMENTS: readonly (readonly [string, readonly string[], readonly string[]])[] = [
  [
    'Engineering',
    ['Platform', 'Mobile', 'Daten & Analytics'],
    ['Software Engineer', 'Senior Software Engineer', 'QA Engineer', 'Engineering Manager'],
  ],
  [
    'Vertrieb',
    ['DACH', 'Enterprise'],
    ['Account Executive', 'Sales Development Representative', 'Key Account Manager'],
  ],
  [
    'Marketing',
    ['Brand', 'Growth'],
    ['Content Manager', 'Performance Marketing Manager', 'Designer'],
  ],
  ['People & Culture', ['Recruiting'], ['HR Business Partner', 'Recruiter', 'Payroll Specialist']],
  ['Finanzen', [], ['Controller', 'Accountant', 'Financial Analyst']],
  [
    'Customer Success',
    ['Support', 'Onboarding'],
    ['Customer Success Manager', 'Support Specialist'],
  ],
  ['Produkt', ['Discovery'], ['Product Manager', 'Product Designer', 'UX Researcher']],
]

/** The fields the company defined itself (Personio: custom attributes). */
export const CUSTOM_FIELDS: readonly CustomField[] = [
  { key: 'title', kind: 'text', labels: { en: 'Title', de: 'Titel' } },
  { key: 'iban', kind: 'text', labels: { en: 'IBAN', de: 'IBAN' } },
  { key: 'anniversary', kind: 'date', labels: { en: 'Anniversary date', de: 'Jubiläumsdatum' } },
  {
    key: 'shirt_size',
    kind: 'list',
    labels: { en: 'T-shirt size', de: 'T-Shirt-Größe' },
    options: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  },
  { key: 'bonus_target', kind: 'number', labels: { en: 'Bonus target (%)', de: 'Bonusziel (%)' } },
]

const PERSONAL_DOMAINS = ['web.example', 'gmx.example', 'posteo.example', 'mailbox.example']
const HOURS = ['40', '40', '40', '40', '38.5', '32', '30', '20']
const TERMINATIONS: readonly (readonly [TerminationType, string])[] = [
  ['resignation', 'Neue Herausforderung'],
  ['resignation', 'Umzug'],
  ['dismissal', 'Betriebsbedingt'],
  ['mutual_agreement', 'Aufhebungsvertrag'],
  ['contract_expired', 'Befristung ausgelaufen'],
]

const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => String(random.int(0, 9))).join('')

const instant = (day: string, random: Random) =>
  `${day}T${String(random.int(6, 19)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}.000Z`

/**
 * A company of `employees` people from a seed: the same options always give the same company.
 * Person 1 is the CEO; everyone else has a supervisor who is an earlier employee. About 5% are
 * terminated (a third of them with a termination date after `today`), a few start after today.
 */
export const generateCompany = (options: GenerateCompanyOptions): Company => {
  const random = createRandom(options.seed)
  const { today } = options
  const costCenters: CostCenter[] = []
  const departments: Department[] = []
  const teams: Team[] = []
  DEPARTMENTS.forEach(([name, teamNames], d) => {
    const costCenter = { id: 82957 + d, name: `KST ${String(1000 + d * 100)} ${name}` }
    costCenters.push(costCenter)
    departments.push({ id: 281521 + d, name, costCenterId: costCenter.id })
    teamNames.forEach((teamName, t) => {
      teams.push({ id: 59026 + d * 10 + t, name: teamName, departmentId: 281521 + d })
    })
  })

  const used = new Map<string, number>()
  const people: Person[] = []
  for (let i = 0; i < options.employees; i++) {
    people.push(
      generatePerson(
        i,
        random.fork(`person/${String(i)}`),
        people,
        departments,
        teams,
        today,
        used,
      ),
    )
  }
  return {
    name: 'Nordlicht',
    legalEntities: LEGAL_ENTITIES,
    offices: OFFICES,
    departments,
    teams,
    costCenters,
    customFields: CUSTOM_FIELDS,
    people,
  }
}

function generatePerson(
  index: number,
  random: Random,
  earlier: readonly Person[],
  departments: readonly Department[],
  teams: readonly Team[],
  today: string,
  usedEmails: Map<string, number>,
): Person {
  const id = index + 1
  const [firstName, gender] = random.pick(FIRST_NAMES)
  const lastName = random.pick(LAST_NAMES)
  const base = emailLocalPart(firstName, lastName)
  const seen = usedEmails.get(base) ?? 0
  usedEmails.set(base, seen + 1)
  const local = seen === 0 ? base : `${base}${String(seen + 1)}`

  // a tree with about five reports per manager: the supervisor is an earlier employee
  const supervisor = index === 0 ? null : earlier[random.int(0, Math.floor((index - 1) / 5))]
  const department =
    supervisor && index > DEPARTMENTS.length && random.chance(0.8)
      ? departments.find((d) => d.id === supervisor.departmentId)
      : random.pick(departments)
  if (!department) throw new Error('generated a person without a department')
  const departmentTeams = teams.filter((t) => t.departmentId === department.id)
  const team =
    departmentTeams.length > 0 && random.chance(0.85) ? random.pick(departmentTeams) : null
  const officeChoice =
    supervisor && random.chance(0.6)
      ? OFFICES.find((o) => o.id === supervisor.officeId)
      : random.pick(OFFICES)
  const workplace = officeChoice ?? random.pick(OFFICES)
  const deptRow = DEPARTMENTS[departments.indexOf(department)]
  const position =
    index === 0
      ? 'CEO'
      : index <= DEPARTMENTS.length
        ? `Head of ${department.name}`
        : random.pick(deptRow?.[2] ?? ['Specialist'])

  // the CEO and heads were there first; others are spread over twelve years, a few start soon
  const hireDate =
    index <= DEPARTMENTS.length
      ? addDays(today, -random.int(3650, 4380))
      : random.chance(0.02)
        ? addDays(today, random.int(1, 45))
        : addDays(today, -random.int(1, 4380))
  const createdDay = addDays(hireDate, -random.int(7, 60))
  const createdAt = instant(
    daysBetween(createdDay, today) > 0 ? createdDay : addDays(today, -1),
    random,
  )

  let terminationDate: string | null = null
  let terminationType: TerminationType | null = null
  let terminationReason: string | null = null
  if (index > DEPARTMENTS.length && random.chance(0.05) && daysBetween(hireDate, today) > 30) {
    terminationDate = random.chance(0.33)
      ? addDays(today, random.int(1, 90))
      : addDays(today, -random.int(1, Math.min(900, daysBetween(hireDate, today) - 1)))
    const [type, reason] = random.pick(TERMINATIONS)
    terminationType = type
    terminationReason = reason
  }
  const status: EmploymentStatus =
    terminationDate !== null && daysBetween(terminationDate, today) >= 0
      ? 'inactive'
      : daysBetween(today, hireDate) > 0
        ? 'onboarding'
        : random.chance(0.02)
          ? 'leave'
          : 'active'

  // the last edit: recent for some, long ago for most; it changed a few fields
  const lastEditDay = random.chance(0.1)
    ? addDays(today, -random.int(1, 14))
    : addDays(today, -random.int(1, Math.max(1, daysBetween(createdDay, today))))
  const updatedAt =
    daysBetween(createdDay, lastEditDay) > 0 ? instant(lastEditDay, random) : createdAt
  const edited = updatedAt === createdAt ? [] : random.pick(EDITED_FIELDS)
  const fieldUpdatedAt: Record<string, string> = {}
  for (const field of edited) fieldUpdatedAt[field] = updatedAt
  if (terminationDate) {
    for (const field of [
      'terminationDate',
      'lastWorkingDay',
      'terminationType',
      'terminationReason',
      'status',
    ]) {
      fieldUpdatedAt[field] = updatedAt
    }
  }

  const phone = (mobile: boolean) => {
    const number = mobile
      ? `15${String(random.int(1, 9))} ${digits(random, 8)}`
      : `${workplace.areaCode.slice(1)} ${digits(random, 7)}`
    // some were typed without the country code, as people do
    return random.chance(0.25) ? `0${number}` : `+${workplace.countryCode} ${number}`
  }
  const custom: Record<string, CustomValue> = {
    title: random.chance(0.08) ? random.pick(['Dr.', 'Dr.', 'Prof. Dr.', 'Dipl.-Ing.']) : null,
    iban: `DE${digits(random, 2)} ${digits(random, 4)} ${digits(random, 4)} ${digits(random, 4)} ${digits(random, 4)} ${digits(random, 2)}`,
    anniversary: random.chance(0.3) ? addDays(hireDate, 365 * random.int(1, 10)) : null,
    shirt_size: random.chance(0.7) ? random.pick(['XS', 'S', 'M', 'L', 'XL', 'XXL']) : null,
    bonus_target: random.chance(0.5) ? random.pick([5, 7.5, 10, 15, 20]) : null,
  }
  const nickname = NICKNAMES[firstName]
  return {
    id,
    firstName,
    lastName,
    preferredName: nickname !== undefined && random.chance(0.6) ? `${nickname} ${lastName}` : null,
    gender,
    workEmail: `${local}@${COMPANY_DOMAIN}`,
    personalEmail: random.chance(0.75)
      ? `${emailLocalPart(firstName)}${digits(random, 2)}@${random.pick(PERSONAL_DOMAINS)}`
      : null,
    workPhone: random.chance(0.8) ? phone(false) : null,
    mobilePhone: random.chance(0.55) ? phone(true) : null,
    employeeNumber: `NL-${String(id).padStart(5, '0')}`,
    birthday: random.chance(0.9) ? addDays('1960-01-01', random.int(0, 15700)) : null,
    position,
    departmentId: department.id,
    teamId: team?.id ?? null,
    officeId: workplace.id,
    legalEntityId: workplace.legalEntityId,
    costCenterId: department.costCenterId,
    supervisorId: supervisor?.id ?? null,
    employmentType: random.chance(0.1) ? 'external' : 'internal',
    weeklyHours: random.pick(HOURS),
    fixSalary: random.int(36, 140) * 1000,
    vacationDayBalance: random.int(0, 30),
    hireDate,
    probationEndDate: random.chance(0.6) ? addDays(hireDate, 182) : null,
    contractEndDate: random.chance(0.08) ? addDays(hireDate, 730) : null,
    terminationDate,
    lastWorkingDay: terminationDate,
    terminationType,
    terminationReason,
    status,
    custom,
    createdAt,
    updatedAt,
    fieldUpdatedAt,
  }
}

const EDITED_FIELDS: readonly (readonly string[])[] = [
  ['position'],
  ['lastName'],
  ['officeId', 'legalEntityId'],
  ['teamId'],
  ['mobilePhone'],
  ['weeklyHours'],
  ['custom.shirt_size'],
  ['supervisorId'],
]
