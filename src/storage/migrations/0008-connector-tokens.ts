import { sql } from 'kysely'
import type { Kysely, Migration } from 'kysely'

/**
 * Access tokens connectors got from HR systems (Personio's live 24 hours), shared by every
 * process: a scheduled run on a worker that never saw the credential reuses the token another
 * worker got, instead of paying a token request (and Personio's 60 a minute) again. The token is
 * sealed in the vault for its connection and key; `key` is a hash of the credential, never a
 * secret. A row past `expires_at` is never read, and goes when a token is next stored.
 */
export const connectorTokens: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table connector_tokens (
        connection_id text not null references connections (id) on delete cascade,
        key text not null,
        sealed text not null,
        expires_at timestamptz not null,
        created_at timestamptz not null default now(),
        primary key (connection_id, key)
      )
    `.execute(db)
    await sql`create index connector_tokens_by_expiry on connector_tokens (expires_at)`.execute(db)
  },
}
