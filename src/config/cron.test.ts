import { describe, expect, it } from 'vitest'

import { Cron, cronProblem } from './cron.ts'

describe('cronProblem', () => {
  it.each([
    '*/15 * * * *',
    '0 3 * * *',
    '0,30 8-18 * * 1-5',
    '*/30 8-18/2 1,15 jan-jun mon-fri',
    '59 23 31 12 7',
    ' 0  0  1  1  0 ',
    '0 9 * * SUN',
  ])('takes %j', (expression) => {
    expect(cronProblem(expression)).toBeNull()
  })

  it.each([
    ['', 'has 1 field; a cron expression has 5'],
    ['* * * *', 'has 4 fields; a cron expression has 5'],
    ['* * * * * *', 'has 6 fields; a cron expression has 5'],
    ['60 * * * *', 'minute 60 is out of range 0-59'],
    ['0 24 * * *', 'hour 24 is out of range 0-23'],
    ['0 0 0 * *', 'day of month 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month 13 is out of range 1-12'],
    ['0 0 * * 8', 'day of week 8 is out of range 0-7'],
    ['0 0 * * funday', 'day of week "funday" is not a number or a name'],
    ['x * * * *', 'minute "x" is not a number'],
    ['*/0 * * * *', 'minute "*/0": the step after / must be a positive number'],
    ['1/2/3 * * * *', 'minute "1/2/3" has more than one /'],
    ['0 18-8 * * *', 'hour range "18-8" runs backwards'],
    ['0 1-2-3 * * *', 'hour "1-2-3" is not a value or a range a-b'],
    ['0 0 * jan,feb,mars *', 'month "mars" is not a number or a name'],
  ])('rejects %j: %s', (expression, problem) => {
    expect(cronProblem(expression)).toContain(problem)
  })
})

describe('Cron', () => {
  it('reports the problem as a schedule issue', () => {
    const result = Cron.safeParse('0 25 * * *')
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      'is not a valid schedule: hour 25 is out of range 0-23',
    ])
  })
})
