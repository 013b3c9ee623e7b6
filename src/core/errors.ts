/** Stable codes of the errors that stop an operation; HTTP status codes are chosen only in http/. */
export const SYNC_ERROR_CODES = [
  'auth_failed',
  'permission_denied',
  'rate_limited',
  'upstream_unavailable',
  'invalid_response',
  'invalid_config',
  'invalid_input',
  'stale_plan',
  'approval_required',
  'not_found',
  'conflict',
  'internal',
] as const
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number]

/**
 * The one error type of hris-sync. `code` is stable (clients branch on it), `retryable` tells a
 * worker whether trying again can help, `issues` names the records and fields at fault.
 */
export class SyncError extends Error {
  override readonly name = 'SyncError'
  readonly code: SyncErrorCode
  readonly retryable: boolean
  readonly issues: readonly Issue[]

  constructor(
    code: SyncErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown; issues?: readonly Issue[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.retryable = options.retryable ?? false
    this.issues = options.issues ?? []
  }
}

/**
 * Something worth telling about one record or one setting: an expected outcome, not an exception.
 * `path` names the field (`['mobilePhone']`, `['mapping', 'email', 'transforms', 1]`); `record`
 * names the employee or person when there is one.
 */
export interface Issue {
  readonly code: string
  readonly severity: 'error' | 'warning'
  readonly message: string
  readonly path: readonly (string | number)[]
  readonly record?: string
}

export type Result<T, E = SyncError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E }

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value })
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error })

interface ZodLikeIssue {
  readonly path: readonly PropertyKey[]
  readonly message: string
  readonly code: string
  readonly errors?: readonly (readonly ZodLikeIssue[])[]
}

/**
 * A failed union reports every alternative; the one meant is the one that got furthest: the
 * deepest path, then the fewest keys it did not know, then the fewest issues.
 */
function specific(issue: ZodLikeIssue, prefix: readonly PropertyKey[]): ZodLikeIssue[] {
  const path = [...prefix, ...issue.path]
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return [{ ...issue, path }]
  const branches = issue.errors.map((branch) => branch.flatMap((i) => specific(i, path)))
  const score = (b: ZodLikeIssue[]) => [
    Math.max(...b.map((i) => i.path.length)),
    -b.filter((i) => i.code === 'unrecognized_keys').length,
    -b.length,
  ]
  const better = (a: number[], b: number[]) => {
    for (let k = 0; k < a.length; k++)
      if ((a[k] ?? 0) !== (b[k] ?? 0)) return (a[k] ?? 0) > (b[k] ?? 0)
    return false
  }
  return branches.reduce((best, b) => (better(score(b), score(best)) ? b : best))
}

/**
 * Turns a Zod error into issues that name the field, each prefixed with `path`; of a failed
 * union, only the alternative that was meant.
 */
export function issuesFromZod(
  error: { issues: readonly ZodLikeIssue[] },
  prefix: readonly (string | number)[] = [],
  record?: string,
): Issue[] {
  return error.issues.flatMap((top) =>
    specific(top, []).map((issue) => ({
      code: `invalid_${issue.code}`,
      severity: 'error' as const,
      message: issue.message,
      path: [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
      ...(record === undefined ? {} : { record }),
    })),
  )
}

/** `a.b[2]` style rendering of an issue path, for messages. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`,
    '',
  )
}
