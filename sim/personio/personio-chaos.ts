import type { NetworkChaosOptions, SeededChaos } from '../shared/chaos.ts'
import { chaosFromOptions } from '../shared/chaos.ts'

/**
 * Misbehaviour on purpose, each a share of requests (0–1, default 0). Decisions depend only on
 * the seed, the request (method and URL) and how often that request came before, so a test sees
 * the same faults in the same places on every run, and a retry is decided afresh.
 */
export interface ChaosOptions extends NetworkChaosOptions {
  /** A list page after the first also starts with the previous page's last record. */
  readonly duplicateRate?: number
  /** A v2 page whose `next` link is its own URL (a loop a client must notice). */
  readonly repeatNextRate?: number
  /**
   * A v2 page whose `next` link is a new cursor that does not move on: the next page repeats
   * this one (the URLs differ, so only the records show it).
   */
  readonly stuckCursorRate?: number
  /** A v2 page after the first answered without records, yet with a `next` link past them. */
  readonly emptyPageRate?: number
  /**
   * A data request with a valid token answered 401, as if Personio had lost the token; decided
   * per request and token, so a new token is decided afresh.
   */
  readonly lostTokenRate?: number
}

export type ChaosKind =
  'error' | 'slow' | 'drop' | 'duplicate' | 'repeatNext' | 'stuckCursor' | 'emptyPage' | 'lostToken'

const RATE: Record<ChaosKind, keyof ChaosOptions> = {
  error: 'errorRate',
  slow: 'slowRate',
  drop: 'dropRate',
  duplicate: 'duplicateRate',
  repeatNext: 'repeatNextRate',
  stuckCursor: 'stuckCursorRate',
  emptyPage: 'emptyPageRate',
  lostToken: 'lostTokenRate',
}

export interface Chaos extends SeededChaos<ChaosKind> {
  readonly options: ChaosOptions
}

export const createChaos = (options: ChaosOptions, defaultSeed: number | string): Chaos =>
  chaosFromOptions(options, RATE, defaultSeed)
