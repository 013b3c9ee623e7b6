import { randomUUID } from 'node:crypto'

import { applyChange, emailKey } from '../../core/apply/apply-change.ts'
import type { DirectoryState } from '../../core/apply/apply-change.ts'
import { packPersonEvents } from '../../core/apply/person-events.ts'
import type { PersonEvent } from '../../core/apply/person-events.ts'
import { SyncError } from '../../core/errors.ts'
import type { Person, SourceKey, Team } from '../../core/model/person.ts'
import type { Change } from '../../core/plan/sync-plan.ts'
import type { ChangeResult, Resolve, Target } from '../target.ts'
import type {
  DirectoryEvent,
  DirectoryKeys,
  DirectoryStore,
  DirectoryWrite,
} from './directory-store.ts'

const sourceText = (key: SourceKey) => `${key.connectionId}\u0000${key.externalId}`

/** What one batch's changes name, so it loads those rows and no others. */
function keysOf(changes: readonly Change[], resolve: Resolve): DirectoryKeys {
  const personIds = new Set<string>()
  const personSources: SourceKey[] = []
  const identifiers: string[] = []
  const emails: string[] = []
  const teamIds = new Set<string>()
  const teamSources: SourceKey[] = []
  const ref = (set: Set<string>, id: string | null) => id !== null && set.add(id)
  for (const change of changes) {
    switch (change.kind) {
      case 'person': {
        ref(personIds, change.personId)
        const after = change.after
        if (change.action !== 'create' || after === null) break
        if (after.sourceKey) personSources.push(after.sourceKey)
        if (after.identifier !== null) identifiers.push(after.identifier)
        const email = emailKey(after)
        if (email !== null) emails.push(email)
        break
      }
      case 'team':
        ref(teamIds, change.teamId)
        if (change.action === 'create' && change.after.sourceKey)
          teamSources.push(change.after.sourceKey)
        break
      case 'membership':
        ref(personIds, resolve(change.person))
        ref(teamIds, resolve(change.team))
        break
      case 'manager':
        ref(personIds, resolve(change.person))
        if (change.after !== null) ref(personIds, resolve(change.after))
        break
    }
  }
  return {
    personIds: [...personIds],
    personSources,
    identifiers,
    emails,
    teamIds: [...teamIds],
    teamSources,
  }
}

/** What happened to a person, for the application (webhooks): created, updated or left. */
function personEvent(person: Person, before: Person | null): PersonEvent {
  const kind =
    before === null
      ? 'person.created'
      : before.status === 'active' && person.status === 'leaver'
        ? 'person.left'
        : 'person.updated'
  return {
    kind,
    personId: person.id,
    identifier: person.identifier,
    status: person.status,
    ...(kind === 'person.left' ? { leaverDate: person.leaverDate } : {}),
  }
}

/**
 * The side effects of a batch: one invitation per invited person (its dedupe key makes it once,
 * ever, whatever is retried), and the batch's person events together in one entry, which the
 * outbox worker fans out: a row per event would cost as much as the people themselves.
 */
function batchEvents(
  people: readonly { person: Person; before: Person | null }[],
): DirectoryEvent[] {
  const events: DirectoryEvent[] = []
  for (const { person, before } of people) {
    if (before === null && person.inviteStatus === 'pending' && emailKey(person) !== null) {
      events.push({
        kind: 'invitation',
        dedupeKey: `invitation:${person.id}`,
        payload: {
          personId: person.id,
          identifier: person.identifier,
          email: person.fields['email'] ?? null,
        },
      })
    }
  }
  if (people.length > 0) {
    events.push({
      kind: 'people.changed',
      dedupeKey: `people.changed:${randomUUID()}`,
      payload: packPersonEvents(people.map(({ person, before }) => personEvent(person, before))),
    })
  }
  return events
}

const changedFields = (person: Person, before: Person | null): string[] => {
  if (before === null) return Object.keys(person.fields).sort()
  const keys = new Set([...Object.keys(person.fields), ...Object.keys(before.fields)])
  const out = [...keys].filter(
    (k) => JSON.stringify(person.fields[k] ?? null) !== JSON.stringify(before.fields[k] ?? null),
  )
  for (const k of ['identifier', 'status', 'leaverDate', 'managerId'] as const) {
    if (person[k] !== before[k]) out.push(k)
  }
  if (person.teamIds.join() !== before.teamIds.join()) out.push('teams')
  return out.sort()
}

/**
 * The rows of one batch, loaded and locked: applyChange decides against them, and what it saves
 * is collected to be written in the same transaction.
 */
class Batch implements DirectoryState {
  readonly #people = new Map<string, Person>()
  readonly #teams = new Map<string, Team>()
  readonly #bySource = new Map<string, string>()
  readonly #byIdentifier = new Map<string, string>()
  readonly #byEmail = new Map<string, string>()
  readonly #teamsBySource = new Map<string, string>()
  readonly savedPeople = new Map<string, { person: Person; before: Person | null }>()
  /** Every change that saved something, in order: what the audit entry tells. */
  readonly #done: { change: Change; person?: Person; before?: Person | null; team?: Team }[] = []
  readonly savedTeams = new Map<string, { team: Team; before: Team | null; change: Change }>()

  constructor(people: readonly Person[], teams: readonly Team[]) {
    for (const p of people) this.#index(p)
    for (const t of teams) this.#indexTeam(t)
  }

  #index(p: Person) {
    // a key the person gave up earlier in this batch is free for a later change to take
    const old = this.#people.get(p.id)
    if (old) {
      if (old.sourceKey) this.#unindex(this.#bySource, sourceText(old.sourceKey), p.id)
      if (old.identifier !== null)
        this.#unindex(this.#byIdentifier, old.identifier.toLowerCase(), p.id)
      const oldEmail = emailKey(old)
      if (oldEmail !== null) this.#unindex(this.#byEmail, oldEmail, p.id)
    }
    this.#people.set(p.id, p)
    if (p.sourceKey) this.#bySource.set(sourceText(p.sourceKey), p.id)
    if (p.identifier !== null) this.#byIdentifier.set(p.identifier.toLowerCase(), p.id)
    const email = emailKey(p)
    if (email !== null) this.#byEmail.set(email, p.id)
  }
  #unindex(index: Map<string, string>, key: string, id: string) {
    if (index.get(key) === id) index.delete(key)
  }
  #indexTeam(t: Team) {
    this.#teams.set(t.id, t)
    if (t.sourceKey) this.#teamsBySource.set(sourceText(t.sourceKey), t.id)
  }
  #get = (id: string | undefined) => (id === undefined ? undefined : this.#people.get(id))

  person(id: string) {
    return this.#people.get(id)
  }
  personBySource(key: SourceKey) {
    return this.#get(this.#bySource.get(sourceText(key)))
  }
  personByIdentifier(identifier: string) {
    return this.#get(this.#byIdentifier.get(identifier.toLowerCase()))
  }
  personByEmail(email: string) {
    return this.#get(this.#byEmail.get(email))
  }
  team(id: string) {
    return this.#teams.get(id)
  }
  teamBySource(key: SourceKey) {
    const id = this.#teamsBySource.get(sourceText(key))
    return id === undefined ? undefined : this.#teams.get(id)
  }
  newId(): string {
    return randomUUID()
  }
  savePerson(person: Person, before: Person | null, change: Change) {
    // a person saved twice in a batch (joins one team, leaves another) is written once
    const first = this.savedPeople.get(person.id)
    this.savedPeople.set(person.id, { person, before: first ? first.before : before })
    this.#done.push({ change, person, before })
    this.#index(person)
  }
  saveTeam(team: Team, before: Team | null, change: Change) {
    const first = this.savedTeams.get(team.id)
    this.savedTeams.set(team.id, { team, before: first ? first.before : before, change })
    this.#done.push({ change, team })
    this.#indexTeam(team)
  }

  toWrite(): DirectoryWrite {
    const people = [...this.savedPeople.values()]
    const teams = [...this.savedTeams.values()]
    // the fields each person change set: a membership's (teams) and a manager change's
    // (managerId) go without saying, and most creates set the same fields (the mapping's): that
    // list is told once for the batch, and a create's own only when it is another
    const fieldsOf = new Map<Change, string[]>()
    const lists = new Map<string, { fields: string[]; creates: number }>()
    for (const { change, person, before } of this.#done) {
      if (!person || change.kind !== 'person') continue
      const fields = changedFields(person, before ?? null)
      fieldsOf.set(change, fields)
      if (before !== null) continue
      const list = lists.get(fields.join()) ?? { fields, creates: 0 }
      list.creates++
      lists.set(fields.join(), list)
    }
    const shared = [...lists.values()].sort((a, b) => b.creates - a.creates)[0]?.fields
    const changes = this.#done.map(({ change, person, before, team }) => {
      const entry = { changeId: change.id, action: `${change.kind}.${change.action}` }
      if (!person) return { ...entry, teamId: team?.id ?? null, name: team?.name ?? null }
      const fields = fieldsOf.get(change)
      return fields === undefined || (before === null && fields.join() === shared?.join())
        ? { ...entry, personId: person.id }
        : { ...entry, personId: person.id, fields }
    })
    return {
      people: people.map(({ person, before }) => ({ person, before })),
      teams: teams.map(({ team, before }) => ({ team, before })),
      events: batchEvents(people),
      // one entry per batch: which change did what to whom (change_results has each outcome)
      audit: [
        {
          action: 'sync.apply',
          entityType: 'batch',
          entityId: null,
          details: { changes, ...(shared === undefined ? {} : { createdFields: shared }) },
        },
      ],
    }
  }
}

/**
 * The built-in people store as a `Target`: each batch of changes is checked and written in one
 * transaction, with the outbox events and audit entries it causes. A batch that breaks a
 * uniqueness rule (two people with one email) is tried again change by change, so only the
 * change at fault fails. Nobody is deleted: a leaver keeps their record.
 */
export class DirectoryTarget implements Target {
  readonly #store: DirectoryStore

  constructor(store: DirectoryStore) {
    this.#store = store
  }

  get parallelism(): number {
    return this.#store.parallelism
  }

  listPeople(): AsyncIterable<Person> {
    return this.#store.listPeople()
  }

  listTeams(): AsyncIterable<Team> {
    return this.#store.listTeams()
  }

  async apply(changes: readonly Change[], resolve: Resolve): Promise<ChangeResult[]> {
    try {
      return await this.#applyBatch(changes, resolve)
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'conflict') || changes.length === 1) {
        if (error instanceof SyncError && error.code === 'conflict') {
          const change = changes[0]
          if (change) {
            return [
              {
                changeId: change.id,
                status: 'failed',
                error: { code: 'conflict', message: error.message },
              },
            ]
          }
        }
        throw error
      }
    }
    const results: ChangeResult[] = []
    for (const change of changes) results.push(...(await this.apply([change], resolve)))
    return results
  }

  #applyBatch(changes: readonly Change[], resolve: Resolve): Promise<ChangeResult[]> {
    return this.#store.transaction(async (tx) => {
      const loaded = await tx.load(keysOf(changes, resolve))
      const batch = new Batch(loaded.people, loaded.teams)
      const results = changes.map((change) => applyChange(batch, change, resolve))
      if (batch.savedPeople.size > 0 || batch.savedTeams.size > 0) await tx.write(batch.toWrite())
      return results
    })
  }
}
