import { describe, expect, it } from 'vitest'

import { fakeEnv, fakeSources } from '../../test/fixtures/config/fake-sources.ts'
import { defaultMapping } from '../core/mapping/mapping-config.ts'
import { formatIssues, loadConfigFile } from './config-file.ts'
import { INIT_CONNECTORS, initTemplate } from './init-template.ts'

const load = (text: string, env: Record<string, string | undefined> = fakeEnv) =>
  loadConfigFile(text, { env, sources: fakeSources })

/** The template with its commented-out sync-if example switched on. */
const withFilter = (text: string) =>
  text.replace(/^# (filter:| {2}.*)$/gm, (_, rest: string) => rest)

describe('initTemplate', () => {
  it.each(INIT_CONNECTORS)('writes a %s file that loads', (connector) => {
    const result = load(initTemplate({ connector }))
    if (!result.ok) throw new Error(formatIssues(result.error))
    const cfg = result.value
    expect(cfg.connection.source.connector).toBe(connector)
    expect(cfg.sync.identifiers).toEqual(['work_email', 'employee_number'])
    // BambooHR's connection starts with its default filter, written out so it can be changed;
    // the others name none
    expect(cfg.sync.filter).toEqual(
      connector === 'bamboohr' ? { field: 'hireDate', op: 'exists' } : undefined,
    )
    expect(cfg.schedule.enabled).toBe(false)
    // a short example, not the whole default
    const fields = Object.keys(cfg.sync.mapping)
    expect(fields).toContain('email')
    expect(fields.length).toBeLessThan(Object.keys(defaultMapping()).length)
  })

  it('reads the secrets of Personio and BambooHR from the environment', () => {
    const personio = load(initTemplate({ connector: 'personio' }))
    expect(personio.ok && personio.value.connection.secret).toEqual({
      clientId: fakeEnv.PERSONIO_CLIENT_ID,
      clientSecret: fakeEnv.PERSONIO_CLIENT_SECRET,
    })
    const bamboohr = load(initTemplate({ connector: 'bamboohr' }))
    expect(bamboohr.ok && bamboohr.value.connection).toMatchObject({
      source: { connector: 'bamboohr', companyDomain: fakeEnv.BAMBOOHR_COMPANY_DOMAIN },
      secret: { apiKey: fakeEnv.BAMBOOHR_API_KEY },
    })
  })

  it('names each variable that is not set yet', () => {
    const result = load(initTemplate({ connector: 'personio' }), {})
    expect(result.ok ? [] : result.error.map((i) => i.message)).toEqual([
      'connection.source.clientId: environment variable PERSONIO_CLIENT_ID is not set',
      'connection.source.clientSecret: environment variable PERSONIO_CLIENT_SECRET is not set',
    ])
  })

  it('points the editor at the JSON Schema on its first line', () => {
    expect(initTemplate({ connector: 'file' }).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./hris-sync.schema.json',
    )
    expect(
      initTemplate({ connector: 'file', schemaPath: '../schemas/hris-sync.json' }).split('\n')[0],
    ).toBe('# yaml-language-server: $schema=../schemas/hris-sync.json')
  })

  it('explains every section with a comment just above it', () => {
    const lines = initTemplate({ connector: 'personio' }).split('\n')
    for (const key of [
      'workspace',
      'mapping',
      'identifiers',
      'policy',
      'timeZone',
      'schedule',
      '  name',
      '  source',
      '  leaverThreshold',
      '  incremental',
    ]) {
      const at = lines.findIndex((l) => l.startsWith(`${key}:`))
      expect(at, key).toBeGreaterThan(0)
      expect(lines[at - 1], key).toMatch(/^\s*# \S/)
    }
    expect(lines.filter((l) => l.length > 100)).toEqual([])
  })

  it('has every policy option with its default', () => {
    const cfg = load(initTemplate({ connector: 'file' }))
    expect(cfg.ok && cfg.value.sync.policy).toEqual({
      terminatedNeverImported: 'skip',
      leaverGroup: 'Ex-employees',
      leaverThreshold: 0.2,
      teamsFromDepartments: true,
      managersFromSupervisors: true,
      inviteNewPeople: false,
    })
  })

  it('has a sync-if example that works once uncommented', () => {
    const text = withFilter(initTemplate({ connector: 'file' }))
    expect(text).toMatch(/^filter:$/m)
    const result = load(text)
    if (!result.ok) throw new Error(formatIssues(result.error))
    expect(result.value.sync.filter).toEqual({
      all: [
        { field: 'status', op: 'eq', value: 'active' },
        { field: 'legalEntity', op: 'in', value: ['Acme GmbH', 'Acme Ltd'] },
      ],
    })
  })
})
