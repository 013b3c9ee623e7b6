import type { Company, Person, PersonFields, PersonPatch } from '../shared/company.ts'
import { dayOf } from '../shared/dates.ts'
import {
  createPerson,
  editPerson,
  newPersonFields,
  terminationPatch,
} from '../shared/edit-person.ts'
import type { Termination } from '../shared/edit-person.ts'
import { generateCompany } from '../shared/generate-company.ts'
import { createRandom } from '../shared/random.ts'
import type { LimitPolicy, SlidingWindowLimiter } from '../shared/sliding-window-limiter.ts'
import { createSlidingWindowLimiter } from '../shared/sliding-window-limiter.ts'
import { createRequestStats } from '../shared/stats.ts'
import type { BambooPerson, FieldContext } from './bamboohr-fields.ts'
import { fieldNamed } from './bamboohr-fields.ts'
import type { BambooHRChaosOptions } from './bamboohr-chaos.ts'
import { createBambooHRChaos } from './bamboohr-chaos.ts'

/**
 * BambooHR publishes no numbers for its limits ("API requests can be throttled if BambooHR deems
 * them to be too frequent"). The model: at most 10 requests in any second and 120 in any minute
 * for the company, as sliding windows; a request over them is refused with Retry-After.
 * `minimumDurationMs(n, BAMBOOHR_RATE_LIMIT.windows)` is the floor for n requests.
 */
export const BAMBOOHR_RATE_LIMIT: LimitPolicy = {
  windows: [
    { limit: 10, windowMs: 1000 },
    { limit: 120, windowMs: 60_000 },
  ],
}

/** An API key: the access of the user who made it. `hidden`: fields that user may not see. */
export interface ApiKeyOptions {
  readonly key?: string
  /** Field aliases (or numeric ids) the key's user cannot see: reports leave them out. */
  readonly hidden?: readonly string[]
  /** The employee the key's user is (employee id 0 in GET /v1/employees/0). */
  readonly employeeId?: number | null
}

export interface SimApiKey {
  readonly key: string
  readonly hidden: readonly string[]
  readonly employeeId: number | null
}

/** An edit as the admin API takes it: a BambooHR record may have no hire date (null). */
export type BambooPatch = Omit<PersonPatch, 'hireDate'> & { readonly hireDate?: string | null }
export type BambooFields = Omit<Partial<PersonFields>, 'hireDate'> & {
  readonly hireDate?: string | null
}

export interface BambooStateOptions {
  readonly employees: number
  readonly seed: number | string
  readonly companyDomain: string
  readonly now: () => Date
  readonly today: string | undefined
  readonly latencyMs: number
  readonly rateLimit: LimitPolicy | false
  readonly retryAfter: boolean
  readonly throttleStatus: 429 | 503
  readonly chaos: BambooHRChaosOptions
  readonly apiKeys: readonly ApiKeyOptions[]
  /** The share of employees entered without a hire date. */
  readonly withoutHireDate: number
}

export type BambooHRState = ReturnType<typeof createBambooHRState>

const KEY_CHARS = '0123456789abcdef'

/** The simulated company, its API keys, the run-time settings and the counters. */
export const createBambooHRState = (options: BambooStateOptions) => {
  const { now, seed } = options
  const today = options.today ?? dayOf(now())
  const company: Company = generateCompany({ employees: options.employees, seed, today })
  const people: Person[] = [...company.people]
  const byId = new Map(people.map((p) => [p.id, p]))
  // records someone entered before the start date was known (never the CEO or the heads)
  const missingHire = createRandom(`${String(seed)}/bamboohr/no-hire-date`)
  const withoutHireDate = new Set(
    people.filter((p) => p.id > 8 && missingHire.chance(options.withoutHireDate)).map((p) => p.id),
  )
  const deleted = new Map<number, string>()
  const keyRandom = createRandom(`${String(seed)}/bamboohr/keys`)

  const apiKeys: SimApiKey[] = []
  const addApiKey = (k: ApiKeyOptions = {}): SimApiKey => {
    const key = {
      key:
        k.key ?? Array.from({ length: 40 }, () => keyRandom.pick(Array.from(KEY_CHARS))).join(''),
      hidden: [...(k.hidden ?? [])],
      employeeId: k.employeeId === undefined ? 1 : k.employeeId,
    }
    apiKeys.push(key)
    return key
  }
  for (const k of options.apiKeys.length > 0 ? options.apiKeys : [{}]) addApiKey(k)

  const config = {
    latencyMs: options.latencyMs,
    retryAfter: options.retryAfter,
    throttleStatus: options.throttleStatus,
    rateLimit: options.rateLimit,
    chaos: createBambooHRChaos(options.chaos, seed),
  }
  let limiter: SlidingWindowLimiter | null = null
  const rebuildLimiter = () => {
    limiter = config.rateLimit === false ? null : createSlidingWindowLimiter(config.rateLimit)
  }
  rebuildLimiter()
  const attempts = new Map<string, number>()

  // one view per version of a person, so what is made of it can be kept (rendered rows)
  const views = new WeakMap<Person, BambooPerson>()
  const view = (p: Person): BambooPerson => {
    let v = views.get(p)
    if (v === undefined) {
      v = withoutHireDate.has(p.id) ? { ...p, hireDate: null } : p
      views.set(p, v)
    }
    return v
  }
  const nowIso = () => now().toISOString()
  const existing = (id: number) => {
    const person = byId.get(id)
    if (!person || deleted.has(id)) throw new Error(`no employee ${String(id)}`)
    return person
  }
  const replace = (person: Person) => {
    byId.set(person.id, person)
    people[people.findIndex((p) => p.id === person.id)] = person
    return view(person)
  }
  /** A patch in the shared model, and what it says of the hire date. */
  const split = (patch: BambooPatch, id: number): PersonPatch => {
    const { hireDate, ...rest } = patch
    const current = byId.get(id)
    if (current !== undefined && hireDate !== undefined) views.delete(current)
    if (hireDate === null) {
      withoutHireDate.add(id)
      return rest
    }
    if (hireDate !== undefined) withoutHireDate.delete(id)
    return hireDate === undefined ? rest : { ...rest, hireDate }
  }
  const live = () => people.filter((p) => !deleted.has(p.id))
  const fieldContext: FieldContext = {
    company,
    person: (id) => {
      const p = byId.get(id)
      return p === undefined || deleted.has(id) ? undefined : view(p)
    },
  }

  return {
    company,
    companyDomain: options.companyDomain,
    seed,
    now,
    today: () => dayOf(now()),
    config,
    stats: createRequestStats(),
    fieldContext,
    /** The employees (not deleted), in id order, as BambooHR holds them. */
    people: (): readonly BambooPerson[] => live().map(view),
    person: fieldContext.person,
    /** Employees deleted, with when: GET /v1/employees/changed reports them. */
    deleted: (): ReadonlyMap<number, string> => deleted,
    attempt: (request: string) => {
      const n = attempts.get(request) ?? 0
      attempts.set(request, n + 1)
      return n
    },

    apiKeys: (): readonly SimApiKey[] => apiKeys,
    addApiKey,
    apiKey: (key: string) => apiKeys.find((k) => k.key === key),
    /** A new key for the user of `key`; the old one stops working (deleted in BambooHR). */
    rotateApiKey: (key: string): SimApiKey => {
      const at = apiKeys.findIndex((k) => k.key === key)
      const old = apiKeys[at]
      if (old === undefined) throw new Error('no such API key')
      apiKeys.splice(at, 1)
      return addApiKey({ hidden: old.hidden, employeeId: old.employeeId })
    },
    /** Whether a key's user may see a field (by alias or id). */
    sees: (apiKey: SimApiKey, name: string) => {
      const field = fieldNamed(name)
      if (field === undefined) return false
      return !apiKey.hidden.some((h) => fieldNamed(h) === field)
    },

    limiter: () => limiter,
    setRateLimit: (limit: LimitPolicy | false) => {
      config.rateLimit = limit
      rebuildLimiter()
    },
    resetRateLimit: rebuildLimiter,
    setChaos: (chaos: BambooHRChaosOptions) => {
      config.chaos = createBambooHRChaos(chaos, seed)
      attempts.clear()
    },

    addEmployee: (fields: BambooFields = {}): BambooPerson => {
      const id = Math.max(0, ...people.map((p) => p.id)) + 1
      const template = people[0]
      if (!template) throw new Error('the company has no employee to model a new one on')
      const patch = split(fields, id)
      const person = createPerson(
        id,
        { ...newPersonFields(id, template, today), ...patch },
        nowIso(),
      )
      people.push(person)
      byId.set(id, person)
      return view(person)
    },
    editEmployee: (id: number, patch: BambooPatch): BambooPerson => {
      const person = existing(id)
      const hadHireDate = !withoutHireDate.has(id)
      const edited = editPerson(person, split(patch, id), nowIso())
      // a hire date taken away or given is a change too
      const moved = hadHireDate !== !withoutHireDate.has(id)
      return replace(moved && edited === person ? { ...edited, updatedAt: nowIso() } : edited)
    },
    terminateEmployee: (id: number, termination: Termination): BambooPerson =>
      replace(editPerson(existing(id), terminationPatch(termination, dayOf(now())), nowIso())),
    /** Deletes the employee record (not a termination: the record is gone). */
    deleteEmployee: (id: number): void => {
      existing(id)
      deleted.set(id, nowIso())
    },
  }
}
