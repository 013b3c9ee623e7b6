import { SyncError } from '../../core/errors.ts'
import { Pacer, httpClient, readJson, send, sharedState, stateKey } from '../http.ts'
import type { HttpClient, RateWindow } from '../http.ts'
import type { CachedToken, ConnectorContext, TokenCache } from '../connector.ts'
import type { AttributeInfo } from './personio-attributes.ts'
import { CREDENTIALS_SCREEN } from './personio-attributes.ts'
import type { PersonioConfig, PersonioSecret } from './personio-config.ts'

/**
 * Personio's documented limits. GET /v1/company/employees: 300 requests a minute with bursts of
 * 15 a second (changelog, May 2024). POST /v1/auth: 60 a minute; POST /v2/auth/token: 150 a
 * minute. The v2 persons and employments endpoints publish none: they get the v1 pace.
 */
export const PERSONIO_LIMITS = {
  auth: [{ requests: 60, perMs: 60_000 }],
  token: [{ requests: 150, perMs: 60_000 }],
} as const satisfies Record<string, readonly RateWindow[]>

/**
 * The v2 scopes a read needs, asked for by name: the token carries no more than that, and a
 * credential without one of them is refused at once (`invalid_scope`) rather than half-way.
 */
export const V2_SCOPES = ['personio:persons:read', 'personio:employments:read'] as const

/** The message of every `auth_failed`, as the README states it. */
export const AUTH_FAILED = 'Personio rejected the client id or secret'

/** What to enable in the API credentials screen for each kind of request. */
const ACCESS_FOR: Readonly<Record<string, string>> = {
  'GET /v1/company/employees': 'tick Read for Employees',
  'GET /v1/company/employees/attributes': 'tick Read for Employees',
  'GET /v2/persons': 'give it read access to Persons (scope personio:persons:read)',
  'GET /v2/persons/{id}/employments':
    'give it read access to Employments (scope personio:employments:read)',
}

/** Time added to each window for a request's way to Personio (arrival, not sending, counts). */
const PACE_MARGIN_MS = 5

/** What one Personio credential shares in this process: its token and the pace of its calls. */
interface Session {
  token: CachedToken | null
  /** The token request under way: concurrent requests wait for it rather than ask again. */
  pending: Promise<CachedToken> | null
  /**
   * The last token Personio refused (401): a copy read from the shared cache before another
   * request of this process dropped it there is not used again.
   */
  refused: string | null
  /** The credential's attributes (GET /v1/company/employees/attributes), for an hour. */
  attributes: { list: Promise<AttributeInfo[]>; until: number } | null
  readonly pacers: Map<string, Pacer>
}

const sessions = new Map<string, Session>()

/** One session per API, credential and pace. */
const sessionOf = (config: PersonioConfig, secret: PersonioSecret): Session =>
  sharedState(
    sessions,
    [
      config.baseUrl,
      config.apiVersion,
      secret.clientId,
      secret.clientSecret,
      config.requestsPerMinute,
      config.burstPerSecond,
    ],
    () => ({ token: null, pending: null, refused: null, attributes: null, pacers: new Map() }),
  )

/**
 * Where the credential's token is kept in the shared cache: a hash of what the token depends on
 * (the v2 scopes too: a token asked for fewer scopes must not serve a version that needs more).
 */
const tokenKeyOf = (config: PersonioConfig, secret: PersonioSecret): string =>
  `personio:${stateKey([
    config.baseUrl,
    config.apiVersion,
    secret.clientId,
    secret.clientSecret,
    config.apiVersion === 'v2' ? V2_SCOPES.join(' ') : null,
  ])}`

type Endpoint = 'auth' | 'token' | 'read'

/** A request to Personio: the API, the credential, the HTTP client and its pacers. */
export class PersonioApi {
  readonly config: PersonioConfig
  readonly #secret: PersonioSecret
  readonly #session: Session
  readonly #client: HttpClient
  readonly #now: () => Date
  /** Tokens shared with the other processes, when the context gives them. */
  readonly #tokens: TokenCache | null
  readonly #tokenKey: string

  constructor(
    config: PersonioConfig,
    secret: PersonioSecret,
    ctx: ConnectorContext,
    client?: HttpClient,
  ) {
    this.config = config
    this.#secret = secret
    this.#session = sessionOf(config, secret)
    this.#now = ctx.now
    this.#tokens = ctx.tokens ?? null
    this.#tokenKey = tokenKeyOf(config, secret)
    this.#client =
      client ??
      httpClient('Personio', {
        ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      })
  }

  #pacer(endpoint: Endpoint): Pacer {
    let pacer = this.#session.pacers.get(endpoint)
    if (!pacer) {
      const windows =
        endpoint === 'read'
          ? [
              { requests: this.config.requestsPerMinute, perMs: 60_000 },
              { requests: this.config.burstPerSecond, perMs: 1000 },
            ]
          : PERSONIO_LIMITS[endpoint]
      pacer = new Pacer(windows, { clock: this.#client.clock, marginMs: PACE_MARGIN_MS })
      this.#session.pacers.set(endpoint, pacer)
    }
    return pacer
  }

  #url(path: string): string {
    return new URL(
      path,
      this.config.baseUrl.endsWith('/') ? this.config.baseUrl : `${this.config.baseUrl}/`,
    ).href
  }

  #headers(): Record<string, string> {
    return {
      accept: 'application/json',
      'x-personio-app-id': this.config.appId,
      ...(this.config.partnerId === undefined
        ? {}
        : { 'x-personio-partner-id': this.config.partnerId }),
    }
  }

  /** Whether a token can still be sent: a minute early, so it never expires on the way. */
  #usable(token: CachedToken | null): token is CachedToken {
    return (
      token !== null &&
      token.value !== this.#session.refused &&
      token.expiresAt - 60_000 > this.#now().getTime()
    )
  }

  /**
   * A token for the credential: this process's while it lives, else the one another process
   * shared, else a new one from Personio.
   */
  async #token(): Promise<string> {
    const session = this.#session
    if (this.#usable(session.token)) return session.token.value
    session.pending ??= this.#sharedOrNew().finally(() => {
      session.pending = null
    })
    const token = await session.pending
    session.token = token
    return token.value
  }

  async #sharedOrNew(): Promise<CachedToken> {
    const shared = (await this.#tokens?.get(this.#tokenKey)) ?? null
    return this.#usable(shared) ? shared : this.#newToken()
  }

  /** A token from Personio, then shared with the other processes. */
  async #newToken(): Promise<CachedToken> {
    const fresh = await (this.config.apiVersion === 'v1' ? this.#authV1() : this.#authV2())
    // Personio's own answer outweighs what it refused before
    if (fresh.value === this.#session.refused) this.#session.refused = null
    await this.#tokens?.put(this.#tokenKey, fresh)
    return fresh
  }

  async #authV1(): Promise<CachedToken> {
    const url = this.#url('v1/auth')
    const response = await send(
      this.#client,
      url,
      {
        method: 'POST',
        headers: { ...this.#headers(), 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: this.#secret.clientId,
          client_secret: this.#secret.clientSecret,
        }),
      },
      this.#pacer('auth'),
    )
    const body = await readJson(this.#client, response, 'POST /v1/auth')
    if (!response.ok) throw authError(response.status, body)
    const data = (body as { data?: { token?: unknown; expires_in?: unknown } } | null)?.data
    if (typeof data?.token !== 'string' || data.token === '') {
      throw new SyncError('invalid_response', 'Personio answered POST /v1/auth without a token')
    }
    return { value: data.token, expiresAt: this.#expiry(data.expires_in) }
  }

  async #authV2(): Promise<CachedToken> {
    const url = this.#url('v2/auth/token')
    const response = await send(
      this.#client,
      url,
      {
        method: 'POST',
        headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.#secret.clientId,
          client_secret: this.#secret.clientSecret,
          scope: V2_SCOPES.join(' '),
        }).toString(),
      },
      this.#pacer('token'),
    )
    const body = await readJson(this.#client, response, 'POST /v2/auth/token')
    if (!response.ok) throw authError(response.status, body)
    const token = (body as { access_token?: unknown; expires_in?: unknown } | null) ?? {}
    if (typeof token.access_token !== 'string' || token.access_token === '') {
      throw new SyncError(
        'invalid_response',
        'Personio answered POST /v2/auth/token without a token',
      )
    }
    return { value: token.access_token, expiresAt: this.#expiry(token.expires_in) }
  }

  /** Tokens live 24 hours unless Personio says otherwise. */
  #expiry(expiresIn: unknown): number {
    const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 86_400
    return this.#now().getTime() + seconds * 1000
  }

  /** The attributes the credential reads, with key, label, type and universal id (cached an hour). */
  attributes(): Promise<AttributeInfo[]> {
    const now = this.#now().getTime()
    const cached = this.#session.attributes
    if (cached && cached.until > now) return cached.list
    const list = this.get(
      'v1/company/employees/attributes',
      'GET /v1/company/employees/attributes',
    ).then(attributeList)
    this.#session.attributes = { list, until: now + 60 * 60 * 1000 }
    // a failure is not cached
    list.catch(() => {
      this.#session.attributes = null
    })
    return list
  }

  /** Checks the credential by getting a token (a new one: a cached token proves nothing). */
  async authenticate(): Promise<void> {
    this.#session.token = await this.#newToken()
  }

  /**
   * GETs `path` (with its query) as JSON, paced for reads. A 401 drops the token, here and in the
   * shared cache, and tries once more with another (tokens expire, and new credentials invalidate
   * old tokens); a second 401 is `auth_failed`, a 403 `permission_denied`.
   */
  async get(path: string, what: string): Promise<unknown> {
    const url = this.#url(path)
    for (let attempt = 1; ; attempt++) {
      const token = await this.#token()
      const response = await send(
        this.#client,
        url,
        { method: 'GET', headers: { ...this.#headers(), authorization: `Bearer ${token}` } },
        this.#pacer('read'),
      )
      if (response.status === 401 && attempt === 1) {
        await response.body?.cancel().catch(() => undefined)
        this.#session.refused = token
        if (this.#session.token?.value === token) this.#session.token = null
        await this.#tokens?.drop(this.#tokenKey, token)
        continue
      }
      const body = await readJson(this.#client, response, what)
      if (response.ok) return body
      throw dataError(response.status, body, what)
    }
  }
}

/** Personio's message in any of its error bodies (v1 `error.message`, v2 `error_description`). */
function messageOf(body: unknown): string | null {
  if (body === null || typeof body !== 'object') return null
  const b = body as {
    error?: unknown
    error_description?: unknown
    errors?: unknown
    detail?: unknown
    title?: unknown
  }
  if (typeof b.error_description === 'string') return b.error_description
  if (b.error && typeof b.error === 'object') {
    const m = (b.error as { message?: unknown }).message
    if (typeof m === 'string') return m
  }
  if (Array.isArray(b.errors)) {
    const first = b.errors[0] as { detail?: unknown; title?: unknown } | undefined
    if (typeof first?.detail === 'string') return first.detail
    if (typeof first?.title === 'string') return first.title
  }
  if (typeof b.detail === 'string') return b.detail
  return typeof b.title === 'string' ? b.title : null
}

/**
 * A refused token request. v2 answers OAuth errors: `invalid_client` (no such client) and
 * `unauthorized_client` (a wrong secret, as the document's example) are `auth_failed`;
 * `invalid_scope` (a scope the credential lacks), `invalid_grant` (the document: "client doesn't
 * have access to all attributes in the requested scope") and `access_denied` are
 * `permission_denied`; a request Personio calls malformed is ours to fix, not the admin's. v1
 * answers a wrong secret with 401.
 */
function authError(status: number, body: unknown): SyncError {
  const code = (body as { error?: unknown } | null)?.error
  const said = messageOf(body)
  const scopes = V2_SCOPES.join(' and ')
  if (code === 'invalid_scope' || code === 'invalid_grant' || code === 'access_denied') {
    return new SyncError(
      'permission_denied',
      `Personio refused this credential the access a read needs (${code}: ${said ?? 'no description'}): in Personio, ${CREDENTIALS_SCREEN}, give it read access to Persons and Employments (scopes ${scopes}) and the employee attributes to sync`,
    )
  }
  if (code === 'invalid_request' || code === 'unsupported_grant_type') {
    return new SyncError(
      'invalid_response',
      `Personio refused the token request as malformed (${code}${said ? `: ${said}` : ''})`,
    )
  }
  if (code === 'server_error' || code === 'temporarily_unavailable') {
    return new SyncError(
      'upstream_unavailable',
      `Personio could not issue a token (${code}${said ? `: ${said}` : ''})`,
      { retryable: true },
    )
  }
  if (status >= 400 && status < 500) {
    return new SyncError(
      'auth_failed',
      `${AUTH_FAILED}: check them, or generate new credentials in Personio (${CREDENTIALS_SCREEN}) and store them with "hris-sync connect"`,
    )
  }
  return new SyncError(
    'invalid_response',
    `Personio answered the token request with HTTP ${status}${said ? `: ${said}` : ''}`,
  )
}

function dataError(status: number, body: unknown, what: string): SyncError {
  const detail = messageOf(body)
  if (status === 401) {
    return new SyncError(
      'auth_failed',
      `${AUTH_FAILED}: it refused a token it had just issued (the credentials may have been replaced by new ones); store the current ones with "hris-sync connect"`,
    )
  }
  if (status === 403) {
    const access = ACCESS_FOR[what] ?? 'give it read access to Employees'
    return new SyncError(
      'permission_denied',
      `Personio refused ${what}${detail ? ` (${detail})` : ''}: this API credential may not read it. In Personio, ${CREDENTIALS_SCREEN}, ${access}`,
    )
  }
  if (status === 404) {
    return new SyncError('not_found', `Personio has no ${what}${detail ? ` (${detail})` : ''}`)
  }
  return new SyncError(
    'invalid_response',
    `Personio answered ${what} with HTTP ${status}${detail ? `: ${detail}` : ''}`,
  )
}

/** The body of GET /v1/company/employees/attributes as attribute descriptions. */
export function attributeList(body: unknown): AttributeInfo[] {
  const data = (body as { data?: unknown } | null)?.data
  if (!Array.isArray(data)) return []
  return (
    data as { key?: unknown; label?: unknown; type?: unknown; universal_id?: unknown }[]
  ).flatMap((a) =>
    typeof a.key === 'string'
      ? [
          {
            key: a.key,
            label: typeof a.label === 'string' && a.label.trim() !== '' ? a.label : a.key,
            type: typeof a.type === 'string' ? a.type : null,
            universalId: typeof a.universal_id === 'string' ? a.universal_id : null,
          },
        ]
      : [],
  )
}
