// The HTTP layer every HR connector shares: requests paced on the client side to stay under the
// HR system's documented rate limits, and 429 / 5xx / network failures retried with backoff and
// jitter (honouring Retry-After). Errors name the HR system and the request, never a credential.
import { createHash } from 'node:crypto'

import { SyncError } from '../core/errors.ts'

/** At most `requests` requests in any `perMs` milliseconds (a sliding window). */
export interface RateWindow {
  readonly requests: number
  readonly perMs: number
}

/** Time, injectable so tests and simulations need not wait. */
export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error)
        return
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(timer)
        reject(signal?.reason as Error)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}

/** A request the pacer let go: `done()` when its answer (or its failure) came back. */
interface Slot {
  readonly sentAt: number
  /** When the HR system counted it at the latest, once its answer came. */
  at: number | null
  readonly done: Promise<void>
}

/**
 * Paces requests to fit every window at once (so a limit of "300 a minute, 15 a second" is met
 * by bursts of 15 and never by a 429). A server counts a request when it handles it, somewhere
 * between sending and answering, and a request may wait at the server before it is handled: so a
 * window is measured from when each request was counted at the latest, its answer's time less
 * half the shortest round trip seen (the way back takes at least that, on a network as fast both
 * ways); the next burst waits for the answers of the last one, not just for the clock. One pacer
 * serves every request to one rate-limited endpoint; `marginMs` is added to each window.
 */
export class Pacer {
  readonly #windows: readonly RateWindow[]
  readonly #clock: Clock
  readonly #margin: number
  /** the last requests let go, oldest first; as many as the largest window counts */
  readonly #slots: Slot[] = []
  readonly #keep: number
  #queue: Promise<void> = Promise.resolve()
  #pausedUntil = 0
  #shortestRoundTrip = Infinity

  constructor(windows: readonly RateWindow[], options: { clock?: Clock; marginMs?: number } = {}) {
    this.#windows = windows
    this.#clock = options.clock ?? systemClock
    this.#margin = options.marginMs ?? 0
    this.#keep = Math.max(0, ...windows.map((w) => w.requests))
  }

  /** The earliest time the next request may be sent, or a request whose answer it waits for. */
  #nextSlot(): number | Slot {
    let at = Math.max(this.#clock.now(), this.#pausedUntil)
    for (const w of this.#windows) {
      // the request `requests` places back must have been counted a whole window before this one
      const earlier = this.#slots[this.#slots.length - w.requests]
      if (earlier === undefined) continue
      if (earlier.at === null) return earlier
      at = Math.max(at, earlier.at + w.perMs + this.#margin)
    }
    return at
  }

  /**
   * Waits for a slot and takes it; callers are served in the order they asked. Call the
   * returned function when the answer has come (or the request failed).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const turn = this.#queue.then(async () => {
      for (;;) {
        const next = this.#nextSlot()
        if (typeof next !== 'number') {
          await abortable(next.done, signal)
          continue
        }
        const wait = next - this.#clock.now()
        if (wait <= 0) break
        await this.#clock.sleep(wait, signal)
      }
      let finish: () => void = () => undefined
      const slot: Slot = {
        sentAt: this.#clock.now(),
        at: null,
        done: new Promise<void>((resolve) => {
          finish = resolve
        }),
      }
      this.#slots.push(slot)
      if (this.#slots.length > this.#keep) this.#slots.splice(0, this.#slots.length - this.#keep)
      return () => {
        if (slot.at !== null) return
        const now = this.#clock.now()
        this.#shortestRoundTrip = Math.min(this.#shortestRoundTrip, now - slot.sentAt)
        slot.at = Math.max(slot.sentAt, now - this.#shortestRoundTrip / 2)
        finish()
      }
    })
    // a caller that gave up does not hold up the ones behind it
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    )
    return turn
  }

  /** Nobody sends before `until` (after a 429 that said when to come back). */
  pauseUntil(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until)
  }
}

function abortable(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise
  signal.throwIfAborted()
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 }

/** What one HR system's requests share: how to send, how fast, how often to try again. */
export interface HttpClient {
  /** Names the HR system in messages ("Personio"). */
  readonly system: string
  readonly fetch: typeof fetch
  readonly clock: Clock
  readonly retry: RetryPolicy
  /** Each attempt's time limit. */
  readonly timeoutMs: number
  readonly signal?: AbortSignal
  /** For jitter; injectable so tests are repeatable. */
  readonly random: () => number
  /** Told about every answer, for statistics (429s seen, retries). */
  readonly onResponse?: (event: { url: string; status: number | null; attempt: number }) => void
}

export function httpClient(
  system: string,
  options: {
    fetch?: typeof fetch
    clock?: Clock
    retry?: Partial<RetryPolicy>
    timeoutMs?: number
    signal?: AbortSignal
    random?: () => number
    onResponse?: HttpClient['onResponse']
  } = {},
): HttpClient {
  return {
    system,
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? systemClock,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    timeoutMs: options.timeoutMs ?? 60_000,
    random: options.random ?? Math.random,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onResponse ? { onResponse: options.onResponse } : {}),
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])
/** A Retry-After longer than this is not waited for within one request. */
const MAX_RETRY_AFTER_MS = 5 * 60_000

/** Seconds, or an HTTP date, as a delay in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null
  const text = header.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** Exponential backoff with jitter: a random delay in the upper half of the attempt's step. */
function backoff(client: HttpClient, attempt: number): number {
  const step = Math.min(client.retry.maxDelayMs, client.retry.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(step / 2 + (client.random() * step) / 2)
}

/** The request as messages show it: method and path, never a query that could hold a secret. */
function describe(method: string, url: string): string {
  try {
    return `${method} ${new URL(url).pathname}`
  } catch {
    return method
  }
}

async function drain(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined)
}

/**
 * Sends a request, paced by `pacer`; a 429, a 5xx or a failed connection is tried again after a
 * backoff (Retry-After when the answer gives one, and then every request of the pacer waits).
 * Any other answer is returned as it is, for the connector to read. When every try failed it
 * throws `rate_limited` or `upstream_unavailable` (retryable: a later run may succeed).
 */
export async function send(
  client: HttpClient,
  url: string,
  init: RequestInit & { method: string },
  pacer?: Pacer,
): Promise<Response> {
  const what = describe(init.method, url)
  let last: { status: number | null; detail: string } = { status: null, detail: '' }
  for (let attempt = 1; attempt <= client.retry.attempts; attempt++) {
    const answered = (await pacer?.acquire(client.signal)) ?? (() => undefined)
    let response: Response
    try {
      const timeout = AbortSignal.timeout(client.timeoutMs)
      response = await client.fetch(url, {
        ...init,
        signal: client.signal ? AbortSignal.any([client.signal, timeout]) : timeout,
      })
      answered()
    } catch (error) {
      answered()
      if (client.signal?.aborted === true) throw client.signal.reason
      client.onResponse?.({ url, status: null, attempt })
      last = { status: null, detail: error instanceof Error ? causeText(error) : String(error) }
      if (attempt < client.retry.attempts) await client.clock.sleep(backoff(client, attempt))
      continue
    }
    client.onResponse?.({ url, status: response.status, attempt })
    if (!RETRYABLE_STATUS.has(response.status)) return response
    await drain(response)
    last = { status: response.status, detail: '' }
    if (attempt === client.retry.attempts) break
    const now = client.clock.now()
    const told = retryAfterMs(response.headers.get('retry-after'), now)
    // without Retry-After, a backoff; after a 429, at least the second Personio asks for
    const delay = Math.min(
      MAX_RETRY_AFTER_MS,
      told ?? Math.max(backoff(client, attempt), response.status === 429 ? 1000 : 0),
    )
    // a 429, or a 503 that says when to come back (BambooHR throttles so), holds every request
    if (response.status === 429 || (response.status === 503 && told !== null)) {
      pacer?.pauseUntil(now + delay)
    }
    await client.clock.sleep(delay, client.signal)
  }
  const tries = `${client.retry.attempts} tries`
  if (last.status === 429) {
    throw new SyncError(
      'rate_limited',
      `${client.system} kept answering "too many requests" to ${what} (${tries}): try again later`,
      { retryable: true },
    )
  }
  throw new SyncError(
    'upstream_unavailable',
    `${client.system} did not answer ${what} (${tries}; last: ${last.status === null ? last.detail || 'no response' : `HTTP ${last.status}`})`,
    { retryable: true },
  )
}

/** Anything a read threw, as a SyncError: an unexpected one is `internal`, naming the system. */
export function asSyncError(system: string, error: unknown): SyncError {
  if (error instanceof SyncError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new SyncError('internal', `reading ${system} failed: ${message}`, { cause: error })
}

/**
 * A key for a credential and its settings: the SHA-256 of them, so a key can be kept (in a map, in
 * the database) without holding a secret.
 */
export const stateKey = (parts: readonly unknown[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex')

/**
 * What one credential shares in this process (a token, pacers, cached metadata), one per
 * credential and settings: keyed by a hash of them, so the map never holds a secret as a key.
 */
export function sharedState<T>(
  states: Map<string, T>,
  parts: readonly unknown[],
  create: () => T,
): T {
  const key = stateKey(parts)
  let state = states.get(key)
  if (state === undefined) {
    state = create()
    states.set(key, state)
  }
  return state
}

/** "fetch failed" says little: the cause says what happened (ECONNRESET, a timeout). */
function causeText(error: Error): string {
  if (error.name === 'TimeoutError') return 'timed out'
  const cause = error.cause
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' ? code : cause.message
  }
  return error.message
}

/** The body as JSON; anything else is `invalid_response`, naming the request. */
export async function readJson(
  client: HttpClient,
  response: Response,
  what: string,
): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new SyncError(
      'invalid_response',
      `${client.system} answered ${what} with HTTP ${response.status} and a body that is not JSON`,
    )
  }
}

/**
 * Tasks run with at most `concurrency` at a time, their results taken as they complete (not in
 * the order added). Tasks may be added while it runs, and start at once when there is room: a
 * reader that learns from one answer how many more requests it needs sends them before it works
 * on that answer. A task should not throw: its failure is a value the caller counts.
 */
export class TaskPool<T> {
  readonly #concurrency: number
  readonly #waiting: (() => Promise<T>)[] = []
  readonly #running = new Map<number, Promise<{ id: number; value: T }>>()
  #ids = 0

  constructor(concurrency: number) {
    this.#concurrency = concurrency
  }

  add(...tasks: readonly (() => Promise<T>)[]): void {
    this.#waiting.push(...tasks)
    this.#fill()
  }

  #fill(): void {
    while (this.#running.size < this.#concurrency) {
      const task = this.#waiting.shift()
      if (task === undefined) return
      const id = this.#ids++
      this.#running.set(
        id,
        task().then((value) => ({ id, value })),
      )
    }
  }

  /** Each result as it completes, until nothing runs and nothing waits. */
  async *results(): AsyncGenerator<T, void> {
    while (this.#running.size > 0) {
      const { id, value } = await Promise.race(this.#running.values())
      this.#running.delete(id)
      this.#fill()
      yield value
    }
  }
}

/** Runs the tasks with at most `concurrency` at a time and yields each result as it completes. */
export function completions<T>(
  tasks: readonly (() => Promise<T>)[],
  concurrency: number,
): AsyncGenerator<T, void> {
  const pool = new TaskPool<T>(concurrency)
  pool.add(...tasks)
  return pool.results()
}
