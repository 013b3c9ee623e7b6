import { randomUUID } from 'node:crypto'

import type { ColumnType, Generated, Kysely, Selectable } from 'kysely'

import { SyncError } from '../core/errors.ts'
import type { Db } from './db.ts'
import type { Database } from './schema.ts'
import type {
  AccountStore,
  ApiToken,
  Member,
  MemberRole,
  SessionRecord,
  User,
  Workspace,
} from './store.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** The tables of migration 0002-http, as Kysely sees them. */
// a type, not an interface: Kysely's withTables wants an index signature
export type AccountTables = {
  users: {
    id: string
    email: string
    name: string
    password_hash: string
    created_at: Timestamp
    updated_at: Timestamp
  }
  workspace_members: {
    workspace_id: string
    user_id: string
    role: string
    created_at: Timestamp
  }
  sessions: {
    id: string
    user_id: string
    csrf_token: string
    created_at: Timestamp
    last_seen_at: Timestamp
    expires_at: Timestamp
    confirmed_at: Timestamp | null
    ip: string | null
    user_agent: string | null
  }
  api_tokens: {
    id: string
    workspace_id: string
    name: string
    token_hash: string
    prefix: string
    created_by: string | null
    created_at: Timestamp
    last_used_at: Timestamp | null
    revoked_at: Timestamp | null
  }
  login_failures: {
    id: Generated<string>
    key: string
    at: Timestamp
  }
}

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString())
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d))

/** Emails are one account whatever their case or surrounding spaces. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase()

function toUser(row: { id: string; email: string; name: string; created_at: Date | string }): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: iso(row.created_at) }
}

function toSession(row: Selectable<AccountTables['sessions']>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    confirmedAt: isoOrNull(row.confirmed_at),
  }
}

function toToken(row: Selectable<AccountTables['api_tokens']>): ApiToken {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    lastUsedAt: isoOrNull(row.last_used_at),
  }
}

const isUnique = (error: unknown) => (error as { code?: string }).code === '23505'

/** The `AccountStore` on PostgreSQL or PGlite. */
export class SqlAccounts implements AccountStore {
  readonly #k: Kysely<Database & AccountTables>

  constructor(db: Db) {
    this.#k = db.kysely.withTables<AccountTables>()
  }

  async countUsers(): Promise<number> {
    const row = await this.#k
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async createUser(input: { email: string; name: string; passwordHash: string }): Promise<User> {
    try {
      const row = await this.#k
        .insertInto('users')
        .values({
          id: randomUUID(),
          email: normalizeEmail(input.email),
          name: input.name,
          password_hash: input.passwordHash,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toUser(row)
    } catch (error) {
      if (isUnique(error)) throw new SyncError('conflict', 'a user with this email exists already')
      throw error
    }
  }

  async user(id: string): Promise<User | null> {
    const row = await this.#k
      .selectFrom('users')
      .select(['id', 'email', 'name', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? toUser(row) : null
  }

  async userByEmail(email: string): Promise<(User & { readonly passwordHash: string }) | null> {
    const row = await this.#k
      .selectFrom('users')
      .selectAll()
      .where('email', '=', normalizeEmail(email))
      .executeTakeFirst()
    return row ? { ...toUser(row), passwordHash: row.password_hash } : null
  }

  async passwordHash(userId: string): Promise<string | null> {
    const row = await this.#k
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirst()
    return row?.password_hash ?? null
  }

  async setPassword(userId: string, passwordHash: string, keepSession?: string): Promise<void> {
    await this.#k.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: new Date() })
        .where('id', '=', userId)
        .executeTakeFirst()
      if (updated.numUpdatedRows === 0n) throw new SyncError('not_found', 'no such user')
      let q = trx.deleteFrom('sessions').where('user_id', '=', userId)
      if (keepSession !== undefined) q = q.where('id', '!=', keepSession)
      await q.execute()
    })
  }

  async workspace(id: string): Promise<Workspace | null> {
    const row = await this.#k
      .selectFrom('workspaces')
      .select(['id', 'name'])
      .where('id', '=', id)
      .executeTakeFirst()
    return row ?? null
  }

  async createWorkspace(name: string): Promise<Workspace> {
    try {
      return await this.#k
        .insertInto('workspaces')
        .values({ id: randomUUID(), name })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow()
    } catch (error) {
      if (isUnique(error)) throw new SyncError('conflict', `a workspace named "${name}" exists`)
      throw error
    }
  }

  async addMember(workspaceId: string, userId: string, role: MemberRole): Promise<void> {
    await this.#k
      .insertInto('workspace_members')
      .values({ workspace_id: workspaceId, user_id: userId, role })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role }))
      .execute()
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    const result = await this.#k
      .deleteFrom('workspace_members')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
    return result.numDeletedRows > 0n
  }

  async role(workspaceId: string, userId: string): Promise<MemberRole | null> {
    const row = await this.#k
      .selectFrom('workspace_members')
      .select('role')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
    return (row?.role as MemberRole | undefined) ?? null
  }

  async members(workspaceId: string): Promise<Member[]> {
    const rows = await this.#k
      .selectFrom('workspace_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email', 'u.name', 'u.created_at', 'm.role'])
      .where('m.workspace_id', '=', workspaceId)
      .orderBy('u.email')
      .execute()
    return rows.map((r) => ({ ...toUser(r), role: r.role as MemberRole }))
  }

  async workspacesOf(userId: string): Promise<(Workspace & { readonly role: MemberRole })[]> {
    const rows = await this.#k
      .selectFrom('workspace_members as m')
      .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
      .select(['w.id', 'w.name', 'm.role'])
      .where('m.user_id', '=', userId)
      .orderBy('w.name')
      .execute()
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as MemberRole }))
  }

  async createSession(input: {
    id: string
    userId: string
    csrfToken: string
    expiresAt: string
    confirmedAt: string | null
    ip: string | null
    userAgent: string | null
  }): Promise<SessionRecord> {
    const row = await this.#k
      .insertInto('sessions')
      .values({
        id: input.id,
        user_id: input.userId,
        csrf_token: input.csrfToken,
        expires_at: input.expiresAt,
        confirmed_at: input.confirmedAt,
        ip: input.ip,
        user_agent: input.userAgent,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toSession(row)
  }

  async session(id: string, now: string): Promise<SessionRecord | null> {
    const row = await this.#k
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .where('expires_at', '>', new Date(now))
      .executeTakeFirst()
    return row ? toSession(row) : null
  }

  async touchSession(id: string, patch: { expiresAt?: string; confirmedAt?: string }) {
    await this.#k
      .updateTable('sessions')
      .set({
        last_seen_at: new Date(),
        ...(patch.expiresAt === undefined ? {} : { expires_at: patch.expiresAt }),
        ...(patch.confirmedAt === undefined ? {} : { confirmed_at: patch.confirmedAt }),
      })
      .where('id', '=', id)
      .execute()
  }

  async deleteSession(id: string): Promise<void> {
    await this.#k.deleteFrom('sessions').where('id', '=', id).execute()
  }

  async createApiToken(input: {
    workspaceId: string
    name: string
    tokenHash: string
    prefix: string
    createdBy: string | null
  }): Promise<ApiToken> {
    const row = await this.#k
      .insertInto('api_tokens')
      .values({
        id: randomUUID(),
        workspace_id: input.workspaceId,
        name: input.name,
        token_hash: input.tokenHash,
        prefix: input.prefix,
        created_by: input.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toToken(row)
  }

  async useApiToken(tokenHash: string, now: string): Promise<ApiToken | null> {
    const row = await this.#k
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    return row ? toToken(row) : null
  }

  async apiTokens(workspaceId: string): Promise<ApiToken[]> {
    const rows = await this.#k
      .selectFrom('api_tokens')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .execute()
    return rows.map(toToken)
  }

  async revokeApiToken(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.#k
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  async recordLoginFailure(key: string, at: string): Promise<void> {
    await this.#k.insertInto('login_failures').values({ key, at }).execute()
    // a day of failures is more than any window counts: older ones only take room
    const dayBefore = new Date(Date.parse(at) - 86_400_000)
    await this.#k
      .deleteFrom('login_failures')
      .where('key', '=', key)
      .where('at', '<', dayBefore)
      .execute()
  }

  async loginFailures(
    key: string,
    since: string,
  ): Promise<{ count: number; oldest: string | null }> {
    const row = await this.#k
      .selectFrom('login_failures')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min<Date | null>('at').as('oldest')])
      .where('key', '=', key)
      .where('at', '>', new Date(since))
      .executeTakeFirstOrThrow()
    return { count: Number(row.n), oldest: row.oldest === null ? null : iso(row.oldest) }
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.#k.deleteFrom('login_failures').where('key', '=', key).execute()
  }
}
