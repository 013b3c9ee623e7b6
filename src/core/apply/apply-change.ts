import { personHash, teamHash } from '../model/person.ts'
import type { Person, PersonContent, SourceKey, Team } from '../model/person.ts'
import type { Change, Ref } from '../plan/sync-plan.ts'

/**
 * What became of one change. `stale`: the record changed since the plan was made, so the change
 * was refused (plan again); `skipped`: it could not be tried (something it refers to was not
 * applied); `failed`: the target said no.
 */
export type ChangeResult =
  | { readonly changeId: string; readonly status: 'applied'; readonly entityId: string }
  | { readonly changeId: string; readonly status: 'stale' | 'skipped'; readonly message: string }
  | {
      readonly changeId: string
      readonly status: 'failed'
      readonly error: { readonly code: string; readonly message: string }
    }

/** Resolves a reference to an existing id, or to the id of what an applied change created. */
export type Resolve = (ref: Ref) => string | null

/** The email a person is found by: the `email` field, trimmed and lowercased. */
export function emailKey(content: PersonContent): string | null {
  const value = content.fields['email']
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : null
}

/**
 * The people and teams a change is checked against, and where its effect goes: an in-memory
 * directory, or the rows of one batch loaded from the database (locked) and written back.
 */
export interface DirectoryState {
  person(id: string): Person | undefined
  personBySource(key: SourceKey): Person | undefined
  /** The person holding an identifier, compared ignoring case (as the directory holds them). */
  personByIdentifier(identifier: string): Person | undefined
  personByEmail(emailKey: string): Person | undefined
  team(id: string): Team | undefined
  teamBySource(key: SourceKey): Team | undefined
  newId(kind: 'person' | 'team'): string
  /** `before` is null for a person the change creates. */
  savePerson(person: Person, before: Person | null, change: Change): void
  saveTeam(team: Team, before: Team | null, change: Change): void
}

/**
 * Applies one change to a directory, checking first that it still holds: the rules every target
 * that keeps people shares. Applying a change that is applied already changes nothing and answers
 * `applied` (a create is recognized by its source key), so an apply interrupted anywhere can be
 * run again. A create is `stale` when someone with the same identifier or email appeared since
 * the plan was made; an update is `stale` when the person's hash moved on.
 */
export function applyChange(state: DirectoryState, change: Change, resolve: Resolve): ChangeResult {
  const changeId = change.id
  const applied = (entityId: string): ChangeResult => ({ changeId, status: 'applied', entityId })
  const stale = (message: string): ChangeResult => ({ changeId, status: 'stale', message })
  const skipped = (message: string): ChangeResult => ({ changeId, status: 'skipped', message })
  const missing = (what: string): ChangeResult => ({
    changeId,
    status: 'failed',
    error: { code: 'not_found', message: `${what} does not exist` },
  })

  switch (change.kind) {
    case 'person': {
      const after = change.after
      if (change.action === 'noop' || change.action === 'skip' || after === null) {
        return skipped(`nothing to apply (${change.action})`)
      }
      const hash = personHash(after)
      if (change.action === 'create') {
        const existing = after.sourceKey ? state.personBySource(after.sourceKey) : undefined
        if (existing) {
          return existing.hash === hash
            ? applied(existing.id)
            : stale(`a person for ${after.sourceKey?.externalId ?? '?'} exists already`)
        }
        // someone who appeared since planning: plan again, and the sync will match them
        const email = emailKey(after)
        const twin =
          (after.identifier === null ? undefined : state.personByIdentifier(after.identifier)) ??
          (email === null ? undefined : state.personByEmail(email))
        if (twin) return stale(`person ${twin.id} has the same identifier or email now`)
        const person: Person = {
          ...after,
          id: state.newId('person'),
          managerId: null,
          teamIds: [],
          // an invitation goes to an email: without one, nobody is waiting for it
          inviteStatus: change.invite && emailKey(after) !== null ? 'pending' : 'not_invited',
          hash,
        }
        state.savePerson(person, null, change)
        return applied(person.id)
      }
      const person = change.personId === null ? undefined : state.person(change.personId)
      if (!person) return missing(`person ${change.personId ?? '?'}`)
      if (person.hash === hash) return applied(person.id)
      if (person.hash !== change.targetHash)
        return stale(`person ${person.id} changed since the plan was made`)
      state.savePerson({ ...person, ...after, hash }, person, change)
      return applied(person.id)
    }
    case 'team': {
      const hash = teamHash(change.after)
      if (change.action === 'create') {
        const key = change.after.sourceKey
        const existing = key ? state.teamBySource(key) : undefined
        if (existing)
          return existing.hash === hash ? applied(existing.id) : stale('the team exists already')
        const team: Team = { ...change.after, id: state.newId('team'), hash }
        state.saveTeam(team, null, change)
        return applied(team.id)
      }
      const team = change.teamId === null ? undefined : state.team(change.teamId)
      if (!team) return missing(`team ${change.teamId ?? '?'}`)
      if (team.hash === hash) return applied(team.id)
      if (team.hash !== change.targetHash)
        return stale(`team ${team.id} changed since the plan was made`)
      state.saveTeam({ ...team, ...change.after, hash }, team, change)
      return applied(team.id)
    }
    case 'membership': {
      const personId = resolve(change.person)
      const teamId = resolve(change.team)
      if (personId === null || teamId === null) return skipped('the person or team was not created')
      const person = state.person(personId)
      if (!person) return missing(`person ${personId}`)
      if (!state.team(teamId)) return missing(`team ${teamId}`)
      const member = person.teamIds.includes(teamId)
      if (change.action === 'join' && !member) {
        state.savePerson({ ...person, teamIds: [...person.teamIds, teamId] }, person, change)
      }
      if (change.action === 'leave' && member) {
        state.savePerson(
          { ...person, teamIds: person.teamIds.filter((t) => t !== teamId) },
          person,
          change,
        )
      }
      return applied(personId)
    }
    case 'manager': {
      const personId = resolve(change.person)
      const managerId = change.after === null ? null : resolve(change.after)
      if (personId === null || (change.after !== null && managerId === null)) {
        return skipped('the person or the manager was not created')
      }
      const person = state.person(personId)
      if (!person) return missing(`person ${personId}`)
      if (managerId !== null && !state.person(managerId)) return missing(`manager ${managerId}`)
      if (person.managerId === managerId) return applied(personId)
      if (person.managerId !== change.before)
        return stale(`the manager of ${personId} changed since the plan was made`)
      state.savePerson({ ...person, managerId }, person, change)
      return applied(personId)
    }
  }
}
