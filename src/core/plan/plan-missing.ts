import type { InvalidRecord, Employee } from '../model/employee.ts'
import { canonicalJson, contentOf } from '../model/person.ts'
import type { Person } from '../model/person.ts'
import type { SourceSnapshot } from './plan.ts'
import { asLeaver, diffContent, personChange, personName, sortedBy } from './planned.ts'
import type { Planned } from './planned.ts'
import type { PersonChange } from './sync-plan.ts'

/**
 * People linked to this connection whose employee was not read: leavers after a complete read,
 * skipped after an incomplete one; an employee the HR system sent but that was invalid is never
 * missing.
 */
export function planMissing(
  connectionId: string,
  source: SourceSnapshot,
  employees: readonly Employee[],
  people: readonly Person[],
  out: PersonChange[],
  planned: Map<string, Planned>,
  leaverGroup: string | null,
) {
  const change = personChange
  const present = new Set<string>()
  for (const e of employees) present.add(e.externalId)
  const invalid = new Map<string, InvalidRecord>()
  // records without an id are numbered in an order of their content, not of their arrival
  const records = sortedBy(
    source.invalid,
    (r) => `${r.externalId ?? '\uffff'}${canonicalJson(r.issues)}`,
  )
  records.forEach((record, i) => {
    const key = record.externalId ?? `#${i}`
    if (!present.has(key) && !invalid.has(key)) invalid.set(key, record)
  })
  // an incremental read says nothing of the people it did not read: they are left as they are
  const absent = sortedBy(
    people.filter(
      (p) =>
        p.sourceKey?.connectionId === connectionId &&
        !present.has(p.sourceKey.externalId) &&
        (source.incremental !== true || invalid.has(p.sourceKey.externalId)),
    ),
    (p) => p.id,
  )
  const linkCount = new Map<string, number>()
  for (const p of absent) {
    const ext = p.sourceKey?.externalId ?? ''
    linkCount.set(ext, (linkCount.get(ext) ?? 0) + 1)
  }

  const invalidLinked = new Set<string>()
  for (const p of absent) {
    if (p.sourceKey === null) continue
    const ext = p.sourceKey.externalId
    const id = (linkCount.get(ext) ?? 0) > 1 ? `person:${ext}@${p.id}` : `person:${ext}`
    const base = { id, label: personName(p), externalId: ext, personId: p.id }
    const bad = invalid.get(ext)
    if (bad) {
      invalidLinked.add(ext)
      out.push(
        change({
          ...base,
          action: 'skip',
          reason: 'invalid_record',
          issues: bad.issues,
        }),
      )
      continue
    }
    if (p.status !== 'active') continue
    if (!source.complete) {
      out.push(change({ ...base, action: 'skip', reason: 'incomplete_read' }))
      continue
    }
    const before = contentOf(p)
    const after = asLeaver(before, null, leaverGroup)
    out.push(
      change({
        ...base,
        action: 'mark_leaver',
        reason: 'missing_from_source',
        matchedBy: 'link',
        before,
        after,
        diff: diffContent(before, after),
        targetHash: p.hash,
      }),
    )
    planned.set(`${ext}@${p.id}`, {
      employee: null,
      ref: { id: p.id },
      person: p,
      active: false,
      inScope: false,
    })
  }
  for (const [key, record] of invalid) {
    if (invalidLinked.has(key)) continue
    const id = record.externalId === null ? `invalid:${key.slice(1)}` : `person:${key}`
    out.push(
      change({
        id,
        label: record.externalId === null ? `record ${key}` : `employee ${key}`,
        externalId: record.externalId,
        action: 'skip',
        reason: 'invalid_record',
        issues: record.issues,
      }),
    )
  }
}
