import { SyncError } from '../../core/errors.ts'
import { Pacer, httpClient, readJson, send, sharedState } from '../http.ts'
import type { HttpClient, RateWindow } from '../http.ts'
import type { ConnectorContext } from '../connector.ts'
import type { AttributeInfo } from './personio-attributes.ts'
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

/** Time added to each window for a request's way to Personio (arrival, not sending, counts). */
const PACE_MARGIN_MS = 5

/** What one Personio credential shares in this process: its token and the pace of its calls. */
interface Session {
  token: { value: string; expiresAt: number } | null
  /** The token request under way: concurrent requests wait for it rather than ask again. */
  pending: Promise<{ value: string; expiresAt: number }> | null
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
    () => ({ token: null, pending: null, attributes: null, pacers: new Map() }),
  )

type Endpoint = 'auth' | 'token' | 'read'

/** A request to Personio: the API, the credential, the HTTP client and its pacers. */
export class PersonioApi {
  readonly config: PersonioConfig
  readonly #secret: PersonioSecret
  readonly #session: Session
  readonly #client: HttpClient
  readonly #now: () => Date

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

  /** A token for the credential: the cached one while it lives, else a new one. */
  async #token(): Promise<string> {
    const cached = this.#session.token
    // a minute early, so a token never expires between sending and arriving
    if (cached && cached.expiresAt - 60_000 > this.#now().getTime()) return cached.value
    const session = this.#session
    session.pending ??= (this.config.apiVersion === 'v1' ? this.#authV1() : this.#authV2()).finally(
      () => {
        session.pending = null
      },
    )
    const fresh = await session.pending
    session.token = fresh
    return fresh.value
  }

  async #authV1(): Promise<{ value: string; expiresAt: number }> {
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

  async #authV2(): Promise<{ value: string; expiresAt: number }> {
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
    this.#session.token = null
    await this.#token()
  }

  /**
   * GETs `path` (with its query) as JSON, paced for reads. A 401 drops the token and tries once
   * more with a new one (tokens expire, and new credentials invalidate old tokens); a second 401
   * is `auth_failed`, a 403 `permission_denied`.
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
        if (this.#session.token?.value === token) this.#session.token = null
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

function authError(status: number, body: unknown): SyncError {
  const code = (body as { error?: unknown } | null)?.error
  if (code === 'invalid_scope') {
    return new SyncError(
      'permission_denied',
      `Personio refused the scope this credential asked for (${messageOf(body) ?? 'invalid scope'}): give the API credential read access to Employees in Personio (Settings → Integrations → API credentials)`,
    )
  }
  if (status >= 400 && status < 500) {
    return new SyncError(
      'auth_failed',
      'Personio rejected the client id or secret: check them, or generate new credentials in Personio (Settings → Integrations → API credentials)',
    )
  }
  return new SyncError(
    'invalid_response',
    `Personio answered the token request with HTTP ${status}${messageOf(body) ? `: ${messageOf(body) ?? ''}` : ''}`,
  )
}

function dataError(status: number, body: unknown, what: string): SyncError {
  const detail = messageOf(body)
  if (status === 401) {
    return new SyncError(
      'auth_failed',
      'Personio rejected the client id or secret (the credentials may have been replaced by new ones): store the current ones with "hris-sync connect"',
    )
  }
  if (status === 403) {
    return new SyncError(
      'permission_denied',
      `Personio refused ${what}${detail ? ` (${detail})` : ''}: in Personio, Settings → Integrations → API credentials, give this credential read access to Employees and Org Units and the employee attributes to sync`,
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
