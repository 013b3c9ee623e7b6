/** What the simulator saw, for tests and benchmarks. */
export interface PersonioSimStats {
  readonly requests: number
  /** Per route ('GET /v1/company/employees'): requests and responses by status. */
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
  /** Values of X-Personio-App-ID / Personio-App-ID seen, and of the partner headers. */
  readonly appIds: readonly string[]
  readonly partnerIds: readonly string[]
}

export type Stats = ReturnType<typeof createStats>

export const createStats = () => {
  let requests = 0
  let rateLimited = 0
  let dropped = 0
  let inFlight = 0
  let peak = 0
  let routes: Record<string, { requests: number; statuses: Record<string, number> }> = {}
  const appIds = new Set<string>()
  const partnerIds = new Set<string>()
  return {
    start: (route: string, appId: string | undefined, partnerId: string | undefined) => {
      requests++
      inFlight++
      peak = Math.max(peak, inFlight)
      const entry = (routes[route] ??= { requests: 0, statuses: {} })
      entry.requests++
      if (appId) appIds.add(appId)
      if (partnerId) partnerIds.add(partnerId)
    },
    end: (route: string, status: number | 'dropped') => {
      inFlight--
      if (status === 'dropped') dropped++
      if (status === 429) rateLimited++
      const entry = (routes[route] ??= { requests: 0, statuses: {} })
      const key = String(status)
      entry.statuses[key] = (entry.statuses[key] ?? 0) + 1
    },
    snapshot: (): PersonioSimStats => ({
      requests,
      routes: structuredClone(routes),
      rateLimited,
      dropped,
      peakConcurrency: peak,
      appIds: [...appIds],
      partnerIds: [...partnerIds],
    }),
    reset: () => {
      requests = 0
      rateLimited = 0
      dropped = 0
      peak = inFlight
      routes = {}
      appIds.clear()
      partnerIds.clear()
    },
  }
}
