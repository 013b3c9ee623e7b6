import type { ContentfulStatusCode } from 'hono/utils/http-status'

import { SyncError } from '../core/errors.ts'
import type { Issue } from '../core/errors.ts'

/** What only the HTTP API says: sign-in, permissions, request shape. */
export const HTTP_ERROR_CODES = [
  'invalid_request',
  'unauthenticated',
  'forbidden',
  'csrf_failed',
  'password_required',
  'too_many_attempts',
  'payload_too_large',
  'unsupported_media_type',
] as const
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number]

/**
 * Every status code the API answers an error with, by code: chosen here and nowhere else. An HR
 * system that refuses its credentials (`auth_failed`) is the request's problem (422), never the
 * caller's sign-in (401); an HR system that is down or limits us is a gateway's (502, 503).
 */
const STATUS: Readonly<Record<string, ContentfulStatusCode>> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  password_required: 403,
  not_found: 404,
  conflict: 409,
  stale_plan: 409,
  approval_required: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_config: 422,
  invalid_input: 422,
  auth_failed: 422,
  permission_denied: 422,
  too_many_attempts: 429,
  internal: 500,
  upstream_unavailable: 502,
  invalid_response: 502,
  rate_limited: 503,
}

export const statusOf = (code: string): ContentfulStatusCode => STATUS[code] ?? 500

/** An error of the HTTP layer itself; `retryAfter` in seconds. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly code: HttpErrorCode
  readonly issues: readonly Issue[]
  readonly retryAfter: number | null

  constructor(
    code: HttpErrorCode,
    message: string,
    options: { issues?: readonly Issue[]; retryAfter?: number } = {},
  ) {
    super(message)
    this.code = code
    this.issues = options.issues ?? []
    this.retryAfter = options.retryAfter ?? null
  }
}

export const notFound = (what: string) => new SyncError('not_found', `${what} not found`)

/** The one error envelope: `{ error: { code, message, issues? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[] }
}

export function errorBody(code: string, message: string, issues: readonly Issue[] = []): ErrorBody {
  return { error: { code, message, ...(issues.length > 0 ? { issues: [...issues] } : {}) } }
}
