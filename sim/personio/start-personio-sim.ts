import { serveOnLoopback } from '../shared/serve.ts'
import type { PersonioSimAdmin } from './personio-admin.ts'
import { createAdmin } from './personio-admin.ts'
import { createPersonioApp } from './personio-app.ts'
import type { Language } from './personio-attributes.ts'
import type { ChaosOptions } from './personio-chaos.ts'
import type { PersonioRateLimits } from './personio-rate-limits.ts'
import type { CredentialOptions, SimCredential } from './personio-state.ts'
import { createPersonioState } from './personio-state.ts'
import type { PersonioSimStats } from './personio-stats.ts'

export interface PersonioSimOptions {
  /** How many employees the company has. Default 50. */
  readonly employees?: number
  /** Seeds the dataset, ids, tokens and (unless `chaos.seed`) chaos. Default 1. */
  readonly seed?: number | string
  /** The account's language: attribute labels and messages. Default 'en'. */
  readonly language?: Language
  /** Default 0: a free port. The server listens on 127.0.0.1 only. */
  readonly port?: number
  /** A delay before every Personio response, in ms. Default 0. */
  readonly latencyMs?: number
  /**
   * Personio's documented limits by default (`PERSONIO_RATE_LIMITS`); a partial object replaces
   * the routes it names (null: no limit on that route); false: no limits at all.
   */
  readonly rateLimits?: Partial<PersonioRateLimits> | false
  /** Whether 429 responses carry Retry-After (whole seconds). Default true. */
  readonly retryAfter?: boolean
  /** Faults on purpose; default none. */
  readonly chaos?: ChaosOptions
  /**
   * The API credentials. Default: one that reads every attribute. Client id and secret are
   * generated from the seed when not given.
   */
  readonly credentials?: readonly CredentialOptions[]
  /** The clock: token expiry, rate-limit windows, edit times. Default: the system clock. */
  readonly now?: () => Date
  /**
   * The company's "today" ('YYYY-MM-DD') the dataset is generated around. Default: the clock's
   * UTC day at start. Same seed, employees and today → byte-identical responses.
   */
  readonly today?: string
}

/** A running simulator. */
export interface PersonioSim {
  /** 'http://127.0.0.1:PORT', without a trailing slash; v1 is under /v1, v2 under /v2. */
  readonly url: string
  /** The credentials as they are now (rotation replaces a secret). The first reads everything. */
  readonly credentials: readonly SimCredential[]
  readonly admin: PersonioSimAdmin
  stats(): PersonioSimStats
  /** Stops listening and ends open connections. */
  close(): Promise<void>
}

/**
 * Starts a Personio simulator: a real HTTP server on 127.0.0.1 answering Personio's v1 and v2
 * people endpoints as the public API documents describe them, with a generated company.
 */
export const startPersonioSim = async (options: PersonioSimOptions = {}): Promise<PersonioSim> => {
  const state = createPersonioState({
    employees: options.employees ?? 50,
    seed: options.seed ?? 1,
    language: options.language ?? 'en',
    now: options.now ?? (() => new Date()),
    today: options.today,
    latencyMs: options.latencyMs ?? 0,
    rateLimits: options.rateLimits ?? {},
    retryAfter: options.retryAfter ?? true,
    chaos: options.chaos ?? {},
    credentials: options.credentials ?? [],
  })
  const admin = createAdmin(state)
  let url = ''
  const app = createPersonioApp(state, admin, () => url)
  const served = await serveOnLoopback(app.fetch, options.port ?? 0)
  url = served.url
  return {
    url,
    get credentials() {
      return state.credentials()
    },
    admin,
    stats: state.stats.snapshot,
    close: served.close,
  }
}
