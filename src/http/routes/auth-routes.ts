import { createRoute, z } from '@hono/zod-openapi'
import type { OpenAPIHono } from '@hono/zod-openapi'

import type { SessionRecord, User } from '../../storage/store.ts'
import { ApiError } from '../api-error.ts'
import { endSession, hashPassword, sameOrigin, startSession, verifyUnderLimit } from '../auth.ts'
import type { Actor, AppEnv, HttpDeps } from '../http-deps.ts'
import { ERRORS, body, json } from '../responses.ts'
import { Credentials, Password, SessionSchema } from '../schemas.ts'
import { secureRoute } from '../secure-route.ts'

const userOf = (u: User): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  createdAt: u.createdAt,
})

async function sessionView(deps: HttpDeps, user: User, session: SessionRecord) {
  return {
    user: userOf(user),
    workspaces: (await deps.accounts.workspacesOf(user.id)).map((w) => ({ ...w })),
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
    confirmedAt: session.confirmedAt,
  }
}

/** The session of a signed-in browser; an API token has none. */
export function sessionOf(actor: Actor) {
  if (actor.kind !== 'user') {
    throw new ApiError('forbidden', 'this needs a signed-in user, not an API token')
  }
  return actor
}

/** Sign-in with a password, the session, giving the password again, changing it. */
export function authRoutes(app: OpenAPIHono<AppEnv>, deps: HttpDeps) {
  const now = deps.now ?? (() => new Date())
  const tags = ['Sign-in']

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      tags,
      summary: 'Sign in',
      description:
        'Checks the password (argon2id) and sets an HttpOnly session cookie. Five wrong passwords for one account from one address in 15 minutes make that pair wait (429, Retry-After).',
      security: [],
      request: { body: body(Credentials) },
      responses: {
        200: json(SessionSchema, 'Signed in: the session cookie is set.'),
        400: ERRORS[400],
        401: ERRORS[401],
        403: ERRORS[403],
        429: ERRORS[429],
      },
    }),
    async (c) => {
      // a page of another site must not sign a browser in to an account of its choosing
      if (!sameOrigin(c)) throw new ApiError('csrf_failed', 'sign in from the console itself')
      const { email, password } = c.req.valid('json')
      const key = `login:${email.trim().toLowerCase()}`
      const user = await deps.accounts.userByEmail(email)
      const ok = await verifyUnderLimit(c, deps, key, user?.passwordHash ?? null, password)
      if (!ok || user === null)
        throw new ApiError('unauthenticated', 'the email or password is wrong')
      const session = await startSession(c, deps, user)
      deps.logger.info({ user: user.id }, 'signed in')
      return c.json(await sessionView(deps, user, session), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/auth/session',
        tags,
        summary: 'The signed-in user, their workspaces and the CSRF token',
        responses: { 200: json(SessionSchema, 'The session.'), 401: ERRORS[401], 403: ERRORS[403] },
      }),
    ),
    async (c) => {
      const { user, session } = sessionOf(c.get('actor'))
      return c.json(await sessionView(deps, user, session), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/auth/logout',
        tags,
        summary: 'Sign out',
        responses: { 204: { description: 'Signed out.' }, 401: ERRORS[401], 403: ERRORS[403] },
      }),
    ),
    async (c) => {
      const { session } = sessionOf(c.get('actor'))
      await endSession(c, deps, session)
      return c.body(null, 204)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/auth/confirm',
        tags,
        summary: 'Give the password again',
        description:
          'Applying a plan needs the password to have been given in the last 5 minutes (at sign-in or here).',
        request: { body: body(z.object({ password: z.string().min(1).max(200) })) },
        responses: {
          200: json(z.object({ confirmedAt: z.string() }), 'Confirmed.'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          429: ERRORS[429],
        },
      }),
    ),
    async (c) => {
      const { user, session } = sessionOf(c.get('actor'))
      await confirm(c, deps, user, session, c.req.valid('json').password)
      return c.json({ confirmedAt: now().toISOString() }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'put',
        path: '/api/v1/auth/password',
        tags,
        summary: 'Change your password',
        description: 'Ends every other session of the user.',
        request: {
          body: body(z.object({ current: z.string().min(1).max(200), password: Password })),
        },
        responses: {
          204: { description: 'Changed.' },
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          429: ERRORS[429],
        },
      }),
    ),
    async (c) => {
      const { user, session } = sessionOf(c.get('actor'))
      const { current, password } = c.req.valid('json')
      await confirm(c, deps, user, session, current)
      await deps.accounts.setPassword(user.id, await hashPassword(password), session.id)
      return c.body(null, 204)
    },
  )
}

/** Checks the user's password (under the sign-in limits) and records that it was given now. */
export async function confirm(
  c: Parameters<typeof verifyUnderLimit>[0],
  deps: HttpDeps,
  user: User,
  session: SessionRecord,
  password: string,
): Promise<void> {
  const stored = await deps.accounts.passwordHash(user.id)
  const ok = await verifyUnderLimit(c, deps, `confirm:${user.id}`, stored, password)
  if (!ok) throw new ApiError('password_required', 'the password is wrong')
  await deps.accounts.touchSession(session.id, {
    confirmedAt: (deps.now ?? (() => new Date()))().toISOString(),
  })
}
