/**
 * At most `limit` requests in any `windowMs`: a request at time t counts against every request
 * that arrives before t + windowMs (a sliding window, not a fixed one that resets on the minute).
 */
export interface WindowRule {
  readonly limit: number
  readonly windowMs: number
}

/**
 * The windows that all apply to one route. `penalty`: after a refusal, for `forMs` only its
 * windows apply instead (an empty list: everything is refused until the penalty ends).
 */
export interface LimitPolicy {
  readonly windows: readonly WindowRule[]
  readonly penalty?: { readonly forMs: number; readonly windows: readonly WindowRule[] }
}

export type LimitDecision =
  | { readonly ok: true }
  | { readonly ok: false; /** when a retry can succeed, from now */ readonly retryAfterMs: number }

export interface SlidingWindowLimiter {
  /** Counts the request when it is allowed; a refused request does not count. */
  take(nowMs: number): LimitDecision
  reset(): void
}

const waitFor = (times: readonly number[], rules: readonly WindowRule[], nowMs: number) => {
  let wait = 0
  for (const rule of rules) {
    // the request `limit` places back must have left the window
    const blocking = times[times.length - rule.limit]
    if (blocking !== undefined && blocking + rule.windowMs > nowMs) {
      wait = Math.max(wait, blocking + rule.windowMs - nowMs)
    }
  }
  return wait
}

export const createSlidingWindowLimiter = (policy: LimitPolicy): SlidingWindowLimiter => {
  const { penalty } = policy
  const longest = Math.max(
    0,
    ...policy.windows.map((w) => w.windowMs),
    ...(penalty?.windows ?? []).map((w) => w.windowMs),
  )
  let times: number[] = []
  let penaltyUntil = -Infinity
  // during a penalty only its windows apply; none at all means every request waits it out
  const penaltyWait = (nowMs: number, p: NonNullable<LimitPolicy['penalty']>) =>
    p.windows.length === 0 ? penaltyUntil - nowMs : waitFor(times, p.windows, nowMs)
  return {
    take(nowMs) {
      times = times.filter((t) => t + longest > nowMs)
      let wait: number
      if (penalty && nowMs < penaltyUntil) {
        wait = penaltyWait(nowMs, penalty)
      } else {
        wait = waitFor(times, policy.windows, nowMs)
        if (wait > 0 && penalty) {
          penaltyUntil = nowMs + penalty.forMs
          wait = penaltyWait(nowMs, penalty)
        }
      }
      if (wait > 0) return { ok: false, retryAfterMs: wait }
      times.push(nowMs)
      return { ok: true }
    },
    reset() {
      times = []
      penaltyUntil = -Infinity
    },
  }
}

/**
 * The least time (ms, from the first request to the start of the last) that `requests`
 * requests need under `windows`, sent as early as the windows allow: the floor a benchmark of a
 * client that never gets a 429 can be compared with. Sending greedily is optimal for sliding
 * windows: request i can start at the earliest when request i − limit has left each window.
 * `notBefore(i)`: the earliest request i can start for other reasons (non-decreasing in i): a
 * client that learns how many requests it needs from the first answer cannot send the others
 * before it.
 */
export const minimumDurationMs = (
  requests: number,
  windows: readonly WindowRule[],
  notBefore: (index: number) => number = () => 0,
): number => {
  const starts: number[] = []
  for (let i = 0; i < requests; i++) {
    let at = notBefore(i)
    for (const rule of windows) {
      const earlier = starts[i - rule.limit]
      if (earlier !== undefined) at = Math.max(at, earlier + rule.windowMs)
    }
    starts.push(at)
  }
  return starts.at(-1) ?? 0
}
