import type { NetworkChaosOptions, SeededChaos } from '../shared/chaos.ts'
import { chaosFromOptions } from '../shared/chaos.ts'

/**
 * Misbehaviour on purpose, each a share of requests (0–1, default 0), decided by the seed, the
 * request and how often it came before (see `createSeededChaos`).
 */
export interface BambooHRChaosOptions extends NetworkChaosOptions {
  /** Answered 503 with Retry-After, as BambooHR does when it is down for maintenance. */
  readonly unavailableRate?: number
  /** A report repeats this share of its rows (as it does with filterDuplicates "no"). */
  readonly duplicateRate?: number
}

export type BambooHRChaosKind = 'error' | 'unavailable' | 'slow' | 'drop' | 'duplicate'

const RATE: Record<BambooHRChaosKind, keyof BambooHRChaosOptions> = {
  error: 'errorRate',
  unavailable: 'unavailableRate',
  slow: 'slowRate',
  drop: 'dropRate',
  duplicate: 'duplicateRate',
}

export interface BambooHRChaos extends SeededChaos<BambooHRChaosKind> {
  readonly options: BambooHRChaosOptions
}

export const createBambooHRChaos = (
  options: BambooHRChaosOptions,
  defaultSeed: number | string,
): BambooHRChaos => chaosFromOptions(options, RATE, defaultSeed)
