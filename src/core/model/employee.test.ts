import { describe, expect, it } from 'vitest'

import { formatPath, issuesFromZod } from '../errors.ts'
import { Employee, blankEmployee } from './employee.ts'
import { Person, personHash } from './person.ts'

describe('Employee', () => {
  it('accepts an employee with every value unknown', () => {
    expect(Employee.parse(blankEmployee('1'))).toEqual(blankEmployee('1'))
  })

  it.each([
    [{ workEmail: '' }, 'workEmail', 'must not be blank: unknown is null'],
    [{ firstName: '   ' }, 'firstName', 'must not be blank'],
    [{ hireDate: '01.04.2021' }, 'hireDate', ''],
    [{ status: 'fired' }, 'status', ''],
    [{ department: { id: 'd', name: '' } }, 'department.name', 'must not be blank'],
    [
      { salary: { amount: 5000, currency: 'euro', interval: 'monthly' } },
      'salary.currency',
      'ISO 4217',
    ],
    [{ custom: { dynamic_1: { label: 'x', type: 'text' } } }, 'custom.dynamic_1.value', ''],
    [
      { custom: { dynamic_2: { label: 'x', type: 'text', value: ' ' } } },
      'custom.dynamic_2.value',
      'must not be blank',
    ],
    [{ nickname: 'x' }, '', 'nickname'],
  ])('rejects %j naming %s', (values, path, message) => {
    const result = Employee.safeParse({ ...blankEmployee('7'), ...values })
    expect(result.success).toBe(false)
    const issues = result.error ? issuesFromZod(result.error, [], '7') : []
    expect(issues.map((i) => formatPath(i.path))).toContain(path)
    expect(issues.map((i) => i.message).join(' ')).toContain(message)
    expect(issues[0]?.record).toBe('7')
  })
})

describe('personHash', () => {
  const content = {
    fields: { b: 1, a: ['x'] },
    identifier: 'i',
    sourceKey: null,
    status: 'active' as const,
    leaverDate: null,
    groups: ['g2', 'g1'],
  }

  it('does not depend on key or group order', () => {
    expect(personHash(content)).toBe(
      personHash({ ...content, fields: { a: ['x'], b: 1 }, groups: ['g1', 'g2'] }),
    )
  })

  it('changes with any decided value', () => {
    expect(personHash(content)).not.toBe(
      personHash({ ...content, fields: { ...content.fields, b: 2 } }),
    )
    expect(personHash(content)).not.toBe(personHash({ ...content, status: 'leaver' }))
  })

  it('is what a Person carries', () => {
    const p = Person.parse({
      ...content,
      fields: { email: 'a@b.c' },
      id: 'p1',
      managerId: null,
      teamIds: [],
      inviteStatus: 'pending',
      hash: 'h',
    })
    expect(p.inviteStatus).toBe('pending')
  })
})
