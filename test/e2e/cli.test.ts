import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { readTable, writeTable } from '../../src/connectors/file/table-file.ts'
import type { Person } from '../../src/core/model/person.ts'
import { personHash } from '../../src/core/model/person.ts'
import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import { hrisSync, userEnv } from './run-cli.ts'

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

describe('hris-sync, run as a user would', { timeout: 120_000 }, () => {
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
})
