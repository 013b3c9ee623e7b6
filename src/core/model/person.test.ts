import { describe, expect, it } from 'vitest'

import { fieldValueProblem } from './person.ts'

describe('fieldValueProblem', () => {
  it('takes a value of each field’s type, and null anywhere', () => {
    const fits: [string, unknown][] = [
      ['jobTitle', 'Chief of Staff'],
      ['email', 'ada@example.com'],
      ['phone', '+4917112345678'],
      ['hireDate', '2024-02-29'],
      ['weeklyHours', 38.5],
      ['costCenters', ['Sales', 'R&D']],
      ['custom.desk', 7],
      ['custom.remote', true],
      ['hireDate', null],
    ]
    for (const [field, value] of fits) {
      expect(fieldValueProblem(field, value as never), field).toBeNull()
    }
  })

  it('names the field, the type it takes and the value it got', () => {
    expect(fieldValueProblem('hireDate', 'tomorrow')).toBe(
      'Hire date takes a date as YYYY-MM-DD (2026-03-31), not "tomorrow"',
    )
    expect(fieldValueProblem('hireDate', '2023-02-29')).toMatch(/^Hire date takes a date/)
    expect(fieldValueProblem('weeklyHours', '40')).toBe('Weekly hours takes a number, not "40"')
    expect(fieldValueProblem('email', 'ada at example')).toMatch(/^Email takes an email address/)
    expect(fieldValueProblem('phone', '0171 1234567')).toMatch(/international form/)
    expect(fieldValueProblem('costCenters', 'Sales')).toMatch(/takes a list of text/)
    expect(fieldValueProblem('jobTitle', true)).toBe('Job title takes text, not true')
  })
})
