import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { SyncError } from '../../core/errors.ts'
import { readTable, writeTable } from './table-file.ts'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'table-file-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function readError(path: string, options: { sheet?: string } = {}): Promise<SyncError> {
  const error: unknown = await readTable(path, options).then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof SyncError)) throw new Error(`expected a SyncError, got ${String(error)}`)
  return error
}

describe('writeTable → readTable', () => {
  const header = ['ID', 'Name', 'Straße', 'Notes', 'Hours']
  const rows: (string | number | null)[][] = [
    ['1', 'Jörg Müller', 'Hauptstraße 5', '=HYPERLINK("http://evil.example")', 40],
    ['2', 'Zoë Ünal', null, '+49 151 1234567', 37.5],
    ['3', 'Ada, "the first"', 'Line one\nline two', '-5', null],
    ['4', '@handle', null, null, 0],
  ]

  it('gives back what a CSV holds: umlauts, empty cells, formula-looking text', async () => {
    const path = join(dir, 'round.csv')
    await writeTable(path, 'csv', header, rows)
    const table = await readTable(path)
    expect(table).toEqual({
      format: 'csv',
      sheet: null,
      header,
      // CSV cells are text; the spreadsheet row of the 4th record is 5 (header = 1)
      rows: rows.map((cells, i) => ({
        row: i + 2,
        cells: cells.map((c) => (c === null ? null : String(c))),
      })),
    })
  })

  it('writes a CSV Excel opens right and never runs as formulas', async () => {
    const path = join(dir, 'excel.csv')
    await writeTable(path, 'csv', header, rows)
    const bytes = await readFile(path)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    expect(text.split('\r\n')[0]).toBe('ID,Name,Straße,Notes,Hours')
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`)
    expect(text).toContain(`'+49 151 1234567`)
    expect(text).toContain(`,'-5,`)
    expect(text).toContain(`4,'@handle,,,0`)
    expect(text).toContain('"Ada, ""the first"""')
  })

  it('gives back what an XLSX holds, typed, with a bold frozen header', async () => {
    const path = join(dir, 'round.xlsx')
    await writeTable(path, 'xlsx', header, rows, { sheet: 'People' })
    const table = await readTable(path)
    expect(table).toEqual({
      format: 'xlsx',
      sheet: 'People',
      header,
      rows: rows.map((cells, i) => ({ row: i + 2, cells })),
    })
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(path)
    const sheet = book.getWorksheet('People')
    expect(sheet?.getRow(1).font.bold).toBe(true)
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    // cells are text, never formulas
    expect(sheet?.getCell('D2').value).toBe('=HYPERLINK("http://evil.example")')
    expect(sheet?.getColumn(2).width).toBeGreaterThan(10)
  })

  it('replaces a file through a temporary one and leaves nothing behind', async () => {
    const sub = await mkdtemp(join(dir, 'replace-'))
    const path = join(sub, 'out.csv')
    await writeTable(path, 'csv', ['A'], [['old']])
    await writeTable(path, 'csv', ['A'], [['new']])
    expect((await readTable(path)).rows).toEqual([{ row: 2, cells: ['new'] }])
    expect(await readdir(sub)).toEqual(['out.csv'])
  })

  it('refuses a row longer than the header', async () => {
    await expect(writeTable(join(dir, 'x.csv'), 'csv', ['A'], [['1', '2']])).rejects.toThrow(
      'row 2 has 2 cells, the header has 1',
    )
  })
})

describe('readTable', () => {
  it('takes the delimiter the header line uses, not one inside quotes', async () => {
    const path = join(dir, 'delimiter.csv')
    await writeFile(path, '"Name, full";ID;Ort\n"Müller, Jörg";1;Köln\n')
    const table = await readTable(path)
    expect(table.header).toEqual(['Name, full', 'ID', 'Ort'])
    expect(table.rows).toEqual([{ row: 2, cells: ['Müller, Jörg', '1', 'Köln'] }])
  })

  it('reads UTF-16 with a byte order mark (Excel "Unicode text")', async () => {
    const path = join(dir, 'unicode.txt')
    await writeFile(path, Buffer.from('\uFEFFID\tName\r\n1\tJörg\r\n', 'utf16le'))
    const table = await readTable(path)
    expect(table.header).toEqual(['ID', 'Name'])
    expect(table.rows[0]?.cells).toEqual(['1', 'Jörg'])
  })

  it('trims cells, reads empty ones as null and ignores empty trailing columns', async () => {
    const path = join(dir, 'trim.csv')
    await writeFile(path, 'ID , Name,,\n 1 ,  ,,\n2,Ben\n,,,\n')
    const table = await readTable(path)
    expect(table.header).toEqual(['ID', 'Name'])
    expect(table.rows).toEqual([
      { row: 2, cells: ['1', null] },
      { row: 3, cells: ['2', 'Ben'] },
    ])
  })

  it('numbers sheet rows as Excel does, skipping empty ones', async () => {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('Data')
    sheet.getCell('A1').value = 'ID'
    sheet.getCell('B1').value = 'Name'
    sheet.getCell('A4').value = 7
    sheet.getCell('B4').value = { richText: [{ text: 'Jö' }, { text: 'rg' }] }
    const path = join(dir, 'gaps.xlsx')
    await book.xlsx.writeFile(path)
    expect((await readTable(path)).rows).toEqual([{ row: 4, cells: [7, 'Jörg'] }])
  })

  it('names a sheet column with a value and no header by number and letter', async () => {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('Data')
    sheet.addRow(['ID', 'Name'])
    sheet.addRow([1, 'Anna', null, 'stray'])
    const path = join(dir, 'stray.xlsx')
    await book.xlsx.writeFile(path)
    expect((await readError(path)).message).toBe(`${path}: column 4 (D) has no name`)
  })

  it('refuses a file it cannot read, naming it', async () => {
    expect((await readError(join(dir, 'missing.csv'))).message).toBe(
      `${join(dir, 'missing.csv')}: file not found`,
    )
    await mkdir(join(dir, 'folder.csv'))
    expect((await readError(join(dir, 'folder.csv'))).message).toContain('is a folder, not a file')
    expect((await readError(join(dir, 'people.json'))).message).toContain(
      'cannot tell the format from the name',
    )
  })

  it('lists every row that is too long, up to a point', async () => {
    const path = join(dir, 'ragged.csv')
    await writeFile(path, ['A,B', ...Array.from({ length: 5 }, (_, i) => `${i},x,y`)].join('\n'))
    const error = await readError(path)
    expect(error.message).toBe(
      `${path}: row 2 has 3 cells, the header has 2; row 3 has 3 cells, the header has 2; row 4 has 3 cells, the header has 2 (and 2 more)`,
    )
    expect(error.issues.map((i) => i.record)).toEqual(['row 2', 'row 3', 'row 4', 'row 5', 'row 6'])
  })
})
