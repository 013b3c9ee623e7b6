import fc from 'fast-check'

import type { Employee, InvalidRecord } from '../../src/core/model/employee.ts'
import { EMPLOYEE_STATUSES } from '../../src/core/model/employee.ts'
import { filterFields } from '../../src/core/filter/filter-rule.ts'
import { sourceRoot } from '../../src/core/model/source-path.ts'
import type { Person, Team } from '../../src/core/model/person.ts'
import type { SyncConfig } from '../../src/core/plan/sync-config.ts'
import { CONNECTION, config, employee, linked, person, ref, team } from './factories.ts'
import { seededRandom } from './random.ts'

const IDS = Array.from({ length: 12 }, (_, i) => `e${i}`)
const DEPARTMENTS = [ref('Engineering', 'd1'), ref('Sales', 'd2'), ref('People', null)]
const OFFICES = [ref('Berlin', 'o1'), ref('Munich', 'o2'), ref('Hamburg', 'o3')]
const FIRST = ['Anna', 'Jürgen', 'Zoë', 'Ben']
const LAST = ['Müller', 'Schmidt', 'Saldaña']
/** Around the test's "today", 2026-11-21. */
const DATES = ['2025-06-30', '2026-11-21', '2026-12-31']
const PHONES = ['+49 151 23456789', '0151 23456789', '123']

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null })

export interface World {
  readonly employees: Employee[]
  readonly people: Person[]
  readonly teams: Team[]
  readonly config: SyncConfig
  readonly complete: boolean
  /** Records the connector could not read, by id (or without one). */
  readonly invalid: InvalidRecord[]
  /** What the credential can read (null: everything); the employees hold null for the rest. */
  readonly readableFields: string[] | null
}

/** Fields a credential may lack; the rest (names, emails, status, office…) stays readable. */
const MAYBE_UNREADABLE = [
  'department',
  'supervisorExternalId',
  'mobilePhone',
  'terminationDate',
  'employeeNumber',
] as const
const ALWAYS_READABLE = [
  'externalId',
  'firstName',
  'lastName',
  'preferredName',
  'workEmail',
  'personalEmail',
  'status',
  'office',
  'hireDate',
  'lastWorkingDay',
]

/**
 * A company and a directory drawn from small pools, so that emails, numbers and names collide,
 * links point at employees that left, and supervisors form chains, forests and cycles.
 * `unique`: every identifier value belongs to at most one employee and one person, consistently.
 */
export function world({ unique = false }: { unique?: boolean } = {}): fc.Arbitrary<World> {
  const key = (pool: string[]) => opt(fc.constantFrom(...pool))
  const employeeArb = (id: string, i: number) =>
    fc
      .record({
        firstName: key(FIRST),
        lastName: key(LAST),
        workEmail: unique
          ? opt(fc.constant(`u${i}@acme.de`))
          : key(['a@acme.de', 'B@acme.de', 'c@acme.de']),
        employeeNumber: unique ? opt(fc.constant(`N${i}`)) : key(['1', '2', '3']),
        personalEmail: unique ? fc.constant(null) : key(['x@home.de', 'y@home.de']),
        status: fc.constantFrom(...EMPLOYEE_STATUSES),
        terminationDate: key(DATES),
        department: opt(fc.constantFrom(...DEPARTMENTS)),
        office: opt(fc.constantFrom(...OFFICES)),
        supervisorExternalId: key(IDS),
        mobilePhone: key(PHONES),
        sourceUpdatedAt: fc.constant('2026-11-20T08:00:00Z'),
      })
      .map((values) => employee(id, values))

  const employeesArb = fc
    .uniqueArray(fc.integer({ min: 0, max: IDS.length - 1 }), { maxLength: 10 })
    .chain((ids) => fc.tuple(...ids.map((i) => employeeArb(`e${i}`, i))))

  const teamsArb = fc.subarray([
    team('t1', 'Engineering', linked('d1')),
    team('t2', 'sales'),
    team('t3', 'Alumni'),
  ])

  const personArb = (id: string, i: number, teamIds: string[]) =>
    fc
      .record({
        // with unique identifiers a person's keys and its link point at the same employee
        link: unique
          ? fc.constantFrom(null, linked(`e${i}`))
          : fc.oneof(
              fc.constant(null),
              fc.constantFrom(...IDS).map((e) => linked(e)),
              fc.constant(linked(`e${i}`, 'bamboohr-acme')),
            ),
        email: unique
          ? opt(fc.constant(`u${i}@acme.de`))
          : key(['a@acme.de', 'b@acme.de', 'z@acme.de']),
        // a directory may hold a number as a number
        number: unique
          ? opt(fc.constant(`N${i}`))
          : opt(fc.constantFrom<string | number>('1', '2', '9', 1, 2)),
        useIdentifier: fc.boolean(),
        first: key(FIRST),
        last: key(LAST),
        status: fc.constantFrom('active' as const, 'leaver' as const),
        groups: fc.subarray(['Ex-employees', 'Alumni']),
        teams: fc.subarray(teamIds),
        manager: key(IDS.map((_, j) => `p${j}`)),
      })
      .map((v) =>
        person(id, {
          sourceKey: v.link,
          identifier: v.useIdentifier ? v.email : null,
          fields: {
            email: v.email,
            employeeNumber: v.number,
            firstName: v.first,
            lastName: v.last,
            displayName: v.first && v.last ? `${v.first} ${v.last}` : null,
          },
          status: v.status,
          leaverDate: v.status === 'leaver' ? '2025-01-31' : null,
          groups: v.groups,
          teamIds: v.teams,
          managerId: v.manager,
        }),
      )

  const configArb = fc
    .record({
      identifiers: unique
        ? fc.constantFrom<SyncConfig['identifiers']>(
            ['work_email'],
            ['employee_number', 'work_email'],
          )
        : fc.shuffledSubarray(
            ['work_email', 'employee_number', 'personal_email', 'name'] as const,
            {
              minLength: 1,
            },
          ),
      filter: fc.constantFrom(
        null,
        { field: 'status', op: 'neq', value: 'terminated' },
        { field: 'office', op: 'in', value: ['Berlin', 'Munich'] },
        {
          any: [
            { field: 'department', op: 'eq', value: 'd1' },
            { field: 'hireDate', op: 'not_exists' },
          ],
        },
      ),
      terminatedNeverImported: fc.constantFrom('skip', 'create_as_leaver'),
      teamsFromDepartments: fc.boolean(),
      managersFromSupervisors: fc.boolean(),
      leaverGroup: fc.constantFrom('Ex-employees', null),
    })
    .map(({ identifiers, filter, ...policy }) => config({ identifiers, filter, policy }))

  const invalidArb = fc.array(
    fc.record({
      externalId: opt(fc.constantFrom(...IDS)),
      issues: fc.constant([
        {
          code: 'invalid_type',
          severity: 'error' as const,
          message: 'not a date',
          path: ['hireDate'],
        },
      ]),
    }),
    { maxLength: 2 },
  )
  const readableArb = fc
    .option(fc.subarray([...MAYBE_UNREADABLE]), { nil: null })
    .map((dropped) =>
      dropped === null
        ? null
        : [...ALWAYS_READABLE, ...MAYBE_UNREADABLE.filter((f) => !dropped.includes(f))],
    )

  return fc
    .record({
      employees: employeesArb,
      teams: teamsArb,
      config: configArb,
      complete: fc.boolean(),
      invalid: invalidArb,
      readableFields: readableArb,
    })
    .map((w) => ({
      ...w,
      // a config the plan refuses for its credential is the unit tests' business: keep what the
      // sync-if conditions and at least one identifier read
      readableFields: w.readableFields && [
        ...new Set([
          ...w.readableFields,
          ...(w.config.filter ? filterFields(w.config.filter).map(sourceRoot) : []),
          ...(w.config.identifiers.some((r) => r !== 'employee_number') ? [] : ['employeeNumber']),
        ]),
      ],
    }))
    .map((w) => ({
      ...w,
      // unknown is null: what the credential cannot read arrives as null
      employees: w.employees.map((e) =>
        w.readableFields === null
          ? e
          : {
              ...e,
              ...Object.fromEntries(
                MAYBE_UNREADABLE.filter((f) => !w.readableFields?.includes(f)).map((f) => [
                  f,
                  null,
                ]),
              ),
            },
      ),
      // an id the connector could not read is not also a good employee
      invalid: w.invalid.filter((r) => !w.employees.some((e) => e.externalId === r.externalId)),
    }))
    .chain((w) =>
      fc
        .uniqueArray(fc.integer({ min: 0, max: IDS.length - 1 }), { maxLength: 10 })
        .chain((ids) =>
          fc.tuple(
            ...ids.map((i) =>
              personArb(
                `p${i}`,
                i,
                w.teams.map((t) => t.id),
              ),
            ),
          ),
        )
        .map((people) => ({ ...w, people: unique ? fixLinks(people) : people })),
    )
}

/** A unique-identifier world has at most one person per link, as a healthy directory does. */
function fixLinks(people: Person[]): Person[] {
  const seen = new Set<string>()
  return people.map((p) => {
    if (p.sourceKey?.connectionId !== CONNECTION) return p
    if (!seen.has(p.sourceKey.externalId)) {
      seen.add(p.sourceKey.externalId)
      return p
    }
    return person(p.id, { ...p, sourceKey: null })
  })
}

/** A deterministic shuffle from a seed, so a failing case replays. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
