import { describe, expect, it } from 'vitest'

import { Employee } from '../../core/model/employee.ts'
import type { Column } from './normalize-bamboohr.ts'
import { normalizeEmployee } from './normalize-bamboohr.ts'

const TODAY = '2026-03-02'

const standard = (key: string, type = 'text'): Column => ({ key, label: key, type, custom: false })
const COLUMNS: Column[] = [
  standard('employeeNumber'),
  standard('firstName'),
  standard('lastName'),
  standard('preferredName'),
  standard('workEmail', 'email'),
  standard('homeEmail', 'email'),
  standard('mobilePhone', 'phone'),
  standard('gender', 'gender'),
  standard('hireDate', 'date'),
  standard('terminationDate', 'date'),
  standard('status', 'status'),
  standard('employmentHistoryStatus', 'list'),
  standard('jobTitle', 'list'),
  standard('department', 'list'),
  standard('division', 'list'),
  standard('location', 'list'),
  standard('supervisorEId', 'int'),
  standard('standardHoursPerWeek', 'int'),
  standard('lastChanged', 'timestamp'),
  { key: 'customShirtSize', label: 'T-shirt size', type: 'list', custom: true },
  { key: '4053', label: 'Anniversary', type: 'date', custom: true },
  { key: '4055', label: 'Bonus target (%)', type: 'decimal', custom: true },
]

const row = (values: Record<string, string | null>) => ({
  id: '42',
  employeeNumber: 'NL-00042',
  firstName: 'Zoë',
  lastName: 'Saldaña',
  preferredName: null,
  workEmail: 'zoe@nordlicht.example',
  homeEmail: null,
  mobilePhone: '+49 151 12345678',
  gender: 'Female',
  hireDate: '2021-04-01',
  terminationDate: '0000-00-00',
  status: 'Active',
  employmentHistoryStatus: 'Full-Time',
  jobTitle: 'Software Engineer',
  department: 'Engineering',
  division: 'Nordlicht Software GmbH',
  location: 'Berlin',
  supervisorEId: '7',
  standardHoursPerWeek: '38.5',
  lastChanged: '2026-02-27T10:11:12+00:00',
  customShirtSize: 'M',
  '4053': '0000-00-00',
  '4055': '7.5',
  ...values,
})

const record = (values: Record<string, string | null>, columns = COLUMNS) => {
  const result = normalizeEmployee(row(values), columns, TODAY)
  if (!('record' in result)) throw new Error(JSON.stringify(result.invalid))
  return Employee.parse(result.record)
}

describe('normalizeEmployee (BambooHR)', () => {
  it('reads a report row into the model: org units by name, the supervisor by employee id', () => {
    const e = record({})
    expect(e).toMatchObject({
      externalId: '42',
      employeeNumber: 'NL-00042',
      firstName: 'Zoë',
      workEmail: 'zoe@nordlicht.example',
      personalEmail: null,
      gender: 'female',
      hireDate: '2021-04-01',
      terminationDate: null,
      status: 'active',
      employmentType: 'Full-Time',
      position: { id: null, name: 'Software Engineer' },
      department: { id: null, name: 'Engineering' },
      legalEntity: { id: null, name: 'Nordlicht Software GmbH' },
      office: { id: null, name: 'Berlin' },
      supervisorExternalId: '7',
      weeklyHours: 38.5,
      sourceUpdatedAt: '2026-02-27T10:11:12.000Z',
    })
    expect(e.custom).toEqual({
      customShirtSize: { label: 'T-shirt size', type: 'options', value: 'M' },
      '4053': { label: 'Anniversary', type: 'date', value: null },
      '4055': { label: 'Bonus target (%)', type: 'number', value: 7.5 },
    })
  })

  it.each([
    [
      { status: 'Inactive', terminationDate: '2026-01-31', employmentHistoryStatus: 'Terminated' },
      'terminated',
    ],
    [{ status: 'Inactive', terminationDate: '2026-06-30' }, 'inactive'],
    [{ status: 'Inactive', employmentHistoryStatus: 'Terminated' }, 'terminated'],
    [{ status: 'Active', hireDate: '2026-04-01' }, 'onboarding'],
    [{ status: 'Inactive', hireDate: '2026-04-01' }, 'onboarding'],
    [{ status: 'Active', employmentHistoryStatus: 'Leave of Absence' }, 'leave'],
    [{ status: 'Active', terminationDate: '2026-06-30' }, 'active'],
  ] as const)('status %j is %s', (values, status) => {
    expect(record(values).status).toBe(status)
  })

  it('reads a status from the dates alone when the key cannot see the status', () => {
    const columns = COLUMNS.filter((c) => c.key !== 'status' && c.key !== 'employmentHistoryStatus')
    expect(record({ terminationDate: '2026-01-31' }, columns).status).toBe('terminated')
    expect(record({}, columns).status).toBe('active')
  })

  it('never takes a field it was not given, nor the preferred name that is the first name', () => {
    const columns = COLUMNS.filter((c) => c.key !== 'workEmail')
    const e = record(
      { preferredName: 'Zoë', gender: 'Nonbinary', employmentHistoryStatus: 'Terminated' },
      columns,
    )
    expect(e.workEmail).toBeNull()
    expect(e.preferredName).toBeNull()
    expect(e.gender).toBe('diverse')
    expect(e.employmentType).toBeNull()
  })

  it('names the employee and the field of every value that will not convert', () => {
    const result = normalizeEmployee(
      row({ hireDate: '2026-02-30', standardHoursPerWeek: 'full', status: 'Retired' }),
      COLUMNS,
      TODAY,
    )
    expect('invalid' in result && result.invalid.issues.map((i) => i.message)).toEqual([
      'employee 42: hireDate: "2026-02-30" is not a date',
      'employee 42: status: "Retired" is not a BambooHR status',
      'employee 42: standardHoursPerWeek: "full" is not a number',
    ])
    const noId = normalizeEmployee({ firstName: 'Ada' }, COLUMNS, TODAY)
    expect('invalid' in noId && noId.invalid.externalId).toBeNull()
  })
})
