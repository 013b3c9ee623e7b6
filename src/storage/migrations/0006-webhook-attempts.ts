import { sql } from 'kysely'
import type { Kysely, Migration } from 'kysely'

/**
 * Each try of a webhook delivery, in the endpoint's log: when, what the endpoint answered (or why
 * it could not be reached). The delivery row keeps only the last; a receiver's admin wants them all.
 */
export const webhookAttempts: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      create table webhook_attempts (
        id bigint generated always as identity primary key,
        delivery_id bigint not null references webhook_deliveries (id) on delete cascade,
        at timestamptz not null,
        response_status integer,
        error text
      )
    `.execute(db)
    await sql`create index webhook_attempts_by_delivery on webhook_attempts (delivery_id, id)`.execute(
      db,
    )
  },
}
