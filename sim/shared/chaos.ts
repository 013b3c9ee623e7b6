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

/** The faults every simulator can make, each a share of requests (0–1, default 0). */
export interface NetworkChaosOptions {
  /** Default: the dataset's seed. */
  readonly seed?: number | string
  /** Answered 500, 502 or 503 with the API's own error answer. */
  readonly errorRate?: number
  /** Delayed by `slowMs` (default 2000) before anything else happens. */
  readonly slowRate?: number
  readonly slowMs?: number
  /** The socket is destroyed: no status, no body. */
  readonly dropRate?: number
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

/** Chaos from options that give each kind's rate under a name of its own (`errorRate`). */
export const chaosFromOptions = <
  Kind extends string,
  Options extends { readonly seed?: number | string },
>(
  options: Options,
  rates: Readonly<Record<Kind, keyof Options>>,
  defaultSeed: number | string,
): SeededChaos<Kind> & { readonly options: Options } => ({
  options,
  ...createSeededChaos<Kind>(
    (kind) => options[rates[kind]] as number | undefined,
    options.seed ?? defaultSeed,
  ),
})
