import { serveOnLoopback } from '../shared/serve.ts'
import type { LimitPolicy } from '../shared/sliding-window-limiter.ts'
import type { RequestStats } from '../shared/stats.ts'
import type { BambooHRSimAdmin } from './bamboohr-admin.ts'
import { createAdmin } from './bamboohr-admin.ts'
import { createBambooHRApp } from './bamboohr-app.ts'
import type { BambooHRChaosOptions } from './bamboohr-chaos.ts'
import type { ApiKeyOptions, SimApiKey } from './bamboohr-state.ts'
import { BAMBOOHR_RATE_LIMIT, createBambooHRState } from './bamboohr-state.ts'

export interface BambooHRSimOptions {
  /** How many employees the company has. Default 50. */
  readonly employees?: number
  /** Seeds the dataset, the API keys and (unless `chaos.seed`) chaos. Default 1. */
  readonly seed?: number | string
  /** The company's domain ("Your BambooHR URL": nordlicht.bamboohr.com). Default 'nordlicht'. */
  readonly companyDomain?: string
  /** Default 0: a free port. The server listens on 127.0.0.1 only. */
  readonly port?: number
  /** A delay on every answer, in ms (half before the rate limiter counts it). Default 0. */
  readonly latencyMs?: number
  /** The limit's sliding windows (`BAMBOOHR_RATE_LIMIT` by default); false: none. */
  readonly rateLimit?: LimitPolicy | false
  /** Whether refusals carry Retry-After (whole seconds). Default true. */
  readonly retryAfter?: boolean
  /** How a request over the limit is refused: 429 (default) or 503. */
  readonly throttleStatus?: 429 | 503
  /** Faults on purpose; default none. */
  readonly chaos?: BambooHRChaosOptions
  /** The API keys. Default: one whose user sees every field. Keys are generated from the seed. */
  readonly apiKeys?: readonly ApiKeyOptions[]
  /** The share of employees entered without a hire date. Default 0.02. */
  readonly withoutHireDate?: number
  /** The clock: rate-limit windows, edit times. Default: the system clock. */
  readonly now?: () => Date
  /**
   * The company's "today" ('YYYY-MM-DD') the dataset is generated around. Default: the clock's
   * UTC day at start. Same seed, employees and today → byte-identical responses.
   */
  readonly today?: string
}

/** A running simulator. */
export interface BambooHRSim {
  /** 'http://127.0.0.1:PORT': the API is at `${url}/api/gateway.php/${companyDomain}/v1/`. */
  readonly url: string
  readonly companyDomain: string
  /** The API keys as they are now (rotation replaces one). The first sees every field. */
  readonly apiKeys: readonly SimApiKey[]
  readonly admin: BambooHRSimAdmin
  stats(): RequestStats
  /** Stops listening and ends open connections. */
  readonly close: () => Promise<void>
}

/**
 * Starts a BambooHR simulator: a real HTTP server on 127.0.0.1 answering the employee endpoints
 * of BambooHR's API as its public OpenAPI document describes them, with a generated company.
 */
export const startBambooHRSim = async (options: BambooHRSimOptions = {}): Promise<BambooHRSim> => {
  const state = createBambooHRState({
    employees: options.employees ?? 50,
    seed: options.seed ?? 1,
    companyDomain: options.companyDomain ?? 'nordlicht',
    now: options.now ?? (() => new Date()),
    today: options.today,
    latencyMs: options.latencyMs ?? 0,
    rateLimit: options.rateLimit ?? BAMBOOHR_RATE_LIMIT,
    retryAfter: options.retryAfter ?? true,
    throttleStatus: options.throttleStatus ?? 429,
    chaos: options.chaos ?? {},
    apiKeys: options.apiKeys ?? [],
    withoutHireDate: options.withoutHireDate ?? 0.02,
  })
  const admin = createAdmin(state)
  const app = createBambooHRApp(state, admin)
  const served = await serveOnLoopback(app.fetch, options.port ?? 0)
  return {
    url: served.url,
    companyDomain: state.companyDomain,
    get apiKeys() {
      return state.apiKeys()
    },
    admin,
    stats: state.stats.snapshot,
    close: served.close,
  }
}
