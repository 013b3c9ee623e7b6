import type { RequestStats } from '../shared/stats.ts'
import { createRequestStats } from '../shared/stats.ts'

/** What the simulator saw, for tests and benchmarks. */
export interface PersonioSimStats extends RequestStats {
  /** Values of X-Personio-App-ID / Personio-App-ID seen, and of the partner headers. */
  readonly appIds: readonly string[]
  readonly partnerIds: readonly string[]
}

export type Stats = ReturnType<typeof createStats>

export const createStats = () => {
  const counter = createRequestStats()
  const appIds = new Set<string>()
  const partnerIds = new Set<string>()
  return {
    start: (route: string, appId: string | undefined, partnerId: string | undefined) => {
      counter.start(route)
      if (appId) appIds.add(appId)
      if (partnerId) partnerIds.add(partnerId)
    },
    end: counter.end,
    snapshot: (): PersonioSimStats => ({
      ...counter.snapshot(),
      appIds: [...appIds],
      partnerIds: [...partnerIds],
    }),
    reset: () => {
      counter.reset()
      appIds.clear()
      partnerIds.clear()
    },
  }
}
