import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { readTable, writeTable } from '../connectors/file/table-file.ts'
import { SyncError } from '../core/errors.ts'
import type { SqlStore } from '../storage/sql-store.ts'
import { person } from '../../test/helpers/factories.ts'
import { BACKENDS, openStore } from '../../test/helpers/stores.ts'
import { importIdentifiers } from './identifier-import.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-identifiers-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

for (const backend of BACKENDS) {
  describe(`the identifier import, on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let ws = ''

    beforeEach(async () => {
      opened = await openStore(backend)
      store = opened.store
      ws = (await store.ensureWorkspace('acme')).id
      // app-1 holds "E7" already; the others have no identifier yet
      await store.directory(ws).transaction((tx) =>
        tx.write({
          people: [
            person('app-1', { identifier: 'E7' }),
            person('app-2'),
            person('app-3'),
            person('app-4'),
          ].map((p) => ({ person: p, before: null })),
          teams: [],
          events: [],
          audit: [],
        }),
      )
    })
    afterEach(() => opened.close())

    /** Reads a file and imports it, as `people import-identifiers FILE` does. */
    const importFile = async (file: string, sheet?: string) =>
      importIdentifiers(store, ws, await readTable(file, sheet === undefined ? {} : { sheet }), {
        actor: 'test',
        name: path.basename(file),
      })

    /** The error an import fails with: it must fail. */
    const failure = async (file: string, sheet?: string): Promise<SyncError> => {
      const error: unknown = await importFile(file, sheet).then(
        () => null,
        (e: unknown) => e,
      )
      if (!(error instanceof SyncError))
        throw new Error(`expected a SyncError, got ${String(error)}`)
      expect(error.code).toBe('invalid_input')
      return error
    }

    const identifiers = async () => {
      const out: Record<string, string | null> = {}
      for await (const p of store.listPeople(ws)) out[p.id] = p.identifier
      return out
    }
    const BEFORE = { 'app-1': 'E7', 'app-2': null, 'app-3': null, 'app-4': null }
    const nothingWritten = async () => {
      expect(await identifiers()).toEqual(BEFORE)
      const audit = await store.db.kysely
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'person.set_identifier')
        .execute()
      expect(audit).toEqual([])
    }
    const csv = async (name: string, rows: (string | null)[][]) => {
      const file = path.join(dir, `${backend}-${name}`)
      await writeTable(file, 'csv', ['id', 'identifier'], rows)
      return file
    }

    it('refuses an identifier another person holds in another case, with every other bad row', async () => {
      const file = await csv('clash.csv', [
        ['app-2', 'e7'],
        ['app-3', null],
        ['app-4', 'E4'],
        ['app-9', 'E9'],
      ])
      const error = await failure(file)
      expect(error.issues.map((i) => i.message)).toEqual([
        'row 2, column "identifier": "e7" is the identifier of person app-1 already',
        'row 3, column "identifier": is empty: every person needs an identifier',
        'row 5, column "id": no person has the id "app-9"',
      ])
      await nothingWritten()
    })

    it('refuses two rows whose identifiers differ only in case', async () => {
      const file = await csv('twice.csv', [
        ['app-2', 'x1'],
        ['app-3', 'X1'],
        ['app-4', 'e7'],
      ])
      const error = await failure(file)
      expect(error.issues.map((i) => i.message)).toEqual([
        'row 3, column "identifier": "X1" is on row 2 too',
        'row 4, column "identifier": "e7" is the identifier of person app-1 already',
      ])
      await nothingWritten()
    })

    it('reads a CSV that starts with a byte order mark: its first column is "id"', async () => {
      const file = path.join(dir, `${backend}-bom.csv`)
      await writeFile(file, '\uFEFFid,identifier\r\napp-2,E2\r\napp-3,e2\r\napp-8,E8\r\n')
      const error = await failure(file)
      expect(error.issues.map((i) => i.message)).toEqual([
        'row 3, column "identifier": "e2" is on row 2 too',
        'row 4, column "id": no person has the id "app-8"',
      ])
      await nothingWritten()
      await writeFile(file, '\uFEFFid,identifier\r\napp-2,E2\r\napp-3,E3\r\n')
      expect(await importFile(file)).toEqual({ changed: 2, unchanged: 0, linked: 0 })
      expect(await identifiers()).toEqual({ ...BEFORE, 'app-2': 'E2', 'app-3': 'E3' })
    })

    it('refuses an empty file', async () => {
      const file = path.join(dir, `${backend}-empty.csv`)
      await writeFile(file, '')
      const error = await failure(file)
      expect(error.message).toBe(`${file}: the file is empty`)
      await nothingWritten()
    })

    it('refuses a file with a header and no rows', async () => {
      const file = await csv('header-only.csv', [])
      const error = await failure(file)
      expect(error.issues.map((i) => i.message)).toEqual(['the file has no rows below its header'])
      await nothingWritten()
    })

    it('refuses a workbook without the sheet asked for, naming the sheets it has', async () => {
      const file = path.join(dir, `${backend}-people.xlsx`)
      await writeTable(file, 'xlsx', ['id', 'identifier'], [['app-2', 'E2']], { sheet: 'People' })
      const error = await failure(file, 'Peple')
      expect(error.message).toBe(`${file}: sheet "Peple" not found; sheets: People`)
      await nothingWritten()
      // the sheet's name in another case is the sheet
      expect(await importFile(file, 'people')).toEqual({ changed: 1, unchanged: 0, linked: 0 })
    })

    it('lets a person change the case of their own identifier', async () => {
      const file = await csv('recase.csv', [['app-1', 'e7']])
      expect(await importFile(file)).toEqual({ changed: 1, unchanged: 0, linked: 0 })
      expect((await identifiers())['app-1']).toBe('e7')
    })

    it('is refused by the database too when another person takes the identifier in another case meanwhile', async () => {
      // the check ran on a snapshot; the store's own check inside the transaction holds the line
      await expect(
        store.setIdentifiers(ws, [{ personId: 'app-2', identifier: 'e7' }], 'test'),
      ).rejects.toMatchObject({
        code: 'conflict',
        message: 'person app-1 has the identifier "e7" already: it cannot be given to person app-2',
      })
      await nothingWritten()
    })
  })
}
