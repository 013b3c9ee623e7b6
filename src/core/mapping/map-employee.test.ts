import { describe, expect, it } from 'vitest'

import { employee, ref } from '../../../test/helpers/factories.ts'
import { compileMapping, parseDate } from './map-employee.ts'
import { MappingConfig, defaultMapping } from './mapping-config.ts'

const jurgen = employee('7', {
  firstName: '  Jürgen ',
  lastName: 'Müller-Lüdenscheidt',
  preferredName: 'Jo',
  workEmail: ' Juergen.Mueller@ACME.de ',
  mobilePhone: '0151 23456789',
  workPhone: '+1 212 555 0100',
  position: ref('Engineer', 'pos-1'),
  department: ref('R&D', 'dep-1'),
  hireDate: '2021-04-01',
  weeklyHours: 40,
  custom: {
    dynamic_1: { label: 'Eintrittsdatum (alt)', type: 'text', value: '01.04.2021' },
    dynamic_2: { label: 'Vertragsart', type: 'options', value: 'unbefristet' },
  },
})

const mapOne = (rule: unknown, e = jurgen) => {
  const { map } = compileMapping(MappingConfig.parse({ 'custom.out': rule }))
  return map(e)
}

describe('map transforms', () => {
  it.each([
    ['trim', { from: 'firstName', transforms: [{ op: 'trim' }] }, 'Jürgen'],
    [
      'lower',
      { from: 'workEmail', transforms: [{ op: 'trim' }, { op: 'lower' }] },
      'juergen.mueller@acme.de',
    ],
    ['a ref reads its name', { from: 'department' }, 'R&D'],
    ['a ref id', { from: 'department.id' }, 'dep-1'],
    [
      'first_last with preferred name',
      { transforms: [{ op: 'name_format', format: 'first_last' }] },
      'Jo Müller-Lüdenscheidt',
    ],
    [
      'last_first without preferred name',
      { transforms: [{ op: 'name_format', format: 'last_first', preferred: false }] },
      'Müller-Lüdenscheidt Jürgen',
    ],
    [
      'last_comma_first',
      { transforms: [{ op: 'name_format', format: 'last_comma_first' }] },
      'Müller-Lüdenscheidt, Jo',
    ],
    [
      'phone with default country',
      { from: 'mobilePhone', transforms: [{ op: 'phone_e164', defaultCountry: 'DE' }] },
      '+4915123456789',
    ],
    [
      'phone with its own country code',
      { from: 'workPhone', transforms: [{ op: 'phone_e164', defaultCountry: 'DE' }] },
      '+12125550100',
    ],
    ['German date', { from: 'custom.dynamic_1', transforms: [{ op: 'date' }] }, '2021-04-01'],
    [
      'value table',
      {
        from: 'custom.dynamic_2',
        transforms: [{ op: 'map', table: { unbefristet: 'permanent' } }],
      },
      'permanent',
    ],
    [
      'value table keeps the unknown',
      { from: 'position', transforms: [{ op: 'map', table: { x: 'y' } }] },
      'Engineer',
    ],
    [
      'value table nulls the unknown',
      { from: 'position', transforms: [{ op: 'map', table: {}, otherwise: 'null' }] },
      null,
    ],
    [
      'default for unknown',
      { from: 'personalEmail', transforms: [{ op: 'default', value: 'n/a' }] },
      'n/a',
    ],
    ['template', { template: '{lastName} ({department})' }, 'Müller-Lüdenscheidt (R&D)'],
    ['template of unknowns is unknown', { template: '{personalEmail} {office}' }, null],
    [
      'one unknown part makes a template unknown',
      { template: '{firstName}.{personalEmail}@acme.com' },
      null,
    ],
    [
      'value table keeps a number a number',
      { from: 'weeklyHours', transforms: [{ op: 'map', table: { '20': 'part-time' } }] },
      40,
    ],
    [
      'value table by the text of a number',
      { from: 'weeklyHours', transforms: [{ op: 'map', table: { '40': 'full-time' } }] },
      'full-time',
    ],
    ['constant', { const: 'HR import' }, 'HR import'],
  ])('%s', (_name, rule, expected) => {
    const out = mapOne(rule)
    expect(out.fields['custom.out']).toEqual(expected)
    expect(out.issues).toEqual([])
  })

  it('makes an invalid phone number an issue on the record and leaves the field out', () => {
    const out = mapOne(
      { from: 'mobilePhone', transforms: [{ op: 'phone_e164', defaultCountry: 'DE' }] },
      employee('8', { mobilePhone: '12345' }),
    )
    expect(out.fields).not.toHaveProperty(['custom.out'])
    expect(out.issues).toEqual([
      expect.objectContaining({
        code: 'invalid_value',
        record: '8',
        path: ['custom.out'],
        severity: 'warning',
      }),
    ])
    expect(out.issues[0]?.message).toContain('"12345" is not a valid phone number')
  })

  it('makes an impossible date an issue, not a value', () => {
    const out = mapOne(
      { from: 'custom.x', transforms: [{ op: 'date' }] },
      employee('9', { custom: { x: { label: 'X', type: 'text', value: '31.02.2020' } } }),
    )
    expect(out.fields).not.toHaveProperty(['custom.out'])
    expect(out.issues[0]?.message).toContain('"31.02.2020" is not a date')
  })

  it.each([
    ['2024-02-29', 'auto', '2024-02-29'],
    ['2024-02-29T23:00:00+01:00', 'auto', '2024-02-29'],
    ['1.2.2024', 'auto', '2024-02-01'],
    ['02/01/2024', 'MM/DD/YYYY', '2024-02-01'],
    ['02/01/2024', 'DD/MM/YYYY', '2024-01-02'],
    ['2023-02-29', 'auto', null],
    ['2024-01-31 not a date', 'auto', null],
    ['02/01/2024', 'auto', null],
  ] as const)('parseDate(%s, %s) = %s', (text, input, expected) => {
    expect(parseDate(text, { op: 'date', input })).toBe(expected)
  })
})

describe('compileMapping', () => {
  it('maps an employee with the default mapping', () => {
    const { map, owners } = compileMapping(defaultMapping())
    expect(map(jurgen).fields).toMatchObject({
      firstName: 'Jürgen',
      displayName: 'Jo Müller-Lüdenscheidt',
      email: 'juergen.mueller@acme.de',
      phone: '+4915123456789',
      jobTitle: 'Engineer',
      office: null,
      hireDate: '2021-04-01',
      terminationDate: null,
    })
    expect(owners.get('email')).toBe('hris')
  })

  it('leaves out fields the credential cannot read, so they are never cleared', () => {
    const readable = new Set(['firstName', 'lastName', 'preferredName', 'workEmail'])
    const { map, unreadable } = compileMapping(defaultMapping(), readable)
    expect(Object.keys(map(jurgen).fields).sort()).toEqual(
      ['displayName', 'email', 'firstName', 'lastName', 'preferredName'].sort(),
    )
    expect(unreadable).toContain('terminationDate')
    expect(unreadable).toContain('phone')
  })

  it('leaves the display name alone when the preferred name cannot be read', () => {
    // unknown is not empty: "Bob" must not become "Robert" because the credential hides it
    const readable = new Set(['firstName', 'lastName'])
    expect(compileMapping(defaultMapping(), readable).unreadable).toContain('displayName')
    const legal = MappingConfig.parse({
      displayName: { transforms: [{ op: 'name_format', format: 'first_last', preferred: false }] },
    })
    expect(compileMapping(legal, readable).map(jurgen).fields['displayName']).toBe(
      'Jürgen Müller-Lüdenscheidt',
    )
  })

  it.each([
    [{ email: { from: 'mail' } }, ['email', 'from'], 'is not a field of the employee model'],
    [{ email: {} }, ['email'], 'needs exactly one of from, template, const'],
    [{ email: { from: 'workEmail', const: 'x' } }, ['email'], 'needs exactly one of'],
    [{ shoe: { from: 'workEmail' } }, ['shoe'], 'is not a directory field'],
    [
      { phone: { from: 'mobilePhone', transforms: [{ op: 'phone_e164', defaultCountry: 'XX' }] } },
      ['phone', 'transforms', 0, 'defaultCountry'],
      'ISO 3166',
    ],
    [
      { displayName: { template: '{first} {last}' } },
      ['displayName', 'template'],
      '{first} is not a field of the employee model',
    ],
    [
      { legalEntity: { template: 'Acme GmbH' } },
      ['legalEntity', 'template'],
      'has no {placeholder}: use const',
    ],
    [{ email: { const: '' } }, ['email', 'const'], ''],
    [
      { email: { from: 'workEmail', transforms: [{ op: 'default', value: '' }] } },
      ['email', 'transforms', 0, 'value'],
      '',
    ],
  ])('rejects %j, naming the field', (input, path, message) => {
    const result = MappingConfig.safeParse(input)
    expect(result.success).toBe(false)
    const issue = result.error?.issues[0]
    expect(issue?.path).toEqual(path)
    expect(issue?.message).toContain(message)
  })
})

describe('MappingConfig types', () => {
  it.each([
    [{ weeklyHours: { from: 'firstName' } }, 'Weekly hours takes a number, but first name is text'],
    [{ hireDate: { from: 'department' } }, 'Hire date takes a date, but department is text'],
    [{ email: { from: 'costCenters' } }, 'Email takes an email, but cost centers is a list'],
    [{ costCenters: { const: 'R&D' } }, 'Cost centers takes a list, but this rule gives text'],
  ])('refuses %j, naming both sides', (input, message) => {
    const result = MappingConfig.safeParse(input)
    expect(result.error?.issues[0]?.path).toEqual([Object.keys(input)[0]])
    expect(result.error?.issues[0]?.message).toContain(message)
  })

  it.each([
    { hireDate: { from: 'custom.dynamic_1', transforms: [{ op: 'date' }] } },
    { weeklyHours: { from: 'custom.hours' } },
    { jobTitle: { from: 'hireDate' } },
    { hireDate: { const: '2020-01-01' } },
    {
      employmentType: {
        from: 'weeklyHours',
        transforms: [{ op: 'map', table: { '40': 'full-time' } }],
      },
    },
  ])('accepts %j', (input) => {
    expect(MappingConfig.safeParse(input).success).toBe(true)
  })
})
