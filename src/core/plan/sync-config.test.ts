import { describe, expect, it } from 'vitest'

import { formatPath, issuesFromZod } from '../errors.ts'
import {
  SyncConfig,
  connectionFieldIssues,
  readabilityIssues,
  sourceFieldsOf,
} from './sync-config.ts'

describe('SyncConfig', () => {
  it('fills every default', () => {
    const cfg = SyncConfig.parse({})
    expect(cfg.identifiers).toEqual(['work_email'])
    expect(cfg.filter).toBeNull()
    expect(cfg.timeZone).toBe('UTC')
    expect(cfg.policy).toEqual({
      terminatedNeverImported: 'skip',
      leaverGroup: 'Ex-employees',
      leaverThreshold: 0.2,
      teamsFromDepartments: true,
      managersFromSupervisors: true,
      inviteNewPeople: false,
    })
    expect(Object.keys(cfg.mapping)).toContain('displayName')
  })

  it.each([
    [{ identifiers: [] }, 'identifiers'],
    [{ identifiers: ['email'] }, 'identifiers[0]'],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ policy: { leaverThreshold: 1.5 } }, 'policy.leaverThreshold'],
    [{ policy: { leaverGroup: '' } }, 'policy.leaverGroup'],
    [{ filter: { field: 'office', op: 'eq' } }, 'filter.value'],
    [{ mapping: { email: { from: 'mail' } } }, 'mapping.email.from'],
    [{ extra: true }, ''],
  ])('rejects %j at %s', (input, path) => {
    const result = SyncConfig.safeParse(input)
    expect(result.success).toBe(false)
    const issues = result.error ? issuesFromZod(result.error) : []
    expect(issues.map((i) => formatPath(i.path))).toContain(path)
  })
})

describe('readabilityIssues', () => {
  const cfg = SyncConfig.parse({
    identifiers: ['employee_number', 'work_email'],
    filter: { all: [{ field: 'legalEntity', op: 'eq', value: 'Acme GmbH' }] },
  })
  const all = new Set([
    'status',
    'firstName',
    'lastName',
    'preferredName',
    'workEmail',
    'personalEmail',
    'mobilePhone',
    'workPhone',
    'employeeNumber',
    'position',
    'department',
    'team',
    'office',
    'legalEntity',
    'employmentType',
    'hireDate',
    'terminationDate',
    'supervisorExternalId',
  ])
  const without = (...fields: string[]) => new Set([...all].filter((f) => !fields.includes(f)))

  it('has nothing to say when everything needed is readable', () => {
    expect(readabilityIssues(cfg, all)).toEqual([])
  })

  it.each([
    [
      'terminationDate',
      'warning',
      'termination date is not readable with these credentials: leavers cannot be detected',
    ],
    [
      'status',
      'warning',
      'status is not readable with these credentials: leavers are found by their termination date only, and employees on leave or onboarding look active',
    ],
    [
      'employeeNumber',
      'warning',
      'employee number is not readable with these credentials: employees cannot be matched by employee number',
    ],
    [
      'legalEntity',
      'error',
      'legal entity is not readable with these credentials: the sync-if condition on it cannot be evaluated',
    ],
    [
      'supervisorExternalId',
      'warning',
      'supervisor is not readable with these credentials: managers cannot be set from supervisors',
    ],
    [
      'department',
      'warning',
      'department is not readable with these credentials: teams cannot be built from departments',
    ],
    [
      'mobilePhone',
      'warning',
      'mobile phone is not readable with these credentials: Mobile phone will not be synced',
    ],
  ])('says what %s being unreadable means', (field, severity, message) => {
    expect(readabilityIssues(cfg, without(field))).toContainEqual(
      expect.objectContaining({ severity, message }),
    )
  })

  it('makes it an error when no identifier is readable', () => {
    const issues = readabilityIssues(cfg, without('employeeNumber', 'workEmail'))
    expect(issues.filter((i) => i.path[0] === 'identifiers').map((i) => i.severity)).toEqual([
      'error',
      'error',
    ])
  })
})

describe('connectionFieldIssues', () => {
  // a mapping that reads none of the important fields, and no managers from supervisors
  const cfg = SyncConfig.parse({
    mapping: { displayName: { from: 'employeeNumber' } },
    identifiers: ['employee_number'],
    policy: { managersFromSupervisors: false, teamsFromDepartments: false },
  })
  const only = (...fields: string[]) => new Set(['externalId', ...fields])

  it('names every important field the credential cannot read, whatever the mapping, once each', () => {
    const issues = connectionFieldIssues(cfg, only('employeeNumber'))
    expect(issues.map((i) => [i.path, i.severity, i.message])).toEqual([
      [
        ['terminationDate'],
        'warning',
        'termination date is not readable with these credentials: leavers cannot be detected',
      ],
      [
        ['workEmail'],
        'warning',
        'work email is not readable with these credentials: employees cannot be matched by their work email, and nobody gets one',
      ],
      [
        ['firstName'],
        'warning',
        'first name is not readable with these credentials: nobody gets a first name, and employees cannot be matched by name',
      ],
      [
        ['lastName'],
        'warning',
        'last name is not readable with these credentials: nobody gets a last name, and employees cannot be matched by name',
      ],
      [
        ['hireDate'],
        'warning',
        'hire date is not readable with these credentials: start dates are not synced, and no sync-if can use them',
      ],
      [
        ['status'],
        'warning',
        'status is not readable with these credentials: leavers are found by their termination date only, and employees on leave or onboarding look active',
      ],
      [
        ['supervisorExternalId'],
        'warning',
        'supervisor is not readable with these credentials: managers cannot be set from supervisors',
      ],
    ])
    // planning is not blocked by any of them, and says only what the config needs
    expect(readabilityIssues(cfg, only('employeeNumber')).map((i) => i.path)).toEqual([
      ['terminationDate'],
    ])
  })

  it('keeps the configuration’s own words for a field it names, and adds the connector’s advice', () => {
    const withEmail = SyncConfig.parse({ identifiers: ['work_email'] })
    const readable = only('firstName', 'lastName', 'hireDate', 'terminationDate', 'status')
    const hint = (path: string) => (path === 'workEmail' ? 'Tick "Email".' : null)
    const issues = connectionFieldIssues(withEmail, readable, hint)
    const email = issues.filter((i) => i.message.startsWith('work email'))
    expect(email.map((i) => [i.path, i.severity, i.message])).toEqual([
      [
        ['identifiers', 0],
        'error',
        'work email is not readable with these credentials: no identifier can be read, so no employee can be matched and every one would be created again. Tick "Email".',
      ],
      [
        ['mapping', 'email'],
        'warning',
        'work email is not readable with these credentials: Email will not be synced. Tick "Email".',
      ],
    ])
    expect(issues.map((i) => i.path)).toContainEqual(['policy', 'managersFromSupervisors'])
    expect(issues.map((i) => i.path)).not.toContainEqual(['supervisorExternalId'])
  })

  it('has nothing to say when the important fields are readable', () => {
    const readable = only(
      'employeeNumber',
      'workEmail',
      'firstName',
      'lastName',
      'hireDate',
      'terminationDate',
      'status',
      'supervisorExternalId',
    )
    expect(connectionFieldIssues(cfg, readable)).toEqual([])
  })
})

describe('sourceFieldsOf', () => {
  it('names what the mapping, identifiers, filter and policy read, and what every plan needs', () => {
    const cfg = SyncConfig.parse({
      mapping: {
        email: { from: 'workEmail' },
        jobTitle: { from: 'position' },
        displayName: { template: '{firstName} {lastName}' },
      },
      identifiers: ['employee_number', { custom: 'dynamic_7' }, 'name'],
      filter: { field: 'legalEntity.id', op: 'eq', value: '7033' },
      policy: { teamsFromDepartments: true, managersFromSupervisors: false },
    })
    expect(sourceFieldsOf(cfg)).toEqual(
      [
        'custom.dynamic_7',
        'department',
        'employeeNumber',
        'externalId',
        'firstName',
        'lastName',
        'lastWorkingDay',
        'legalEntity',
        'position',
        'preferredName',
        'sourceUpdatedAt',
        'status',
        'terminationDate',
        'workEmail',
      ].sort(),
    )
  })
})
