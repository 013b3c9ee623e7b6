import { z } from 'zod'

import { SyncError } from '../../core/errors.ts'
import type { ConnectorContext } from '../connector.ts'
import { Pacer, httpClient, readJson, send, sharedState } from '../http.ts'
import type { HttpClient } from '../http.ts'
import type { BambooHRConfig, BambooHRSecret } from './bamboohr-config.ts'
import type { MetaField } from './bamboohr-fields.ts'

/** Time added to each window for a request's way to BambooHR (arrival, not sending, counts). */
const PACE_MARGIN_MS = 5
/** How long the company's field list is taken as it is by reads of changes. */
export const FIELD_LIST_TTL_MS = 60 * 60 * 1000
/** A whole company is one answer: it may take a while to make and to arrive. */
const TIMEOUT_MS = 5 * 60_000

/** What one API key shares in this process: the pace of its requests, the company's fields. */
interface Session {
  readonly pacer: Pacer
  fields: { readonly list: readonly MetaField[]; readonly at: number } | null
}

const sessions = new Map<string, Session>()

const Id = z.union([z.string(), z.number()]).transform(String)

/** GET /v1/meta/fields: `[{ id, name, type, alias? }]` (deprecated fields say so). */
const MetaFields = z.array(
  z.looseObject({
    id: Id,
    name: z.string(),
    type: z.string(),
    alias: z.string().optional(),
    deprecated: z.boolean().optional(),
  }),
)

/** POST /v1/reports/custom: the fields it has (the key may see), and a row per employee. */
export const Report = z.looseObject({
  title: z.string().nullish(),
  fields: z.array(
    z.looseObject({ id: Id, type: z.string().nullish(), name: z.string().nullish() }),
  ),
  employees: z.array(z.unknown()),
})
export type Report = z.infer<typeof Report>

/** GET /v1/employees/changed: who changed since, how (an empty map may come as `[]`). */
const Changed = z.looseObject({
  latest: z.string().nullish(),
  employees: z.union([
    z.record(z.string(), z.looseObject({ action: z.string(), lastChanged: z.string().nullish() })),
    z
      .array(z.unknown())
      .max(0)
      .transform(() => ({})),
  ]),
})
export type Changed = z.infer<typeof Changed>

export interface ReportFilters {
  readonly employeeIds?: readonly number[]
  readonly lastChanged?: { readonly value: string; readonly includeNull: 'yes' | 'no' }
}

/** Requests to one company's BambooHR with one API key, paced, with errors a person can act on. */
export class BambooHRApi {
  readonly config: BambooHRConfig
  readonly #secret: BambooHRSecret
  readonly #session: Session
  readonly #client: HttpClient
  readonly #base: string

  constructor(config: BambooHRConfig, secret: BambooHRSecret, ctx: ConnectorContext) {
    this.config = config
    this.#secret = secret
    this.#client = httpClient('BambooHR', {
      timeoutMs: TIMEOUT_MS,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
    const domain = encodeURIComponent(config.companyDomain)
    this.#base =
      config.baseUrl === undefined
        ? `https://${domain}.bamboohr.com/api/v1/`
        : `${config.baseUrl.replace(/\/+$/, '')}/api/gateway.php/${domain}/v1/`
    const clock = this.#client.clock
    this.#session = sharedState(
      sessions,
      [this.#base, secret.apiKey, config.requestsPerMinute, config.burstPerSecond],
      () => ({
        pacer: new Pacer(
          [
            { requests: config.burstPerSecond, perMs: 1000 },
            { requests: config.requestsPerMinute, perMs: 60_000 },
          ],
          { clock, marginMs: PACE_MARGIN_MS },
        ),
        fields: null,
      }),
    )
  }

  /** Sends a request as JSON and reads its JSON answer; an error status is a `SyncError`. */
  async #json(method: 'GET' | 'POST', path: string, what: string, body?: unknown) {
    const response = await send(
      this.#client,
      new URL(path, this.#base).href,
      {
        method,
        headers: {
          // the API key is the user name of HTTP Basic; BambooHR ignores the password
          authorization: `Basic ${Buffer.from(`${this.#secret.apiKey}:x`).toString('base64')}`,
          accept: 'application/json',
          // exactly this: with "; charset=UTF-8" BambooHR reads the body as XML
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      this.#session.pacer,
    )
    if (!response.ok) {
      const message =
        response.headers.get('x-bamboohr-error-message') ??
        response.headers.get('x-bamboohr-message')
      await response.body?.cancel().catch(() => undefined)
      throw this.#error(response.status, message, what)
    }
    return readJson(this.#client, response, what)
  }

  #error(status: number, message: string | null, what: string): SyncError {
    const detail = message === null || message.trim() === '' ? '' : ` (${message.trim()})`
    if (status === 401) {
      return new SyncError(
        'auth_failed',
        'BambooHR rejected the API key: check it, or add a new one in BambooHR (your name → API Keys) and store it with "hris-sync connect"',
      )
    }
    if (status === 403) {
      return new SyncError(
        'permission_denied',
        `BambooHR refused ${what}${detail}: an API key can do what the user who made it can, so give that user access to the employees and fields to sync (BambooHR: Settings → Access Levels), or make the key as a user who has it`,
      )
    }
    if (status === 404) {
      return new SyncError(
        'invalid_config',
        `BambooHR knows no company "${this.config.companyDomain}"${detail}: companyDomain is the part before .bamboohr.com in "Your BambooHR URL" (Settings → Account → Account Info)`,
      )
    }
    return new SyncError(
      'invalid_response',
      status === 400
        ? `BambooHR refused ${what} as a bad request${detail}`
        : `BambooHR answered ${what} with HTTP ${String(status)}${detail}`,
    )
  }

  #parse<T>(schema: z.ZodType<T>, body: unknown, what: string, shape: string): T {
    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      throw new SyncError(
        'invalid_response',
        `BambooHR answered ${what} with a body that is not ${shape}`,
      )
    }
    return parsed.data
  }

  /**
   * The company's employee fields (GET /v1/meta/fields), without deprecated ones. `fresh`: ask
   * BambooHR; else the list fetched in the last hour will do.
   */
  async fields(fresh: boolean): Promise<readonly MetaField[]> {
    const cached = this.#session.fields
    const now = this.#client.clock.now()
    if (!fresh && cached !== null && now - cached.at < FIELD_LIST_TTL_MS) return cached.list
    const what = 'GET /v1/meta/fields'
    const body = await this.#json('GET', 'meta/fields', what)
    const list = this.#parse(MetaFields, body, what, 'a list of fields')
      .filter((f) => f.deprecated !== true)
      .map((f) => ({ id: f.id, name: f.name, type: f.type, alias: f.alias ?? null }))
    this.#session.fields = { list, at: now }
    return list
  }

  /** POST /v1/reports/custom: every employee (active or not) the filters leave, in one answer. */
  async report(fields: readonly string[], filters?: ReportFilters): Promise<Report> {
    const what = 'POST /v1/reports/custom'
    const body = await this.#json('POST', 'reports/custom?format=JSON&onlyCurrent=true', what, {
      title: 'hris-sync',
      fields,
      ...(filters === undefined ? {} : { filters }),
    })
    return this.#parse(Report, body, what, 'a report')
  }

  /** GET /v1/employees/changed: the employees inserted, updated or deleted after `since`. */
  async changedSince(since: string): Promise<Changed> {
    const what = 'GET /v1/employees/changed'
    const body = await this.#json(
      'GET',
      `employees/changed?since=${encodeURIComponent(since)}`,
      what,
    )
    return this.#parse(Changed, body, what, 'a list of changed employees')
  }
}
