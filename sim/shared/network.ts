import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

import type { Next } from 'hono'

import type { SeededChaos } from './chaos.ts'

/** The faults a network (or a server in trouble) causes before the API sees a request. */
export type NetworkFault = 'slow' | 'drop' | 'error'

export interface SimulatedNetwork {
  /** Each answer's delay, in ms: half on the way in, half on the way back. */
  readonly latencyMs: number
  /** How long a `slow` fault holds a request. */
  readonly slowMs: number
  readonly chaos: SeededChaos<NetworkFault>
  /** How often this request (`requestKey`) was seen before: chaos decides each try afresh. */
  attempt(request: string): number
  /** The answer to a server error (500, 502 or 503), in the API's own shape. */
  serverError(status: number): Response
}

/** The request without the host ('GET /v2/persons?limit=5'): what chaos decisions key on. */
export const requestKey = (c: {
  readonly req: { readonly method: string; readonly url: string }
}) => {
  const url = new URL(c.req.url)
  return `${c.req.method} ${url.pathname}${url.search}`
}

/** What of a Hono context the network needs (the node server's bindings for the socket). */
interface NetworkContext {
  readonly req: { readonly method: string; readonly url: string }
  readonly env: { readonly incoming: { readonly socket: { destroy(): void } } }
  res: Response
}

/**
 * Runs the API behind a simulated network and returns the status it answered ('dropped' when
 * chaos destroyed the socket). The latency is half on the way in (before the API counts the
 * request for its rate limit) and half on the way back: a client sees all of it, the API's rate
 * limiter only the first half. The latency is the answer's time, the server's work included: a
 * real API answers many requests at once on many machines, so the time this one-threaded
 * simulator spends on other requests' answers is not added to this one's (the answer leaves when
 * its latency is up, or as soon as it is ready when that took longer).
 */
export async function throughNetwork(
  c: NetworkContext,
  next: Next,
  network: SimulatedNetwork,
): Promise<number | 'dropped'> {
  const { chaos, latencyMs } = network
  const request = requestKey(c)
  const attempt = network.attempt(request)
  const due = performance.now() + latencyMs
  const inbound = Math.floor(latencyMs / 2)
  if (inbound > 0) await sleep(inbound)
  if (chaos.strikes('slow', request, attempt)) await sleep(network.slowMs)
  if (chaos.strikes('drop', request, attempt)) {
    c.env.incoming.socket.destroy()
    c.res = new Response(null)
    return 'dropped'
  }
  if (chaos.strikes('error', request, attempt)) {
    const status =
      [500, 502, 503][Math.floor(chaos.draw(`status/${request}/${String(attempt)}`) * 3)] ?? 500
    c.res = network.serverError(status)
    return status
  }
  await next()
  const outbound = Math.round(due - performance.now())
  if (outbound > 0) await sleep(outbound)
  return c.res.status
}
