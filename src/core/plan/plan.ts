import { SyncError } from '../errors.ts'
import type { Issue } from '../errors.ts'
import { compileFilter } from '../filter/filter.ts'
import { compileMapping } from '../mapping/map-employee.ts'
import type { MappedEmployee } from '../mapping/map-employee.ts'
import { employeeIdentifier } from '../matching/identifier-rule.ts'
import { matchEmployees } from '../matching/match.ts'
import type { MatchResult } from '../matching/match.ts'
import type { Employee, InvalidRecord } from '../model/employee.ts'
import type { FieldValue } from '../model/field-value.ts'
import { canonicalJson, contentOf } from '../model/person.ts'
import type { Person, PersonContent, Team } from '../model/person.ts'
import { holdIdentity } from './hold-identity.ts'
import { planManagers, supervisorFate } from './plan-managers.ts'
import { planMissing } from './plan-missing.ts'
import { planTeams } from './plan-teams.ts'
import { asLeaver, diffContent, nameOf, personChange, sortedBy } from './planned.ts'
import type { Fates, Planned } from './planned.ts'
import type { SyncConfig } from './sync-config.ts'
import { readabilityIssues } from './sync-config.ts'
import type { Change, PersonAction, PersonChange, Reason, SyncPlan } from './sync-plan.ts'
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
  /**
   * Only what changed since the last read (never complete): the people it did not read are left
   * as they are, neither leavers nor skipped, and a supervisor it did not read is found by link.
   */
  readonly incremental?: boolean
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
      const identifier = employeeIdentifier(rule, e)
      if (identifier !== null) return identifier
    }
    return null
  }

  const personChanges: PersonChange[] = []
  const planned = new Map<string, Planned>()
  const fates: Fates = new Map()

  const change = personChange
  const withLeaver = (content: PersonContent, date: string | null) =>
    asLeaver(content, date, leaverGroup)

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

  planMissing(connectionId, source, employees, people, personChanges, planned, leaverGroup)
  const ordered = holdIdentity(personChanges, people, planned, fates)

  // a field the credential cannot read is unknown, not empty: it never clears what it would set
  const canRead = (field: string) => readable === null || readable.has(field)
  const invalidIds = new Set(source.invalid.map((r) => r.externalId))
  const teamPlan = policy.teamsFromDepartments
    ? planTeams(connectionId, target.teams, planned, canRead('department'))
    : { changes: [], issues: [] }
  // a supervisor without a planned person (outside the sync-if conditions, skipped, an invalid
  // record, or not in this read) who is linked to an active person is that person: a read of part
  // of the company gives the manager a full read would. One linked to a leaver may be gone or only
  // terminated, so the manager is left as it is until a complete read tells
  let linked: Map<string, Person> | undefined
  const managerPlan =
    policy.managersFromSupervisors && canRead('supervisorExternalId')
      ? planManagers(planned, (sup) => {
          const fate = supervisorFate(sup, fates, invalidIds, source.complete)
          const filteredOut = fates.get(sup) === 'filtered_out'
          if (fate.clear && !filteredOut) return fate
          linked ??= linkedPeople(connectionId, people)
          const person = linked.get(sup)
          if (person?.status === 'active') {
            return { clear: false, why: 'is linked', ref: { id: person.id } }
          }
          if (person === undefined || filteredOut) return fate
          return { clear: false, why: 'is a leaver not in this plan (a complete read decides)' }
        })
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

/** The person linked to each external id of this connection, when exactly one is. */
function linkedPeople(connectionId: string, people: readonly Person[]): Map<string, Person> {
  const out = new Map<string, Person | null>()
  for (const p of people) {
    if (p.sourceKey?.connectionId !== connectionId) continue
    const ext = p.sourceKey.externalId
    out.set(ext, out.has(ext) ? null : p)
  }
  return new Map([...out].flatMap(([ext, p]) => (p === null ? [] : [[ext, p] as const])))
}
