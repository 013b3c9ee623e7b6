import type { CachedToken, TokenCache } from '../connectors/connector.ts'
import type { TokenStore } from '../storage/store.ts'

/** What sealing a token takes of the vault. */
export interface TokenVault {
  seal(plaintext: string, context: string): string
  open(sealed: string, context: string): string
}

/**
 * The tokens of one connection, shared by every process through the store, sealed in the vault
 * for the connection and key (a row copied to another connection or key does not open). A row
 * that does not open (sealed with a key this vault no longer holds, or altered) is a miss and is
 * dropped: a sync never fails on a cached token, it asks the HR system for a new one.
 */
export function sharedTokens(
  store: TokenStore,
  vault: TokenVault,
  connectionId: string,
  now: () => Date,
): TokenCache {
  const context = (key: string) => `token:${connectionId}:${key}`
  const opened = (sealed: string, key: string): string | null => {
    try {
      return vault.open(sealed, context(key))
    } catch {
      // why it does not open says nothing a caller could act on, and must not reach a log
      return null
    }
  }
  return {
    async get(key: string): Promise<CachedToken | null> {
      const row = await store.token(connectionId, key, now())
      if (row === null) return null
      const value = opened(row.sealed, key)
      if (value === null) {
        await store.dropToken(connectionId, key, row.sealed)
        return null
      }
      return { value, expiresAt: row.expiresAt.getTime() }
    },
    async put(key: string, token: CachedToken): Promise<void> {
      const sealed = vault.seal(token.value, context(key))
      await store.saveToken(
        connectionId,
        key,
        { sealed, expiresAt: new Date(token.expiresAt) },
        now(),
      )
    },
    async drop(key: string, value: string): Promise<void> {
      const row = await store.token(connectionId, key, now())
      if (row === null) return
      const stored = opened(row.sealed, key)
      if (stored === null || stored === value) await store.dropToken(connectionId, key, row.sealed)
    },
  }
}
