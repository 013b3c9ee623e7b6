import { sql } from 'kysely'
import type { Kysely, Migration } from 'kysely'

/** Users, workspace membership, sessions, API tokens and login attempts: the HTTP API's accounts. */
export const http: Migration = {
  async up(db: Kysely<unknown>) {
    // one statement at a time: the extended protocol (PGlite's, pg's with parameters) takes one
    for (const statement of SCHEMA.split(/;\s*\n/)) {
      if (statement.trim() !== '') await sql.raw(statement).execute(db)
    }
  },
}

const SCHEMA = `
      create table users (
        id text primary key,
        -- trimmed and lowercased: one account per address
        email text not null unique,
        name text not null,
        -- argon2id, PHC string
        password_hash text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );

      create table workspace_members (
        workspace_id text not null references workspaces (id) on delete cascade,
        user_id text not null references users (id) on delete cascade,
        role text not null check (role in ('admin', 'member')),
        created_at timestamptz not null default now(),
        primary key (workspace_id, user_id)
      );
      create index workspace_members_by_user on workspace_members (user_id);

      -- the id is the SHA-256 of the cookie's token: the table alone signs nobody in
      create table sessions (
        id text primary key,
        user_id text not null references users (id) on delete cascade,
        csrf_token text not null,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        expires_at timestamptz not null,
        -- when the password was last given (sign-in, or asked again before an apply)
        confirmed_at timestamptz,
        ip text,
        user_agent text
      );
      create index sessions_by_user on sessions (user_id);

      create table api_tokens (
        id text primary key,
        workspace_id text not null references workspaces (id) on delete cascade,
        name text not null,
        -- SHA-256 of the token (256 random bits: a slow hash adds nothing), shown once
        token_hash text not null unique,
        prefix text not null,
        created_by text references users (id) on delete set null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      create index api_tokens_by_workspace on api_tokens (workspace_id, created_at);

      -- failed sign-ins by account and address, counted over a sliding window
      create table login_failures (
        id bigint generated always as identity primary key,
        key text not null,
        at timestamptz not null default now()
      );
      create index login_failures_by_key on login_failures (key, at);
`
