import { describe, expect, it } from 'vitest'

import {
  CONNECTION,
  NOW,
  config,
  employee,
  linked,
  person,
  ref,
  source,
  team,
} from '../../../test/helpers/factories.ts'
import { SyncError } from '../errors.ts'
import type { Employee } from '../model/employee.ts'
import type { Person, Team } from '../model/person.ts'
import { plan } from './plan.ts'
import type { SourceSnapshot } from './plan.ts'
import type { SyncConfig } from './sync-config.ts'
import type { Change, PersonChange } from './sync-plan.ts'

interface Case {
  employees?: Employee[]
  people?: Person[]
  teams?: Team[]
  config?: SyncConfig
  source?: Partial<SourceSnapshot>
}

const run = (c: Case) =>
  plan({
    connectionId: CONNECTION,
    source: source(c.employees ?? [], c.source ?? {}),
    target: { people: c.people ?? [], teams: c.teams ?? [] },
    config:
      c.config ??
      config({ policy: { teamsFromDepartments: false, managersFromSupervisors: false } }),
    now: NOW,
  })

const personChange = (changes: readonly Change[], id: string): PersonChange => {
  const found = changes.find((c): c is PersonChange => c.kind === 'person' && c.id === id)
  if (!found) throw new Error(`no change ${id} in ${changes.map((c) => c.id).join(', ')}`)
  return found
}
const only = (c: Case, id = 'person:1') => personChange(run(c).changes, id)

const anna = (values: Partial<Employee> = {}) =>
  employee('1', { firstName: 'Anna', lastName: 'Schmidt', workEmail: 'anna@acme.de', ...values })
const annaPerson = (values: Parameters<typeof person>[1] = {}) =>
  person('p1', {
    sourceKey: linked('1'),
    identifier: 'anna@acme.de',
    fields: {
      firstName: 'Anna',
      lastName: 'Schmidt',
      email: 'anna@acme.de',
      displayName: 'Anna Schmidt',
    },
    ...values,
  })
const narrow = (input: unknown = {}) =>
  config({
    mapping: {
      firstName: { from: 'firstName' },
      lastName: { from: 'lastName' },
      email: { from: 'workEmail', transforms: [{ op: 'lower' }] },
      displayName: { transforms: [{ op: 'name_format', format: 'first_last' }] },
    },
    policy: { teamsFromDepartments: false, managersFromSupervisors: false },
    ...(input as object),
  })

describe('plan: people', () => {
  it('creates a new employee with the mapped fields, linked and identified', () => {
    const c = only({ employees: [anna()], config: narrow() })
    expect(c).toMatchObject({
      action: 'create',
      reason: 'new_in_source',
      personId: null,
      targetHash: null,
    })
    expect(c.after).toEqual({
      fields: {
        firstName: 'Anna',
        lastName: 'Schmidt',
        email: 'anna@acme.de',
        displayName: 'Anna Schmidt',
      },
      identifier: 'anna@acme.de',
      sourceKey: linked('1'),
      status: 'active',
      leaverDate: null,
      groups: [],
    })
  })

  it('does nothing for a person who is up to date', () => {
    const c = only({ employees: [anna()], people: [annaPerson()], config: narrow() })
    expect(c).toMatchObject({ action: 'noop', reason: 'up_to_date', personId: 'p1', diff: [] })
  })

  it('updates changed fields, naming each with before and after, against the person hash', () => {
    const p = annaPerson()
    const c = only({ employees: [anna({ lastName: 'Weber' })], people: [p], config: narrow() })
    expect(c).toMatchObject({ action: 'update', reason: 'fields_changed', targetHash: p.hash })
    expect(c.diff).toEqual([
      { field: 'lastName', before: 'Schmidt', after: 'Weber' },
      { field: 'displayName', before: 'Anna Schmidt', after: 'Anna Weber' },
    ])
  })

  it('links a person found by identifier', () => {
    const unlinked = annaPerson({ sourceKey: null, identifier: null })
    const c = only({ employees: [anna()], people: [unlinked], config: narrow() })
    expect(c).toMatchObject({ action: 'update', reason: 'linked', matchedBy: 'work_email' })
    expect(c.diff.map((d) => d.field)).toEqual(['identifier', 'sourceKey'])
  })

  it('lets the HR system overwrite fields it owns and never those the application owns', () => {
    const cfg = narrow({
      mapping: {
        firstName: { from: 'firstName' },
        lastName: { from: 'lastName', owner: 'app' },
        email: { from: 'workEmail' },
      },
    })
    const p = annaPerson({
      fields: { firstName: 'Annie', lastName: 'Schmidt-Edited', email: 'anna@acme.de' },
    })
    const c = only({ employees: [anna()], people: [p], config: cfg })
    expect(c.diff).toEqual([{ field: 'firstName', before: 'Annie', after: 'Anna' }])
    expect(only({ employees: [anna()], config: cfg }).after?.fields['lastName']).toBe('Schmidt')
  })

  it.each([
    ['yesterday', '2026-11-20', 'mark_leaver', 'terminated_in_source', 'leaver', '2026-11-20'],
    ['today', '2026-11-21', 'mark_leaver', 'terminated_in_source', 'leaver', '2026-11-21'],
    ['tomorrow', '2026-11-22', 'update', 'termination_scheduled', 'active', null],
  ] as const)('a termination date %s: %s', (_when, date, action, reason, status, leaverDate) => {
    const c = only({
      employees: [anna({ terminationDate: date })],
      people: [annaPerson()],
      config: narrow({ mapping: { terminationDate: { from: 'terminationDate' } } }),
    })
    expect(c).toMatchObject({ action, reason })
    expect(c.after).toMatchObject({ status, leaverDate, fields: { terminationDate: date } })
  })

  it('takes "today" in the configured time zone', () => {
    // 2026-11-21T10:00Z is already the 22nd on Kiritimati (UTC+14)
    const c = only({
      employees: [anna({ terminationDate: '2026-11-22' })],
      people: [annaPerson()],
      config: narrow({ timeZone: 'Pacific/Kiritimati' }),
    })
    expect(c.action).toBe('mark_leaver')
  })

  it('puts leavers in the Ex-employees group, and takes them out when rehired', () => {
    const leaver = only({
      employees: [anna({ status: 'terminated' })],
      people: [annaPerson()],
      config: narrow(),
    })
    expect(leaver.after).toMatchObject({
      status: 'leaver',
      leaverDate: null,
      groups: ['Ex-employees'],
    })
    const back = only({
      employees: [anna()],
      people: [
        annaPerson({
          status: 'leaver',
          leaverDate: '2025-01-31',
          groups: ['Ex-employees', 'Alumni'],
        }),
      ],
      config: narrow(),
    })
    expect(back).toMatchObject({ action: 'reactivate', reason: 'rehired' })
    expect(back.after).toMatchObject({ status: 'active', leaverDate: null, groups: ['Alumni'] })
  })

  it('skips employees terminated before they were ever imported, or creates them as leavers by policy', () => {
    const gone = anna({ terminationDate: '2025-06-30' })
    expect(only({ employees: [gone], config: narrow() })).toMatchObject({
      action: 'skip',
      reason: 'terminated_never_imported',
    })
    const created = only({
      employees: [gone],
      config: narrow({
        policy: { terminatedNeverImported: 'create_as_leaver', teamsFromDepartments: false },
      }),
    })
    expect(created).toMatchObject({
      action: 'create',
      reason: 'terminated_never_imported',
      invite: false,
    })
    expect(created.after).toMatchObject({
      status: 'leaver',
      leaverDate: '2025-06-30',
      groups: ['Ex-employees'],
    })
  })

  it('marks a linked person missing from a complete read as a leaver, with no invented date', () => {
    const c = only({ people: [annaPerson()], config: narrow() })
    expect(c).toMatchObject({
      action: 'mark_leaver',
      reason: 'missing_from_source',
      personId: 'p1',
    })
    expect(c.after).toMatchObject({ status: 'leaver', leaverDate: null })
  })

  it('never marks anyone missing from an incomplete read as a leaver', () => {
    const c = only({ people: [annaPerson()], config: narrow(), source: { complete: false } })
    expect(c).toMatchObject({ action: 'skip', reason: 'incomplete_read' })
  })

  it('never touches people that no connection or employee claims', () => {
    const own = person('p9', { fields: { displayName: 'Founder' } })
    const elsewhere = person('p8', { sourceKey: linked('1', 'bamboohr-acme') })
    expect(run({ people: [own, elsewhere], config: narrow() }).changes).toEqual([])
  })

  it('skips, never marks missing, a linked employee whose record was invalid', () => {
    const issue = {
      code: 'invalid_string',
      severity: 'error' as const,
      message: 'bad email',
      path: ['workEmail'],
      record: '1',
    }
    const c = only({
      people: [annaPerson()],
      config: narrow(),
      source: { invalid: [{ externalId: '1', issues: [issue] }] },
    })
    expect(c).toMatchObject({ action: 'skip', reason: 'invalid_record', issues: [issue] })
  })

  it('plans records it could not read, in any order, the same way', () => {
    const bad = (message: string) => ({
      externalId: null,
      issues: [{ code: 'invalid_type', severity: 'error' as const, message, path: ['id'] }],
    })
    const records = [bad('no id'), bad('id is an object')]
    const ids = (invalid: typeof records) =>
      run({ config: narrow(), source: { invalid } }).changes.map(
        (c) => `${c.id} ${c.issues[0]?.message ?? ''}`,
      )
    expect(ids(records)).toEqual(['invalid:0 id is an object', 'invalid:1 no id'])
    expect(ids([...records].reverse())).toEqual(ids(records))
  })

  it('skips a new employee without a name as invalid', () => {
    const c = only({ employees: [employee('1', { workEmail: 'x@acme.de' })], config: narrow() })
    expect(c).toMatchObject({ action: 'skip', reason: 'invalid_record' })
    expect(c.issues[0]?.message).toBe('has no name: first and last name are unknown')
  })

  it('skips ambiguous and conflicting matches with a reason a person can act on', () => {
    const people = [
      person('p1', { fields: { email: 'a@acme.de' } }),
      person('p2', { identifier: 'a@acme.de' }),
    ]
    const c = only({ employees: [anna({ workEmail: 'a@acme.de' })], people, config: narrow() })
    expect(c).toMatchObject({ action: 'skip', reason: 'ambiguous_match' })
    expect(c.issues[0]?.message).toContain('2 people match by work_email (p1, p2)')
  })

  it('leaves out filtered employees, but still marks a linked one who left', () => {
    const cfg = narrow({ filter: { field: 'status', op: 'eq', value: 'active' } })
    expect(
      only({ employees: [anna({ status: 'inactive' })], people: [annaPerson()], config: cfg }),
    ).toMatchObject({ action: 'skip', reason: 'filtered_out', personId: 'p1' })
    const left = only({
      employees: [anna({ status: 'terminated', terminationDate: '2026-10-31' })],
      people: [annaPerson()],
      config: cfg,
    })
    expect(left).toMatchObject({ action: 'mark_leaver', reason: 'terminated_in_source' })
    expect(left.diff.map((d) => d.field)).toEqual(['status', 'leaverDate', 'groups'])
  })

  it('reads a record repeated across pages once, the newest version', () => {
    const old = anna({ lastName: 'Alt', sourceUpdatedAt: '2026-11-01T00:00:00Z' })
    const fresh = anna({ lastName: 'Neu', sourceUpdatedAt: '2026-11-02T00:00:00Z' })
    const result = run({ employees: [fresh, old, fresh], config: narrow() })
    expect(result.changes).toHaveLength(1)
    expect(personChange(result.changes, 'person:1').after?.fields['lastName']).toBe('Neu')
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'duplicate_in_source', record: '1' }),
    ])
  })

  it('keeps the value of a field that failed its transform', () => {
    const cfg = narrow({
      mapping: {
        phone: { from: 'mobilePhone', transforms: [{ op: 'phone_e164', defaultCountry: 'DE' }] },
      },
    })
    const p = annaPerson({ fields: { phone: '+4915123456789' } })
    const c = only({ employees: [anna({ mobilePhone: '123' })], people: [p], config: cfg })
    expect(c.action).toBe('noop')
    expect(c.issues[0]?.message).toContain('"123" is not a valid phone number')
  })
})

describe('plan: readable fields', () => {
  const readable = ['firstName', 'lastName', 'workEmail', 'preferredName']

  it('says what cannot happen when termination dates are not readable, and clears nothing', () => {
    const p = annaPerson({ fields: { ...annaPerson().fields, terminationDate: '2027-01-31' } })
    const cfg = narrow({
      mapping: { ...narrow().mapping, terminationDate: { from: 'terminationDate' } },
    })
    const result = run({
      employees: [anna()],
      people: [p],
      config: cfg,
      source: { readableFields: readable },
    })
    expect(result.issues.map((i) => i.message)).toContain(
      'termination date is not readable with these credentials: leavers cannot be detected',
    )
    expect(personChange(result.changes, 'person:1').action).toBe('noop')
  })

  it('refuses a sync-if condition on a field it cannot read', () => {
    const cfg = narrow({ filter: { field: 'office', op: 'eq', value: 'Berlin' } })
    const attempt = () =>
      run({ employees: [anna()], config: cfg, source: { readableFields: readable } })
    expect(attempt).toThrow(SyncError)
    expect(attempt).toThrow(
      'office is not readable with these credentials: the sync-if condition on it cannot be evaluated',
    )
  })

  it('refuses to plan when no identifier is readable', () => {
    const attempt = () =>
      run({ employees: [anna()], config: narrow(), source: { readableFields: ['firstName'] } })
    expect(attempt).toThrow(/no identifier can be read/)
  })
})

describe('plan: teams and managers', () => {
  const eng = ref('Engineering', 'd1')
  const cfg = config({
    mapping: { displayName: { transforms: [{ op: 'name_format', format: 'first_last' }] } },
  })
  const boss = employee('1', { firstName: 'Bea', lastName: 'Boss', department: eng })
  const dev = employee('2', {
    firstName: 'Dev',
    lastName: 'Eloper',
    department: eng,
    supervisorExternalId: '1',
  })

  it('creates a team per department and puts new people in it, managers after creates', () => {
    const result = run({ employees: [dev, boss], config: cfg })
    expect(result.changes.map((c) => `${c.kind} ${c.action} ${c.id}`)).toEqual([
      'person create person:1',
      'person create person:2',
      'team create team:d1',
      'membership join membership:1:join:team:d1',
      'membership join membership:2:join:team:d1',
      'manager update manager:2',
    ])
    expect(result.changes.at(-1)).toMatchObject({
      person: { change: 'person:2' },
      after: { change: 'person:1' },
      before: null,
    })
  })

  it('moves a person to the team of their new department and renames a renamed one', () => {
    const sales = team('t2', 'Sales', linked('d2'))
    const old = team('t1', 'Eng', linked('d1'))
    const people = [
      person('p1', {
        sourceKey: linked('1'),
        fields: { displayName: 'Bea Boss' },
        teamIds: ['t2', 'manual'],
      }),
    ]
    const result = run({ employees: [boss], people, teams: [old, sales], config: cfg })
    expect(result.changes.filter((c) => c.kind !== 'person')).toEqual([
      expect.objectContaining({
        kind: 'team',
        action: 'update',
        reason: 'department_renamed',
        teamId: 't1',
        after: { name: 'Engineering', sourceKey: linked('d1') },
      }),
      expect.objectContaining({
        kind: 'membership',
        action: 'join',
        team: { id: 't1' },
        reason: 'department_changed',
      }),
      expect.objectContaining({ kind: 'membership', action: 'leave', team: { id: 't2' } }),
    ])
  })

  it('adopts an existing team with the department name instead of making a second one', () => {
    const result = run({ employees: [boss], teams: [team('t7', 'engineering')], config: cfg })
    expect(result.changes.find((c) => c.kind === 'team')).toMatchObject({
      action: 'update',
      reason: 'linked',
      teamId: 't7',
    })
  })

  it('takes leavers out of their teams', () => {
    const p = person('p1', {
      sourceKey: linked('1'),
      fields: { displayName: 'Bea Boss' },
      teamIds: ['t1'],
    })
    const result = run({
      employees: [],
      people: [p],
      teams: [team('t1', 'Engineering', linked('d1'))],
      config: cfg,
    })
    expect(result.changes.map((c) => `${c.kind} ${c.action} ${c.reason}`)).toEqual([
      'person mark_leaver missing_from_source',
      'membership leave left_company',
    ])
  })

  it('leaves the manager empty, with a warning, when the supervisor is not synced', () => {
    const filtered = config({ ...cfg, filter: { field: 'externalId', op: 'neq', value: '1' } })
    const result = run({ employees: [dev, boss], config: filtered })
    expect(result.changes.some((c) => c.kind === 'manager')).toBe(false)
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'supervisor_not_synced', record: '2' }),
    ])
  })

  it('takes the person still linked to a supervisor outside the sync-if conditions', () => {
    const filtered = config({ ...cfg, filter: { field: 'externalId', op: 'neq', value: '1' } })
    const bea = person('p1', { sourceKey: linked('1'), fields: { displayName: 'Bea Boss' } })
    const result = run({ employees: [dev, boss], people: [bea], config: filtered })
    expect(result.changes.filter((c) => c.kind === 'manager')).toEqual([
      expect.objectContaining({ before: null, after: { id: 'p1' } }),
    ])
    const gone = { ...bea, status: 'leaver' as const }
    const left = run({ employees: [dev, boss], people: [gone], config: filtered })
    expect(left.changes.some((c) => c.kind === 'manager')).toBe(false)
  })

  it('reports a reporting cycle and leaves those managers as they are', () => {
    const a = employee('1', { firstName: 'A', lastName: 'A', supervisorExternalId: '2' })
    const b = employee('2', { firstName: 'B', lastName: 'B', supervisorExternalId: '1' })
    const c = employee('3', { firstName: 'C', lastName: 'C', supervisorExternalId: '1' })
    const result = run({ employees: [a, b, c], config: cfg })
    expect(result.changes.filter((x) => x.kind === 'manager').map((x) => x.id)).toEqual([
      'manager:3',
    ])
    expect(result.issues.map((i) => `${i.code}: ${i.message}`)).toEqual([
      'manager_cycle: supervisors form a cycle (1 → 2 → 1): these managers are left as they are',
    ])
  })
})

describe('plan: what it must not do (found in review)', () => {
  const cfg = config({
    mapping: {
      displayName: { transforms: [{ op: 'name_format', format: 'first_last' }] },
      email: { from: 'workEmail' },
    },
    policy: { teamsFromDepartments: false },
  })
  const boss = person('p1', {
    sourceKey: linked('1'),
    fields: { displayName: 'Bea Boss', email: null },
  })
  const report = person('p2', {
    sourceKey: linked('2'),
    managerId: 'p1',
    fields: { displayName: 'Eve Report', email: null },
  })
  const eve = employee('2', { firstName: 'Eve', lastName: 'Report', supervisorExternalId: '1' })
  const managerChanges = (c: Case) =>
    run({ config: cfg, ...c }).changes.filter((x) => x.kind === 'manager')

  it('leaves a manager as it is when the supervisor was not in an incomplete read', () => {
    const result = run({
      employees: [eve],
      people: [report],
      config: cfg,
      source: { complete: false },
    })
    expect(result.changes.filter((x) => x.kind === 'manager')).toEqual([])
    expect(result.issues.map((i) => i.message)).toContain(
      'supervisor 1 was not in this incomplete read: the manager is left as it is',
    )
  })

  it('takes the person linked to a supervisor an incomplete read did not see, unless a leaver', () => {
    const unmanaged = { ...report, managerId: null }
    const incomplete = { source: { complete: false } }
    expect(managerChanges({ employees: [eve], people: [boss, unmanaged], ...incomplete })).toEqual([
      expect.objectContaining({ before: null, after: { id: 'p1' } }),
    ])
    const left = { ...boss, status: 'leaver' as const }
    const result = run({ config: cfg, employees: [eve], people: [left, unmanaged], ...incomplete })
    expect(result.changes.filter((x) => x.kind === 'manager')).toEqual([])
    expect(result.issues.map((i) => i.message)).toContain(
      'supervisor 1 is a leaver not in this plan (a complete read decides): the manager is left as it is',
    )
  })

  it('leaves a manager as it is when the supervisor record was invalid or skipped', () => {
    const invalid = [{ externalId: '1', issues: [] }]
    expect(
      managerChanges({ employees: [eve], people: [boss, report], source: { invalid } }),
    ).toEqual([])
    const nameless = employee('1', { workEmail: 'x@acme.de' })
    expect(managerChanges({ employees: [eve, nameless], people: [report] })).toEqual([])
  })

  it('empties the manager when the supervisor is gone after a complete read', () => {
    expect(managerChanges({ employees: [eve], people: [boss, report] })).toEqual([
      expect.objectContaining({ before: 'p1', after: null }),
    ])
  })

  it('touches neither managers nor teams when supervisor and department cannot be read', () => {
    const t = team('t1', 'Sales', linked('d2'))
    const inTeam = (p: Person) => ({ ...p, teamIds: ['t1'] })
    const result = run({
      employees: [employee('1', { firstName: 'Bea', lastName: 'Boss' }), eve],
      people: [inTeam(boss), inTeam(report)],
      teams: [t],
      config: config({ ...cfg, policy: {} }),
      source: { readableFields: ['firstName', 'lastName', 'workEmail', 'terminationDate'] },
    })
    expect(result.changes.filter((x) => x.kind !== 'person')).toEqual([])
  })

  it('creates a rehired employee even though the old record has the same email', () => {
    const old = employee('1', {
      firstName: 'Anna',
      lastName: 'S',
      workEmail: 'anna@acme.de',
      status: 'terminated',
      terminationDate: '2024-01-31',
    })
    const rehired = employee('2', { firstName: 'Anna', lastName: 'S', workEmail: 'anna@acme.de' })
    const result = run({ employees: [old, rehired], config: cfg })
    expect(result.changes.map((c) => `${c.id} ${c.action} ${c.reason}`)).toEqual([
      'person:1 skip terminated_never_imported',
      'person:2 create new_in_source',
    ])
  })

  it('creates an in-scope employee even though a filtered-out one has the same email', () => {
    const zurich = employee('1', {
      firstName: 'A',
      lastName: 'S',
      workEmail: 'a@acme.de',
      office: ref('Zurich'),
    })
    const berlin = employee('2', {
      firstName: 'A',
      lastName: 'S',
      workEmail: 'a@acme.de',
      office: ref('Berlin'),
    })
    const filtered = config({ ...cfg, filter: { field: 'office', op: 'eq', value: 'Berlin' } })
    expect(
      run({ employees: [zurich, berlin], config: filtered }).changes.map((c) => c.action),
    ).toEqual(['skip', 'create'])
  })

  it('does not make a leaver of a terminated employee before their last working day', () => {
    const c = only({
      employees: [anna({ status: 'terminated', lastWorkingDay: '2027-03-31' })],
      people: [annaPerson()],
      config: narrow(),
    })
    expect(c.action).toBe('noop')
  })

  it('takes the newest of two versions by instant, whatever their offsets', () => {
    const older = anna({ lastName: 'Old', sourceUpdatedAt: '2026-11-20T10:00:00+02:00' })
    const newer = anna({ lastName: 'New', sourceUpdatedAt: '2026-11-20T09:00:00Z' })
    expect(only({ employees: [older, newer], config: narrow() }).after?.fields['lastName']).toBe(
      'New',
    )
  })

  it('keeps an identifier’s case, and never creates one that differs from a held one by case', () => {
    const byNumber = config({
      identifiers: ['employee_number'],
      mapping: { ...cfg.mapping, email: { from: 'workEmail' } },
      policy: { teamsFromDepartments: false },
    })
    const held = person('p1', {
      sourceKey: linked('1'),
      identifier: 'E7',
      fields: { displayName: 'Bea Boss', email: 'bea@acme.de' },
    })
    const bea = employee('1', {
      firstName: 'Bea',
      lastName: 'Boss',
      workEmail: 'bea@acme.de',
      employeeNumber: 'E7',
    })
    const twin = employee('2', { firstName: 'Eve', lastName: 'Twin', employeeNumber: 'e7' })
    const fresh = employee('3', { firstName: 'Ian', lastName: 'New', employeeNumber: 'X-9' })
    const result = run({ employees: [bea, twin, fresh], people: [held], config: byNumber })
    expect(personChange(result.changes, 'person:1')).toMatchObject({ action: 'noop' })
    expect(personChange(result.changes, 'person:2')).toMatchObject({
      action: 'skip',
      reason: 'duplicate_identifier',
    })
    expect(personChange(result.changes, 'person:3')).toMatchObject({
      action: 'create',
      after: { identifier: 'X-9' },
    })
  })

  it('leaves a manager as it is when the boss is skipped as a duplicate', () => {
    const byNumber = config({
      identifiers: ['employee_number'],
      mapping: { ...cfg.mapping, email: { from: 'workEmail' } },
      policy: { teamsFromDepartments: false },
    })
    const handMade = person('x', { fields: { displayName: 'Bea Boss', email: 'bea@acme.de' } })
    const managed = person('p2', {
      sourceKey: linked('2'),
      managerId: 'x',
      fields: { displayName: 'Eve Report', email: 'eve@acme.de' },
    })
    const bea = employee('1', {
      firstName: 'Bea',
      lastName: 'Boss',
      workEmail: 'bea@acme.de',
      employeeNumber: '1',
    })
    const eve2 = employee('2', {
      firstName: 'Eve',
      lastName: 'Report',
      workEmail: 'eve@acme.de',
      employeeNumber: '2',
      supervisorExternalId: '1',
    })
    const result = run({ employees: [bea, eve2], people: [handMade, managed], config: byNumber })
    expect(personChange(result.changes, 'person:1')).toMatchObject({
      action: 'skip',
      reason: 'duplicate_identifier',
    })
    expect(result.changes.filter((c) => c.kind === 'manager')).toEqual([])
    expect(result.issues.map((i) => i.message)).toContain(
      'supervisor 1 is skipped in this plan (see its change): the manager is left as it is',
    )
  })

  it('takes a leaver out of their teams even when departments cannot be read', () => {
    const inTeam = person('p1', {
      sourceKey: linked('1'),
      teamIds: ['t1'],
      fields: { displayName: 'Bea Boss', email: null },
    })
    const gone = employee('1', {
      firstName: 'Bea',
      lastName: 'Boss',
      terminationDate: '2026-10-31',
    })
    const result = run({
      employees: [gone],
      people: [inTeam],
      teams: [team('t1', 'Sales', linked('d2'))],
      config: config({ ...cfg, policy: {} }),
      source: { readableFields: ['firstName', 'lastName', 'workEmail', 'terminationDate'] },
    })
    expect(result.changes.map((c) => `${c.kind} ${c.action} ${c.reason}`)).toEqual([
      'person mark_leaver terminated_in_source',
      'membership leave left_company',
    ])
  })
})
