import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'
import { z } from 'zod'

import { fakeEnv, fakeSources } from '../../test/fixtures/config/fake-sources.ts'
import type { Issue, Result } from '../core/errors.ts'
import { SyncConfig } from '../core/plan/sync-config.ts'
import { configFileSchema, formatIssues, loadConfigFile, secretVariable } from './config-file.ts'
import type { ConfigFile } from './config-file.ts'

const fixtures = join(import.meta.dirname, '../../test/fixtures/config')
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8')

const load = (text: string, env: Record<string, string | undefined> = fakeEnv) =>
  loadConfigFile(text, { env, sources: fakeSources })

function value(result: Result<ConfigFile, Issue[]>): ConfigFile {
  if (!result.ok) throw new Error(formatIssues(result.error))
  return result.value
}

function messages(result: Result<ConfigFile, Issue[]>): string[] {
  if (result.ok) throw new Error('expected the file to be rejected')
  return result.error.map((i) => i.message)
}

const FILE_SOURCE = 'connection:\n  source: { connector: file, path: ./employees.csv }\n'

// stored as .yaml.txt so that no formatter touches them: they are inputs byte for byte, and one
// is not even YAML
describe('the bad-input corpus', () => {
  const cases = readdirSync(join(fixtures, 'bad'))
    .filter((f) => f.endsWith('.yaml.txt'))
    .map((f) => {
      const text = read(join('bad', f))
      const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1] ?? '')
      return { name: f, text, expected }
    })

  it('has the cases the issue asks for', () => {
    const names = cases.map((c) => c.name)
    for (const name of [
      'syntax-error',
      'duplicate-key',
      'unknown-top-level-key',
      'unknown-mapping-field',
      'unknown-transform',
      'bad-identifier',
      'bad-filter-op',
      'before-on-text-field',
      'bad-time-zone',
      'leaver-threshold-2',
      'bad-cron',
      'literal-secret',
      'missing-env-var',
      'unknown-connector',
      'several-problems',
    ]) {
      expect(names).toContain(`${name}.yaml.txt`)
    }
  })

  it.each(cases)('$name', ({ text, expected }) => {
    expect(expected.length).toBeGreaterThan(0)
    const result = load(text)
    expect(messages(result)).toEqual(expected)
    const shown = formatIssues(result.ok ? [] : result.error)
    for (const secret of Object.values(fakeEnv)) expect(shown).not.toContain(secret)
  })
})

describe('loadConfigFile', () => {
  it('fills every default around a source', () => {
    const cfg = value(load(read('valid/minimal-file.yaml')))
    expect(cfg.workspace).toBe('default')
    expect(cfg.connection).toEqual({
      name: 'default',
      source: { connector: 'file', path: './employees.csv' },
      secret: null,
    })
    // no filter named: none here, the engine gives the connector's default
    expect(cfg.sync).toEqual({ ...SyncConfig.parse({}), filter: undefined })
    expect(Object.hasOwn(cfg.sync, 'filter')).toBe(false)
    expect(cfg.schedule).toEqual({ enabled: false, incremental: '*/15 * * * *', full: '0 3 * * *' })
  })

  it('reads every section of a full file', () => {
    const cfg = value(load(read('valid/personio-full.yaml')))
    expect(cfg.workspace).toBe('acme')
    expect(cfg.connection).toEqual({
      name: 'personio-de',
      source: {
        connector: 'personio',
        baseUrl: 'https://api.personio.de',
        appId: fakeEnv.PERSONIO_APP_ID,
        apiVersion: 'v1',
        attributes: {},
        requestsPerMinute: 300,
        burstPerSecond: 15,
      },
      secret: {
        clientId: fakeEnv.PERSONIO_CLIENT_ID,
        clientSecret: fakeEnv.PERSONIO_CLIENT_SECRET,
      },
    })
    expect(Object.keys(cfg.sync.mapping)).toEqual([
      'displayName',
      'email',
      'phone',
      'employmentType',
      'custom.costCenter',
    ])
    expect(cfg.sync.mapping['custom.costCenter']).toEqual({
      const: 'CC-100',
      owner: 'app',
      transforms: [],
    })
    expect(cfg.sync.identifiers).toEqual(['employee_number', { custom: 'dynamic_990' }, 'name'])
    expect(cfg.sync.filter).toMatchObject({ any: [{ op: 'in' }, { all: [{}, {}] }] })
    expect(cfg.sync.policy).toEqual({
      terminatedNeverImported: 'create_as_leaver',
      leaverGroup: null,
      leaverThreshold: 0.05,
      teamsFromDepartments: false,
      managersFromSupervisors: true,
      inviteNewPeople: true,
    })
    expect(cfg.sync.timeZone).toBe('Europe/Berlin')
    expect(cfg.schedule).toEqual({
      enabled: true,
      incremental: '*/30 8-18 * * mon-fri',
      full: '0 2 * * sun',
    })
  })

  it('freezes the result all the way down', () => {
    const cfg = value(load(read('valid/personio-full.yaml')))
    expect(Object.isFrozen(cfg)).toBe(true)
    expect(Object.isFrozen(cfg.connection.source)).toBe(true)
    expect(Object.isFrozen(cfg.connection.secret)).toBe(true)
    expect(Object.isFrozen(cfg.sync.policy)).toBe(true)
    expect(Object.isFrozen(cfg.sync.mapping['email']?.transforms[1])).toBe(true)
    expect(Object.isFrozen(cfg.sync.identifiers)).toBe(true)
  })

  it('names a duplicate key by its path, through lists too', () => {
    const text = `${FILE_SOURCE}filter:
  all:
    - field: office
      op: exists
      field: team
`
    expect(messages(load(text))).toEqual([
      'line 7, column 7: filter.all[0].field is set twice (a key may appear once in a mapping)',
    ])
  })

  it('reads empty text as a file without a source', () => {
    expect(messages(load(''))).toEqual(['connection: is required'])
  })

  describe('environment references', () => {
    it('replaces whole and embedded references, and $${ is a literal ${', () => {
      const text = `workspace: \${TEAM}-\${STAGE}
connection:
  name: 'costs $\${not a reference}'
  source: { connector: file, path: '\${DIR}/employees.csv' }
policy: { leaverGroup: '\${GROUP}' }
`
      const cfg = value(
        load(text, { TEAM: 'people', STAGE: 'prod', DIR: '/data', GROUP: 'Alumni' }),
      )
      expect(cfg.workspace).toBe('people-prod')
      expect(cfg.connection.name).toBe('costs ${not a reference}')
      expect(cfg.connection.source['path']).toBe('/data/employees.csv')
      expect(cfg.sync.policy.leaverGroup).toBe('Alumni')
    })

    it('reads references in values only, never in keys', () => {
      const text = `${FILE_SOURCE}mapping:\n  custom.\${KEY}: { const: x }\n`
      expect(messages(load(text, { KEY: 'region' }))).toEqual([
        'mapping.custom.${KEY}: "custom.${KEY}" is not a directory field (use one of the built-in fields or custom.<key>)',
      ])
    })

    it('names every missing variable at its path, and reports the rest of the file too', () => {
      const text = `connection:
  source: { connector: file, path: '\${DATA}/\${FILE}' }
timeZone: Mars
`
      expect(messages(load(text, {}))).toEqual([
        'connection.source.path: environment variable DATA is not set',
        'connection.source.path: environment variable FILE is not set',
        'timeZone: is not an IANA time zone',
      ])
    })

    it('never shows a value read from the environment, even an invalid one', () => {
      const env = {
        ZONE: 'Not/A-Zone-s3cr3t',
        GROUP: '   ',
        THRESHOLD: 'high-s3cr3t',
        CONNECTOR: 'workday-s3cr3t',
      }
      const text = `connection:
  source: { connector: '\${CONNECTOR}' }
timeZone: \${ZONE}
policy: { leaverGroup: '\${GROUP}', leaverThreshold: '\${THRESHOLD}' }
`
      const shown = messages(load(text, env))
      expect(shown).toEqual([
        'connection.source.connector: unknown connector "${CONNECTOR}": use one of file, personio, bamboohr',
        'policy.leaverGroup: must not be blank: unknown is null',
        'policy.leaverThreshold: Invalid input: expected number, received string',
        'timeZone: is not an IANA time zone',
      ])
      for (const secret of [env.ZONE, env.THRESHOLD, env.CONNECTOR]) {
        expect(shown.join('\n')).not.toContain(secret)
      }
    })

    it('rejects a "${" that is no reference', () => {
      const text = `${FILE_SOURCE}workspace: '\${}'\n`
      expect(messages(load(text))).toEqual([
        'workspace: has a "${" that is not an environment variable reference: write ${NAME} (letters, digits and _), or $${ for a literal ${',
      ])
    })
  })

  describe('secrets', () => {
    const personio = (fields: string) =>
      `connection:\n  source:\n    connector: personio\n${fields}`

    it('leaves secrets to the vault when the file gives none', () => {
      const cfg = value(load(personio('')))
      expect(cfg.connection).toMatchObject({ name: 'default', secret: null })
      expect(Object.keys(cfg.connection.source)).not.toContain('clientId')
    })

    it('keeps secrets out of the source', () => {
      const cfg = value(
        load(
          personio(
            '    clientId: ${PERSONIO_CLIENT_ID}\n    clientSecret: ${PERSONIO_CLIENT_SECRET}\n',
          ),
        ),
      )
      expect(Object.keys(cfg.connection.source)).not.toContain('clientId')
      expect(Object.keys(cfg.connection.source)).not.toContain('clientSecret')
      expect(cfg.connection.secret).toEqual({
        clientId: 'client-id-from-env',
        clientSecret: 'client-secret-from-env',
      })
    })

    it('takes a secret only as a whole reference, and never shows the literal', () => {
      const literal = 'hunter2-literal'
      const result = load(
        personio(`    clientId: ${literal}\n    clientSecret: 'x-\${PERSONIO_CLIENT_SECRET}'\n`),
      )
      expect(messages(result)).toEqual([
        'connection.source.clientId: put secrets in an environment variable ("${PERSONIO_CLIENT_ID}") or store them with "hris-sync connect"',
        'connection.source.clientSecret: put secrets in an environment variable ("${PERSONIO_CLIENT_SECRET}") or store them with "hris-sync connect"',
      ])
      expect(JSON.stringify(result)).not.toContain(literal)
    })

    it('names the variable a secret belongs in', () => {
      expect(secretVariable('personio', 'clientSecret')).toBe('PERSONIO_CLIENT_SECRET')
      expect(secretVariable('bamboohr', 'apiKey')).toBe('BAMBOOHR_API_KEY')
    })
  })

  it("runs the connector's own object-level rules on its settings", () => {
    const sources = {
      file: {
        config: z
          .strictObject({ path: z.string(), sheet: z.string().optional() })
          .refine((c) => c.sheet === undefined || c.path.endsWith('.xlsx'), {
            message: 'a sheet is only read from an XLSX file',
            path: ['sheet'],
          }),
        secret: null,
      },
    }
    const result = loadConfigFile(
      'connection:\n  source: { connector: file, path: a.csv, sheet: People }\n',
      { env: {}, sources },
    )
    expect(messages(result)).toEqual([
      'connection.source.sheet: a sheet is only read from an XLSX file',
    ])
  })

  it('marks every issue with the file when given one', () => {
    const result = loadConfigFile('timeZone: Mars\n', {
      env: {},
      sources: fakeSources,
      file: 'config/hris-sync.yaml',
    })
    expect(result.ok ? [] : result.error.map((i) => i.record)).toEqual([
      'config/hris-sync.yaml',
      'config/hris-sync.yaml',
    ])
    expect(formatIssues(result.ok ? [] : result.error)).toBe(
      'config/hris-sync.yaml: connection: is required\nconfig/hris-sync.yaml: timeZone: is not an IANA time zone',
    )
  })
})

describe('formatIssues', () => {
  const issues: Issue[] = [
    { code: 'a', severity: 'error', message: 'mapping.email.transforms[1]: bad', path: [] },
    { code: 'b', severity: 'warning', message: 'identifiers[0]: unused', path: [] },
  ]

  it('writes one line per issue, prefixed with the file', () => {
    expect(formatIssues(issues, 'hris-sync.yaml')).toBe(
      'hris-sync.yaml: mapping.email.transforms[1]: bad\nhris-sync.yaml: warning: identifiers[0]: unused',
    )
  })

  it('writes the bare messages without a file', () => {
    expect(formatIssues(issues)).toBe(
      'mapping.email.transforms[1]: bad\nwarning: identifiers[0]: unused',
    )
  })
})

describe('configFileSchema', () => {
  it('refuses a source schema whose fields cannot be written in the file', () => {
    expect(() => configFileSchema({ file: { config: z.string(), secret: null } })).toThrow(
      /must be a z\.object schema/,
    )
  })

  it('refuses a field that is both a setting and a secret', () => {
    const both = z.strictObject({ token: z.string() })
    expect(() => configFileSchema({ x: { config: both, secret: both } })).toThrow(
      /"token" is declared twice/,
    )
  })

  it('reuses the core schemas rather than copies', () => {
    const shape = configFileSchema(fakeSources).shape
    for (const key of Object.keys(SyncConfig.shape) as (keyof typeof SyncConfig.shape)[]) {
      expect(shape[key]).toBe(SyncConfig.shape[key])
    }
  })
})
