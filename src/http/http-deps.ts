import type { Context } from 'hono'

import type { Sources } from '../config/config-file.ts'
import type { Engine } from '../engine/engine.ts'
import type { TableFiles } from '../engine/identifier-import.ts'
import type { JobsAccess } from '../engine/jobs-access.ts'
import type {
  AccountStore,
  ApiToken,
  ApiViews,
  AuditEntry,
  MemberRole,
  SessionRecord,
  Store,
  User,
  Workspace,
} from '../storage/store.ts'

/** What the API logs through (pino has this shape); never given a secret or a body. */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

/** What the composition root gives the API: it never wires an adapter itself. */
export interface HttpDeps {
  readonly engine: Engine
  readonly store: Store
  readonly accounts: AccountStore
  readonly views: ApiViews
  /** Schedules, health, invitations, webhooks, notifications (main.ts gives it; tests may not). */
  readonly jobs?: JobsAccess
  /** The connectors the console offers, with their config and credential schemas. */
  readonly sources: Sources
  readonly tables: TableFiles
  /** Where uploaded files are kept: the folder the engine resolves file connections against. */
  readonly uploadsDir: string
  /** The built console (`dist/web`); null serves none. */
  readonly webRoot: string | null
  readonly logger: Logger
  readonly now?: () => Date
  /** The caller's address, for sign-in limits; null when the transport cannot tell. */
  readonly clientIp?: (c: Context) => string | null
  /** Take X-Forwarded-For / X-Forwarded-Proto from a proxy in front (only behind one). */
  readonly trustProxy?: boolean
}

/** Who is calling: a signed-in user (a browser session) or an API token of one workspace. */
export type Actor =
  | { readonly kind: 'user'; readonly user: User; readonly session: SessionRecord }
  | { readonly kind: 'token'; readonly token: ApiToken }

export interface AppEnv {
  Variables: {
    actor: Actor
    /** Set on every route under /workspaces/{workspaceId}. */
    workspace: Workspace
    role: MemberRole
  }
}

/** How an actor is named in the audit log. */
export const actorName = (actor: Actor) =>
  actor.kind === 'user' ? actor.user.email : `token:${actor.token.name}`

/** Writes what the caller did in a workspace to its audit log. */
export function audited(
  deps: HttpDeps,
  by: { readonly workspaceId: string; readonly actor: Actor },
  entry: Omit<AuditEntry, 'workspaceId' | 'actor'>,
): Promise<void> {
  return deps.store.audit([{ ...entry, workspaceId: by.workspaceId, actor: actorName(by.actor) }])
}
