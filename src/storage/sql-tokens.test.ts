import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { BACKENDS, openStore } from '../../test/helpers/stores.ts'
import type { SqlStore } from './sql-store.ts'

const NOW = new Date('2026-03-02T09:00:00Z')
const later = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000)

for (const backend of BACKENDS) {
  describe(`shared connector tokens, on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let workspaceId: string
    let count = 0
    const connection = async (secret: string | null = null) =>
      (
        await store.createConnection({
          workspaceId,
          name: `hr-${String(++count)}`,
          connector: 'personio',
          config: {},
          secret,
        })
      ).id
    const keys = async () =>
      (
        await sql<{ connection_id: string; key: string }>`
          select connection_id, key from connector_tokens order by connection_id, key
        `.execute(store.db.kysely)
      ).rows

    beforeAll(async () => {
      opened = await openStore(backend)
      store = opened.store
      workspaceId = (await store.ensureWorkspace('acme')).id
    }, 60_000)
    afterAll(() => opened.close())

    it('answers a token until it expires, one per connection and key, the latest stored', async () => {
      const [a, b] = [await connection(), await connection()]
      await store.tokens.saveToken(a, 'k', { sealed: 'sealed-1', expiresAt: later(24) }, NOW)
      await store.tokens.saveToken(a, 'k', { sealed: 'sealed-2', expiresAt: later(24) }, NOW)
      expect(await store.tokens.token(a, 'k', NOW)).toEqual({
        sealed: 'sealed-2',
        expiresAt: later(24),
      })
      expect(await store.tokens.token(a, 'other', NOW)).toBeNull()
      expect(await store.tokens.token(b, 'k', NOW)).toBeNull()
      expect(await store.tokens.token(a, 'k', later(24))).toBeNull()
    })

    it('removes expired tokens of every connection when one is stored', async () => {
      const [a, b] = [await connection(), await connection()]
      await store.tokens.saveToken(a, 'old', { sealed: 's', expiresAt: later(1) }, NOW)
      await store.tokens.saveToken(b, 'live', { sealed: 's', expiresAt: later(30) }, NOW)
      expect((await keys()).filter((r) => r.connection_id === a)).toHaveLength(1)
      await store.tokens.saveToken(b, 'new', { sealed: 's', expiresAt: later(30) }, later(2))
      const left = await keys()
      expect(left.filter((r) => r.connection_id === a)).toEqual([])
      expect(left.filter((r) => r.connection_id === b).map((r) => r.key)).toEqual(['live', 'new'])
    })

    it('drops a token only while it is the one stored', async () => {
      const a = await connection()
      await store.tokens.saveToken(a, 'k', { sealed: 'refused', expiresAt: later(24) }, NOW)
      await store.tokens.saveToken(a, 'k', { sealed: 'newer', expiresAt: later(24) }, NOW)
      expect(await store.tokens.dropToken(a, 'k', 'refused')).toBe(false)
      expect((await store.tokens.token(a, 'k', NOW))?.sealed).toBe('newer')
      expect(await store.tokens.dropToken(a, 'k', 'newer')).toBe(true)
      expect(await store.tokens.token(a, 'k', NOW)).toBeNull()
    })

    it('drops every token when the secrets are resealed under a new key', async () => {
      const a = await connection('hsv1:sealed-credentials')
      await store.tokens.saveToken(a, 'k', { sealed: 'sealed', expiresAt: later(24) }, NOW)
      expect(
        (await store.resealSecrets((s) => `${s}-resealed`)).credentials,
      ).toBeGreaterThanOrEqual(1)
      expect(await keys()).toEqual([])
      expect(await store.sealedSecret(workspaceId, a)).toBe('hsv1:sealed-credentials-resealed')
    })

    it('goes with its connection', async () => {
      const a = await connection()
      await store.tokens.saveToken(a, 'k', { sealed: 's', expiresAt: later(24) }, NOW)
      await sql`delete from connections where id = ${a}`.execute(store.db.kysely)
      expect((await keys()).filter((r) => r.connection_id === a)).toEqual([])
    })
  })
}
