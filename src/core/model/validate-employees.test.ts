import { describe, expect, it } from 'vitest'

import { blankEmployee } from './employee.ts'
import { validateEmployees } from './validate-employees.ts'

describe('validateEmployees', () => {
  it('keeps the good records and names the record and field of each bad one', () => {
    const good = { ...blankEmployee('1'), firstName: 'Anna' }
    const result = validateEmployees([
      good,
      { ...blankEmployee('42'), hireDate: '31.12.2020', workEmail: '' },
      { ...blankEmployee('7'), department: { id: 'd1' } },
      null,
      { firstName: 'no id' },
    ])
    expect(result.employees).toEqual([good])
    expect(result.invalid.map((r) => r.externalId)).toEqual(['42', '7', null, null])
    expect(result.invalid.map((r) => r.issues.map((i) => i.message))).toEqual([
      [
        'employee 42: workEmail: must not be blank: unknown is null',
        'employee 42: hireDate: Invalid ISO date',
      ],
      ['employee 7: department.name: Invalid input: expected string, received undefined'],
      ['record 4: record: Invalid input: expected object, received null'],
      expect.arrayContaining([
        'record 5: externalId: Invalid input: expected string, received undefined',
      ]),
    ])
    expect(result.invalid[0]?.issues[1]).toMatchObject({
      path: ['hireDate'],
      record: '42',
      severity: 'error',
    })
  })
})
