import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startPersonioSim } from '../../../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../../../sim/personio/start-personio-sim.ts'
import type { CachedToken, TokenCache } from '../connector.ts'
import { PersonioApi } from './personio-api.ts'
import { PersonioConfig } from './personio-config.ts'

const DAY = 24 * 3_600_000
const PAGE = 'v1/company/employees?limit=1&offset=0'
const WHAT = 'GET /v1/company/employees'

/**
 * The shared cache as another process's database would hold it, one row per key, where a test
 * can hold a drop half-way (the row still there) to see what a request made meanwhile does.
 */
function tokenTable() {
  const rows = new Map<string, CachedToken>()
  let held: { dropped: () => void; release: Promise<void> } | null = null
  const cache: TokenCache = {
    get: (key) => Promise.resolve(rows.get(key) ?? null),
    put: (key, token) => {
      rows.set(key, token)
      return Promise.resolve()
    },
    drop: async (key, value) => {
      const hold = held
      held = null
      if (hold) {
        hold.dropped()
        await hold.release
      }
      if (rows.get(key)?.value === value) rows.delete(key)
    },
  }
  return {
    cache,
    rows,
    /** The next drop waits for `release`; resolves once it has begun. */
    holdNextDrop(release: Promise<void>): Promise<void> {
      return new Promise((dropped) => {
        held = { dropped, release }
      })
    },
  }
}

describe('PersonioApi with tokens shared by processes', () => {
  let sim: PersonioSim

  beforeAll(async () => {
    sim = await startPersonioSim({ employees: 5, seed: 3, rateLimits: false })
  })
  afterAll(() => sim.close())

  /** A credential no request of this test file has used. */
  const credential = () => {
    const c = sim.admin.addCredential({ attributes: 'all' })
    return { clientId: c.clientId, clientSecret: c.clientSecret }
  }
  /**
   * Another process for the credential: the in-process session is per credential and pace, the
   * shared token per credential, so a pace of its own gives a process that has not seen it.
   */
  let processes = 0
  const newProcess = () =>
    PersonioConfig.parse({ baseUrl: sim.url, requestsPerMinute: 300 - ++processes })
  const auths = () => sim.stats().routes['POST /v1/auth']?.requests ?? 0

  it('keys the shared token by a hash of the credential, never the secret', async () => {
    const secret = credential()
    const table = tokenTable()
    const api = new PersonioApi(newProcess(), secret, {
      now: () => new Date(),
      tokens: table.cache,
    })
    await api.get(PAGE, WHAT)
    const [key, ...others] = [...table.rows.keys()]
    expect(others).toEqual([])
    expect(key).toMatch(/^personio:[0-9a-f]{64}$/)
    expect(key).not.toContain(secret.clientSecret)
    expect(key).not.toContain(secret.clientId)
  })

  it('takes the token another process shared, unless it expires within the minute', async () => {
    const secret = credential()
    const table = tokenTable()
    const now = new Date()
    const ctx = { now: () => now, tokens: table.cache }
    const before = auths()
    await new PersonioApi(newProcess(), secret, ctx).get(PAGE, WHAT)
    expect(auths()).toBe(before + 1)
    await new PersonioApi(newProcess(), secret, ctx).get(PAGE, WHAT)
    expect(auths()).toBe(before + 1)

    const [[key, token] = []] = [...table.rows]
    if (key === undefined || token === undefined) throw new Error('no token stored')
    table.rows.set(key, { ...token, expiresAt: now.getTime() + 59_000 })
    await new PersonioApi(newProcess(), secret, ctx).get(PAGE, WHAT)
    expect(auths()).toBe(before + 2)
    expect(table.rows.get(key)?.expiresAt).toBeGreaterThan(now.getTime() + DAY - 60_000)
  })

  it('a token read from the cache while a refused one was being dropped is not sent again', async () => {
    const secret = credential()
    const table = tokenTable()
    const ctx = { now: () => new Date(), tokens: table.cache }
    // a process got the token and shared it; Personio then revoked it
    await new PersonioApi(newProcess(), secret, ctx).authenticate()
    const [key] = [...table.rows.keys()]
    if (key === undefined) throw new Error('no token stored')
    const revoked = table.rows.get(key)?.value
    sim.admin.revokeTokens(secret.clientId)
    const before = auths()
    const api = new PersonioApi(newProcess(), secret, ctx)
    sim.admin.setLatency(50)
    try {
      let release = () => {}
      const held = table.holdNextDrop(new Promise<void>((r) => (release = r)))
      // A meets the 401 and starts dropping the revoked token; meanwhile B asks for a token and
      // reads the revoked one from the cache; A goes on while B's request is under way
      const a = api.get(PAGE, WHAT)
      await held
      const b = api.get(PAGE, WHAT)
      await new Promise((r) => setTimeout(r, 10))
      release()
      await expect(Promise.all([a, b])).resolves.toHaveLength(2)
    } finally {
      sim.admin.setLatency(0)
    }
    expect(auths()).toBe(before + 1)
    expect(table.rows.get(key)?.value).not.toBe(revoked)
  })
})
