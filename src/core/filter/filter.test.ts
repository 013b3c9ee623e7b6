import { describe, expect, it } from 'vitest'

import { employee, ref } from '../../../test/helpers/factories.ts'
import { issuesFromZod } from '../errors.ts'
import { compileFilter } from './filter.ts'
import { FilterRule } from './filter-rule.ts'

const anna = employee('1', {
  status: 'active',
  office: ref('Berlin', 'office-1'),
  legalEntity: ref('Acme GmbH', 'le-1'),
  hireDate: '2024-03-01',
  weeklyHours: 40,
  costCenters: [ref('R&D', 'cc-1'), ref('Ops', 'cc-2')],
  workEmail: 'anna@acme.de',
  custom: {
    dynamic_9: { label: 'Shirt size', type: 'options', value: 'M' },
    dynamic_4: { label: 'Probezeit bis', type: 'date', value: '31.08.2024' },
  },
})
const ben = employee('2', {
  status: 'terminated',
  office: ref('Hamburg', 'office-2'),
  legalEntity: ref('Acme Ltd', 'le-2'),
  hireDate: '2026-12-01',
})
const nobody = employee('3')

describe('compileFilter', () => {
  it.each([
    ['only active employees', { field: 'status', op: 'eq', value: 'active' }, [true, false, true]],
    [
      'offices Berlin and Munich',
      { field: 'office', op: 'in', value: ['Berlin', 'Munich'] },
      [true, false, false],
    ],
    ['an office by id', { field: 'office', op: 'eq', value: 'office-2' }, [false, true, false]],
    [
      'case-insensitive',
      { field: 'legalEntity', op: 'eq', value: 'acme gmbh' },
      [true, false, false],
    ],
    [
      'neq keeps unknown',
      { field: 'legalEntity', op: 'neq', value: 'Acme Ltd' },
      [true, false, true],
    ],
    ['not_in', { field: 'office', op: 'not_in', value: ['Hamburg'] }, [true, false, true]],
    ['exists', { field: 'hireDate', op: 'exists' }, [true, true, false]],
    ['not_exists', { field: 'office', op: 'not_exists' }, [false, false, true]],
    ['exists on an empty list', { field: 'costCenters', op: 'exists' }, [true, false, false]],
    [
      'hired before today',
      { field: 'hireDate', op: 'before', value: 'today' },
      [true, false, false],
    ],
    [
      'hired after a date',
      { field: 'hireDate', op: 'after', value: '2025-01-01' },
      [false, true, false],
    ],
    [
      'contains text',
      { field: 'workEmail', op: 'contains', value: '@ACME.de' },
      [true, false, false],
    ],
    [
      'contains in a list',
      { field: 'costCenters', op: 'contains', value: 'ops' },
      [true, false, false],
    ],
    ['a number as text', { field: 'weeklyHours', op: 'eq', value: '40' }, [true, false, false]],
    [
      'a number contains only itself',
      { field: 'weeklyHours', op: 'contains', value: 4 },
      [false, false, false],
    ],
    ['a custom field', { field: 'custom.dynamic_9', op: 'eq', value: 'M' }, [true, false, false]],
    [
      'all: active in Berlin',
      {
        all: [
          { field: 'status', op: 'eq', value: 'active' },
          { field: 'office', op: 'eq', value: 'Berlin' },
        ],
      },
      [true, false, false],
    ],
    [
      'any: Hamburg or no office',
      {
        any: [
          { field: 'office', op: 'eq', value: 'Hamburg' },
          { field: 'office', op: 'not_exists' },
        ],
      },
      [false, true, true],
    ],
    ['empty all holds for everyone', { all: [] }, [true, true, true]],
    ['empty any holds for nobody', { any: [] }, [false, false, false]],
  ])('%s', (_name, input, expected) => {
    const rule = FilterRule.parse(input)
    const keep = compileFilter(rule, '2026-11-21')
    expect([anna, ben, nobody].map(keep)).toEqual(expected)
  })

  it('keeps everyone without a rule', () => {
    expect([anna, ben].map(compileFilter(null, '2026-11-21'))).toEqual([true, true])
  })

  it.each([
    [{ field: 'shoeSize', op: 'eq', value: 1 }, ['field'], 'is not a field of the employee model'],
    [{ field: 'office', op: 'in', value: [] }, ['value'], 'Too small'],
    [{ field: 'hireDate', op: 'before', value: 'yesterday' }, ['value'], ''],
    [{ field: 'office', op: 'after', value: '2024-01-01' }, ['field'], 'is not a date field'],
    [
      { all: [{ field: 'status', op: 'is', value: 'x' }] },
      ['all', 0, 'op'],
      'Invalid discriminator value',
    ],
    [{ any: [{ all: [{ field: 'status', op: 'eq' }] }] }, ['any', 0, 'all', 0, 'value'], ''],
    [
      { all: [{ field: 'shoe', op: 'exists' }] },
      ['all', 0, 'field'],
      'is not a field of the employee model',
    ],
    [{ any: 'x' }, ['any'], 'expected array'],
    [{ all: { field: 'status', op: 'eq', value: 'active' } }, ['all'], 'expected array'],
  ])('rejects %j naming the field', (input, path, message) => {
    const result = FilterRule.safeParse(input)
    expect(result.success).toBe(false)
    // what an admin is told: the alternative meant, at the field at fault
    const issues = result.error ? issuesFromZod(result.error) : []
    expect(issues.map((i) => i.path)).toContainEqual(path)
    const issue = issues.find((i) => JSON.stringify(i.path) === JSON.stringify(path))
    expect(issue?.message).toContain(message)
  })
})
