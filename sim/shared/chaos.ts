import { createRandom } from './random.ts'

/**
 * Faults on purpose, decided by the seed, the request (method and URL) and how often that
 * request came before: a test sees the same faults in the same places on every run, and a retry
 * is decided afresh. Each simulator names its own kinds of fault and their rates.
 */
export interface SeededChaos<Kind extends string> {
  /** Whether `kind` strikes the `attempt`-th (0-based) sending of `request`. */
  strikes(kind: Kind, request: string, attempt: number): boolean
  /** A number in [0, 1) for choices within a fault (which 5xx). */
  draw(label: string): number
}

/** `rateOf(kind)`: the share of requests (0–1, default 0) the fault strikes. */
export const createSeededChaos = <Kind extends string>(
  rateOf: (kind: Kind) => number | undefined,
  seed: number | string,
): SeededChaos<Kind> => {
  const draw = (label: string) => createRandom(`chaos/${String(seed)}/${label}`).next()
  return {
    strikes(kind, request, attempt) {
      const rate = rateOf(kind) ?? 0
      if (rate <= 0) return false
      return rate >= 1 || draw(`${kind}/${request}/${String(attempt)}`) < rate
    },
    draw,
  }
}
