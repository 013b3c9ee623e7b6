import type { Issue } from '../errors.ts'
import type { Employee } from '../model/employee.ts'
import type { Person, Team } from '../model/person.ts'
import { byString, nameOf, personName } from './planned.ts'
import type { Planned } from './planned.ts'
import type { Change, MembershipChange, Reason, Ref, TeamChange } from './sync-plan.ts'

const teamKey = (e: Employee): string | null =>
  e.department === null ? null : (e.department.id ?? `name:${e.department.name.toLowerCase()}`)

/**
 * One team per department of the people who stay active and in scope; people join their
 * department's team and leave the other teams of this connection. Leavers leave them all.
 */
export function planTeams(
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
