import type { Issue } from './api-types.ts'

/** An error the API answered with its envelope, or a network failure said the same way. */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure'
  readonly status: number
  readonly code: string
  readonly issues: Issue[]

  constructor(status: number, code: string, message: string, issues: Issue[] = []) {
    super(message)
    this.status = status
    this.code = code
    this.issues = issues
  }
}

let csrfToken: string | null = null
let onSignedOut: () => void = () => {}

/** The session's CSRF token, sent with every request that changes something. */
export function setCsrfToken(token: string | null) {
  csrfToken = token
}

/** What to do when the API says the session is gone (expired, signed out elsewhere). */
export function whenSignedOut(handler: () => void) {
  onSignedOut = handler
}

type Query = Record<string, string | number | undefined | null>

function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const q = params.toString()
  return `/api/v1${path}${q === '' ? '' : `?${q}`}`
}

async function request<T>(
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; raw?: Blob; quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken
  let body: BodyInit | undefined
  if (options.raw !== undefined) {
    headers['content-type'] = 'application/octet-stream'
    body = options.raw
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(url(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body }),
    })
  } catch {
    throw new ApiFailure(0, 'network', 'The server cannot be reached: is hris-sync still running?')
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let data: unknown
  try {
    data = text === '' ? null : JSON.parse(text)
  } catch {
    data = null
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; issues?: Issue[] } } | null)
      ?.error
    if (response.status === 401 && options.quiet401 !== true) onSignedOut()
    throw new ApiFailure(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `The server answered ${String(response.status)}.`,
      error?.issues ?? [],
    )
  }
  return data as T
}

export const api = {
  get: <T>(path: string, query?: Query, options: { quiet401?: boolean } = {}) =>
    request<T>('GET', path, { ...(query ? { query } : {}), ...options }),
  post: <T>(path: string, body: unknown = {}, query?: Query) =>
    request<T>('POST', path, { body, ...(query ? { query } : {}) }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, file: Blob, query: Query) =>
    request<T>('POST', path, { raw: file, query }),
  /** A link a browser can follow (a download): GETs need no CSRF token. */
  href: (path: string, query?: Query) => url(path, query),
}

/** A workspace's path under /api/v1. */
export const ws = (workspaceId: string, rest = '') => `/workspaces/${workspaceId}${rest}`
