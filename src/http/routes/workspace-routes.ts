import { createRoute, z } from '@hono/zod-openapi'
import type { OpenAPIHono } from '@hono/zod-openapi'

import { SyncError } from '../../core/errors.ts'
import { hashPassword, newApiToken } from '../auth.ts'
import { audited } from '../http-deps.ts'
import type { AppEnv, HttpDeps } from '../http-deps.ts'
import { ERRORS, body, json } from '../responses.ts'
import { ApiTokenSchema, MemberSchema, Password, RoleSchema, WorkspaceSchema } from '../schemas.ts'
import { secureRoute } from '../secure-route.ts'
import { sessionOf } from './auth-routes.ts'

const WorkspaceParams = z.object({ workspaceId: z.string() })
const Name = z.string().trim().min(1).max(100)

/** Workspaces (tenants), their members and their API tokens. */
export function workspaceRoutes(app: OpenAPIHono<AppEnv>, deps: HttpDeps) {
  const tags = ['Workspaces']

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces',
        tags,
        summary: 'The workspaces you belong to',
        responses: {
          200: json(
            z.object({ workspaces: z.array(WorkspaceSchema.extend({ role: RoleSchema })) }),
            'Your workspaces; an API token sees its own.',
          ),
          401: ERRORS[401],
        },
      }),
    ),
    async (c) => {
      const actor = c.get('actor')
      if (actor.kind === 'token') {
        const own = await deps.accounts.workspace(actor.token.workspaceId)
        return c.json({ workspaces: own ? [{ ...own, role: 'member' as const }] : [] }, 200)
      }
      const workspaces = await deps.accounts.workspacesOf(actor.user.id)
      return c.json({ workspaces: workspaces.map((w) => ({ ...w })) }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces',
        tags,
        summary: 'Create a workspace',
        description: 'You become its admin. A workspace is one company: nothing crosses them.',
        request: { body: body(z.object({ name: Name })) },
        responses: {
          201: json(z.object({ workspace: WorkspaceSchema }), 'Created.'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          409: ERRORS[409],
        },
      }),
    ),
    async (c) => {
      const { user } = sessionOf(c.get('actor'))
      const workspace = await deps.accounts.createWorkspace(c.req.valid('json').name)
      await deps.accounts.addMember(workspace.id, user.id, 'admin')
      return c.json({ workspace }, 201)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}',
        tags,
        summary: 'A workspace, and your role in it',
        request: { params: WorkspaceParams },
        responses: {
          200: json(z.object({ workspace: WorkspaceSchema, role: RoleSchema }), 'The workspace.'),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    (c) => c.json({ workspace: c.get('workspace'), role: c.get('role') }, 200),
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/members',
        tags,
        summary: 'Members of the workspace',
        request: { params: WorkspaceParams },
        responses: {
          200: json(z.object({ members: z.array(MemberSchema) }), 'Members.'),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => c.json({ members: await deps.accounts.members(c.get('workspace').id) }, 200),
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/members',
        tags,
        summary: 'Add a member',
        description:
          'Adds the user with this email, creating their account with the password given when there is none yet (they sign in with it). Admins only.',
        request: {
          params: WorkspaceParams,
          body: body(
            z.object({
              email: z.email().max(320),
              name: Name.optional(),
              password: Password.optional(),
              role: RoleSchema.default('member'),
            }),
          ),
        },
        responses: {
          201: json(z.object({ member: MemberSchema }), 'Added.'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const input = c.req.valid('json')
      const workspace = c.get('workspace')
      let user = await deps.accounts.userByEmail(input.email)
      if (user === null) {
        if (input.password === undefined) {
          throw new SyncError(
            'invalid_input',
            'there is no user with this email: give a password to create one',
            {
              issues: [
                {
                  code: 'required',
                  severity: 'error',
                  message: 'is required for a new user',
                  path: ['password'],
                },
              ],
            },
          )
        }
        await deps.accounts.createUser({
          email: input.email,
          name: input.name ?? input.email,
          passwordHash: await hashPassword(input.password),
        })
        user = await deps.accounts.userByEmail(input.email)
      }
      if (user === null) throw new SyncError('internal', 'the new user is gone')
      await deps.accounts.addMember(workspace.id, user.id, input.role)
      await audited(
        deps,
        { workspaceId: workspace.id, actor: c.get('actor') },
        {
          action: 'member.added',
          entityType: 'member',
          entityId: user.id,
          details: { email: user.email, role: input.role },
        },
      )
      const member = {
        id: user.id,
        email: user.email,
        name: user.name,
        createdAt: user.createdAt,
        role: input.role,
      }
      return c.json({ member }, 201)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'delete',
        path: '/api/v1/workspaces/{workspaceId}/members/{userId}',
        tags,
        summary: 'Remove a member',
        description: 'Admins only; the last admin cannot leave.',
        request: { params: WorkspaceParams.extend({ userId: z.string() }) },
        responses: {
          204: { description: 'Removed.' },
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
          409: ERRORS[409],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const { userId } = c.req.valid('param')
      const members = await deps.accounts.members(workspace.id)
      const admins = members.filter((m) => m.role === 'admin')
      if (admins.length === 1 && admins[0]?.id === userId) {
        throw new SyncError('conflict', 'the last admin of a workspace cannot be removed')
      }
      await deps.accounts.removeMember(workspace.id, userId)
      return c.body(null, 204)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/tokens',
        tags: ['API tokens'],
        summary: 'API tokens of the workspace',
        description: 'Admins only. Only the first characters of each token are kept to show.',
        request: { params: WorkspaceParams },
        responses: {
          200: json(z.object({ tokens: z.array(ApiTokenSchema) }), 'Tokens.'),
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
        },
      }),
      { admin: true },
    ),
    async (c) => c.json({ tokens: await deps.accounts.apiTokens(c.get('workspace').id) }, 200),
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/tokens',
        tags: ['API tokens'],
        summary: 'Create an API token',
        description:
          'The token is in this response only (it is stored as a hash). Send it as `Authorization: Bearer hst_…`; it works in this workspace only. Admins only.',
        request: { params: WorkspaceParams, body: body(z.object({ name: Name })) },
        responses: {
          201: json(z.object({ token: z.string(), apiToken: ApiTokenSchema }), 'Created.'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const actor = c.get('actor')
      const made = newApiToken()
      const apiToken = await deps.accounts.createApiToken({
        workspaceId: workspace.id,
        name: c.req.valid('json').name,
        tokenHash: made.hash,
        prefix: made.prefix,
        createdBy: actor.kind === 'user' ? actor.user.id : null,
      })
      await audited(
        deps,
        { workspaceId: workspace.id, actor: actor },
        {
          action: 'token.created',
          entityType: 'token',
          entityId: apiToken.id,
          details: { name: apiToken.name },
        },
      )
      return c.json({ token: made.token, apiToken }, 201)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'delete',
        path: '/api/v1/workspaces/{workspaceId}/tokens/{tokenId}',
        tags: ['API tokens'],
        summary: 'Revoke an API token',
        request: { params: WorkspaceParams.extend({ tokenId: z.string() }) },
        responses: {
          204: { description: 'Revoked.' },
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
        },
      }),
      { admin: true },
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const { tokenId } = c.req.valid('param')
      // a revoked token is gone, as the scope says of one revoked before this request
      if (!(await deps.accounts.revokeApiToken(workspace.id, tokenId))) {
        throw new SyncError('not_found', `API token ${tokenId} not found`)
      }
      await audited(
        deps,
        { workspaceId: workspace.id, actor: c.get('actor') },
        {
          action: 'token.revoked',
          entityType: 'token',
          entityId: tokenId,
          details: {},
        },
      )
      return c.body(null, 204)
    },
  )
}
