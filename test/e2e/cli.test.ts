import { execFileSync, spawnSync } from 'node:child_process'
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { readTable, writeTable } from '../../src/connectors/file/table-file.ts'
import type { Person } from '../../src/core/model/person.ts'
import { personHash } from '../../src/core/model/person.ts'
import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import type { BambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import { startBambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import type { PersonioSim } from '../../sim/personio/start-personio-sim.ts'
import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
import { hrisSync, inTerminal, userEnv } from './run-cli.ts'

const HEADER = 'Employee ID;First name;Last name;Email;Employee number;Department;Supervisor ID'
const ROWS = [
  '1;Jürgen;Müller;juergen@acme.example;E1;Engineering;',
  '2;Zoë;Saldaña;zoe@acme.example;E2;Engineering;1',
  '3;Ana;García;ana@acme.example;E3;Sales;1',
  '4;Łukasz;Nowak;lukasz@acme.example;E4;Sales;3',
  '5;Amélie;Dubois;amelie@acme.example;E5;Sales;3',
]

const CONFIG = `connection:
  source:
    connector: file
    path: ./employees.csv
identifiers: [employee_number, work_email]
policy:
  inviteNewPeople: true
`

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hris-sync-cli-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

async function workdir(name: string, rows = ROWS, config = CONFIG) {
  const dir = path.join(root, name)
  await import('node:fs/promises').then((fs) => fs.mkdir(dir))
  await writeFile(path.join(dir, 'employees.csv'), [HEADER, ...rows].join('\n'))
  await writeFile(path.join(dir, 'hris-sync.yaml'), config)
  const env = userEnv(dir)
  const run = (args: string[], input?: string) =>
    hrisSync(args, { cwd: dir, env, ...(input === undefined ? {} : { input }) })
  return { dir, env, run }
}

/** The people of the only workspace of a data directory, read after the command has ended. */
async function directoryOf(dir: string): Promise<Person[]> {
  const store = new SqlStore(
    await createDb({ databaseUrl: null, dataDir: path.join(dir, '.hris-sync') }),
  )
  try {
    const ws = await store.ensureWorkspace('default')
    const out: Person[] = []
    for await (const p of store.listPeople(ws.id)) out.push(p)
    return out
  } finally {
    await store.close()
  }
}

/** A Node on this machine too old to strip types (the system's own, often), or null. */
function oldNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim()
      const [major = 0, minor = 0] = version.slice(1).split('.').map(Number)
      if (major < 22 || (major === 22 && minor < 18)) return candidate
    } catch {
      // not there
    }
  }
  return null
}
const OLD_NODE = oldNode()

describe('hris-sync, run as a user would', { timeout: 120_000 }, () => {
  it.runIf(OLD_NODE !== null)('tells a user of an older Node which one it needs', () => {
    const bin = path.resolve(import.meta.dirname, '../../bin/hris-sync.js')
    const result = spawnSync(OLD_NODE ?? '', [bin, '--version'], { encoding: 'utf8' })
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      /^hris-sync needs Node\.js 22\.18 or newer \(this is v\d+\.\d+\.\d+\)\. In a clone, run it with "npx hris-sync"/,
    )
  })

  it('answers usage errors with exit code 2 and the help', async () => {
    const { run } = await workdir('usage')
    const unknown = await run(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "frobnicate"')
    const flag = await run(['plan', '--colour'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain("Unknown option '--colour'")
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain(
      'Exit codes: 0 done, 1 error, 2 usage, 3 the plan needs approval.',
    )
  })

  it('writes a commented config and its JSON Schema, and never overwrites one by accident', async () => {
    const dir = path.join(root, 'init')
    await import('node:fs/promises').then((fs) => fs.mkdir(dir))
    const env = userEnv(dir)
    const first = await hrisSync(['init'], { cwd: dir, env })
    expect(first.code).toBe(0)
    const yaml = await readFile(path.join(dir, 'hris-sync.yaml'), 'utf8')
    expect(yaml).toMatch(/^# yaml-language-server: \$schema=\.\/hris-sync\.schema\.json/)
    const schema = JSON.parse(await readFile(path.join(dir, 'hris-sync.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>
    }
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'connection',
        'mapping',
        'identifiers',
        'filter',
        'policy',
        'schedule',
      ]),
    )
    const again = await hrisSync(['init'], { cwd: dir, env })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('exists already: use --force')
    // the template plans as it is, once the file it names exists
    await writeFile(path.join(dir, 'employees.csv'), [HEADER, ...ROWS].join('\n'))
    const plan = await hrisSync(['plan', '--json'], { cwd: dir, env })
    expect(plan.code).toBe(0)
    expect(
      (JSON.parse(plan.stdout) as { summary: { people: { create: number } } }).summary.people
        .create,
    ).toBe(5)
  })

  it('names every problem of an invalid config with its path, and changes nothing', async () => {
    const { run, dir } = await workdir(
      'invalid',
      ROWS,
      `connection:
  source:
    connector: file
    path: ./employees.csv
identifiers: [badge_number]
policy:
  leaverThreshold: 2
mapping:
  phone: { from: mobilePhone, transforms: [{ op: phone }] }
`,
    )
    const result = await run(['plan'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('identifiers[0]')
    expect(result.stderr).toContain('policy.leaverThreshold')
    expect(result.stderr).toContain('mapping.phone.transforms[0]')
    await expect(readFile(path.join(dir, '.hris-sync', 'hris-sync.lock'))).rejects.toThrow()
  })

  it('plans, refuses to apply without --yes, applies, and then finds nothing to do', async () => {
    const { run, dir } = await workdir('flow')
    const plan = await run(['plan', '--json', '--out', 'plan.json'])
    expect(plan.code).toBe(0)
    const body = JSON.parse(plan.stdout) as {
      planId: string
      summary: { people: Record<string, number>; teams: { create: number }; managers: number }
      changes: { id: string; kind: string; action: string }[]
    }
    expect(body.summary.people).toMatchObject({ create: 5, update: 0, mark_leaver: 0 })
    expect(body.summary.teams.create).toBe(2)
    expect(body.summary.managers).toBe(4)
    expect(JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8'))).toEqual(body)
    // not a terminal: no progress line, nothing on stderr
    expect(plan.stderr).toBe('')

    const unconfirmed = await run(['apply', 'plan.json'])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('confirm with --yes')

    // a test with one person first ("Sync selected"), then everyone
    const one = await run(['apply', 'plan.json', '--select', 'person:2', '--yes', '--json'])
    expect(one.code).toBe(0)
    const partial = JSON.parse(one.stdout) as {
      run: { state: string }
      counts: { applied: number }
    }
    expect(partial.run.state).toBe('planned')
    expect(partial.counts.applied).toBeGreaterThanOrEqual(1)
    expect(await directoryOf(dir)).toHaveLength(1)

    const rest = await run(['apply', '--yes'])
    expect(rest.code).toBe(0)
    expect(rest.stdout).toContain('the run succeeded')
    expect(rest.stderr).toBe('')
    const people = await directoryOf(dir)
    expect(people.map((p) => p.fields['email']).sort()).toEqual([
      'amelie@acme.example',
      'ana@acme.example',
      'juergen@acme.example',
      'lukasz@acme.example',
      'zoe@acme.example',
    ])
    expect(people.every((p) => p.inviteStatus === 'pending')).toBe(true)

    const again = await run(['plan', '--json'])
    const replanned = JSON.parse(again.stdout) as {
      state: string
      summary: { people: Record<string, number> }
    }
    expect(replanned.state).toBe('succeeded')
    expect(replanned.summary.people).toMatchObject({
      create: 0,
      update: 0,
      mark_leaver: 0,
      noop: 5,
    })

    const runs = await run(['runs', '--json'])
    const list = (JSON.parse(runs.stdout) as { runs: { state: string }[] }).runs
    expect(list.map((r) => r.state)).toEqual(['succeeded', 'succeeded'])
  })

  it('holds a plan that makes too many people leavers (exit 3) until it is approved', async () => {
    const { run, dir } = await workdir('leavers')
    expect((await run(['sync'])).code).toBe(0)
    await writeFile(path.join(dir, 'employees.csv'), [HEADER, ...ROWS.slice(0, 3)].join('\n'))
    const held = await run(['sync'])
    expect(held.code).toBe(3)
    expect(held.stderr).toContain('2 of 5 active people (40%) would become leavers')
    expect((await directoryOf(dir)).filter((p) => p.status === 'leaver')).toHaveLength(0)

    // plan says so too: saved, shown, and exit 3, in text and in JSON
    const plan = await run(['plan'])
    expect(plan.code).toBe(3)
    expect(plan.stdout).toContain('This plan needs approval: 2 of 5 active people (40%)')
    const planJson = await run(['plan', '--json'])
    expect(planJson.code).toBe(3)
    const body = JSON.parse(planJson.stdout) as {
      state: string
      approval: { required: boolean }
      summary: { people: { mark_leaver: number } }
    }
    expect(body).toMatchObject({
      state: 'awaiting_approval',
      approval: { required: true },
      summary: { people: { mark_leaver: 2 } },
    })

    // not a terminal, no --yes: the plan is shown, nothing is asked or applied
    const unapproved = await run(['apply'], 'yes\n')
    expect(unapproved.code).toBe(3)
    expect(unapproved.stderr).toContain('This plan needs approval: 2 of 5 active people (40%)')
    expect(unapproved.stderr).toContain('--yes')
    const unapprovedJson = await run(['apply', '--json'])
    expect(unapprovedJson.code).toBe(3)
    expect(JSON.parse(unapprovedJson.stdout)).toMatchObject({
      error: { code: 'approval_required' },
    })
    expect((await directoryOf(dir)).filter((p) => p.status === 'leaver')).toHaveLength(0)

    const approved = await run(['apply', '--yes'])
    expect(approved.code).toBe(0)
    const people = await directoryOf(dir)
    const leavers = people.filter((p) => p.status === 'leaver')
    expect(leavers.map((p) => p.fields['email']).sort()).toEqual([
      'amelie@acme.example',
      'lukasz@acme.example',
    ])
    // nobody is deleted: a leaver keeps the record, in the leaver group
    expect(people).toHaveLength(5)
    expect(leavers.every((p) => p.groups.includes('Ex-employees'))).toBe(true)
  })

  it('sets identifiers from an edited export, all rows or none, so the first sync matches', async () => {
    const { run, dir } = await workdir('identifiers')
    // people who were in the application before any sync, without identifiers
    const store = new SqlStore(
      await createDb({ databaseUrl: null, dataDir: path.join(dir, '.hris-sync') }),
    )
    const ws = await store.ensureWorkspace('default')
    const made = (id: string, name: string): Person => {
      const content = {
        fields: { displayName: name },
        identifier: null,
        sourceKey: null,
        status: 'active' as const,
        leaverDate: null,
        groups: [],
      }
      return {
        ...content,
        id,
        managerId: null,
        teamIds: [],
        inviteStatus: 'accepted',
        hash: personHash(content),
      }
    }
    const before = [
      made('app-1', 'Jürgen Müller'),
      made('app-2', 'Zoë Saldaña'),
      made('app-3', 'Ana García'),
    ]
    await store.directory(ws.id).transaction((tx) =>
      tx.write({
        people: before.map((person) => ({ person, before: null })),
        teams: [],
        events: [],
        audit: [],
      }),
    )
    await store.close()

    expect((await run(['people', 'export', '--format', 'xlsx', '--out', 'people.xlsx'])).code).toBe(
      0,
    )
    const exported = await readTable(path.join(dir, 'people.xlsx'))
    expect(exported.header.slice(0, 2)).toEqual(['id', 'identifier'])
    expect(exported.rows).toHaveLength(3)

    // an edit with mistakes: nothing is written, every bad row is named
    await writeTable(
      path.join(dir, 'bad.csv'),
      'csv',
      ['id', 'identifier'],
      [
        ['app-1', 'E1'],
        ['app-2', 'E1'],
        ['app-3', null],
        ['app-9', 'E9'],
      ],
    )
    const bad = await run(['people', 'import-identifiers', 'bad.csv'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('row 3, column "identifier": "E1" is on row 2 too')
    expect(bad.stderr).toContain('row 4, column "identifier": is empty')
    expect(bad.stderr).toContain('row 5, column "id": no person has the id "app-9"')
    expect((await directoryOf(dir)).every((p) => p.identifier === null)).toBe(true)

    const wrongSheet = await run([
      'people',
      'import-identifiers',
      'people.xlsx',
      '--sheet',
      'Peple',
    ])
    expect(wrongSheet.code).toBe(1)
    expect(wrongSheet.stderr).toContain('sheet "Peple" not found')

    await writeTable(
      path.join(dir, 'good.csv'),
      'csv',
      ['id', 'identifier'],
      [
        ['app-1', 'E1'],
        ['app-2', 'E2'],
        ['app-3', 'E3'],
      ],
    )
    const good = await run(['people', 'import-identifiers', 'good.csv'])
    expect(good.code).toBe(0)
    expect(good.stdout).toContain('set 3 identifiers')

    // the first sync now matches the three instead of creating them again
    const plan = JSON.parse((await run(['plan', '--json'])).stdout) as {
      changes: { kind: string; action: string; personId: string | null; matchedBy: string | null }[]
    }
    const people = plan.changes.filter((c) => c.kind === 'person')
    expect(people.filter((c) => c.action === 'create')).toHaveLength(2)
    expect(
      people.filter((c) => c.action === 'update').map((c) => [c.personId, c.matchedBy]),
    ).toEqual([
      ['app-1', 'employee_number'],
      ['app-2', 'employee_number'],
      ['app-3', 'employee_number'],
    ])
  })

  it('shows every readable field of the source with a sample value', async () => {
    const { run } = await workdir('fields')
    const listed = await run(['fields', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    const fields = (JSON.parse(listed.stdout) as { fields: { path: string; sample: unknown }[] })
      .fields
    expect(Object.fromEntries(fields.map((f) => [f.path, f.sample]))).toEqual({
      externalId: '1',
      firstName: 'Jürgen',
      lastName: 'Müller',
      workEmail: 'juergen@acme.example',
      employeeNumber: 'E1',
      department: 'Engineering',
      supervisorExternalId: '1',
    })
    const text = await run(['fields'])
    expect(text.code, text.stderr).toBe(0)
    const [header, ...lines] = text.stdout.split('\n')
    expect(header).toMatch(/^FIELD +KEY +LABEL +TYPE +SAMPLE$/)
    for (const f of fields) {
      expect(lines.find((l) => l.startsWith(`${f.path} `))).toMatch(
        new RegExp(` ${String(f.sample)}$`),
      )
    }
  })

  it('lists the directory and exports every person with an identifier column, as CSV and XLSX', async () => {
    const { run, dir } = await workdir('export')
    const synced = await run(['sync'])
    expect(synced.code).toBe(0)
    // not a terminal: no progress line
    expect(synced.stderr).toBe('')
    // the same command with progress asked for as JSON lines: the file's 5 rows read
    const asked = await run(['plan', '--progress', 'json'])
    expect(asked.stderr.split('\n')).toContain(
      JSON.stringify({ progress: { phase: 'reading', done: 5, total: 5 } }),
    )
    const people = await directoryOf(dir)
    expect(people).toHaveLength(5)

    const list = await run(['people', 'list'])
    expect(list.code, list.stderr).toBe(0)
    const [header, ...lines] = list.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^ID +IDENTIFIER +NAME +EMAIL +EMPLOYEE NUMBER +STATUS +LINKED TO$/)
    expect(lines).toHaveLength(5)
    for (const p of people) {
      const line = lines.find((l) => l.startsWith(p.id))
      expect(line).toContain(` ${p.identifier ?? '?'} `)
      expect(line).toContain(String(p.fields['email']))
    }
    const json = await run(['people', 'list', '--json'])
    expect(
      (JSON.parse(json.stdout) as { people: Person[] }).people.map((p) => p.id).sort(),
    ).toEqual(people.map((p) => p.id).sort())

    const expected = people
      .map((p) => [p.id, p.identifier, String(p.fields['email'])])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    for (const format of ['csv', 'xlsx'] as const) {
      const exported = await run(['people', 'export', '--format', format])
      expect(exported.code, exported.stderr).toBe(0)
      expect(exported.stdout).toContain(`wrote 5 people to people.${format}`)
      const table = await readTable(path.join(dir, `people.${format}`))
      expect(table.header).toEqual([
        'id',
        'identifier',
        'name',
        'email',
        'employee number',
        'status',
        'linked to',
      ])
      expect(
        table.rows
          .map((r) => [r.cells[0], r.cells[1], r.cells[3]])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ).toEqual(expected)
      // every person has the identifier the sync gave: the employee number
      expect(table.rows.map((r) => r.cells[1]).sort()).toEqual(['E1', 'E2', 'E3', 'E4', 'E5'])
    }
  })

  it('reads --config from another folder, with the paths in it relative to that file', async () => {
    const dir = path.join(root, 'elsewhere')
    await mkdir(path.join(dir, 'sub'), { recursive: true })
    await writeFile(path.join(dir, 'sub', 'employees.csv'), [HEADER, ...ROWS].join('\n'))
    await writeFile(path.join(dir, 'sub', 'x.yaml'), CONFIG)
    const env = userEnv(dir)
    const run = (args: string[]) => hrisSync(args, { cwd: dir, env })
    const plan = await run(['plan', '--json', '--config', 'sub/x.yaml'])
    expect(plan.code, plan.stderr).toBe(0)
    expect(
      (JSON.parse(plan.stdout) as { summary: { people: { create: number } } }).summary.people
        .create,
    ).toBe(5)
    const applied = await run(['apply', '--yes', '--config', 'sub/x.yaml'])
    expect(applied.code, applied.stderr).toBe(0)
    // the data folder is the working directory's, as without --config
    expect(await directoryOf(dir)).toHaveLength(5)
    const missing = await run(['plan', '--config', 'sub/nope.yaml'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(`no config file at ${path.join(dir, 'sub', 'nope.yaml')}`)
  })
})

// credentials go to the vault: never on the screen, re-encrypted by rotate-key
describe('hris-sync credentials, run as a user would', { timeout: 120_000 }, () => {
  let sim: BambooHRSim
  beforeAll(async () => {
    sim = await startBambooHRSim({ employees: 12, seed: 'cli-secrets', withoutHireDate: 0 })
  })
  afterAll(() => sim.close())

  /** A BambooHR connection from the init template, pointed at the simulator. */
  async function bamboo(name: string, extra: Record<string, string> = {}) {
    const dir = path.join(root, name)
    await mkdir(dir)
    const env = userEnv(dir, {
      BAMBOOHR_COMPANY_DOMAIN: `${sim.companyDomain}.bamboohr.com`,
      ...extra,
    })
    const run = (args: string[], input?: string) =>
      hrisSync(args, { cwd: dir, env, ...(input === undefined ? {} : { input }) })
    expect((await run(['init', '--connector', 'bamboohr'])).code).toBe(0)
    const file = path.join(dir, 'hris-sync.yaml')
    const written = await readFile(file, 'utf8')
    await writeFile(
      file,
      written.replace(/^( {4}companyDomain: .*)$/m, `$1\n    baseUrl: ${sim.url}`),
    )
    return { dir, env, run, file }
  }
  const key = () => sim.apiKeys[0]?.key ?? ''

  it('never prints a secret given by flag or environment, whether it works or not', async () => {
    const wrong = `wrong-${key().slice(0, 12)}-key`
    const flag = await bamboo('secret-flag')
    // the secret is not in the file: it comes from the flag
    await writeFile(flag.file, (await readFile(flag.file, 'utf8')).replace(/^ {4}apiKey: .*$/m, ''))
    const refused = await flag.run(['connect', '--secret', `apiKey=${wrong}`])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('error: ')
    expect(refused.stdout + refused.stderr).not.toContain(wrong)
    for (const args of [[], ['--json']]) {
      const connected = await flag.run(['connect', '--secret', `apiKey=${key()}`, ...args])
      expect(connected.code, connected.stderr).toBe(0)
      expect(connected.stdout + connected.stderr).not.toContain(key())
    }

    const fromEnv = await bamboo('secret-env', { BAMBOOHR_API_KEY: key() })
    const connected = await fromEnv.run(['connect'])
    expect(connected.code, connected.stderr).toBe(0)
    expect(connected.stdout).toContain('credentials checked, stored in the vault')
    expect(connected.stdout + connected.stderr).not.toContain(key())
    const planned = await fromEnv.run(['plan', '--json'])
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout + planned.stderr).not.toContain(key())
  })

  it('re-encrypts credentials under a new key; the old key then gets a clear error, never garbage', async () => {
    const { dir, run, file, env } = await bamboo('rotate')
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^ {4}apiKey: .*$/m, ''))
    const connected = await run(['connect', '--secret-stdin'], `apiKey=${key()}\n`)
    expect(connected.code, connected.stderr).toBe(0)
    // not a terminal: the lines are read as they are, and nothing of them is shown
    expect(connected.stdout + connected.stderr).not.toContain(key())
    expect((await run(['plan'])).code).toBe(0)
    const keyFile = env['HRIS_SYNC_KEY_FILE'] ?? ''
    const oldKey = path.join(dir, 'old.key')
    await copyFile(keyFile, oldKey)
    await chmod(oldKey, 0o600)

    const rotated = await run(['vault', 'rotate-key'])
    expect(rotated.code, rotated.stderr).toBe(0)
    const [, newId] = /^re-encrypted 1 credential under key (\S+)$/m.exec(rotated.stdout) ?? []
    expect(newId).toBeDefined()
    expect(await readFile(keyFile)).not.toEqual(await readFile(oldKey))

    const after = await run(['plan', '--json'])
    expect(after.code, after.stderr).toBe(0)
    expect(
      (JSON.parse(after.stdout) as { summary: { people: { create: number } } }).summary.people
        .create,
    ).toBe(12)

    const withOld = await hrisSync(['plan'], {
      cwd: dir,
      env: { ...env, HRIS_SYNC_KEY_FILE: oldKey },
    })
    expect(withOld.code).toBe(1)
    expect(withOld.stderr).toContain(
      `error: this secret was sealed with key ${newId ?? '?'}, but the loaded key is`,
    )
    expect(withOld.stdout + withOld.stderr).not.toContain(key())
  })

  it('asks for each secret on a terminal without showing what is typed', async () => {
    const personio: PersonioSim = await startPersonioSim({ employees: 5, seed: 'cli-terminal' })
    try {
      const dir = path.join(root, 'terminal')
      await mkdir(dir)
      const env = userEnv(dir)
      expect((await hrisSync(['init', '--connector', 'personio'], { cwd: dir, env })).code).toBe(0)
      const file = path.join(dir, 'hris-sync.yaml')
      await writeFile(
        file,
        (await readFile(file, 'utf8'))
          .replace(/^ {4}client(Id|Secret): .*$/gm, '')
          .replace(/^( {4}connector: personio)$/m, `$1\n    baseUrl: ${personio.url}`),
      )
      const credential = personio.credentials[0]
      if (!credential) throw new Error('the simulator has no credential')
      const terminal = inTerminal(['connect', '--secret-stdin'], { cwd: dir, env })
      // keys go in only once the prompt shows: the echo is off by then
      await terminal.waitFor('clientId (not shown): ')
      terminal.type(`${credential.clientId}\r`)
      await terminal.waitFor('clientSecret (not shown): ')
      terminal.type(
        `${credential.clientSecret.slice(0, 5)}x\u007f${credential.clientSecret.slice(5)}\r`,
      )
      const code = await terminal.ended
      const shown = terminal.output()
      expect(code, shown).toBe(0)
      expect(shown).toContain(
        'connected "default" (personio): credentials checked, stored in the vault',
      )
      expect(shown).not.toContain(credential.clientId)
      expect(shown).not.toContain(credential.clientSecret.slice(0, 5))
      // what was typed (the backspace too) is what was stored
      const plan = await hrisSync(['plan', '--json'], { cwd: dir, env })
      expect(plan.code, plan.stderr).toBe(0)
      expect(
        (JSON.parse(plan.stdout) as { summary: { people: { create: number } } }).summary.people
          .create,
      ).toBe(5)
      // on a terminal, a plan shows its progress
      const onTerminal = inTerminal(['plan'], { cwd: dir, env })
      expect(await onTerminal.ended, onTerminal.output()).toBe(0)
      expect(onTerminal.output()).toContain('\r\u001b[2Kreading employees: ')
    } finally {
      await personio.close()
    }
  })
})
