import { SyncError } from '../errors.ts'
import type { Issue } from '../errors.ts'
import { compileFilter } from '../filter/filter.ts'
import { compileMapping } from '../mapping/map-employee.ts'
import type { MappedEmployee } from '../mapping/map-employee.ts'
import { employeeKey } from '../matching/identifier-rule.ts'
import { matchEmployees } from '../matching/match.ts'
import type { MatchResult } from '../matching/match.ts'
import type { Employee, InvalidRecord } from '../model/employee.ts'
import type { FieldValue } from '../model/field-value.ts'
import { sameValue } from '../model/field-value.ts'
import { canonicalJson, contentOf } from '../model/person.ts'
import type { Person, PersonContent, Team } from '../model/person.ts'
import type { SyncConfig } from './sync-config.ts'
import { readabilityIssues } from './sync-config.ts'
import type {
  Change,
  FieldDiff,
  ManagerChange,
  MembershipChange,
  PersonAction,
  PersonChange,
  Reason,
  Ref,
  SyncPlan,
  TeamChange,
} from './sync-plan.ts'
import { summarize } from './sync-plan.ts'

/** What a connector read: every employee it could normalize, and the records it could not. */
export interface SourceSnapshot {
  readonly employees: readonly Employee[]
  readonly invalid: readonly InvalidRecord[]
  /** Whether the read saw every employee (every page, no errors). */
  readonly complete: boolean
  readonly readAt: string | null
  /** The model fields the credential can read (`custom.<key>` for custom ones); null: all. */
  readonly readableFields: readonly string[] | null
}

/** What the target holds now. */
export interface TargetSnapshot {
  readonly people: readonly Person[]
  readonly teams: readonly Team[]
}

export interface PlanInput {
  readonly connectionId: string
  readonly source: SourceSnapshot
  readonly target: TargetSnapshot
  readonly config: SyncConfig
  /** The clock is an argument: the same input always gives the same plan. */
  readonly now: Date | string
}

/** The calendar day of an instant in a time zone, `YYYY-MM-DD`. */
export function dayIn(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now)
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
/** One empty list for the many changes without issues or diffs: 100,000 fewer allocations. */
const NONE: readonly never[] = Object.freeze([])

/** Sorted by a string key; most inputs already are (APIs and databases list by id), so check first. */
export function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  for (let i = 1; i < items.length; i++) {
    if (key(items[i - 1] as T) > key(items[i] as T)) {
      return [...items].sort((a, b) => byString(key(a), key(b)))
    }
  }
  return [...items]
}

/** One employee per external id: a record repeated across pages is read once (the newest wins). */
function dedupe(employees: readonly Employee[]): { employees: Employee[]; issues: Issue[] } {
  const sorted = sortedBy(employees, (e) => e.externalId)
  const out: Employee[] = []
  const issues: Issue[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i + 1
    while (j < sorted.length && sorted[j]?.externalId === sorted[i]?.externalId) j++
    const group = sorted.slice(i, j)
    if (group.length === 1 && group[0]) out.push(group[0])
    else {
      const versions = [...new Set(group.map((e) => canonicalJson(e)))]
      // the newest by instant (offsets differ); equal instants: a fixed order of content
      const instant = (e: Employee) =>
        e.sourceUpdatedAt === null ? -Infinity : Date.parse(e.sourceUpdatedAt)
      const newest = group.reduce((best, e) => {
        const a = instant(best)
        const b = instant(e)
        return b > a || (b === a && canonicalJson(e) > canonicalJson(best)) ? e : best
      })
      out.push(newest)
      if (versions.length > 1) {
        issues.push({
          code: 'duplicate_in_source',
          severity: 'warning',
          message: `the HR system sent ${group.length} different versions of this employee; the newest is used`,
          path: ['externalId'],
          record: newest.externalId,
        })
      }
    }
    i = j
  }
  return { employees: out, issues }
}

function nameOf(e: Employee): string {
  const first = e.preferredName ?? e.firstName
  const last = e.lastName
  if (first !== null && last !== null) return `${first} ${last}`
  return first ?? last ?? e.workEmail ?? `employee ${e.externalId}`
}

function personName(p: Person): string {
  const f = p.fields
  const text = (v: FieldValue | undefined) => (typeof v === 'string' && v !== '' ? v : null)
  const name = [text(f['firstName']), text(f['lastName'])].filter((s) => s !== null).join(' ')
  return text(f['displayName']) ?? (name || text(f['email']) || `person ${p.id}`)
}

/** Whether the employee has left as of `today`: a termination date that has passed, or the status. */
function leaverDateOf(e: Employee, today: string): { leaving: boolean; date: string | null } {
  if (e.terminationDate !== null) {
    return e.terminationDate <= today
      ? { leaving: true, date: e.terminationDate }
      : { leaving: false, date: null }
  }
  // terminated without a termination date: gone once the last working day has passed
  const last = e.lastWorkingDay
  return e.status === 'terminated' && (last === null || last <= today)
    ? { leaving: true, date: last }
    : { leaving: false, date: null }
}

const keyText = (key: PersonContent['sourceKey']): string | null =>
  key === null ? null : `${key.connectionId}/${key.externalId}`

/** Field by field, then the record's own properties, as `{ field, before, after }`. */
function diffContent(before: PersonContent | null, after: PersonContent): FieldDiff[] {
  const diffs: FieldDiff[] = []
  const b = before?.fields ?? {}
  for (const field of Object.keys(after.fields)) {
    const next = after.fields[field] ?? null
    const prev = b[field] ?? null
    if (!sameValue(prev, next)) diffs.push({ field, before: prev, after: next })
  }
  const meta: [string, FieldValue, FieldValue][] = [
    ['identifier', before?.identifier ?? null, after.identifier],
    ['sourceKey', keyText(before?.sourceKey ?? null), keyText(after.sourceKey)],
    ['status', before?.status ?? null, after.status],
    ['leaverDate', before?.leaverDate ?? null, after.leaverDate],
  ]
  if (before?.groups !== after.groups) {
    meta.push(['groups', before ? [...before.groups].sort() : null, [...after.groups].sort()])
  }
  for (const [field, prev, next] of meta) {
    if (!sameValue(prev, next)) diffs.push({ field, before: prev, after: next })
  }
  return diffs
}

function skipIssue(e: Employee, m: MatchResult): { reason: Reason; message: string } | null {
  switch (m.kind) {
    case 'ambiguous':
      return {
        reason: 'ambiguous_match',
        message:
          m.rule === 'link'
            ? `${m.candidates.length} people are linked to this employee (${m.candidates.join(', ')})`
            : `${m.candidates.length} people match by ${m.rule} (${m.candidates.join(', ')}): set their identifiers to tell them apart`,
      }
    case 'conflict':
      return {
        reason: 'conflicting_match',
        message: `person ${m.personId} is also matched by employee ${m.rivals.join(', ')}: set identifiers so each person matches one employee`,
      }
    case 'duplicate':
      return {
        reason: 'duplicate_identifier',
        message: `${m.rule} "${m.key}" is also held by ${m.others.join(', ')}: creating ${nameOf(e)} would make a duplicate`,
      }
    case 'linked':
    case 'matched':
    case 'unmatched':
      return null
  }
}

/** Who will have a person after this plan, and in what state: the input of teams and managers. */
interface Planned {
  readonly employee: Employee | null
  readonly ref: Ref
  readonly person: Person | null
  readonly active: boolean
  readonly inScope: boolean
}

/**
 * Plans a sync: a pure function of the source snapshot, the target snapshot, the config and the
 * clock. It reads, it never writes; the same input in any order gives the same plan.
 * Throws `SyncError('invalid_config')` when the config cannot work with the readable fields.
 */
export function plan(input: PlanInput): SyncPlan {
  const { connectionId, source, target, config } = input
  const now = new Date(input.now)
  if (Number.isNaN(now.getTime())) {
    throw new SyncError('invalid_input', `now is not a valid instant: ${String(input.now)}`)
  }
  const today = dayIn(now, config.timeZone)
  const readable = source.readableFields === null ? null : new Set(source.readableFields)
  const planIssues: Issue[] = readable ? readabilityIssues(config, readable) : []
  const blocking = planIssues.filter((i) => i.severity === 'error')
  if (blocking.length > 0) {
    throw new SyncError(
      'invalid_config',
      `this configuration cannot work with these credentials: ${blocking.map((i) => i.message).join('; ')}`,
      { issues: blocking },
    )
  }

  const deduped = dedupe(source.employees)
  planIssues.push(...deduped.issues)
  const employees = deduped.employees
  // order matters only where people become a list: matching sorts its candidates, planMissing
  // its absentees
  const people = target.people
  const peopleById = new Map(people.map((p) => [p.id, p]))
  const inScope = compileFilter(config.filter, today)
  const mapping = compileMapping(config.mapping, readable)
  // a new person needs a name when the mapping writes one
  const nameFields = ['displayName', 'firstName', 'lastName'].filter((f) => mapping.owners.has(f))
  const named = (fields: Record<string, FieldValue>) =>
    nameFields.length === 0 || nameFields.some((f) => fields[f] != null)
  // matching maps the new employees to see who would be created: map each employee once
  const mappedOnce = new Map<string, MappedEmployee>()
  const mapOnce = (e: Employee): MappedEmployee => {
    const known = mappedOnce.get(e.externalId)
    if (known) return known
    const mapped = mapping.map(e)
    mappedOnce.set(e.externalId, mapped)
    return mapped
  }
  const matches = matchEmployees(employees, people, config.identifiers, connectionId, {
    inScope,
    wouldCreate: (e) =>
      inScope(e) &&
      !(leaverDateOf(e, today).leaving && config.policy.terminatedNeverImported === 'skip') &&
      named(mapOnce(e).fields),
  })
  const matchedIds = new Set<string>()
  for (const m of matches.values()) if (m.kind === 'matched') matchedIds.add(m.personId)
  const policy = config.policy
  const leaverGroup = policy.leaverGroup
  const identifierRules = config.identifiers.filter((r) => r !== 'name')
  const identifierOf = (e: Employee): string | null => {
    for (const rule of identifierRules) {
      const key = employeeKey(rule, e)
      if (key !== null) return key
    }
    return null
  }

  const personChanges: PersonChange[] = []
  const planned = new Map<string, Planned>()
  /** What became of employees without a planned person: for managers who report to them. */
  const fates = new Map<string, 'filtered_out' | 'skipped'>()

  const change = (
    fields: Pick<PersonChange, 'id' | 'label' | 'action' | 'reason'> &
      Partial<Omit<PersonChange, 'kind'>>,
  ): PersonChange => ({
    kind: 'person',
    id: fields.id,
    label: fields.label,
    action: fields.action,
    reason: fields.reason,
    issues: fields.issues ?? NONE,
    externalId: fields.externalId ?? null,
    personId: fields.personId ?? null,
    matchedBy: fields.matchedBy ?? null,
    before: fields.before ?? null,
    after: fields.after ?? null,
    diff: fields.diff ?? NONE,
    targetHash: fields.targetHash ?? null,
    invite: fields.invite ?? false,
  })

  const withLeaver = (content: PersonContent, date: string | null): PersonContent => ({
    ...content,
    status: 'leaver',
    leaverDate: date,
    groups:
      leaverGroup === null || content.groups.includes(leaverGroup)
        ? content.groups
        : [...content.groups, leaverGroup],
  })

  for (const e of employees) {
    const id = `person:${e.externalId}`
    const label = nameOf(e)
    const m = matches.get(e.externalId) ?? { kind: 'unmatched' }
    const person = m.kind === 'linked' || m.kind === 'matched' ? peopleById.get(m.personId) : null
    const { leaving, date } = leaverDateOf(e, today)
    const externalId = e.externalId

    const skip = skipIssue(e, m)
    if (skip) {
      const issue: Issue = {
        code: skip.reason,
        severity: 'warning',
        message: skip.message,
        path: [],
        record: e.externalId,
      }
      personChanges.push(
        change({ id, label, externalId, action: 'skip', reason: skip.reason, issues: [issue] }),
      )
      fates.set(externalId, 'skipped')
      continue
    }

    const scoped = inScope(e)
    if (!scoped) {
      // a filter decides who is synced; it never hides that a linked person has left
      if (person && m.kind === 'linked' && leaving && person.status === 'active') {
        const before = contentOf(person)
        const after = withLeaver(before, date)
        personChanges.push(
          change({
            id,
            label,
            externalId,
            action: 'mark_leaver',
            reason: 'terminated_in_source',
            personId: person.id,
            matchedBy: 'link',
            before,
            after,
            diff: diffContent(before, after),
            targetHash: person.hash,
          }),
        )
        planned.set(e.externalId, {
          employee: e,
          ref: { id: person.id },
          person,
          active: false,
          inScope: false,
        })
      } else {
        personChanges.push(
          change({
            id,
            label,
            externalId,
            action: 'skip',
            reason: 'filtered_out',
            personId: person?.id ?? null,
          }),
        )
        fates.set(externalId, 'filtered_out')
      }
      continue
    }

    const mapOf = () => mappedOnce.get(e.externalId) ?? mapping.map(e)
    const sourceKey = { connectionId, externalId: e.externalId }

    if (!person) {
      const mapped = mapOf()
      const fields: Record<string, FieldValue> = mapped.fields
      if (!named(fields)) {
        personChanges.push(
          change({
            id,
            label,
            externalId,
            action: 'skip',
            reason: 'invalid_record',
            issues: [
              ...mapped.issues,
              {
                code: 'missing_name',
                severity: 'error',
                message: 'has no name: first and last name are unknown',
                path: ['firstName'],
                record: e.externalId,
              },
            ],
          }),
        )
        fates.set(externalId, 'skipped')
        continue
      }
      if (leaving && policy.terminatedNeverImported === 'skip') {
        personChanges.push(
          change({ id, label, externalId, action: 'skip', reason: 'terminated_never_imported' }),
        )
        fates.set(externalId, 'skipped')
        continue
      }
      const fresh: PersonContent = {
        fields,
        identifier: identifierOf(e),
        sourceKey,
        status: 'active',
        leaverDate: null,
        groups: [],
      }
      const after = leaving ? withLeaver(fresh, date) : fresh
      personChanges.push(
        change({
          id,
          label,
          externalId,
          action: 'create',
          reason: leaving ? 'terminated_never_imported' : 'new_in_source',
          after,
          diff: diffContent(null, after),
          issues: mapped.issues,
          invite: !leaving && policy.inviteNewPeople,
        }),
      )
      planned.set(e.externalId, {
        employee: e,
        ref: { change: id },
        person: null,
        active: !leaving,
        inScope: true,
      })
      continue
    }

    const identifier = identifierOf(e) ?? person.identifier
    const settled =
      m.kind === 'linked' &&
      identifier === person.identifier &&
      (leaving
        ? person.status === 'leaver' &&
          person.leaverDate === date &&
          (leaverGroup === null || person.groups.includes(leaverGroup))
        : person.status === 'active')
    // the issues of an up-to-date person, or null when any field the HR system owns differs
    const agreed = settled ? mapping.agrees(e, person.fields) : null
    planned.set(e.externalId, {
      employee: e,
      ref: { id: person.id },
      person,
      active: !leaving,
      inScope: true,
    })
    const upToDate = (issues: readonly Issue[]) =>
      change({
        id,
        label,
        externalId,
        action: 'noop',
        reason: 'up_to_date',
        personId: person.id,
        matchedBy: 'link',
        targetHash: person.hash,
        issues,
      })
    // most people are up to date: say so without building their next state
    if (agreed !== null) {
      personChanges.push(upToDate(agreed))
      continue
    }
    const mapped = mapOf()

    const before = contentOf(person)
    const fields = { ...person.fields }
    for (const field of mapping.hrisFields) {
      const value = mapped.fields[field]
      if (value !== undefined) fields[field] = value
    }
    let after: PersonContent = { ...before, fields, identifier, sourceKey }
    let action: PersonAction
    let reason: Reason
    if (leaving) {
      after = withLeaver(after, date)
      action = person.status === 'active' ? 'mark_leaver' : 'update'
      reason = 'terminated_in_source'
    } else if (person.status === 'leaver') {
      after = {
        ...after,
        status: 'active',
        leaverDate: null,
        groups: after.groups.filter((g) => g !== leaverGroup),
      }
      action = 'reactivate'
      reason = 'rehired'
    } else {
      action = 'update'
      reason = m.kind === 'matched' ? 'linked' : 'fields_changed'
    }
    const diff = diffContent(before, after)
    if (diff.length === 0) {
      personChanges.push(upToDate(mapped.issues))
    } else {
      if (
        reason === 'fields_changed' &&
        diff.every((d) => d.field === 'terminationDate') &&
        e.terminationDate !== null
      ) {
        reason = 'termination_scheduled'
      }
      personChanges.push(
        change({
          id,
          label,
          externalId,
          action,
          reason,
          personId: person.id,
          matchedBy: m.kind === 'matched' ? m.rule : 'link',
          before,
          after,
          diff,
          targetHash: person.hash,
          issues: mapped.issues,
        }),
      )
    }
  }

  planMissing(input, employees, people, personChanges, planned, withLeaver, change)
  const ordered = holdIdentity(personChanges, people, planned, fates)

  // a field the credential cannot read is unknown, not empty: it never clears what it would set
  const canRead = (field: string) => readable === null || readable.has(field)
  const invalidIds = new Set(source.invalid.map((r) => r.externalId))
  const teamPlan = policy.teamsFromDepartments
    ? planTeams(connectionId, target.teams, planned, canRead('department'))
    : { changes: [], issues: [] }
  const managerPlan =
    policy.managersFromSupervisors && canRead('supervisorExternalId')
      ? planManagers(planned, (sup) => supervisorFate(sup, fates, invalidIds, source.complete))
      : { changes: [], issues: [] }
  planIssues.push(...teamPlan.issues, ...managerPlan.issues)

  const changes: Change[] = [...ordered, ...teamPlan.changes, ...managerPlan.changes]
  return {
    version: 1,
    connectionId,
    complete: source.complete,
    basis: {
      now: now.toISOString(),
      today,
      readAt: source.readAt,
      employees: employees.length,
      invalidRecords: source.invalid.length,
      people: people.length,
      activePeople: people.filter(
        (p) =>
          p.status === 'active' &&
          (p.sourceKey?.connectionId === connectionId || matchedIds.has(p.id)),
      ).length,
      teams: target.teams.length,
    },
    summary: summarize(changes),
    changes,
    issues: planIssues,
    approval: { required: false, findings: [] },
  }
}

/**
 * People linked to this connection whose employee was not read: leavers after a complete read,
 * skipped after an incomplete one; an employee the HR system sent but that was invalid is never
 * missing.
 */
function planMissing(
  input: PlanInput,
  employees: readonly Employee[],
  people: readonly Person[],
  out: PersonChange[],
  planned: Map<string, Planned>,
  withLeaver: (content: PersonContent, date: string | null) => PersonContent,
  change: (
    fields: Pick<PersonChange, 'id' | 'label' | 'action' | 'reason'> &
      Partial<Omit<PersonChange, 'kind'>>,
  ) => PersonChange,
) {
  const { connectionId, source } = input
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
  const absent = sortedBy(
    people.filter(
      (p) => p.sourceKey?.connectionId === connectionId && !present.has(p.sourceKey.externalId),
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
    const after = withLeaver(before, null)
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
function holdIdentity(
  changes: readonly PersonChange[],
  people: readonly Person[],
  planned: Map<string, Planned>,
  fates: Map<string, 'filtered_out' | 'skipped'>,
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
    count(wantedIds, c.after.identifier)
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
    if (content.identifier !== null && wantedIds.has(content.identifier)) {
      hold(idHolders, content.identifier, p.id)
    }
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
    const id = c.after.identifier
    const email = emailOf(c.after)
    const clash =
      id !== null && (idHolders.has(id) || (wantedIds.get(id) ?? 0) > 1)
        ? { key: `identifier "${id}"`, holder: idHolders.get(id) }
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

const teamKey = (e: Employee): string | null =>
  e.department === null ? null : (e.department.id ?? `name:${e.department.name.toLowerCase()}`)

/**
 * One team per department of the people who stay active and in scope; people join their
 * department's team and leave the other teams of this connection. Leavers leave them all.
 */
function planTeams(
  connectionId: string,
  teams: readonly Team[],
  planned: ReadonlyMap<string, Planned>,
  departmentsKnown: boolean,
): { changes: Change[]; issues: Issue[] } {
  const sortedTeams = [...teams].sort((a, b) => byString(a.id, b.id))
  const managed = new Map<string, Team>()
  const byName = new Map<string, Team[]>()
  for (const t of sortedTeams) {
    if (t.sourceKey?.connectionId === connectionId) managed.set(t.sourceKey.externalId, t)
    else if (t.sourceKey === null) {
      const name = t.name.toLowerCase()
      byName.set(name, [...(byName.get(name) ?? []), t])
    }
  }

  const needed = new Map<string, string>()
  // planned is filled in a deterministic order: employees by id, then people by id
  const entries = [...planned.entries()]
  for (const [, p] of departmentsKnown ? entries : []) {
    const key = p.employee && p.active && p.inScope ? teamKey(p.employee) : null
    if (key !== null && !needed.has(key) && p.employee?.department) {
      needed.set(key, p.employee.department.name)
    }
  }

  const changes: Change[] = []
  const issues: Issue[] = []
  const teamRefs = new Map<string, Ref>()
  const managedIds = new Set([...managed.values()].map((t) => t.id))
  for (const [key, name] of [...needed.entries()].sort(([a], [b]) => byString(a, b))) {
    const sourceKey = { connectionId, externalId: key }
    const id = `team:${key}`
    const existing = managed.get(key)
    const sameName = byName.get(name.toLowerCase()) ?? []
    if (existing) {
      teamRefs.set(key, { id: existing.id })
      if (existing.name !== name) {
        changes.push(teamChange(id, 'update', 'department_renamed', existing, { name, sourceKey }))
      }
    } else if (sameName.length === 1 && sameName[0]) {
      const team = sameName[0]
      teamRefs.set(key, { id: team.id })
      managedIds.add(team.id)
      byName.delete(name.toLowerCase())
      changes.push(teamChange(id, 'update', 'linked', team, { name, sourceKey }))
    } else {
      if (sameName.length > 1) {
        issues.push({
          code: 'ambiguous_team',
          severity: 'warning',
          message: `${sameName.length} teams are called "${name}"; a new team is created for the department`,
          path: ['department'],
        })
      }
      teamRefs.set(key, { change: id })
      changes.push(teamChange(id, 'create', 'new_department', null, { name, sourceKey }))
    }
  }

  for (const [key, p] of entries) {
    // without departments, only leavers move: out of every team of this connection
    if (!departmentsKnown && p.active) continue
    const wantedKey = p.employee && p.active && p.inScope ? teamKey(p.employee) : null
    const wanted = wantedKey === null ? null : (teamRefs.get(wantedKey) ?? null)
    const current = (p.person?.teamIds ?? []).filter((t) => managedIds.has(t))
    const label = p.employee ? nameOf(p.employee) : p.person ? personName(p.person) : key
    const isCurrent = wanted !== null && 'id' in wanted && current.includes(wanted.id)
    if (wanted !== null && !isCurrent) {
      changes.push(membership(key, 'join', joinReason(p.person), p.ref, wanted, label))
    }
    for (const teamId of current.sort(byString)) {
      if (wanted !== null && 'id' in wanted && wanted.id === teamId) continue
      const reason = p.active ? 'department_changed' : 'left_company'
      changes.push(membership(key, 'leave', reason, p.ref, { id: teamId }, label))
    }
  }
  return { changes, issues }
}

/** Why a person joins a team: they are new, newly linked, or their department changed. */
const joinReason = (person: Person | null): Reason =>
  person === null ? 'new_in_source' : person.sourceKey === null ? 'linked' : 'department_changed'

function teamChange(
  id: string,
  action: TeamChange['action'],
  reason: Reason,
  before: Team | null,
  after: TeamChange['after'],
): TeamChange {
  return {
    id,
    kind: 'team',
    action,
    reason,
    label: after.name,
    issues: [],
    teamId: before?.id ?? null,
    before: before ? { name: before.name, sourceKey: before.sourceKey } : null,
    after,
    targetHash: before?.hash ?? null,
  }
}

const refText = (ref: Ref): string => ('id' in ref ? ref.id : ref.change)

function membership(
  key: string,
  action: MembershipChange['action'],
  reason: Reason,
  person: Ref,
  team: Ref,
  label: string,
): MembershipChange {
  return {
    id: `membership:${key}:${action}:${refText(team)}`,
    kind: 'membership',
    action,
    reason,
    label,
    issues: [],
    person,
    team,
  }
}

/**
 * Why a supervisor has no planned person, and so what becomes of the manager link: emptied when
 * the supervisor is known to be outside the sync (filtered out, or gone after a complete read),
 * left as it is when this plan cannot tell (skipped, unreadable, or not in an incomplete read).
 */
function supervisorFate(
  sup: string,
  fates: ReadonlyMap<string, 'filtered_out' | 'skipped'>,
  invalidIds: ReadonlySet<string | null>,
  complete: boolean,
): { clear: boolean; why: string } {
  const fate = fates.get(sup)
  if (fate === 'filtered_out') return { clear: true, why: 'is outside the sync-if conditions' }
  if (fate === 'skipped') return { clear: false, why: 'is skipped in this plan (see its change)' }
  if (invalidIds.has(sup)) {
    return { clear: false, why: 'could not be read (an invalid record)' }
  }
  return complete
    ? { clear: true, why: 'is not in the HR system' }
    : { clear: false, why: 'was not in this incomplete read' }
}

/**
 * A person's manager is their supervisor's person. A supervisor outside the sync empties the
 * manager with a warning; one this plan cannot tell about leaves it as it is, with a warning;
 * people in a reporting cycle keep their manager, and the cycle is reported.
 */
function planManagers(
  planned: ReadonlyMap<string, Planned>,
  fateOf: (sup: string) => { clear: boolean; why: string },
): {
  changes: ManagerChange[]
  issues: Issue[]
} {
  const issues: Issue[] = []
  // arrays indexed like `planned` (deterministic order): a plan has one entry per person
  const keys = [...planned.keys()]
  const entries = [...planned.values()]
  const index = new Map(keys.map((key, i) => [key, i]))
  const managed = (p: Planned | undefined): p is Planned & { employee: Employee } =>
    p?.employee != null && p.active && p.inScope
  /** The entry of each node's manager: -1 for none, -2 to leave the manager as it is. */
  const boss = new Int32Array(entries.length).fill(-2)
  for (let i = 0; i < entries.length; i++) {
    const p = entries[i]
    if (!managed(p)) continue
    const sup = p.employee.supervisorExternalId
    const j = sup === null ? undefined : index.get(sup)
    if (sup === null) boss[i] = -1
    else if (j !== undefined && entries[j]?.inScope) boss[i] = j
    else {
      const fate =
        j === undefined ? fateOf(sup) : { clear: true, why: 'is outside the sync-if conditions' }
      boss[i] = fate.clear ? -1 : -2
      issues.push({
        code: fate.clear ? 'supervisor_not_synced' : 'supervisor_unknown',
        severity: 'warning',
        message: `supervisor ${sup} ${fate.why}: the manager is ${fate.clear ? 'left empty' : 'left as it is'}`,
        path: ['supervisorExternalId'],
        record: keys[i] ?? '',
      })
    }
  }

  // every node has at most one manager, so each walk ends at a top or runs into a cycle
  const WALKING = 1
  const DONE = 2
  const state = new Uint8Array(entries.length)
  const inCycle = new Uint8Array(entries.length)
  const path: number[] = []
  for (let start = 0; start < entries.length; start++) {
    if ((boss[start] ?? -2) === -2) continue
    path.length = 0
    let node = start
    while (node >= 0 && state[node] === 0 && managed(entries[node])) {
      state[node] = WALKING
      path.push(node)
      node = boss[node] ?? -1
    }
    if (node >= 0 && state[node] === WALKING) {
      const cycle = path.slice(path.indexOf(node))
      for (const member of cycle) inCycle[member] = 1
      const names = cycle.map((i) => keys[i] ?? '')
      issues.push({
        code: 'manager_cycle',
        severity: 'warning',
        message: `supervisors form a cycle (${names.join(' → ')} → ${keys[node] ?? ''}): these managers are left as they are`,
        path: ['supervisorExternalId'],
        record: keys[node] ?? '',
      })
    }
    for (const visited of path) state[visited] = DONE
  }

  const changes: ManagerChange[] = []
  for (let i = 0; i < entries.length; i++) {
    const p = entries[i]
    const j = boss[i] ?? -2
    if (j === -2 || inCycle[i] === 1 || !p) continue
    const wanted = j === -1 ? null : (entries[j]?.ref ?? null)
    const current = p.person?.managerId ?? null
    if (wanted === null ? current === null : 'id' in wanted && wanted.id === current) continue
    const key = keys[i] ?? ''
    changes.push({
      id: `manager:${key}`,
      kind: 'manager',
      action: 'update',
      reason: 'supervisor_changed',
      label: p.employee ? nameOf(p.employee) : key,
      issues: [],
      person: p.ref,
      before: current,
      after: wanted,
    })
  }
  return { changes, issues }
}
