import { identifierKey } from '../matching/identifier-rule.ts'
import type { Person, PersonContent } from '../model/person.ts'
import type { Fates, Planned } from './planned.ts'
import type { PersonChange } from './sync-plan.ts'

/** What makes two directory records one person: the same identifier, or the same email. */
const emailOf = (content: { fields: PersonContent['fields'] }): string | null => {
  const email = content.fields['email']
  return typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : null
}

/**
 * The directory's invariant, checked on what the plan would leave: no create may take an
 * identifier or email that another person will still hold (or another create takes too); such
 * a create is skipped as `duplicate_identifier` and leaves the plan. Creates come after the
 * updates and leavers, so a key an update gives up is free by the time a create takes it.
 */
export function holdIdentity(
  changes: readonly PersonChange[],
  people: readonly Person[],
  planned: Map<string, Planned>,
  fates: Fates,
): PersonChange[] {
  const creates = changes.filter((c) => c.action === 'create')
  if (creates.length === 0) return [...changes]
  // the keys the creates want, and how many want each
  const count = (map: Map<string, number>, key: string | null) => {
    if (key !== null) map.set(key, (map.get(key) ?? 0) + 1)
  }
  const wantedIds = new Map<string, number>()
  const wantedEmails = new Map<string, number>()
  for (const c of creates) {
    if (!c.after) continue
    count(wantedIds, identifierKey(c.after.identifier))
    count(wantedEmails, emailOf(c.after))
  }
  // who holds a wanted key after the plan: a changed person by its next content, others as is;
  // the lowest id is named, whatever the input order
  const next = new Map<string, PersonContent>()
  for (const c of changes) if (c.personId !== null && c.after) next.set(c.personId, c.after)
  const idHolders = new Map<string, string>()
  const emailHolders = new Map<string, string>()
  const hold = (holders: Map<string, string>, key: string | null, id: string) => {
    if (key === null) return
    const held = holders.get(key)
    if (held === undefined || id < held) holders.set(key, id)
  }
  for (const p of people) {
    const content = next.get(p.id) ?? p
    const held = identifierKey(content.identifier)
    if (held !== null && wantedIds.has(held)) hold(idHolders, held, p.id)
    if (content.fields['email'] != null) {
      const email = emailOf(content)
      if (email !== null && wantedEmails.has(email)) hold(emailHolders, email, p.id)
    }
  }

  const out: PersonChange[] = []
  const late: PersonChange[] = []
  for (const c of changes) {
    if (c.action !== 'create' || !c.after) {
      out.push(c)
      continue
    }
    const id = identifierKey(c.after.identifier)
    const email = emailOf(c.after)
    const clash =
      id !== null && (idHolders.has(id) || (wantedIds.get(id) ?? 0) > 1)
        ? { key: `identifier "${c.after.identifier ?? ''}"`, holder: idHolders.get(id) }
        : email !== null && (emailHolders.has(email) || (wantedEmails.get(email) ?? 0) > 1)
          ? { key: `email "${email}"`, holder: emailHolders.get(email) }
          : null
    if (clash === null) {
      late.push(c)
      continue
    }
    const holder = clash.holder === undefined ? 'another new employee' : `person ${clash.holder}`
    out.push({
      ...c,
      action: 'skip',
      reason: 'duplicate_identifier',
      after: null,
      diff: [],
      invite: false,
      issues: [
        ...c.issues,
        {
          code: 'duplicate_identifier',
          severity: 'warning',
          message: `${clash.key} is also held by ${holder}: creating ${c.label} would make a duplicate`,
          path: [],
          ...(c.externalId === null ? {} : { record: c.externalId }),
        },
      ],
    })
    if (c.externalId !== null) {
      planned.delete(c.externalId)
      fates.set(c.externalId, 'skipped')
    }
  }
  return [...out, ...late]
}
