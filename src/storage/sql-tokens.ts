import { sql } from 'kysely'
import type { Kysely } from 'kysely'

import type { Database } from './schema.ts'
import type { SealedToken, TokenStore } from './store.ts'

/** The `TokenStore` on PostgreSQL or PGlite: the `connector_tokens` table (migration 0008). */
export class SqlTokens implements TokenStore {
  readonly #k: Kysely<Database>

  constructor(k: Kysely<Database>) {
    this.#k = k
  }

  async token(connectionId: string, key: string, now: Date): Promise<SealedToken | null> {
    const row = await this.#k
      .selectFrom('connector_tokens')
      .select(['sealed', 'expires_at'])
      .where('connection_id', '=', connectionId)
      .where('key', '=', key)
      .where('expires_at', '>', now)
      .executeTakeFirst()
    return row ? { sealed: row.sealed, expiresAt: new Date(row.expires_at) } : null
  }

  async saveToken(connectionId: string, key: string, token: SealedToken, now: Date): Promise<void> {
    await this.#k.deleteFrom('connector_tokens').where('expires_at', '<=', now).execute()
    await this.#k
      .insertInto('connector_tokens')
      .values({
        connection_id: connectionId,
        key,
        sealed: token.sealed,
        expires_at: token.expiresAt,
      })
      .onConflict((oc) =>
        oc.columns(['connection_id', 'key']).doUpdateSet((eb) => ({
          sealed: eb.ref('excluded.sealed'),
          expires_at: eb.ref('excluded.expires_at'),
          created_at: sql<Date>`now()`,
        })),
      )
      .execute()
  }

  async dropToken(connectionId: string, key: string, sealed: string): Promise<boolean> {
    const result = await this.#k
      .deleteFrom('connector_tokens')
      .where('connection_id', '=', connectionId)
      .where('key', '=', key)
      .where('sealed', '=', sealed)
      .executeTakeFirst()
    return result.numDeletedRows > 0n
  }
}
