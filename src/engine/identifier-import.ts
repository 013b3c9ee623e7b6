import { SyncError } from '../core/errors.ts'
import type { Issue } from '../core/errors.ts'
import type { Person } from '../core/model/person.ts'
import type { Store } from '../storage/store.ts'

/** A table as read from a CSV or XLSX file: a header and numbered rows. */
export interface TableLike {
  readonly header: readonly string[]
  readonly rows: readonly { readonly row: number; readonly cells: readonly unknown[] }[]
}

/** CSV and XLSX files, read and written by an adapter the composition root gives. */
export interface TableFiles {
  read(file: string, options?: { sheet?: string }): Promise<TableLike>
  write(
    file: string,
    format: 'csv' | 'xlsx',
    header: readonly string[],
    rows: readonly (readonly (string | number | null)[])[],
  ): Promise<void>
}

/** The columns of the people export; `id` and `identifier` are the ones the import reads. */
export const PEOPLE_COLUMNS = [
  'id',
  'identifier',
  'name',
  'email',
  'employee number',
  'status',
  'linked to',
] as const

const text = (cell: unknown): string | null => {
  if (cell === null || cell === undefined) return null
  const value =
    cell instanceof Date
      ? cell.toISOString().slice(0, 10)
      : typeof cell === 'string' || typeof cell === 'number' || typeof cell === 'boolean'
        ? String(cell)
        : JSON.stringify(cell)
  return value.trim() === '' ? null : value.trim()
}

/** A person as one row of the export (the identifier column is what an admin edits). */
export function exportRow(person: Person): (string | null)[] {
  const field = (name: string) => {
    const value = person.fields[name]
    return value === undefined || value === null
      ? null
      : Array.isArray(value)
        ? value.join('; ')
        : String(value)
  }
  return [
    person.id,
    person.identifier,
    field('displayName') ??
      ([field('firstName'), field('lastName')].filter(Boolean).join(' ') || null),
    field('email'),
    field('employeeNumber'),
    person.status,
    person.sourceKey ? person.sourceKey.externalId : null,
  ]
}

/**
 * Checks an edited people export before anything is written (Ledgy's identifier workflow): every
 * row must name an existing person and give a non-empty identifier that no other row and no other
 * person has. Returns the rows to set, or every problem with its row and column.
 */
export function checkIdentifierImport(
  table: TableLike,
  people: readonly Person[],
): { rows: { personId: string; identifier: string }[]; unchanged: number; issues: Issue[] } {
  const issues: Issue[] = []
  const problem = (row: number | null, column: string, message: string) =>
    issues.push({
      code: 'invalid_row',
      severity: 'error',
      message: row === null ? message : `row ${row}, column "${column}": ${message}`,
      path: row === null ? [column] : [row, column],
      ...(row === null ? {} : { record: `row ${row}` }),
    })
  const find = (name: string) => table.header.findIndex((h) => h.trim().toLowerCase() === name)
  const idAt = find('id')
  const identifierAt = find('identifier')
  if (idAt < 0)
    problem(null, 'id', 'the file has no "id" column: start from "hris-sync people export"')
  if (identifierAt < 0) problem(null, 'identifier', 'the file has no "identifier" column')
  if (idAt < 0 || identifierAt < 0) return { rows: [], unchanged: 0, issues }
  if (table.rows.length === 0) problem(null, 'file', 'the file has no rows below its header')

  // identifiers match case-insensitively (emails do): so are they compared here
  const key = (identifier: string) => identifier.trim().toLowerCase()
  const byId = new Map(people.map((p) => [p.id, p]))
  const holder = new Map(
    people.flatMap((p) => (p.identifier === null ? [] : [[key(p.identifier), p.id] as const])),
  )
  const seenIds = new Map<string, number>()
  const seenIdentifiers = new Map<string, number>()
  const rows: { personId: string; identifier: string }[] = []
  let unchanged = 0
  for (const { row, cells } of table.rows) {
    const id = text(cells[idAt])
    const identifier = text(cells[identifierAt])
    const header = (at: number) => table.header[at] ?? ''
    if (id === null) {
      problem(row, header(idAt), 'is empty')
      continue
    }
    const person = byId.get(id)
    if (!person) {
      problem(row, header(idAt), `no person has the id "${id}"`)
      continue
    }
    const twiceAt = seenIds.get(id)
    if (twiceAt !== undefined) {
      problem(row, header(idAt), `person "${id}" is on row ${twiceAt} already`)
      continue
    }
    seenIds.set(id, row)
    if (identifier === null) {
      problem(row, header(identifierAt), 'is empty: every person needs an identifier')
      continue
    }
    const sameAt = seenIdentifiers.get(key(identifier))
    if (sameAt !== undefined) {
      problem(row, header(identifierAt), `"${identifier}" is on row ${sameAt} too`)
      continue
    }
    seenIdentifiers.set(key(identifier), row)
    if (person.identifier === identifier) {
      unchanged++
      continue
    }
    rows.push({ personId: id, identifier })
  }
  // an identifier held by someone the file does not change is taken
  const released = new Set(rows.map((r) => r.personId))
  for (const { personId, identifier } of rows) {
    const owner = holder.get(key(identifier))
    if (owner !== undefined && owner !== personId && !released.has(owner)) {
      const row = seenIdentifiers.get(key(identifier)) ?? 0
      problem(
        row,
        table.header[identifierAt] ?? 'identifier',
        `"${identifier}" is the identifier of person ${owner} already`,
      )
    }
  }
  issues.sort((a, b) => (Number(a.path[0]) || 0) - (Number(b.path[0]) || 0))
  return { rows: issues.length > 0 ? [] : rows, unchanged, issues }
}

async function everyone(store: Store, workspaceId: string): Promise<Person[]> {
  const out: Person[] = []
  for await (const p of store.listPeople(workspaceId)) out.push(p)
  return out
}

/** Every person of a workspace as export rows (`PEOPLE_COLUMNS`), for an admin to fill in. */
export async function identifierExport(
  store: Store,
  workspaceId: string,
): Promise<{ header: readonly string[]; rows: (string | null)[][] }> {
  return { header: PEOPLE_COLUMNS, rows: (await everyone(store, workspaceId)).map(exportRow) }
}

/**
 * Sets the identifiers of an edited export: every row is checked first, and nothing is written
 * unless all are valid (`invalid_input` with an issue per row and column). `linked` counts the
 * people changed who are linked to an HR record already: their next sync sets it again.
 */
export async function importIdentifiers(
  store: Store,
  workspaceId: string,
  table: TableLike,
  options: { actor: string; name: string },
): Promise<{ changed: number; unchanged: number; linked: number }> {
  const all = await everyone(store, workspaceId)
  const checked = checkIdentifierImport(table, all)
  if (checked.issues.length > 0) {
    throw new SyncError(
      'invalid_input',
      `${options.name}: ${checked.issues.length} problems; nothing was changed`,
      { issues: checked.issues },
    )
  }
  const changed = await store.setIdentifiers(workspaceId, checked.rows, options.actor)
  const set = new Set(checked.rows.map((r) => r.personId))
  const linked = all.filter((p) => p.sourceKey !== null && set.has(p.id)).length
  return { changed, unchanged: checked.unchanged, linked }
}
