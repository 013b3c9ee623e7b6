import type { Employee } from '../../core/model/employee.ts'
import { blankEmployee } from '../../core/model/employee.ts'
import type { Person, PersonContent, Team } from '../../core/model/person.ts'
import { personHash, teamHash } from '../../core/model/person.ts'

/** The connection the sample's people were synced from before. */
export const SAMPLE_CONNECTION = 'personio-sample'
/** The sample's "now": a fixed instant, so the demo shows the same plan on every machine. */
export const SAMPLE_NOW = '2026-11-21T09:00:00Z'

const ref = (name: string, id: string) => ({ id, name })
const eng = ref('Engineering', 'dep-1')
const sales = ref('Sales', 'dep-2')
const people = ref('People & Culture', 'dep-3')
const berlin = ref('Berlin', 'off-1')
const munich = ref('Munich', 'off-2')
const gmbh = ref('Acme GmbH', 'le-1')

const employee = (externalId: string, values: Partial<Employee>): Employee => ({
  ...blankEmployee(externalId),
  legalEntity: gmbh,
  hireDate: '2022-04-01',
  sourceUpdatedAt: '2026-11-20T17:42:00+01:00',
  ...values,
})

/** Acme GmbH as its HR system has it today. */
export const SAMPLE_EMPLOYEES: readonly Employee[] = [
  employee('1001', {
    employeeNumber: 'A-001',
    firstName: 'Jürgen',
    lastName: 'Müller',
    workEmail: 'juergen.mueller@acme.example',
    mobilePhone: '+49 151 23456789',
    position: ref('CTO', 'pos-1'),
    department: eng,
    office: berlin,
  }),
  employee('1002', {
    employeeNumber: 'A-002',
    firstName: 'Zoë',
    lastName: 'Saldaña',
    workEmail: 'zoe.saldana@acme.example',
    mobilePhone: '0151 98765432',
    position: ref('Staff Engineer', 'pos-2'),
    department: eng,
    office: berlin,
    supervisorExternalId: '1001',
  }),
  employee('1003', {
    employeeNumber: 'A-003',
    firstName: 'Mehmet',
    lastName: 'Öztürk',
    workEmail: 'Mehmet.Oeztuerk@acme.example',
    position: ref('Account Executive', 'pos-3'),
    department: sales,
    office: munich,
    supervisorExternalId: '1001',
  }),
  employee('1004', {
    employeeNumber: 'A-004',
    firstName: 'Chloé',
    lastName: 'Dubois',
    workEmail: 'chloe.dubois@acme.example',
    mobilePhone: '12345',
    position: ref('Recruiter', 'pos-4'),
    department: people,
    office: munich,
    supervisorExternalId: '1001',
    terminationDate: '2027-01-31',
  }),
  employee('1005', {
    employeeNumber: 'A-005',
    firstName: 'Łukasz',
    lastName: 'Nowak',
    workEmail: 'lukasz.nowak@acme.example',
    position: ref('Engineer', 'pos-5'),
    department: eng,
    office: berlin,
    supervisorExternalId: '1002',
    status: 'inactive',
    terminationDate: '2026-10-31',
  }),
  employee('1006', {
    employeeNumber: 'A-006',
    firstName: 'Ingrid',
    lastName: 'Lindqvist',
    workEmail: 'ingrid.lindqvist@acme.example',
    position: ref('Sales Manager', 'pos-6'),
    department: sales,
    office: munich,
    supervisorExternalId: '1003',
    hireDate: '2026-12-01',
    status: 'onboarding',
  }),
  employee('1007', {
    employeeNumber: 'A-007',
    firstName: 'Ben',
    lastName: 'Braun',
    workEmail: 'ben.braun@acme.example',
    department: sales,
    status: 'inactive',
    terminationDate: '2025-03-31',
  }),
]

function person(id: string, content: Partial<PersonContent>, extra: Partial<Person> = {}): Person {
  const full: PersonContent = {
    fields: {},
    identifier: null,
    sourceKey: null,
    status: 'active',
    leaverDate: null,
    groups: [],
    ...content,
  }
  return {
    ...full,
    id,
    managerId: null,
    teamIds: [],
    inviteStatus: 'accepted',
    ...extra,
    hash: personHash(full),
  }
}

const linked = (externalId: string) => ({ connectionId: SAMPLE_CONNECTION, externalId })

/** The application's people before this sync: some synced before, some entered by hand. */
export const SAMPLE_DIRECTORY: { people: Person[]; teams: Team[] } = {
  teams: [
    {
      id: 'team-eng',
      name: 'engineering',
      sourceKey: null,
      hash: teamHash({ name: 'engineering', sourceKey: null }),
    },
  ],
  people: [
    // synced before; the HR system has a new title for him since
    person(
      'u-1',
      {
        sourceKey: linked('1001'),
        identifier: 'juergen.mueller@acme.example',
        fields: {
          firstName: 'Jürgen',
          lastName: 'Müller',
          displayName: 'Jürgen Müller',
          email: 'juergen.mueller@acme.example',
          phone: '+4915123456789',
          employeeNumber: 'A-001',
          jobTitle: 'VP Engineering',
          department: 'Engineering',
          office: 'Berlin',
          legalEntity: 'Acme GmbH',
          hireDate: '2022-04-01',
        },
      },
      { teamIds: ['team-eng'] },
    ),
    // entered by hand before the HR system was connected: found by work email
    person('u-2', {
      fields: { displayName: 'Zoe Saldana', email: 'zoe.saldana@acme.example' },
    }),
    // synced before; no longer in the HR system at all
    person('u-3', {
      sourceKey: linked('0999'),
      identifier: 'former.colleague@acme.example',
      fields: { displayName: 'Former Colleague', email: 'former.colleague@acme.example' },
    }),
    // an advisor with no HR record: a sync never touches her
    person('u-4', { fields: { displayName: 'Ada Advisor', email: 'ada@advisors.example' } }),
  ],
}
