import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createDb } from '../storage/db.ts'
import { SqlStore } from '../storage/sql-store.ts'
import { Vault, generateKey } from '../storage/vault.ts'
import { sharedTokens } from './shared-tokens.ts'

const NOW = new Date('2026-03-02T09:00:00Z')
const now = () => NOW
const DAY = 24 * 3_600_000
const KEY = `personio:${'a'.repeat(64)}`

describe('tokens shared through the store, sealed in the vault', () => {
  let store: SqlStore
  const vault = new Vault(generateKey())
  let a = ''
  let b = ''

  beforeAll(async () => {
    store = new SqlStore(await createDb({ databaseUrl: null, dataDir: 'memory' }))
    const workspaceId = (await store.ensureWorkspace('acme')).id
    const connection = async (name: string) =>
      (
        await store.createConnection({
          workspaceId,
          name,
          connector: 'personio',
          config: {},
          secret: null,
        })
      ).id
    a = await connection('a')
    b = await connection('b')
  })
  afterAll(() => store.close())

  it('stores the token sealed and answers it opened, with its expiry', async () => {
    const tokens = sharedTokens(store.tokens, vault, a, now)
    await tokens.put(KEY, { value: 'papi-token-1', expiresAt: NOW.getTime() + DAY })
    const row = await store.tokens.token(a, KEY, NOW)
    expect(row?.sealed).toMatch(/^hsv1:/)
    expect(row?.sealed).not.toContain('papi-token-1')
    expect(await tokens.get(KEY)).toEqual({ value: 'papi-token-1', expiresAt: NOW.getTime() + DAY })
    // another process, the same database and vault
    expect(await sharedTokens(store.tokens, vault, a, now).get(KEY)).toEqual({
      value: 'papi-token-1',
      expiresAt: NOW.getTime() + DAY,
    })
  })

  it('a row that does not open is a miss, and goes: another key, another connection', async () => {
    const tokens = sharedTokens(store.tokens, vault, a, now)
    const sealedElsewhere = new Vault(generateKey()).seal('papi-x', `token:${a}:${KEY}`)
    await store.tokens.saveToken(
      a,
      KEY,
      { sealed: sealedElsewhere, expiresAt: new Date(NOW.getTime() + DAY) },
      NOW,
    )
    expect(await tokens.get(KEY)).toBeNull()
    expect(await store.tokens.token(a, KEY, NOW)).toBeNull()

    // a row copied from connection a to b does not open for b
    await tokens.put(KEY, { value: 'papi-of-a', expiresAt: NOW.getTime() + DAY })
    const copied = await store.tokens.token(a, KEY, NOW)
    if (!copied) throw new Error('no row')
    await store.tokens.saveToken(b, KEY, copied, NOW)
    expect(await sharedTokens(store.tokens, vault, b, now).get(KEY)).toBeNull()
    expect(await tokens.get(KEY)).toMatchObject({ value: 'papi-of-a' })
  })

  it('drops a refused token, but not a newer one another process stored', async () => {
    const tokens = sharedTokens(store.tokens, vault, a, now)
    await tokens.put(KEY, { value: 'papi-newer', expiresAt: NOW.getTime() + DAY })
    await tokens.drop(KEY, 'papi-refused')
    expect(await tokens.get(KEY)).toMatchObject({ value: 'papi-newer' })
    await tokens.drop(KEY, 'papi-newer')
    expect(await tokens.get(KEY)).toBeNull()
  })

  it('never answers an expired token', async () => {
    const tokens = sharedTokens(store.tokens, vault, a, now)
    await tokens.put(KEY, { value: 'papi-old', expiresAt: NOW.getTime() - 1 })
    expect(await tokens.get(KEY)).toBeNull()
  })
})
