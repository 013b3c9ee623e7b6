import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

import { fakeSources } from '../../test/fixtures/config/fake-sources.ts'
import { INIT_CONNECTORS, initTemplate } from './init-template.ts'
import { configJsonSchema } from './json-schema.ts'

type Schema = Record<string, unknown>

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && Number.isInteger(v)
        ? 'integer'
        : typeof v

/**
 * The part of JSON Schema the generated document uses (type, enum, const, properties, required,
 * additionalProperties, propertyNames, items, anyOf, oneOf, $ref, pattern, bounds): enough to
 * check a document structurally without a validator library. Returns the paths at fault.
 */
function validate(root: Schema, schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = []
  const fail = (why: string) => errors.push(`${at}: ${why}`)
  const ref = schema['$ref']
  if (typeof ref === 'string') {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((s, k) => (isObject(s) ? s[k] : undefined), root)
    if (!isObject(target)) return [`${at}: unresolved ${ref}`]
    errors.push(...validate(root, target, value, at))
  }
  const type = schema['type']
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type]
    const actual = typeOf(value)
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
      fail(`expected ${types.join('|')}, got ${actual}`)
    }
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) fail('not in enum')
  if ('const' in schema && schema['const'] !== value) fail(`not ${JSON.stringify(schema['const'])}`)
  if (typeof schema['pattern'] === 'string' && typeof value === 'string') {
    if (!new RegExp(schema['pattern'], 'u').test(value)) fail(`does not match ${schema['pattern']}`)
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) fail('too small')
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) fail('too big')
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) {
      fail('too few items')
    }
    const items = schema['items']
    if (isObject(items))
      value.forEach((v, i) => errors.push(...validate(root, items, v, `${at}[${i}]`)))
  }
  if (isObject(value)) {
    const properties = isObject(schema['properties']) ? schema['properties'] : {}
    for (const key of Array.isArray(schema['required']) ? schema['required'] : []) {
      if (!(String(key) in value)) fail(`missing ${String(key)}`)
    }
    const names = schema['propertyNames']
    const extra = schema['additionalProperties']
    for (const [key, v] of Object.entries(value)) {
      if (isObject(names)) errors.push(...validate(root, names, key, `${at}{${key}}`))
      const own = properties[key]
      if (isObject(own)) errors.push(...validate(root, own, v, `${at}.${key}`))
      else if (extra === false) fail(`unknown key ${key}`)
      else if (isObject(extra)) errors.push(...validate(root, extra, v, `${at}.${key}`))
    }
  }
  const branches = (key: string) =>
    Array.isArray(schema[key])
      ? (schema[key] as Schema[]).map((s) => validate(root, s, value, at))
      : null
  const any = branches('anyOf')
  if (any && !any.some((e) => e.length === 0))
    fail(`no anyOf branch fits (${any.flat().join('; ')})`)
  const one = branches('oneOf')
  if (one && one.filter((e) => e.length === 0).length !== 1) {
    fail(`not exactly one oneOf branch fits (${one.flat().join('; ')})`)
  }
  return errors
}

describe('configJsonSchema', () => {
  const schema = configJsonSchema(fakeSources)
  const check = (doc: unknown) => validate(schema, schema, doc)
  const properties = schema['properties'] as Record<string, Schema>

  it('is a draft 2020-12 schema of a closed object with every top-level key', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema['type']).toBe('object')
    expect(schema['additionalProperties']).toBe(false)
    expect(Object.keys(properties).sort()).toEqual(
      [
        '$schema',
        'workspace',
        'connection',
        'mapping',
        'identifiers',
        'filter',
        'policy',
        'timeZone',
        'schedule',
      ].sort(),
    )
    expect(schema['required']).toEqual(['connection'])
  })

  it('lists the identifier rules and the policy options with their defaults', () => {
    const json = JSON.stringify(properties['identifiers'])
    for (const rule of ['work_email', 'employee_number', 'personal_email', 'name', 'custom']) {
      expect(json).toContain(`"${rule}"`)
    }
    const policy = (properties['policy']?.['properties'] ?? {}) as Record<string, Schema>
    expect(policy['terminatedNeverImported']).toMatchObject({
      enum: ['skip', 'create_as_leaver'],
      default: 'skip',
    })
    expect(policy['leaverThreshold']).toMatchObject({ minimum: 0, maximum: 1, default: 0.2 })
  })

  it('gives editors help on sections, policy options and transforms', () => {
    for (const key of Object.keys(properties)) {
      expect(properties[key]?.['description'], key).toEqual(expect.any(String))
    }
    const policy = properties['policy']?.['properties'] as Record<string, Schema>
    for (const [key, option] of Object.entries(policy)) {
      expect(option['description'], key).toEqual(expect.any(String))
    }
    expect(JSON.stringify(properties['mapping'])).toContain('defaultCountry is used for numbers')
  })

  it('offers one source per connector, secrets as references', () => {
    const source = (properties['connection']?.['properties'] as Record<string, Schema>)['source']
    const options = (source?.['oneOf'] ?? []) as Schema[]
    expect(options.map((o) => (o['properties'] as Record<string, Schema>)['connector'])).toEqual([
      { type: 'string', const: 'file' },
      { type: 'string', const: 'personio' },
      { type: 'string', const: 'bamboohr' },
    ])
    const personio = options[1]?.['properties'] as Record<string, Schema>
    expect(personio['clientSecret']?.['pattern']).toBe('^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$')
    expect(options[1]?.['required']).toEqual(['connector'])
  })

  it('completes the fields of the employee and of the directory', () => {
    const mapping = properties['mapping'] as Schema
    expect(
      check({
        connection: { source: { connector: 'file', path: 'a.csv' } },
        mapping: { email: { from: 'workEmail' } },
      }),
    ).toEqual([])
    expect(JSON.stringify(mapping['propertyNames'])).toContain('"jobTitle"')
    expect(
      check({
        connection: { source: { connector: 'file', path: 'a.csv' } },
        mapping: { mail: { from: 'email' } },
      }),
    ).toEqual([
      '$.mapping{mail}: no anyOf branch fits ($.mapping{mail}: not in enum; $.mapping{mail}: does not match ^custom\\.[A-Za-z0-9_-]+$)',
      '$.mapping.mail.from: no anyOf branch fits ($.mapping.mail.from: not in enum; $.mapping.mail.from: does not match ^custom\\.[A-Za-z0-9_-]+$)',
    ])
  })

  it('leaves out what JSON Schema cannot say rather than failing', () => {
    const sources = {
      custom: {
        config: z.strictObject({ opener: z.custom<() => void>((v) => typeof v === 'function') }),
        secret: null,
      },
    }
    const source = JSON.stringify(configJsonSchema(sources)['properties'])
    expect(source).toContain('"opener":{}')
  })

  it.each(INIT_CONNECTORS)('accepts the %s init template', (connector) => {
    const doc: unknown = parse(initTemplate({ connector }))
    expect(check(doc)).toEqual([])
  })

  it('accepts the template with its sync-if example switched on', () => {
    const text = initTemplate({ connector: 'file' }).replace(/^# (filter:| {2}.*)$/gm, '$1')
    const doc = parse(text) as Record<string, unknown>
    expect(doc['filter']).toBeDefined()
    expect(check(doc)).toEqual([])
  })

  it.each([
    ['an unknown key', { schedules: {} }, '$: unknown key schedules'],
    ['an unknown identifier', { identifiers: ['email'] }, '$.identifiers[0]: no anyOf branch fits'],
    ['a literal secret', { clientSecret: 'hunter2' }, 'not exactly one oneOf branch fits'],
    ['an unknown connector', { connector: 'workday' }, 'not exactly one oneOf branch fits'],
    [
      'a threshold above 1',
      { policy: { leaverThreshold: 2 } },
      '$.policy.leaverThreshold: too big',
    ],
  ])('rejects %s', (_, change, problem) => {
    const doc = parse(initTemplate({ connector: 'personio' })) as Record<string, unknown>
    const source = (doc['connection'] as { source: Record<string, unknown> }).source
    const { clientSecret, connector, ...top } = change as Record<string, unknown>
    if (clientSecret !== undefined) source['clientSecret'] = clientSecret
    if (connector !== undefined) source['connector'] = connector
    const errors = check({ ...doc, ...top })
    expect(
      errors.some((e) => e.includes(problem)),
      errors.join('\n'),
    ).toBe(true)
  })
})
