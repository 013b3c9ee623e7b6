import type { SeededChaos } from '../shared/chaos.ts'
import { createSeededChaos } from '../shared/chaos.ts'

/**
 * Misbehaviour on purpose, each a share of requests (0–1, default 0). Decisions depend only on
 * the seed, the request (method and URL) and how often that request came before, so a test sees
 * the same faults in the same places on every run, and a retry is decided afresh.
 */
export interface ChaosOptions {
  /** Default: the dataset's seed. */
  readonly seed?: number | string
  /** Answered 500, 502 or 503 with Personio's error body. */
  readonly errorRate?: number
  /** Delayed by `slowMs` (default 2000) before anything else happens. */
  readonly slowRate?: number
  readonly slowMs?: number
  /** The socket is destroyed: no status, no body. */
  readonly dropRate?: number
  /** A list page after the first also starts with the previous page's last record. */
  readonly duplicateRate?: number
  /** A v2 page whose `next` link is its own URL (a loop a client must notice). */
  readonly repeatNextRate?: number
}

export type ChaosKind = 'error' | 'slow' | 'drop' | 'duplicate' | 'repeatNext'

const RATE: Record<ChaosKind, keyof ChaosOptions> = {
  error: 'errorRate',
  slow: 'slowRate',
  drop: 'dropRate',
  duplicate: 'duplicateRate',
  repeatNext: 'repeatNextRate',
}

export interface Chaos extends SeededChaos<ChaosKind> {
  readonly options: ChaosOptions
}

export const createChaos = (options: ChaosOptions, defaultSeed: number | string): Chaos => ({
  options,
  ...createSeededChaos<ChaosKind>(
    (kind) => options[RATE[kind]] as number | undefined,
    options.seed ?? defaultSeed,
  ),
})
