import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterEach, describe, expect, it } from 'vitest'

import { SyncError } from '../core/errors.ts'
import { Pacer, TaskPool, completions, httpClient, retryAfterMs, send } from './http.ts'
import type { Clock } from './http.ts'

/** Virtual time: sleeping moves it on at once, and every sleep is recorded. */
function virtualClock(): Clock & { slept: number[] } {
  let now = 0
  const slept: number[] = []
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms)
      now += ms
      await Promise.resolve()
    },
  }
}

describe('Pacer', () => {
  it('sends bursts that fit every window: 15 a second, 300 a minute', async () => {
    const clock = virtualClock()
    const pacer = new Pacer(
      [
        { requests: 300, perMs: 60_000 },
        { requests: 15, perMs: 1000 },
      ],
      { clock },
    )
    const times: number[] = []
    for (let i = 0; i < 320; i++) {
      const answered = await pacer.acquire()
      times.push(clock.now())
      answered()
    }
    // every window of a second holds at most 15 sends, every minute at most 300
    const gap = (i: number, back: number) => (times[i] ?? 0) - (times[i - back] ?? 0)
    for (let i = 15; i < times.length; i++) expect(gap(i, 15)).toBeGreaterThanOrEqual(1000)
    for (let i = 300; i < times.length; i++) expect(gap(i, 300)).toBeGreaterThanOrEqual(60_000)
    // and no slower than that: 15 at once, the 300th within 20 s, the 301st at one minute
    expect(times.slice(0, 15).every((t) => t === 0)).toBe(true)
    expect(times[299]).toBe(19_000)
    expect(times[300]).toBe(60_000)
  })

  it('serves callers in the order they asked, and waits after a pause', async () => {
    const clock = virtualClock()
    const pacer = new Pacer([{ requests: 2, perMs: 100 }], { clock })
    const order: number[] = []
    await Promise.all(
      [0, 1, 2, 3].map(async (i) =>
        pacer.acquire().then((answered) => {
          order.push(i)
          answered()
        }),
      ),
    )
    expect(order).toEqual([0, 1, 2, 3])
    pacer.pauseUntil(clock.now() + 5000)
    const before = clock.now()
    ;(await pacer.acquire())()
    expect(clock.now() - before).toBe(5000)
  })

  it('measures a window from the answers: the server may count a request as late as that', async () => {
    const clock = virtualClock()
    const pacer = new Pacer([{ requests: 2, perMs: 100 }], { clock })
    const first = await pacer.acquire()
    const second = await pacer.acquire()
    second()
    // the third waits for the first answer, which comes 50 ms after it was sent
    const third = pacer.acquire().then((answered) => {
      answered()
      return clock.now()
    })
    await clock.sleep(50)
    first()
    expect(await third).toBe(150)
  })

  it('takes a request as counted half the shortest round trip before its answer', async () => {
    const clock = virtualClock()
    const pacer = new Pacer([{ requests: 1, perMs: 100 }], { clock })
    const first = await pacer.acquire()
    await clock.sleep(40)
    first()
    const second = await pacer.acquire()
    // answered at 40 after a round trip of 40: counted by 20 at the latest
    expect(clock.now()).toBe(120)
    second()
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3', 0)).toBe(3000)
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000)
    expect(retryAfterMs(null, 0)).toBeNull()
    expect(retryAfterMs('soon', 0)).toBeNull()
  })
})

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void
let close: (() => Promise<void>) | null = null
afterEach(async () => {
  await close?.()
  close = null
})

async function serve(handler: Handler): Promise<{ url: string; hits: () => number }> {
  let hits = 0
  const server = createServer((req, res) => {
    hits++
    handler(req, res, hits)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  close = () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => {
        resolve()
      })
    })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x?secret=no`,
    hits: () => hits,
  }
}

const client = (clock: Clock) =>
  httpClient('Personio', { clock, random: () => 0.5, retry: { attempts: 4, baseDelayMs: 100 } })

describe('send', () => {
  it('waits as long as Retry-After says after a 429, then returns the answer', async () => {
    const clock = virtualClock()
    const server = await serve((_req, res, hit) => {
      if (hit === 1) res.writeHead(429, { 'retry-after': '2' }).end('slow down')
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
    const response = await send(client(clock), server.url, { method: 'GET' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
    expect(clock.slept).toEqual([2000])
  })

  it('backs off with jitter on 5xx and on a dropped connection', async () => {
    const clock = virtualClock()
    const server = await serve((req, res, hit) => {
      if (hit === 1) res.writeHead(503).end()
      else if (hit === 2) req.socket.destroy()
      else res.writeHead(200).end('{}')
    })
    const response = await send(client(clock), server.url, { method: 'GET' })
    expect(response.status).toBe(200)
    // steps of 100 then 200 ms, each at 3/4 of its step (random 0.5)
    expect(clock.slept).toEqual([75, 150])
  })

  it('returns other answers as they are, without trying again', async () => {
    const clock = virtualClock()
    const server = await serve((_req, res) => res.writeHead(404).end('{}'))
    const response = await send(client(clock), server.url, { method: 'GET' })
    expect(response.status).toBe(404)
    expect(server.hits()).toBe(1)
  })

  it('gives up after its tries as rate_limited or upstream_unavailable, retryable, naming no query', async () => {
    const clock = virtualClock()
    const limited = await serve((_req, res) => res.writeHead(429).end())
    const error = await send(client(clock), limited.url, { method: 'GET' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SyncError)
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true })
    expect((error as Error).message).toContain('GET /v1/x')
    expect((error as Error).message).not.toContain('secret')
    expect(limited.hits()).toBe(4)
    // a 429 without Retry-After waits at least the second Personio asks for
    expect(clock.slept.every((ms) => ms >= 1000)).toBe(true)
    await close?.()
    close = null
    const down = await serve((_req, res) => res.writeHead(502).end())
    await expect(send(client(clock), down.url, { method: 'GET' })).rejects.toMatchObject({
      code: 'upstream_unavailable',
      retryable: true,
      message: expect.stringContaining('HTTP 502') as string,
    })
  })
})

describe('completions', () => {
  it('runs at most n at once and yields each result as it completes', async () => {
    let running = 0
    let peak = 0
    const tasks = [30, 5, 20, 1, 10].map((ms, i) => async () => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, ms))
      running--
      return i
    })
    const seen: number[] = []
    for await (const i of completions(tasks, 2)) seen.push(i)
    expect(peak).toBe(2)
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4])
  })
})

describe('TaskPool', () => {
  it('starts a task added while results are taken at once, when there is room', async () => {
    const started: string[] = []
    const task = (name: string, ms: number) => async () => {
      started.push(name)
      await new Promise((r) => setTimeout(r, ms))
      return name
    }
    const pool = new TaskPool<string>(3)
    pool.add(task('first', 5), task('slow', 200))
    const seen: string[] = []
    for await (const name of pool.results()) {
      seen.push(name)
      if (name === 'first') {
        pool.add(task('more', 5), task('and more', 5))
        // room for both: one runs in the place of 'first', the third place was free
        expect(started).toEqual(['first', 'slow', 'more', 'and more'])
      }
    }
    expect(seen).toEqual(['first', 'more', 'and more', 'slow'])
  })
})
