import type { RouteConfig } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'

import { SyncError } from '../core/errors.ts'
import type { MemberRole, OwnedKind } from '../storage/store.ts'
import { ApiError } from './api-error.ts'
import { authenticate } from './auth.ts'
import type { AppEnv, HttpDeps } from './http-deps.ts'

/**
 * Every workspace-scoped id a path or query may carry, and what it names. A route whose path
 * has a parameter not listed here is refused when the app is built: no id goes unchecked.
 */
export const ID_PARAMS: Readonly<Record<string, OwnedKind>> = {
  connectionId: 'connection',
  planId: 'plan',
  runId: 'run',
  personId: 'person',
  teamId: 'team',
  tokenId: 'token',
  userId: 'member',
  webhookId: 'webhook',
}

const KIND_NAMES: Readonly<Record<OwnedKind, string>> = {
  connection: 'connection',
  plan: 'plan',
  run: 'run',
  person: 'person',
  team: 'team',
  token: 'API token',
  member: 'member',
  webhook: 'webhook',
}

/**
 * The caller must belong to the workspace in the path, and every id in the path or query must be
 * of that workspace: otherwise 404, the same answer as for an id that does not exist anywhere.
 * Runs before the request is validated, so no body can get a route past it.
 */
function scope(deps: HttpDeps, admin: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const workspaceId = c.req.param('workspaceId') ?? ''
    const actor = c.get('actor')
    const missing = () => new SyncError('not_found', `workspace ${workspaceId} not found`)
    let role: MemberRole | null
    if (actor.kind === 'token') {
      // a token reads and syncs its workspace; only people manage members and tokens
      role = actor.token.workspaceId === workspaceId ? 'member' : null
    } else {
      role = await deps.accounts.role(workspaceId, actor.user.id)
    }
    const workspace = role === null ? null : await deps.accounts.workspace(workspaceId)
    if (role === null || workspace === null) throw missing()
    for (const [name, kind] of Object.entries(ID_PARAMS)) {
      const id = c.req.param(name) ?? c.req.query(name)
      if (id === undefined) continue
      if (!(await deps.views.owns(workspaceId, kind, id))) {
        throw new SyncError('not_found', `${KIND_NAMES[kind]} ${id} not found`)
      }
    }
    if (admin && role !== 'admin') {
      throw new ApiError('forbidden', 'only an admin of this workspace can do this')
    }
    c.set('workspace', workspace)
    c.set('role', role)
    return next()
  }
}

/**
 * A route that needs a signed-in caller (a session or an API token); under
 * `/workspaces/{workspaceId}` also the workspace scope above. `admin`: admins only.
 */
export function secureRoute<R extends RouteConfig>(
  deps: HttpDeps,
  route: R,
  options: { admin?: boolean } = {},
): R {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '')
  const unknown = params.filter((p) => p !== 'workspaceId' && !Object.hasOwn(ID_PARAMS, p))
  if (unknown.length > 0) {
    throw new Error(`${route.path}: {${unknown.join('}, {')}} is not a workspace-scoped id`)
  }
  const scoped = params.includes('workspaceId')
  if (!scoped && params.length > 0) throw new Error(`${route.path}: ids need a workspace`)
  const middleware: MiddlewareHandler<AppEnv>[] = [
    authenticate(deps),
    ...(scoped ? [scope(deps, options.admin === true)] : []),
  ]
  return { ...route, middleware }
}
