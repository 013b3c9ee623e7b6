import { describe, expect, it } from 'vitest'

import { CONNECTION, employee, linked, person } from '../../../test/helpers/factories.ts'
import { nameKey } from './identifier-rule.ts'
import type { IdentifierRule } from './identifier-rule.ts'
import { matchEmployees } from './match.ts'

const match = (
  employees: ReturnType<typeof employee>[],
  people: ReturnType<typeof person>[],
  rules: IdentifierRule[] = ['work_email'],
) => Object.fromEntries(matchEmployees(employees, people, rules, CONNECTION))

describe('nameKey', () => {
  it.each([
    [['Jürgen', 'Müller'], 'Müller, Jürgen'],
    [['JÜRGEN', 'MÜLLER'], 'jurgen muller'],
    [['Zoë', 'Saldaña'], 'saldana zoe'],
    [['Anna Maria', 'Groß'], 'Gross, Anna   Maria'],
    [['Søren', 'Ødegård'], 'odegard soren'],
    [['Łukasz', 'Æbelø'], 'lukasz aebelo'],
  ])('%j equals %s', (parts, other) => {
    expect(nameKey(...parts)).toBe(nameKey(other))
  })
  it('is unknown for no words', () => {
    expect(nameKey(' , ')).toBeNull()
  })
})

describe('matchEmployees', () => {
  it('keeps an existing link when the email changed, so no duplicate is made', () => {
    const e = employee('1', { workEmail: 'new@acme.de' })
    const p = person('p1', { sourceKey: linked('1'), fields: { email: 'old@acme.de' } })
    const other = person('p2', { fields: { email: 'new@acme.de' } })
    expect(match([e], [p, other])).toEqual({ '1': { kind: 'linked', personId: 'p1' } })
  })

  it.each([
    [
      'email, trimmed and in any case',
      { workEmail: ' Anna@ACME.de ' },
      { fields: { email: 'anna@acme.de' } },
      ['work_email'],
      'work_email',
    ],
    [
      'the identifier column',
      { workEmail: 'anna@acme.de' },
      { identifier: 'ANNA@acme.de' },
      ['work_email'],
      'work_email',
    ],
    [
      'employee number',
      { employeeNumber: ' 0042' },
      { fields: { employeeNumber: '0042' } },
      ['employee_number'],
      'employee_number',
    ],
    [
      'personal email',
      { personalEmail: 'a@home.de' },
      { fields: { personalEmail: 'A@home.de' } },
      ['personal_email'],
      'personal_email',
    ],
    [
      'a custom field',
      { custom: { dynamic_5: { label: 'Badge', type: 'text', value: 'B-7' } } },
      { identifier: 'B-7' },
      [{ custom: 'dynamic_5' }],
      'custom.dynamic_5',
    ],
    [
      'name, ignoring accents, order and commas',
      { firstName: 'Jürgen', lastName: 'Müller' },
      { fields: { displayName: 'Muller, Jurgen' } },
      ['work_email', 'name'],
      'name',
    ],
  ] as const)('matches by %s', (_name, values, target, rules, rule) => {
    const result = match([employee('1', values)], [person('p1', target)], [...rules])
    expect(result['1']).toEqual({ kind: 'matched', personId: 'p1', rule })
  })

  it('finds a number stored as a number', () => {
    const result = match(
      [employee('1', { employeeNumber: '1234' })],
      [person('p1', { fields: { employeeNumber: 1234 } })],
      ['employee_number'],
    )
    expect(result['1']).toEqual({ kind: 'matched', personId: 'p1', rule: 'employee_number' })
  })

  it('compares employee numbers and custom identifiers ignoring case, as the directory does', () => {
    const byNumber = match(
      [employee('1', { employeeNumber: ' E-7 ' })],
      [person('p1', { identifier: 'e-7' })],
      ['employee_number'],
    )
    expect(byNumber['1']).toEqual({ kind: 'matched', personId: 'p1', rule: 'employee_number' })
    const byCustom = match(
      [employee('1', { custom: { badge: { label: 'Badge', type: 'text', value: 'AB12' } } })],
      [person('p1', { fields: { 'custom.badge': 'ab12' } })],
      [{ custom: 'badge' }],
    )
    expect(byCustom['1']).toEqual({ kind: 'matched', personId: 'p1', rule: 'custom.badge' })
  })

  it('tries the rules in order', () => {
    const e = employee('1', { workEmail: 'x@acme.de', employeeNumber: '42' })
    const byNumber = person('p1', { fields: { employeeNumber: '42' } })
    const byEmail = person('p2', { fields: { email: 'x@acme.de' } })
    expect(match([e], [byNumber, byEmail], ['employee_number', 'work_email'])['1']).toMatchObject({
      personId: 'p1',
    })
  })

  it('reports several candidates as ambiguous, never guessing', () => {
    const e = employee('1', { firstName: 'Anna', lastName: 'Schmidt' })
    const result = match(
      [e],
      [
        person('p2', { fields: { displayName: 'Anna Schmidt' } }),
        person('p1', { fields: { displayName: 'Schmidt, Anna' } }),
      ],
      ['name'],
    )
    expect(result['1']).toEqual({ kind: 'ambiguous', rule: 'name', candidates: ['p1', 'p2'] })
  })

  it('makes a person claimed by two employees a conflict for both', () => {
    const a = employee('1', { workEmail: 'shared@acme.de' })
    const b = employee('2', { employeeNumber: '7' })
    const p = person('p1', { fields: { email: 'shared@acme.de', employeeNumber: '7' } })
    const result = match([a, b], [p], ['work_email', 'employee_number'])
    expect(result).toEqual({
      '1': { kind: 'conflict', personId: 'p1', rivals: ['2'] },
      '2': { kind: 'conflict', personId: 'p1', rivals: ['1'] },
    })
  })

  it('never offers a person linked elsewhere as a candidate, and never duplicates its key', () => {
    const e = employee('2', { workEmail: 'anna@acme.de' })
    const elsewhere = person('p1', {
      sourceKey: linked('9', 'bamboohr-acme'),
      fields: { email: 'anna@acme.de' },
    })
    expect(match([e], [elsewhere])['2']).toEqual({
      kind: 'duplicate',
      rule: 'work_email',
      key: 'anna@acme.de',
      others: ['person:p1'],
    })
  })

  it('flags two new employees with the same email instead of creating both', () => {
    const result = match(
      [employee('1', { workEmail: 'a@x.de' }), employee('2', { workEmail: 'A@x.de' })],
      [],
    )
    expect(result['1']).toMatchObject({ kind: 'duplicate', others: ['employee:2'] })
    expect(result['2']).toMatchObject({ kind: 'duplicate', others: ['employee:1'] })
  })

  it('lets a new employee take an email its linked person is about to give up', () => {
    const moved = employee('1', { workEmail: 'anna.new@acme.de' })
    const newcomer = employee('2', { workEmail: 'anna@acme.de' })
    const p = person('p1', { sourceKey: linked('1'), fields: { email: 'anna@acme.de' } })
    expect(match([moved, newcomer], [p])['2']).toEqual({ kind: 'unmatched' })
  })

  it('reports two people linked to one employee as ambiguous', () => {
    const result = match(
      [employee('1')],
      [person('p1', { sourceKey: linked('1') }), person('p2', { sourceKey: linked('1') })],
    )
    expect(result['1']).toEqual({ kind: 'ambiguous', rule: 'link', candidates: ['p1', 'p2'] })
  })
})

describe('matchEmployees: contested people', () => {
  it('does not let one employee take a person another employee might be', () => {
    const byNumber = employee('3', { employeeNumber: '2' })
    const byEmail = employee('11', { workEmail: 'b@acme.de' })
    const people = [
      person('p7', { fields: { email: 'b@acme.de', employeeNumber: '2' } }),
      person('p11', { fields: { employeeNumber: '2' } }),
    ]
    const result = match([byNumber, byEmail], people, ['employee_number', 'work_email'])
    expect(result['3']).toEqual({
      kind: 'ambiguous',
      rule: 'employee_number',
      candidates: ['p11', 'p7'],
    })
    expect(result['11']).toEqual({ kind: 'conflict', personId: 'p7', rivals: ['3'] })
  })
})
