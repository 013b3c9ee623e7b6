import { personHash, teamHash } from '../../core/model/person.ts'
import type { Person, PersonContent, SourceKey, Team } from '../../core/model/person.ts'
import type { Change } from '../../core/plan/sync-plan.ts'
import type { ChangeResult, Resolve, Target } from '../target.ts'

const sameKey = (a: SourceKey | null, b: SourceKey | null) =>
  a !== null && b !== null && a.connectionId === b.connectionId && a.externalId === b.externalId
const sourceText = (key: SourceKey | null) =>
  key === null ? null : `${key.connectionId}\u0000${key.externalId}`
const emailOf = (content: PersonContent) => {
  const value = content.fields['email']
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : null
}

/** Ids by a key, for lookups that must not scan every person. */
class Index {
  readonly #ids = new Map<string, Set<string>>()
  add(key: string | null, id: string) {
    if (key === null) return
    const ids = this.#ids.get(key)
    if (ids) ids.add(id)
    else this.#ids.set(key, new Set([id]))
  }
  remove(key: string | null, id: string) {
    if (key !== null) this.#ids.get(key)?.delete(id)
  }
  first(key: string | null): string | undefined {
    return key === null ? undefined : this.#ids.get(key)?.values().next().value
  }
}

const iterate = <T>(items: readonly T[]): AsyncIterable<T> => ({
  [Symbol.asyncIterator]() {
    const it = items[Symbol.iterator]()
    return { next: () => Promise.resolve(it.next()) }
  },
})

/**
 * A target that keeps people and teams in memory: for tests, previews against a copy, and as the
 * reference behaviour of the `Target` contract (the directory target must behave the same).
 */
export class MemoryTarget implements Target {
  readonly #people = new Map<string, Person>()
  readonly teams = new Map<string, Team>()
  readonly #bySource = new Index()
  readonly #byIdentifier = new Index()
  readonly #byEmail = new Index()
  #nextId = 1

  constructor(seed: { people?: readonly Person[]; teams?: readonly Team[] } = {}) {
    for (const p of seed.people ?? []) this.put(p)
    for (const t of seed.teams ?? []) this.teams.set(t.id, t)
  }

  get people(): ReadonlyMap<string, Person> {
    return this.#people
  }

  /** Puts a person in as given: seeding, or an edit made in the application meanwhile. */
  put(person: Person): void {
    const old = this.#people.get(person.id)
    if (old) {
      this.#bySource.remove(sourceText(old.sourceKey), old.id)
      this.#byIdentifier.remove(old.identifier, old.id)
      this.#byEmail.remove(emailOf(old), old.id)
    }
    this.#people.set(person.id, person)
    this.#bySource.add(sourceText(person.sourceKey), person.id)
    this.#byIdentifier.add(person.identifier, person.id)
    this.#byEmail.add(emailOf(person), person.id)
  }

  listPeople(): AsyncIterable<Person> {
    return iterate([...this.#people.values()])
  }

  listTeams(): AsyncIterable<Team> {
    return iterate([...this.teams.values()])
  }

  #newId(prefix: string): string {
    let id: string
    do id = `${prefix}${this.#nextId++}`
    while (this.#people.has(id) || this.teams.has(id))
    return id
  }

  apply(change: Change, resolve: Resolve): Promise<ChangeResult> {
    return Promise.resolve(this.#apply(change, resolve))
  }

  #apply(change: Change, resolve: Resolve): ChangeResult {
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
          const existingId = this.#bySource.first(sourceText(after.sourceKey))
          const existing = existingId === undefined ? undefined : this.#people.get(existingId)
          if (existing) {
            return existing.hash === hash
              ? applied(existing.id)
              : stale(`a person for ${after.sourceKey?.externalId ?? '?'} exists already`)
          }
          // someone who appeared since planning: plan again, and the sync will match them
          const twin =
            this.#byIdentifier.first(after.identifier) ?? this.#byEmail.first(emailOf(after))
          if (twin !== undefined)
            return stale(`person ${twin} has the same identifier or email now`)
          const id = this.#newId('p')
          this.put({
            ...after,
            id,
            managerId: null,
            teamIds: [],
            inviteStatus: change.invite ? 'pending' : 'not_invited',
            hash,
          })
          return applied(id)
        }
        const person = change.personId === null ? undefined : this.#people.get(change.personId)
        if (!person) return missing(`person ${change.personId ?? '?'}`)
        if (person.hash === hash) return applied(person.id)
        if (person.hash !== change.targetHash)
          return stale(`person ${person.id} changed since the plan was made`)
        this.put({ ...person, ...after, hash })
        return applied(person.id)
      }
      case 'team': {
        const hash = teamHash(change.after)
        if (change.action === 'create') {
          const existing = [...this.teams.values()].find((t) =>
            sameKey(t.sourceKey, change.after.sourceKey),
          )
          if (existing)
            return existing.hash === hash ? applied(existing.id) : stale('the team exists already')
          const id = this.#newId('t')
          this.teams.set(id, { ...change.after, id, hash })
          return applied(id)
        }
        const team = change.teamId === null ? undefined : this.teams.get(change.teamId)
        if (!team) return missing(`team ${change.teamId ?? '?'}`)
        if (team.hash === hash) return applied(team.id)
        if (team.hash !== change.targetHash)
          return stale(`team ${team.id} changed since the plan was made`)
        this.teams.set(team.id, { ...team, ...change.after, hash })
        return applied(team.id)
      }
      case 'membership': {
        const personId = resolve(change.person)
        const teamId = resolve(change.team)
        if (personId === null || teamId === null)
          return skipped('the person or team was not created')
        const person = this.#people.get(personId)
        if (!person) return missing(`person ${personId}`)
        if (!this.teams.has(teamId)) return missing(`team ${teamId}`)
        const member = person.teamIds.includes(teamId)
        if (change.action === 'join' && !member) {
          this.put({ ...person, teamIds: [...person.teamIds, teamId] })
        }
        if (change.action === 'leave' && member) {
          this.put({
            ...person,
            teamIds: person.teamIds.filter((t) => t !== teamId),
          })
        }
        return applied(personId)
      }
      case 'manager': {
        const personId = resolve(change.person)
        const managerId = change.after === null ? null : resolve(change.after)
        if (personId === null || (change.after !== null && managerId === null)) {
          return skipped('the person or the manager was not created')
        }
        const person = this.#people.get(personId)
        if (!person) return missing(`person ${personId}`)
        if (managerId !== null && !this.#people.has(managerId))
          return missing(`manager ${managerId}`)
        if (person.managerId === managerId) return applied(personId)
        if (person.managerId !== change.before)
          return stale(`the manager of ${personId} changed since the plan was made`)
        this.put({ ...person, managerId })
        return applied(personId)
      }
    }
  }
}
