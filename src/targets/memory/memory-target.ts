import { applyChange, emailKey } from '../../core/apply/apply-change.ts'
import type { DirectoryState } from '../../core/apply/apply-change.ts'
import type { Person, SourceKey, Team } from '../../core/model/person.ts'
import type { Change } from '../../core/plan/sync-plan.ts'
import type { ChangeResult, Resolve, Target } from '../target.ts'

const sourceText = (key: SourceKey | null) =>
  key === null ? null : `${key.connectionId}\u0000${key.externalId}`

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
export class MemoryTarget implements Target, DirectoryState {
  readonly #people = new Map<string, Person>()
  readonly teams = new Map<string, Team>()
  readonly #bySource = new Index()
  readonly #byIdentifier = new Index()
  readonly #byEmail = new Index()
  readonly #teamsBySource = new Map<string, string>()
  #nextId = 1

  constructor(seed: { people?: readonly Person[]; teams?: readonly Team[] } = {}) {
    for (const p of seed.people ?? []) this.put(p)
    for (const t of seed.teams ?? []) this.#putTeam(t)
  }

  get people(): ReadonlyMap<string, Person> {
    return this.#people
  }

  /** Puts a person in as given: seeding, or an edit made in the application meanwhile. */
  put(person: Person): void {
    const old = this.#people.get(person.id)
    if (old) {
      this.#bySource.remove(sourceText(old.sourceKey), old.id)
      this.#byIdentifier.remove(old.identifier?.toLowerCase() ?? null, old.id)
      this.#byEmail.remove(emailKey(old), old.id)
    }
    this.#people.set(person.id, person)
    this.#bySource.add(sourceText(person.sourceKey), person.id)
    this.#byIdentifier.add(person.identifier?.toLowerCase() ?? null, person.id)
    this.#byEmail.add(emailKey(person), person.id)
  }

  #putTeam(team: Team): void {
    this.teams.set(team.id, team)
    const key = sourceText(team.sourceKey)
    if (key !== null) this.#teamsBySource.set(key, team.id)
  }

  listPeople(): AsyncIterable<Person> {
    return iterate([...this.#people.values()])
  }

  listTeams(): AsyncIterable<Team> {
    return iterate([...this.teams.values()])
  }

  apply(changes: readonly Change[], resolve: Resolve): Promise<ChangeResult[]> {
    return Promise.resolve(changes.map((change) => applyChange(this, change, resolve)))
  }

  // DirectoryState: applyChange reads and writes these maps directly
  person(id: string) {
    return this.#people.get(id)
  }
  personBySource(key: SourceKey) {
    const id = this.#bySource.first(sourceText(key))
    return id === undefined ? undefined : this.#people.get(id)
  }
  personByIdentifier(identifier: string) {
    const id = this.#byIdentifier.first(identifier.toLowerCase())
    return id === undefined ? undefined : this.#people.get(id)
  }
  personByEmail(email: string) {
    const id = this.#byEmail.first(email)
    return id === undefined ? undefined : this.#people.get(id)
  }
  team(id: string) {
    return this.teams.get(id)
  }
  teamBySource(key: SourceKey) {
    const id = this.#teamsBySource.get(sourceText(key) ?? '')
    return id === undefined ? undefined : this.teams.get(id)
  }
  newId(kind: 'person' | 'team'): string {
    let id: string
    do id = `${kind === 'person' ? 'p' : 't'}${this.#nextId++}`
    while (this.#people.has(id) || this.teams.has(id))
    return id
  }
  savePerson(person: Person) {
    this.put(person)
  }
  saveTeam(team: Team) {
    this.#putTeam(team)
  }
}
