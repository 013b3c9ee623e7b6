// Error bodies as Personio sends them: v1 `{success: false, error: {code, message}}`; v2
// application/problem+json with `errors[]`; the v2 token endpoint an OAuth 2.0 error.

export const v1Error = (code: number, message: string) => ({
  success: false as const,
  error: { code, message },
})

export const ERRORS_URL = 'https://developer.personio.de/reference/errors'

export interface V2Problem {
  readonly title: string
  readonly detail: string
  readonly code: string
}

export const V2_BAD_REQUEST: V2Problem = {
  title: 'Bad request',
  detail: 'Provided request parameters are invalid.',
  code: 'common.bad_request',
}
export const V2_BAD_FILTER: V2Problem = {
  title: 'Bad request',
  detail: 'Provided filter encoding is invalid.',
  code: 'common.bad_request',
}
export const V2_NOT_FOUND: V2Problem = {
  title: 'Resource not found',
  detail:
    'The requested resource was not found. The resource could have been deleted or never existed in our system.',
  code: 'common.requested_resource_not_found',
}
// not in the reference documents: the shape of the documented errors with Personio's error codes
export const V2_UNAUTHORIZED: V2Problem = {
  title: 'Unauthorized',
  detail: 'The access token is missing, expired or invalid.',
  code: 'common.unauthorized',
}
export const V2_FORBIDDEN: V2Problem = {
  title: 'Forbidden',
  detail: 'The access token does not grant the scope this endpoint requires.',
  code: 'common.forbidden',
}
export const V2_TOO_MANY_REQUESTS: V2Problem = {
  title: 'Too many requests',
  detail: 'The rate limit was exceeded. Please try again later.',
  code: 'common.too_many_requests',
}
export const V2_SERVER_ERROR: V2Problem = {
  title: 'Internal Server Error',
  detail: 'There was a problem while processing this request. Please try again later.',
  code: 'common.internal_server_error',
}

export const v2Error = (problem: V2Problem, traceId: string, at: Date) => ({
  personio_trace_id: traceId,
  timestamp: `${at.toISOString().slice(0, 19)}+00:00`,
  errors: [{ title: problem.title, detail: problem.detail, type: `${ERRORS_URL}#${problem.code}` }],
})

export type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'

const OAUTH_DESCRIPTIONS: Record<OAuthError, readonly [string, string]> = {
  invalid_request: [
    'The request has missing or invalid required parameters.',
    'credentials.oauth2.invalid_request.required_parameters_missing',
  ],
  invalid_client: [
    'Client authentication failed (e.g., unknown client, wrong secret, no client authentication included, or unsupported authentication method).',
    'credentials.oauth2.invalid_client',
  ],
  invalid_grant: [
    "Error in the authorization flow. Examples: client doesn't have access to all attributes in the requested scope, refresh token has been revoked, authorization code has already been consumed...",
    'credentials.oauth2.invalid_grant',
  ],
  unauthorized_client: [
    'Client is not allowed to use the specified grant type flow.',
    'credentials.oauth2.unauthorized_client',
  ],
  unsupported_grant_type: [
    'The requested authorization grant type is not supported by the server.',
    'credentials.oauth2.unsupported_grant_type',
  ],
  invalid_scope: ['One of the requested scopes is invalid.', 'credentials.oauth2.invalid_scope'],
}

export const CONTENT_TYPE_ERROR = {
  description: 'The content type of the request must be "application/x-www-form-urlencoded".',
  code: 'credentials.oauth2.invalid_request.invalid_request_content_type',
}

export const oauthError = (
  error: OAuthError,
  traceId: string,
  at: Date,
  extra: {
    readonly meta?: Record<string, unknown>
    readonly description?: string
    readonly code?: string
  } = {},
) => {
  const [description, code] = OAUTH_DESCRIPTIONS[error]
  return {
    timestamp: `${at.toISOString().slice(0, 19)}Z`,
    trace_id: traceId,
    error,
    error_description: extra.description ?? description,
    error_uri: `${ERRORS_URL}#${extra.code ?? code}`,
    ...(extra.meta === undefined ? {} : { meta: extra.meta }),
  }
}
