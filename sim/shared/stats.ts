/** What a simulator saw, for tests and benchmarks. */
export interface RequestStats {
  readonly requests: number
  /** Per route ('GET /v1/meta/fields'): requests and responses by status. */
  readonly routes: Readonly<
    Record<
      string,
      { readonly requests: number; readonly statuses: Readonly<Record<string, number>> }
    >
  >
  /** Responses with status 429. */
  readonly rateLimited: number
  /** Connections destroyed by chaos (no status). */
  readonly dropped: number
  /** The most requests in progress at once. */
  readonly peakConcurrency: number
}

export type StatsCounter = ReturnType<typeof createRequestStats>

/** Counts requests as they start and end, per route and status. */
export const createRequestStats = () => {
  let requests = 0
  let rateLimited = 0
  let dropped = 0
  let inFlight = 0
  let peak = 0
  let routes: Record<string, { requests: number; statuses: Record<string, number> }> = {}
  return {
    start: (route: string) => {
      requests++
      inFlight++
      peak = Math.max(peak, inFlight)
      const entry = (routes[route] ??= { requests: 0, statuses: {} })
      entry.requests++
    },
    end: (route: string, status: number | 'dropped') => {
      inFlight--
      if (status === 'dropped') dropped++
      if (status === 429) rateLimited++
      const entry = (routes[route] ??= { requests: 0, statuses: {} })
      const key = String(status)
      entry.statuses[key] = (entry.statuses[key] ?? 0) + 1
    },
    snapshot: (): RequestStats => ({
      requests,
      routes: structuredClone(routes),
      rateLimited,
      dropped,
      peakConcurrency: peak,
    }),
    reset: () => {
      requests = 0
      rateLimited = 0
      dropped = 0
      peak = inFlight
      routes = {}
    },
  }
}
