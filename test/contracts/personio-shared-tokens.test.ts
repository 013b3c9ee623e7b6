import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

import type { Connector } from '../../src/connectors/connector.ts'
import { Engine } from '../../src/engine/engine.ts'
import { sharedTokens } from '../../src/engine/shared-tokens.ts'
import type { Connection } from '../../src/storage/store.ts'
import { createDb } from '../../src/storage/db.ts'
import { SqlStore } from '../../src/storage/sql-store.ts'
import { Vault, generateKey } from '../../src/storage/vault.ts'
import { DirectoryTarget } from '../../src/targets/directory/directory-target.ts'
import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../../sim/personio/start-personio-sim.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'
import { readAll } from './connector-contract.ts'

const AUTH = { v1: 'POST /v1/auth', v2: 'POST /v2/auth/token' } as const
// v2 asks for each person's employments at the v1 pace (15 a second): a small company
const EMPLOYEES = 12
/** A request each version's token is good for. */
const PROBE = { v1: 'v1/company/employees?limit=1', v2: 'v2/persons?limit=1' } as const

/**
 * A process that has not seen the credential: the Personio connector's module evaluated anew, so
 * its in-process sessions (tokens, pacers) start empty, as in another worker.
 */
async function freshConnector(): Promise<Connector> {
  vi.resetModules()
  const module = await import('../../src/connectors/personio/personio-connector.ts')
  return module.personioConnector
}

for (const backend of BACKENDS) {
  describe(`Personio tokens shared by processes through the database, on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let sim: PersonioSim
    const vault = new Vault(generateKey())
    const stores: SqlStore[] = []
    let count = 0

    /**
     * One process: its own Personio connector and engine, and on PostgreSQL its own connection
     * pool to the shared database (PGlite is one process's database: the processes share it).
     */
    async function newProcess(): Promise<Engine> {
      let store = opened.store
      if (opened.url !== null) {
        store = new SqlStore(await createDb({ databaseUrl: opened.url, dataDir: 'memory' }))
        stores.push(store)
      }
      return new Engine({
        store,
        connectors: { personio: await freshConnector() },
        vault,
        target: (workspaceId) => new DirectoryTarget(store.directory(workspaceId)),
        now: () => new Date(),
      })
    }

    async function connection(
      engine: Engine,
      apiVersion: 'v1' | 'v2',
      on: PersonioSim = sim,
    ): Promise<Connection> {
      const [c] = on.credentials
      if (!c) throw new Error('no credential')
      const workspace = await opened.store.ensureWorkspace(`acme-${String(++count)}`)
      return engine.connect({
        workspaceId: workspace.id,
        name: 'personio',
        connector: 'personio',
        config: { baseUrl: on.url, apiVersion, appId: 'shared-tokens-test' },
        secret: { clientId: c.clientId, clientSecret: c.clientSecret },
        check: false,
      })
    }

    /** How many requests Personio answered 401, on any route. */
    const refused = (on: PersonioSim = sim) =>
      Object.values(on.stats().routes).reduce((n, r) => n + (r.statuses['401'] ?? 0), 0)

    const rows = async (connectionId: string) =>
      (
        await sql<{ key: string; sealed: string; expires_at: Date }>`
          select key, sealed, expires_at from connector_tokens where connection_id = ${connectionId}
        `.execute(opened.store.db.kysely)
      ).rows

    /** The token in the connection's one row, opened as the engine opens it. */
    const storedToken = async (connectionId: string) => {
      const [row, ...more] = await rows(connectionId)
      if (!row || more.length > 0) throw new Error('expected one token row')
      return vault.open(row.sealed, `token:${connectionId}:${row.key}`)
    }

    beforeAll(async () => {
      opened = await openStore(backend)
      sim = await startPersonioSim({ employees: EMPLOYEES, seed: 5, rateLimits: false })
    }, 60_000)
    afterAll(async () => {
      for (const store of stores) await store.close()
      await sim.close()
      await opened.close()
    })

    it.each(['v1', 'v2'] as const)(
      '%s: a read in a second process uses the first one’s token: no token request',
      async (apiVersion) => {
        sim.admin.resetStats()
        const first = await newProcess()
        const c = await connection(first, apiVersion)
        await first.preview(c)
        expect(sim.stats().routes[AUTH[apiVersion]]?.requests).toBe(1)

        const second = await newProcess()
        const { plan } = await second.preview(c)
        expect(plan.basis.employees).toBe(EMPLOYEES)
        expect(sim.stats().routes[AUTH[apiVersion]]?.requests).toBe(1)
        expect(refused()).toBe(0)
      },
    )

    it.each(['v1', 'v2'] as const)(
      '%s: a token Personio revoked: the next process gets a 401, asks once for a new one, and shares it; the first process then takes the new one from the database',
      async (apiVersion) => {
        sim.admin.resetStats()
        const first = await newProcess()
        const c = await connection(first, apiVersion)
        await first.preview(c)
        const revoked = await storedToken(c.id)
        const [credential] = sim.credentials
        expect(sim.admin.revokeTokens(credential?.clientId ?? '')).toBeGreaterThanOrEqual(1)

        const second = await newProcess()
        const { plan } = await second.preview(c)
        expect(plan.basis.employees).toBe(EMPLOYEES)
        expect(sim.stats().routes[AUTH[apiVersion]]?.requests).toBe(2)
        expect(refused()).toBe(1)
        const renewed = await storedToken(c.id)
        expect(renewed).not.toBe(revoked)
        // the row holds a token Personio takes
        const answer = await fetch(`${sim.url}/${PROBE[apiVersion]}`, {
          headers: { authorization: `Bearer ${renewed}` },
        })
        await answer.body?.cancel()
        expect(answer.status).toBe(200)

        // the first process still holds the revoked token: one 401, then the shared one
        await first.preview(c)
        expect(sim.stats().routes[AUTH[apiVersion]]?.requests).toBe(2)
        expect(refused()).toBe(2)
        expect(await storedToken(c.id)).toBe(renewed)
      },
    )

    it('v1: pages asked for at once all meet the 401 of a revoked shared token: one token request serves them', async () => {
      const big = await startPersonioSim({ employees: 250, seed: 6, rateLimits: false })
      try {
        const first = await newProcess()
        const c = await connection(first, 'v1', big)
        await first.preview(c)
        const revoked = await storedToken(c.id)
        big.admin.revokeTokens(big.credentials[0]?.clientId ?? '')
        big.admin.resetStats()
        // the connector as the engine calls it, without fields (a sync's read asks for the
        // attributes first, alone): the three pages are asked for at once
        const connector = await freshConnector()
        const secret = JSON.parse(
          vault.open((await opened.store.sealedSecret(c.workspaceId, c.id)) ?? '', c.id),
        ) as unknown
        const reading = connector.read(
          connector.configSchema.parse(c.config),
          secret,
          {
            now: () => new Date(),
            tokens: sharedTokens(opened.store.tokens, vault, c.id, () => new Date()),
          },
          { sizeHint: 250 },
        )
        const { records, end } = await readAll(reading)
        expect(end.complete).toBe(true)
        expect(records).toHaveLength(250)
        const routes = big.stats().routes
        expect(routes[AUTH.v1]?.requests).toBe(1)
        expect(routes['GET /v1/company/employees']?.statuses).toEqual({ 200: 3, 401: 3 })
        expect(await storedToken(c.id)).not.toBe(revoked)
      } finally {
        await big.close()
      }
    })

    it('keeps the token sealed: the row never holds it, nor the secret, in clear', async () => {
      const engine = await newProcess()
      const c = await connection(engine, 'v1')
      await engine.preview(c)
      const [credential] = sim.credentials
      const token = await storedToken(c.id)
      const [row] = await rows(c.id)
      const text = JSON.stringify(row)
      expect(row?.sealed).toMatch(/^hsv1:[0-9a-f]{16}:/)
      expect(text).not.toContain(token)
      expect(text).not.toContain(credential?.clientSecret)
      expect(text).not.toContain(credential?.clientId)
      expect(row?.key).toMatch(/^personio:[0-9a-f]{64}$/)
    })

    it('checking the credentials asks Personio for a token even with one in the database', async () => {
      const engine = await newProcess()
      const c = await connection(engine, 'v1')
      await engine.preview(c)
      sim.admin.resetStats()
      await (await newProcess()).check(c)
      expect(sim.stats().routes[AUTH.v1]?.requests).toBe(1)
    })

    it('a token sealed with a key the vault no longer holds is a miss: the read gets a new one', async () => {
      const engine = await newProcess()
      const c = await connection(engine, 'v2')
      await engine.preview(c)
      const [row] = await rows(c.id)
      if (!row) throw new Error('no token row')
      // as after a key rotation the row missed: the same token, sealed with another key
      const other = new Vault(generateKey())
      const context = `token:${c.id}:${row.key}`
      const foreign = other.seal(await storedToken(c.id), context)
      await sql`update connector_tokens set sealed = ${foreign} where connection_id = ${c.id}`.execute(
        opened.store.db.kysely,
      )
      sim.admin.resetStats()
      const { plan } = await (await newProcess()).preview(c)
      expect(plan.basis.employees).toBe(EMPLOYEES)
      expect(sim.stats().routes[AUTH.v2]?.requests).toBe(1)
      const [resealed] = await rows(c.id)
      expect(resealed?.sealed.split(':')[1]).toBe(vault.keyId)
    })
  })
}
