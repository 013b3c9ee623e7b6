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
import type { Random } from '../shared/random.ts'
import { createRandom } from '../shared/random.ts'
import type { SlidingWindowLimiter } from '../shared/sliding-window-limiter.ts'
import { createSlidingWindowLimiter } from '../shared/sliding-window-limiter.ts'
import type { ChaosOptions } from './personio-chaos.ts'
import { createChaos } from './personio-chaos.ts'
import type { Language } from './personio-attributes.ts'
import { ATTRIBUTE_BY_KEY } from './personio-attributes.ts'
import type { LimitedRoute, PersonioRateLimits } from './personio-rate-limits.ts'
import { LIMITED_ROUTES, NO_RATE_LIMITS, PERSONIO_RATE_LIMITS } from './personio-rate-limits.ts'
import { createStats } from './personio-stats.ts'

/**
 * The access a credential can be given in Personio's API credentials screen, as scopes:
 * `employees:read` is "Employees: Read" (every v1 employee route); v2 persons and employments
 * each need their own.
 */
export const SCOPES = [
  'employees:read',
  'personio:persons:read',
  'personio:employments:read',
] as const
export type Scope = (typeof SCOPES)[number]

/**
 * An API credential: which attributes it reads (`'all'`: every one) and which scopes it has
 * (default all of them).
 */
export interface CredentialOptions {
  readonly clientId?: string
  readonly clientSecret?: string
  readonly attributes: readonly string[] | 'all'
  readonly scopes?: readonly Scope[] | 'all'
}

export interface SimCredential {
  readonly clientId: string
  readonly clientSecret: string
  readonly attributes: readonly string[] | 'all'
  readonly scopes: readonly Scope[]
}

/** What an admin can change on a credential without new secrets (tokens stay valid). */
export interface CredentialAccess {
  readonly attributes?: readonly string[] | 'all'
  readonly scopes?: readonly Scope[] | 'all'
}

interface Token {
  readonly value: string
  readonly clientId: string
  /** What the token was issued for: a scope taken away later is refused all the same. */
  readonly scopes: readonly Scope[]
  readonly issuedAt: number
  readonly expiresAt: number
}

const scopesOf = (scopes: readonly Scope[] | 'all' | undefined): Scope[] => {
  if (scopes === undefined || scopes === 'all') return [...SCOPES]
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s))
  if (unknown.length > 0) throw new Error(`no such scope: ${unknown.join(', ')}`)
  return [...scopes]
}

/** Tokens live 24 hours, as Personio's. */
export const TOKEN_LIFETIME_MS = 86_400_000

export interface StateOptions {
  readonly employees: number
  readonly seed: number | string
  readonly language: Language
  readonly now: () => Date
  readonly today: string | undefined
  readonly latencyMs: number
  readonly rateLimits: Partial<PersonioRateLimits> | false
  readonly retryAfter: boolean
  readonly chaos: ChaosOptions
  readonly credentials: readonly CredentialOptions[]
}

/** A partial `rateLimits` overrides Personio's defaults route by route; false: none at all. */
export const resolveRateLimits = (
  limits: Partial<PersonioRateLimits> | false,
): PersonioRateLimits =>
  limits === false ? NO_RATE_LIMITS : { ...PERSONIO_RATE_LIMITS, ...limits }

const hex = (random: Random, length: number) =>
  Array.from({ length }, () => random.int(0, 15).toString(16)).join('')
const uuid = (random: Random) =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const secret = (random: Random) =>
  `papi-${Array.from({ length: 86 }, () => random.pick(Array.from(SECRET_CHARS))).join('')}`

export type PersonioState = ReturnType<typeof createPersonioState>

/** The simulated company, its credentials and tokens, the run-time settings and the counters. */
export const createPersonioState = (options: StateOptions) => {
  const { now, seed } = options
  const today = options.today ?? dayOf(now())
  const company: Company = generateCompany({ employees: options.employees, seed, today })
  const people: Person[] = [...company.people]
  const byId = new Map(people.map((p) => [p.id, p]))
  const ids = createRandom(`${String(seed)}/ids`)
  const tokenRandom = createRandom(`${String(seed)}/tokens`)
  let traceCounter = 0
  const employmentIds = new Map<number, string>()

  const credentials: SimCredential[] = []
  const tokens = new Map<string, Token>()
  const revokeTokens = (clientId: string): number => {
    let revoked = 0
    for (const [value, token] of tokens) {
      if (token.clientId !== clientId) continue
      tokens.delete(value)
      revoked++
    }
    return revoked
  }
  const addCredential = (c: CredentialOptions): SimCredential => {
    const credential = {
      clientId: c.clientId ?? `papi-${uuid(ids)}`,
      clientSecret: c.clientSecret ?? secret(ids),
      attributes: c.attributes === 'all' ? 'all' : [...c.attributes],
      scopes: scopesOf(c.scopes),
    } as const
    const at = credentials.findIndex((x) => x.clientId === credential.clientId)
    if (at >= 0) credentials.splice(at, 1)
    credentials.push(credential)
    return credential
  }
  for (const c of options.credentials.length > 0
    ? options.credentials
    : [{ attributes: 'all' as const }]) {
    addCredential(c)
  }

  const config = {
    latencyMs: options.latencyMs,
    retryAfter: options.retryAfter,
    rateLimits: resolveRateLimits(options.rateLimits),
    chaos: createChaos(options.chaos, seed),
  }
  const limiters = new Map<LimitedRoute, SlidingWindowLimiter>()
  const rebuildLimiters = () => {
    limiters.clear()
    for (const route of LIMITED_ROUTES) {
      const policy = config.rateLimits[route]
      if (policy) limiters.set(route, createSlidingWindowLimiter(policy))
    }
  }
  rebuildLimiters()
  const attempts = new Map<string, number>()

  const nowIso = () => now().toISOString()
  const replace = (person: Person) => {
    byId.set(person.id, person)
    const at = people.findIndex((p) => p.id === person.id)
    people[at] = person
    return person
  }
  const existing = (id: number) => {
    const person = byId.get(id)
    if (!person) throw new Error(`no employee ${String(id)}`)
    return person
  }

  return {
    company,
    language: options.language,
    seed,
    now,
    today: () => dayOf(now()),
    config,
    stats: createStats(),
    people: (): readonly Person[] => people,
    person: (id: number) => byId.get(id),
    employmentId: (personId: number) => {
      let id = employmentIds.get(personId)
      if (id === undefined) {
        id = uuid(createRandom(`${String(seed)}/employment/${String(personId)}`))
        employmentIds.set(personId, id)
      }
      return id
    },
    traceId: () => uuid(createRandom(`${String(seed)}/trace/${String(++traceCounter)}`)),
    /** How many times this request was seen before (for chaos decisions). */
    attempt: (request: string) => {
      const n = attempts.get(request) ?? 0
      attempts.set(request, n + 1)
      return n
    },

    credentials: (): readonly SimCredential[] => credentials,
    addCredential,
    credential: (clientId: string) => credentials.find((c) => c.clientId === clientId),
    /** A new secret for the client; its old secret and every token issued to it stop working. */
    rotateCredential: (clientId: string): SimCredential => {
      const old = credentials.find((c) => c.clientId === clientId)
      if (!old) throw new Error(`no credential ${clientId}`)
      revokeTokens(clientId)
      return addCredential({ clientId, attributes: old.attributes, scopes: old.scopes })
    },
    /** Changes what a credential may read; its secret and its tokens stay as they are. */
    setCredentialAccess: (clientId: string, access: CredentialAccess): SimCredential => {
      const at = credentials.findIndex((c) => c.clientId === clientId)
      const old = credentials[at]
      if (!old) throw new Error(`no credential ${clientId}`)
      const changed: SimCredential = {
        ...old,
        ...(access.attributes === undefined
          ? {}
          : { attributes: access.attributes === 'all' ? 'all' : [...access.attributes] }),
        ...(access.scopes === undefined ? {} : { scopes: scopesOf(access.scopes) }),
      }
      credentials[at] = changed
      return changed
    },
    /** Ends every token of the client (as a token store losing them); the secret still works. */
    revokeTokens,
    /**
     * The client's token for `scopes`: the same one for 24 hours, as Personio's stable tokens
     * (default: every scope the credential has).
     */
    issueToken: (clientId: string, scopes?: readonly Scope[]): Token => {
      const t = now().getTime()
      const credential = credentials.find((c) => c.clientId === clientId)
      const granted = [...(scopes ?? credential?.scopes ?? [])].sort()
      for (const token of tokens.values()) {
        if (
          token.clientId === clientId &&
          token.expiresAt > t &&
          token.scopes.join(' ') === granted.join(' ')
        )
          return token
      }
      const token = {
        value: `papi-${uuid(tokenRandom)}`,
        clientId,
        scopes: granted,
        issuedAt: t,
        expiresAt: t + TOKEN_LIFETIME_MS,
      }
      tokens.set(token.value, token)
      return token
    },
    /**
     * The credential behind a bearer token while the token is valid, and the scopes it may use
     * now: those it was issued for that the credential still has.
     */
    authenticate: (token: string): { credential: SimCredential; scopes: Set<Scope> } | null => {
      const found = tokens.get(token)
      if (!found || found.expiresAt <= now().getTime()) return null
      const credential = credentials.find((c) => c.clientId === found.clientId)
      if (!credential) return null
      return {
        credential,
        scopes: new Set(found.scopes.filter((s) => credential.scopes.includes(s))),
      }
    },
    readable: (credential: SimCredential): ((key: string) => boolean) => {
      if (credential.attributes === 'all') return (key) => ATTRIBUTE_BY_KEY.has(key)
      const allowed = new Set(['id', ...credential.attributes])
      return (key) => allowed.has(key) && ATTRIBUTE_BY_KEY.has(key)
    },

    limiter: (route: LimitedRoute) => limiters.get(route),
    setRateLimits: (limits: Partial<PersonioRateLimits> | false) => {
      config.rateLimits = resolveRateLimits(limits)
      rebuildLimiters()
    },
    resetRateLimits: rebuildLimiters,
    setChaos: (chaos: ChaosOptions) => {
      config.chaos = createChaos(chaos, seed)
      attempts.clear()
    },

    addEmployee: (fields: Partial<PersonFields> = {}): Person => {
      const id = Math.max(0, ...people.map((p) => p.id)) + 1
      const template = people[0]
      if (!template) throw new Error('the company has no employee to model a new one on')
      const person = createPerson(
        id,
        { ...newPersonFields(id, template, today), ...fields },
        nowIso(),
      )
      people.push(person)
      byId.set(id, person)
      return person
    },
    editEmployee: (id: number, patch: PersonPatch): Person =>
      replace(editPerson(existing(id), patch, nowIso())),
    terminateEmployee: (id: number, termination: Termination): Person =>
      replace(editPerson(existing(id), terminationPatch(termination, dayOf(now())), nowIso())),
  }
}
