import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { SyncError, formatPath } from '../../core/errors.ts'
import { blankEmployee } from '../../core/model/employee.ts'
import type { Employee, InvalidRecord } from '../../core/model/employee.ts'
import { SOURCE_PATHS } from '../../core/model/source-path.ts'
import { validateEmployees } from '../../core/model/validate-employees.ts'
import type { ConnectorContext, ReadEnd, ReadProgress } from '../connector.ts'
import { FileSourceConfig, fileConnector } from './file-connector.ts'
import { COLUMN_NAMES, columnNames, comparable } from './resolve-columns.ts'
import { writeTable } from './table-file.ts'

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/files')
const NOW = new Date('2026-11-21T10:00:00Z')

interface ReadAll {
  readonly employees: Employee[]
  readonly invalid: InvalidRecord[]
  readonly end: ReadEnd
  readonly pages: number
  readonly progress: ReadProgress[]
}

async function readAll(input: unknown, baseDir = FIXTURES): Promise<ReadAll> {
  const config = FileSourceConfig.parse(input)
  const progress: ReadProgress[] = []
  const ctx: ConnectorContext = { now: () => NOW, baseDir, progress: (p) => progress.push(p) }
  const reader = fileConnector.read(config, null, ctx)
  const records: unknown[] = []
  const invalid: InvalidRecord[] = []
  let pages = 0
  for (;;) {
    const next = await reader.next()
    if (next.done) {
      const validated = validateEmployees(records)
      // what the connector normalized must pass the model as it is
      expect(validated.invalid).toEqual([])
      return { employees: validated.employees, invalid, end: next.value, pages, progress }
    }
    pages++
    records.push(...next.value.records)
    invalid.push(...(next.value.invalid ?? []))
  }
}

async function failure(input: unknown): Promise<SyncError> {
  const error: unknown = await readAll(input).then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof SyncError)) throw new Error(`expected a SyncError, got ${String(error)}`)
  return error
}

const byId = (employees: readonly Employee[], id: string): Employee => {
  const found = employees.find((e) => e.externalId === id)
  if (!found) throw new Error(`no employee ${id}`)
  return found
}

type Expectation =
  | { readonly error: string; readonly code?: 'invalid_input' | 'invalid_config' }
  | {
      readonly employees: number
      /** Every issue of every invalid row: record, path, message. */
      readonly invalid?: readonly { record: string; path: string; message: string }[]
      readonly check?: (employees: readonly Employee[]) => void
    }

interface Case {
  readonly name: string
  readonly file: string
  readonly config?: Record<string, unknown>
  readonly expect: Expectation
}

const CASES: readonly Case[] = [
  {
    name: 'a UTF-8 CSV with a byte order mark reads its first column',
    file: 'bom.csv',
    expect: {
      employees: 2,
      check: (e) => {
        expect(byId(e, '1002').workEmail).toBe('p1002@example.com')
      },
    },
  },
  {
    name: 'a semicolon CSV with umlauts, German headers mapped, dd.mm.yyyy dates, decimal comma',
    file: 'semicolon-umlauts.csv',
    config: {
      dateFormat: 'dmy',
      columns: {
        externalId: 'Personalnummer',
        firstName: 'Vorname',
        lastName: 'Nachname',
        department: 'Abteilung',
        hireDate: 'Eintrittsdatum',
        weeklyHours: 'Wochenstunden',
        costCenters: 'kostenstellen',
      },
    },
    expect: {
      employees: 2,
      check: (e) => {
        expect(byId(e, '1001')).toMatchObject({
          firstName: 'Jörg',
          lastName: 'Müller',
          workEmail: 'joerg.mueller@firma.de',
          department: { id: null, name: 'Geschäftsführung' },
          hireDate: '2021-04-01',
          weeklyHours: 37.5,
          costCenters: [
            { id: null, name: 'KS 100' },
            { id: null, name: 'KS 200' },
          ],
          custom: {},
        })
        expect(byId(e, '1002')).toMatchObject({ firstName: 'Ünal', costCenters: [] })
      },
    },
  },
  {
    name: 'a tab-separated file',
    file: 'tab-separated.tsv',
    expect: {
      employees: 1,
      check: (e) => {
        expect(e[0]?.workEmail).toBe('anna@example.com')
      },
    },
  },
  { name: 'an empty file', file: 'empty.csv', expect: { error: 'empty.csv: the file is empty' } },
  {
    name: 'a file of blank lines',
    file: 'only-blank-lines.csv',
    expect: { error: 'only-blank-lines.csv: no header row' },
  },
  { name: 'a header and no rows: no employees', file: 'header-only.csv', expect: { employees: 0 } },
  {
    name: 'two columns with one name',
    file: 'duplicate-header.csv',
    expect: { error: 'two columns are named "Email" (columns 2 and 5)' },
  },
  {
    name: 'a column with values and no name',
    file: 'unnamed-column.csv',
    expect: { error: 'unnamed-column.csv: column 4 has no name' },
  },
  {
    name: 'a row longer than the header',
    file: 'ragged-row.csv',
    expect: { error: 'ragged-row.csv: row 7 has 9 cells, the header has 8' },
  },
  {
    name: 'no id column',
    file: 'missing-id-column.csv',
    expect: {
      error:
        'no employee id column: looked for a column named "externalId", "employee id", "id" (case, spaces, - and _ aside); its columns: "First name", "Last name", "Email"',
    },
  },
  {
    name: 'a row with an empty id',
    file: 'empty-id.csv',
    expect: {
      employees: 7,
      invalid: [
        { record: 'row 9', path: 'externalId', message: 'row 9: column "Employee ID" is empty' },
      ],
    },
  },
  {
    name: 'two rows with one id: both invalid',
    file: 'duplicate-id.csv',
    expect: {
      employees: 2,
      invalid: [3, 5].map((row) => ({
        record: `row ${row}`,
        path: 'externalId',
        message: `row ${row}, column "Employee ID": "1003" appears in rows 3 and 5; an id must be unique`,
      })),
    },
  },
  {
    name: 'a day that does not exist',
    file: 'bad-date.csv',
    config: { dateFormat: 'dmy' },
    expect: {
      employees: 5,
      invalid: [
        {
          record: 'row 7',
          path: 'hireDate',
          message: 'row 7, column "Hire date": "31.02.2024" is not a valid date',
        },
      ],
    },
  },
  {
    name: 'a German date where ISO is configured',
    file: 'bad-date.csv',
    expect: {
      employees: 5,
      invalid: [
        {
          record: 'row 7',
          path: 'hireDate',
          message:
            'row 7, column "Hire date": "31.02.2024" is not a valid date (expected YYYY-MM-DD; set dateFormat for other formats)',
        },
      ],
    },
  },
  {
    name: 'an unknown gender',
    file: 'bad-gender.csv',
    expect: {
      employees: 0,
      invalid: [
        {
          record: 'row 2',
          path: 'gender',
          message:
            'row 2, column "Gender": "robot" is not a gender (female, male, diverse, undisclosed)',
        },
      ],
    },
  },
  {
    name: 'hours that are not a number',
    file: 'bad-number.csv',
    expect: {
      employees: 0,
      invalid: [
        {
          record: 'row 2',
          path: 'weeklyHours',
          message: 'row 2, column "Weekly hours": "forty" is not a number',
        },
      ],
    },
  },
  {
    name: 'an unknown status; other statuses read or derived from the termination date',
    file: 'unknown-status.csv',
    expect: {
      employees: 6,
      invalid: [
        {
          record: 'row 3',
          path: 'status',
          message:
            'row 3, column "Status": "fired" is not a status (active, onboarding, leave, inactive, terminated)',
        },
      ],
      check: (e) => {
        expect(e.map((x) => [x.externalId, x.status])).toEqual([
          ['1', 'active'],
          ['3', 'terminated'],
          ['4', 'active'],
          ['5', 'leave'],
          // the termination date is today (NOW): still employed
          ['6', 'active'],
          ['7', 'terminated'],
        ])
      },
    },
  },
  {
    name: 'two columns that both look like the work email',
    file: 'ambiguous-email.csv',
    expect: {
      error:
        'columns "Email" and "E-mail" both look like work email: name the one to use in columns.workEmail',
    },
  },
  {
    name: 'a quoted field over two lines and a blank line count as one row each',
    file: 'multiline.csv',
    expect: {
      employees: 1,
      invalid: [
        {
          record: 'row 4',
          path: 'hireDate',
          message: 'row 4, column "Hire date": "2021-13-01" is not a valid date',
        },
      ],
      check: (e) => {
        expect(e[0]?.custom['notes']).toEqual({
          label: 'Notes',
          type: 'text',
          value: 'Line one\nline two',
        })
      },
    },
  },
  {
    name: 'a quote never closed',
    file: 'unclosed-quote.csv',
    expect: { error: 'unclosed-quote.csv: row 3: a quoted field is never closed' },
  },
  {
    name: 'a Latin-1 CSV is refused, not garbled',
    file: 'not-utf8.csv',
    expect: { error: 'not-utf8.csv: the file is not UTF-8 text (Excel: save as "CSV UTF-8")' },
  },
  {
    name: 'a sheet that does not exist',
    file: 'hyperlinks-dates.xlsx',
    config: { sheet: 'Peple' },
    expect: { error: 'hyperlinks-dates.xlsx: sheet "Peple" not found; sheets: People, Notes' },
  },
  {
    name: 'date cells of a workbook, and dates typed as text or left as serial numbers',
    file: 'bad-date.xlsx',
    expect: {
      employees: 2,
      invalid: [
        {
          record: 'row 3',
          path: 'hireDate',
          message:
            'row 3, column "Hire date": "31.02.2024" is not a valid date (expected YYYY-MM-DD; set dateFormat for other formats)',
        },
        {
          record: 'row 4',
          path: 'hireDate',
          message:
            'row 4, column "Hire date": "45292" is a number, not a date: format the column as dates, or write YYYY-MM-DD',
        },
      ],
      check: (e) => {
        expect(e.map((x) => [x.externalId, x.hireDate])).toEqual([
          ['1001', '2021-04-01'],
          ['1004', '2023-01-09'],
        ])
      },
    },
  },
  {
    name: 'a workbook nobody typed in',
    file: 'empty.xlsx',
    expect: { error: 'empty.xlsx: sheet "Sheet1" has no header row' },
  },
  {
    name: 'a sheet with a header and no rows: no employees',
    file: 'header-only.xlsx',
    expect: { employees: 0 },
  },
  {
    name: 'a CSV renamed to .xlsx',
    file: 'csv-renamed.xlsx',
    expect: { error: 'csv-renamed.xlsx: not a valid XLSX workbook (a CSV file renamed to .xlsx?)' },
  },
  {
    name: 'a column map naming a header the file lacks',
    file: 'bom.csv',
    config: { columns: { workEmail: 'Mail' } },
    expect: {
      code: 'invalid_config',
      error: 'columns.workEmail: the file has no column "Mail"; its columns: "Employee ID", ',
    },
  },
  {
    name: 'hyperlink emails, date cells, rich text and formulas of a workbook',
    file: 'hyperlinks-dates.xlsx',
    config: { sheet: 'people' },
    expect: {
      employees: 2,
      check: (e) => {
        expect(byId(e, '1001')).toMatchObject({
          firstName: 'Anna',
          workEmail: 'anna.schmidt@example.com',
          hireDate: '2021-04-01',
          terminationDate: null,
          status: 'active',
          weeklyHours: 40,
          custom: { team_size: { label: 'Team size', type: 'number', value: 5 } },
        })
        expect(byId(e, 'E-1002')).toMatchObject({
          firstName: 'Jörg',
          workEmail: 'joerg.mueller@example.com',
          hireDate: '2019-01-15',
          terminationDate: '2024-06-30',
          status: 'terminated',
          weeklyHours: 38.5,
          custom: { team_size: { label: 'Team size', type: 'number', value: null } },
        })
      },
    },
  },
]

describe('fileConnector on the bad-input corpus (test/fixtures/files)', () => {
  it.each(CASES)('$file: $name', async ({ file, config, expect: expected }) => {
    const input = { path: file, ...config }
    if ('error' in expected) {
      const error = await failure(input)
      expect(error.code).toBe(expected.code ?? 'invalid_input')
      expect(error.message).toContain(expected.error)
      expect(error.issues.length).toBeGreaterThan(0)
      // check() reports the same problem without reading employees
      const checked = await fileConnector.check(FileSourceConfig.parse(input), null, {
        now: () => NOW,
        baseDir: FIXTURES,
      })
      expect(checked.ok ? null : checked.error.message).toBe(error.message)
      return
    }
    const result = await readAll(input)
    expect(result.end.complete).toBe(true)
    expect(result.employees).toHaveLength(expected.employees)
    expect(
      result.invalid.flatMap((r) =>
        r.issues.map((i) => ({ record: i.record, path: formatPath(i.path), message: i.message })),
      ),
    ).toEqual(expected.invalid ?? [])
    expected.check?.(result.employees)
  })
})

describe('fileConnector on a generated export', () => {
  let dir = ''
  const ROWS = 1000
  const HEADER = [
    'Employee ID',
    'First name',
    'Last name',
    'E-Mail',
    'Department',
    'Department ID',
    'Location',
    'Start date',
    'Termination date',
    'Manager ID',
    'Weekly hours',
    'Gender',
    'Cost center',
    'Shirt size',
    'Badge',
  ]
  const row = (i: number): (string | number | null)[] => [
    `E${String(i).padStart(4, '0')}`,
    i % 7 === 0 ? 'Zoë' : `First${i}`,
    i % 5 === 0 ? 'Müller-Lüdenscheidt' : `Last${i}`,
    `person${i}@example.com`,
    ['Sales', 'Engineering', 'People'][i % 3] ?? null,
    `D${i % 3}`,
    i % 2 === 0 ? 'Berlin' : null,
    `2020-01-${String((i % 28) + 1).padStart(2, '0')}`,
    i % 10 === 0 ? '2025-06-30' : null,
    i === 1 ? null : 'E0001',
    i % 4 === 0 ? 20 : 40,
    ['f', 'm', 'd', null][i % 4] ?? null,
    i % 3 === 0 ? 'CC1;CC2' : 'CC1',
    ['S', 'M', 'L'][i % 3] ?? null,
    i,
  ]

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-connector-'))
    const rows = Array.from({ length: ROWS }, (_, i) => row(i + 1))
    await writeTable(join(dir, 'people.csv'), 'csv', HEADER, rows)
    await writeTable(join(dir, 'people.xlsx'), 'xlsx', HEADER, rows)
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const READABLE = [
    'externalId',
    'firstName',
    'lastName',
    'workEmail',
    'department',
    'office',
    'hireDate',
    'terminationDate',
    'supervisorExternalId',
    'weeklyHours',
    'gender',
    'costCenters',
    'custom.shirt_size',
    'custom.badge',
    'status',
  ]

  it.each(['people.csv', 'people.xlsx'])(
    'reads every row of %s as a valid employee',
    async (file) => {
      const result = await readAll({ path: file }, dir)
      expect(result.invalid).toEqual([])
      expect(result.employees).toHaveLength(ROWS)
      expect(result.pages).toBe(1)
      expect(result.progress).toEqual([{ read: ROWS, total: ROWS }])
      expect(result.end).toEqual({
        complete: true,
        readableFields: READABLE,
        watermark: null,
        issues: [],
      })
      expect(byId(result.employees, 'E0010')).toEqual({
        ...blankEmployee('E0010'),
        firstName: 'First10',
        lastName: 'Müller-Lüdenscheidt',
        workEmail: 'person10@example.com',
        department: { id: 'D1', name: 'Engineering' },
        office: { id: null, name: 'Berlin' },
        hireDate: '2020-01-11',
        terminationDate: '2025-06-30',
        status: 'terminated',
        supervisorExternalId: 'E0001',
        weeklyHours: 40,
        gender: 'diverse',
        costCenters: [{ id: null, name: 'CC1' }],
        custom: {
          shirt_size: { label: 'Shirt size', type: 'text', value: 'M' },
          badge: { label: 'Badge', type: 'number', value: 10 },
        },
      })
      expect(byId(result.employees, 'E0007')).toMatchObject({
        firstName: 'Zoë',
        office: null,
        gender: null,
        status: 'active',
      })
    },
  )

  it('discovers one field per column, with a sample and a type', async () => {
    const found = await fileConnector.discoverFields(
      FileSourceConfig.parse({ path: 'people.csv' }),
      null,
      { now: () => NOW, baseDir: dir },
    )
    expect(found.ok ? found.value : found.error).toEqual([
      {
        path: 'externalId',
        key: 'Employee ID',
        label: 'Employee ID',
        custom: false,
        type: 'text',
        sample: 'E0001',
      },
      {
        path: 'firstName',
        key: 'First name',
        label: 'First name',
        custom: false,
        type: 'text',
        sample: 'First1',
      },
      {
        path: 'lastName',
        key: 'Last name',
        label: 'Last name',
        custom: false,
        type: 'text',
        sample: 'Last1',
      },
      {
        path: 'workEmail',
        key: 'E-Mail',
        label: 'E-Mail',
        custom: false,
        type: 'text',
        sample: 'person1@example.com',
      },
      {
        path: 'department',
        key: 'Department',
        label: 'Department',
        custom: false,
        type: 'text',
        sample: 'Engineering',
      },
      {
        path: 'department.id',
        key: 'Department ID',
        label: 'Department ID',
        custom: false,
        type: 'text',
        sample: 'D1',
      },
      {
        path: 'office',
        key: 'Location',
        label: 'Location',
        custom: false,
        type: 'text',
        sample: 'Berlin',
      },
      {
        path: 'hireDate',
        key: 'Start date',
        label: 'Start date',
        custom: false,
        type: 'date',
        sample: '2020-01-02',
      },
      {
        path: 'terminationDate',
        key: 'Termination date',
        label: 'Termination date',
        custom: false,
        type: 'date',
        sample: '2025-06-30',
      },
      {
        path: 'supervisorExternalId',
        key: 'Manager ID',
        label: 'Manager ID',
        custom: false,
        type: 'text',
        sample: 'E0001',
      },
      {
        path: 'weeklyHours',
        key: 'Weekly hours',
        label: 'Weekly hours',
        custom: false,
        type: 'number',
        sample: 40,
      },
      {
        path: 'gender',
        key: 'Gender',
        label: 'Gender',
        custom: false,
        type: 'text',
        sample: 'male',
      },
      {
        path: 'costCenters',
        key: 'Cost center',
        label: 'Cost center',
        custom: false,
        type: 'list',
        sample: ['CC1'],
      },
      {
        path: 'custom.shirt_size',
        key: 'Shirt size',
        label: 'Shirt size',
        custom: true,
        type: 'text',
        sample: 'M',
      },
      {
        path: 'custom.badge',
        key: 'Badge',
        label: 'Badge',
        custom: true,
        type: 'number',
        sample: 1,
      },
    ])
  })

  it('pages a larger export by 1,000 and reports progress per page', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => row(i + 1))
    await writeTable(join(dir, 'large.csv'), 'csv', HEADER, rows)
    const result = await readAll({ path: 'large.csv' }, dir)
    expect(result.pages).toBe(3)
    expect(result.employees).toHaveLength(2500)
    expect(result.progress.map((p) => p.read)).toEqual([1000, 2000, 2500])
  })

  it('resolves a relative path against ctx.baseDir and takes an absolute one as it is', async () => {
    const absolute = await readAll({ path: join(dir, 'people.csv') }, '/nonexistent')
    expect(absolute.employees).toHaveLength(ROWS)
    const error = await fileConnector.check(FileSourceConfig.parse({ path: 'people.csv' }), null, {
      now: () => NOW,
      baseDir: FIXTURES,
    })
    expect(error.ok ? null : error.error.message).toBe(
      `${join(FIXTURES, 'people.csv')}: file not found`,
    )
  })
})

describe('FileSourceConfig', () => {
  it('defaults dateFormat to iso and refuses unknown keys and model paths', () => {
    expect(FileSourceConfig.parse({ path: 'a.csv' })).toEqual({ path: 'a.csv', dateFormat: 'iso' })
    expect(FileSourceConfig.safeParse({ path: 'a.csv', delimiter: ';' }).success).toBe(false)
    const unknown = FileSourceConfig.safeParse({ path: 'a.csv', columns: { email: 'Email' } })
    expect(unknown.error?.issues[0]?.path).toEqual(['columns', 'email'])
    expect(
      FileSourceConfig.safeParse({ path: 'a.csv', columns: { 'custom.shirt': 'Shirt' } }).success,
    ).toBe(true)
  })
})

describe('column names', () => {
  it('name one model path each, ignoring case, spaces, - and _', () => {
    const paths = new Map<string, Set<string>>()
    for (const path of Object.keys(SOURCE_PATHS)) {
      for (const name of columnNames(path).map(comparable)) {
        paths.set(name, new Set([...(paths.get(name) ?? []), path]))
      }
    }
    expect([...paths].filter(([, found]) => found.size > 1)).toEqual([])
    expect(COLUMN_NAMES.get(comparable('E-Mail'))).toBe('workEmail')
    expect(COLUMN_NAMES.get(comparable('legal_entity'))).toBe('legalEntity')
    expect(COLUMN_NAMES.get(comparable('Supervisor ID'))).toBe('supervisorExternalId')
    expect(COLUMN_NAMES.get(comparable('Hire Date'))).toBe('hireDate')
  })
})
