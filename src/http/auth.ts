import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

import { hash, verify } from '@node-rs/argon2'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

import type { MemberRole, SessionRecord, User } from '../storage/store.ts'
import { ApiError } from './api-error.ts'
import type { Actor, AppEnv, HttpDeps } from './http-deps.ts'

/** A session ends after 12 hours without a request, and 7 days after sign-in in any case. */
export const SESSION_IDLE_MS = 12 * 3600_000
export const SESSION_MAX_MS = 7 * 86_400_000
/** An apply asks for the password again when it was last given longer ago than this. */
export const CONFIRM_MS = 5 * 60_000
/** Failed sign-ins of one account from one address, counted over a sliding window. */
export const LOGIN_WINDOW_MS = 15 * 60_000
export const LOGIN_MAX_FAILURES = 5
/**
 * Failed sign-ins from one address, whatever the accounts, in the same window: one address
 * cannot try many emails (each costs the server an argon2 hash) nor guess across accounts.
 */
export const LOGIN_MAX_FAILURES_PER_ADDRESS = 20

export const TOKEN_PREFIX = 'hst_'

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url')
const randomToken = () => randomBytes(32).toString('base64url')

/** argon2id (the library's default algorithm) with its default cost: 19 MiB, 2 passes. */
export const hashPassword = (password: string) => hash(password)

let dummy: Promise<string> | null = null
/**
 * Checks a password; with no hash (no such user) a hash is checked all the same, so an unknown
 * email takes as long as a wrong password and does not tell who has an account.
 */
export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  dummy ??= hash(randomToken())
  const against = stored ?? (await dummy)
  const matches = await verify(against, password).catch(() => false)
  return stored !== null && matches
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const cookieName = (secure: boolean) => (secure ? '__Host-hris_session' : 'hris_session')

function isSecure(c: Context, deps: HttpDeps): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true
  return deps.trustProxy === true && c.req.header('x-forwarded-proto') === 'https'
}

export function clientIp(c: Context, deps: HttpDeps): string | null {
  if (deps.trustProxy === true) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  return deps.clientIp?.(c) ?? null
}

/**
 * A request from a page of another site is refused: its Origin (or, without one, its
 * Sec-Fetch-Site) must be this server. Browsers send one of the two on every POST.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin')
  if (origin !== undefined) return origin === new URL(c.req.url).origin
  const site = c.req.header('sec-fetch-site')
  return site === undefined || site === 'same-origin' || site === 'none'
}

const equal = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Who is calling: an `Authorization: Bearer` API token, else the session cookie. A session's
 * request that changes something must come from this site (Origin) and carry the session's CSRF
 * token in `X-CSRF-Token` (a page of another site can send the cookie, never read the token).
 * A Bearer token is never sent by a browser on its own, so it needs neither.
 */
export function authenticate(deps: HttpDeps): MiddlewareHandler<AppEnv> {
  const now = deps.now ?? (() => new Date())
  return async (c, next) => {
    const header = c.req.header('authorization')
    if (header !== undefined) {
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
      if (token === undefined || !token.startsWith(TOKEN_PREFIX)) {
        throw new ApiError('unauthenticated', 'the Authorization header must be "Bearer hst_…"')
      }
      const found = await deps.accounts.useApiToken(sha256(token), now().toISOString())
      if (!found) throw new ApiError('unauthenticated', 'this API token is not valid')
      c.set('actor', { kind: 'token', token: found })
      return next()
    }
    const cookie = getCookie(c, cookieName(isSecure(c, deps)))
    const session =
      cookie === undefined ? null : await deps.accounts.session(sha256(cookie), now().toISOString())
    const user = session === null ? null : await deps.accounts.user(session.userId)
    if (session === null || user === null) {
      throw new ApiError('unauthenticated', 'sign in first')
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const given = c.req.header('x-csrf-token')
      if (!sameOrigin(c) || given === undefined || !equal(given, session.csrfToken)) {
        throw new ApiError(
          'csrf_failed',
          'this request did not come from the console: reload the page and try again',
        )
      }
    }
    // slide the idle timeout, at most once a minute (a write per request is wasted)
    const at = now().getTime()
    const expiresAt = Math.min(at + SESSION_IDLE_MS, Date.parse(session.createdAt) + SESSION_MAX_MS)
    if (expiresAt - Date.parse(session.expiresAt) > 60_000) {
      await deps.accounts.touchSession(session.id, {
        expiresAt: new Date(expiresAt).toISOString(),
      })
    }
    c.set('actor', { kind: 'user', user, session })
    return next()
  }
}

/**
 * Sign-in limits: after `max` failures under `key` in `LOGIN_WINDOW_MS`, it is refused until the
 * oldest failure leaves the window.
 */
async function limited(deps: HttpDeps, key: string, at: Date, max: number, who: string) {
  const since = new Date(at.getTime() - LOGIN_WINDOW_MS).toISOString()
  const { count, oldest } = await deps.accounts.loginFailures(key, since)
  if (count < max || oldest === null) return
  const wait = Math.max(1, Math.ceil((Date.parse(oldest) + LOGIN_WINDOW_MS - at.getTime()) / 1000))
  throw new ApiError(
    'too_many_attempts',
    `too many wrong passwords${who}: try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}`,
    { retryAfter: wait },
  )
}

/**
 * Checks a password under the limits, counting a failure, before any hash is computed. Two
 * limits: the account and the address (someone guessing one account from one place is stopped
 * without locking its owner out everywhere else), and the address alone (one place trying many
 * accounts). A success clears the first only: signing in to an account of one's own does not
 * buy more guesses at others. An address the transport cannot tell has the first limit only.
 */
export async function verifyUnderLimit(
  c: Context,
  deps: HttpDeps,
  what: string,
  stored: string | null,
  password: string,
): Promise<boolean> {
  const at = (deps.now ?? (() => new Date()))()
  const ip = clientIp(c, deps)
  const key = `${what}|${ip ?? 'unknown'}`
  const address = ip === null ? null : `address|${ip}`
  if (address !== null) {
    await limited(deps, address, at, LOGIN_MAX_FAILURES_PER_ADDRESS, ' from this address')
  }
  await limited(deps, key, at, LOGIN_MAX_FAILURES, '')
  const ok = await checkPassword(stored, password)
  if (ok) {
    await deps.accounts.clearLoginFailures(key)
  } else {
    await deps.accounts.recordLoginFailure(key, at.toISOString())
    if (address !== null) await deps.accounts.recordLoginFailure(address, at.toISOString())
  }
  return ok
}

/** Starts a session for the user and sets its cookie (HttpOnly, SameSite=Lax, Secure on https). */
export async function startSession(c: Context, deps: HttpDeps, user: User): Promise<SessionRecord> {
  const now = (deps.now ?? (() => new Date()))()
  const token = randomToken()
  const session = await deps.accounts.createSession({
    id: sha256(token),
    userId: user.id,
    csrfToken: randomToken(),
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS).toISOString(),
    // signing in is giving the password
    confirmedAt: now.toISOString(),
    ip: clientIp(c, deps),
    userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null,
  })
  const secure = isSecure(c, deps)
  setCookie(c, cookieName(secure), token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: '/',
    maxAge: Math.floor(SESSION_MAX_MS / 1000),
  })
  return session
}

export async function endSession(c: Context, deps: HttpDeps, session: SessionRecord) {
  await deps.accounts.deleteSession(session.id)
  const secure = isSecure(c, deps)
  deleteCookie(c, cookieName(secure), { path: '/', secure })
}

/** A new API token: the token (shown once) and what is stored of it. */
export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = `${TOKEN_PREFIX}${randomToken()}`
  return { token, hash: sha256(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) }
}

/**
 * Approving a plan the guard holds is a person's decision: a signed-in admin of the workspace
 * (who, like anyone applying, gave their password in the last 5 minutes). An API token never
 * approves: a script that could would make the guard a formality.
 */
export function requireApprover(actor: Actor, role: MemberRole): void {
  if (actor.kind === 'token') {
    throw new ApiError(
      'forbidden',
      'an API token cannot approve a plan: a signed-in admin approves it in the console, with their password',
    )
  }
  if (role !== 'admin') {
    throw new ApiError('forbidden', 'only an admin of this workspace can approve a plan')
  }
}

/** Whether the session gave the password recently enough to apply a plan. */
export function recentlyConfirmed(session: SessionRecord, now: Date): boolean {
  return (
    session.confirmedAt !== null && now.getTime() - Date.parse(session.confirmedAt) <= CONFIRM_MS
  )
}
