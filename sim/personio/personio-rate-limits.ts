import type { LimitPolicy } from '../shared/sliding-window-limiter.ts'

/** The routes that have a limit of their own. */
export const LIMITED_ROUTES = [
  'v1Auth',
  'v1Employees',
  'v2Token',
  'v2Persons',
  'v2Employments',
] as const
export type LimitedRoute = (typeof LIMITED_ROUTES)[number]

export type PersonioRateLimits = Readonly<Record<LimitedRoute, LimitPolicy | null>>

/**
 * Personio's documented limits, for the whole company (one simulator is one company):
 * - GET /v1/company/employees (the list; the changelog "Rate Limits on GET Employees endpoint"):
 *   300 requests per minute with bursts of 15 per second, modelled as two sliding windows: at most
 *   300 in any 60 s and at most 15 in any 1 s. `minimumDurationMs(n, v1Employees.windows)` is the
 *   floor for n page requests.
 * - POST /v1/auth: 60 per minute, then a 60 s cool-down in which every request is refused.
 * - POST /v2/auth/token: 150 per minute, then 1 per second for the next 60 s.
 * - v2 persons and employments: Personio documents no figure (developers ask in its forum), so
 *   none by default; set one with `rateLimits` or the admin API.
 */
export const PERSONIO_RATE_LIMITS: PersonioRateLimits = {
  v1Employees: {
    windows: [
      { limit: 300, windowMs: 60_000 },
      { limit: 15, windowMs: 1_000 },
    ],
  },
  v1Auth: {
    windows: [{ limit: 60, windowMs: 60_000 }],
    penalty: { forMs: 60_000, windows: [] },
  },
  v2Token: {
    windows: [{ limit: 150, windowMs: 60_000 }],
    penalty: { forMs: 60_000, windows: [{ limit: 1, windowMs: 1_000 }] },
  },
  v2Persons: null,
  v2Employments: null,
}

export const NO_RATE_LIMITS: PersonioRateLimits = {
  v1Employees: null,
  v1Auth: null,
  v2Token: null,
  v2Persons: null,
  v2Employments: null,
}
