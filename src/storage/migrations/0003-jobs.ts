import { sql } from 'kysely'
import type { Kysely, Migration } from 'kysely'

/**
 * Ongoing sync: schedule state, connection health (failures, quarantine), outbox delivery state,
 * webhook endpoints and their deliveries, notification recipients.
 */
export const jobs: Migration = {
  async up(db: Kysely<unknown>) {
    for (const statement of SCHEMA.split(/;\s*\n/)) {
      if (statement.trim() !== '') await sql.raw(statement).execute(db)
    }
  },
}

const SCHEMA = `
      -- when each connection's next scheduled run of a kind is due; a claim moves next_at on, so
      -- one process enqueues a slot however many tick at once
      create table schedule_state (
        connection_id text not null references connections (id) on delete cascade,
        kind text not null check (kind in ('incremental', 'full')),
        cron text not null,
        time_zone text not null,
        next_at timestamptz not null,
        last_enqueued_at timestamptz,
        primary key (connection_id, kind)
      );

      alter table connections add column consecutive_failures integer not null default 0;
      alter table connections add column quarantined_at timestamptz;
      alter table connections add column last_attempt_at timestamptz;
      alter table connections add column last_error jsonb;

      -- an invitation is claimed (sending) before it is sent, so no retry sends it again
      alter table outbox add column status text not null default 'pending'
        check (status in ('pending', 'sending', 'sent', 'failed'));
      alter table outbox add column next_attempt_at timestamptz not null default now();
      alter table outbox add column claimed_until timestamptz;
      alter table outbox add column last_error text;
      create index outbox_due on outbox (next_attempt_at) where status = 'pending';
      create index outbox_invitations on outbox ((payload->>'personId')) where kind = 'invitation';
      -- deliveries wait while a run of the workspace is applying
      create index runs_applying on runs (workspace_id) where state = 'applying';

      create table webhook_endpoints (
        id text primary key,
        workspace_id text not null references workspaces (id) on delete cascade,
        url text not null,
        -- the signing secret, sealed in the vault for this endpoint's id
        secret text not null,
        events jsonb not null,
        enabled boolean not null default true,
        created_at timestamptz not null default now()
      );
      create index webhook_endpoints_by_workspace on webhook_endpoints (workspace_id);

      create table webhook_deliveries (
        id bigint generated always as identity primary key,
        endpoint_id text not null references webhook_endpoints (id) on delete cascade,
        workspace_id text not null,
        event_id text not null,
        kind text not null,
        payload jsonb not null,
        status text not null default 'pending'
          check (status in ('pending', 'delivering', 'delivered', 'failed')),
        attempts integer not null default 0,
        next_attempt_at timestamptz not null default now(),
        claimed_until timestamptz,
        response_status integer,
        last_error text,
        created_at timestamptz not null default now(),
        delivered_at timestamptz,
        unique (endpoint_id, event_id)
      );
      create index webhook_deliveries_due on webhook_deliveries (next_attempt_at)
        where status = 'pending';
      create index webhook_deliveries_by_endpoint on webhook_deliveries (endpoint_id, id desc);

      create table notification_recipients (
        workspace_id text not null references workspaces (id) on delete cascade,
        email text not null,
        created_at timestamptz not null default now(),
        primary key (workspace_id, email)
      );
`
