import { isAbsolute, join } from 'node:path'

import { z } from 'zod'

import { SyncError, formatPath, issuesFromZod } from '../core/errors.ts'
import { ALLOW_PRIVATE_WEBHOOKS } from '../core/net/webhook-url.ts'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** The settings a process reads from its environment, parsed once at start-up. */
export interface Env {
  /** Where the embedded database and local state live (`HRIS_SYNC_DATA_DIR`, default `./.hris-sync`). */
  readonly dataDir: string
  /** A `postgres://` URL (`DATABASE_URL`); null: the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | null
  /** The key that encrypts stored credentials (`HRIS_SYNC_SECRET_KEY`): 32 bytes, base64 or hex. */
  readonly secretKey: string | null
  /** The key credentials are re-encrypted with during a rotation (`HRIS_SYNC_NEW_SECRET_KEY`). */
  readonly newSecretKey: string | null
  /**
   * Where the key is kept when it is not in the environment (`HRIS_SYNC_KEY_FILE`, default
   * `$XDG_CONFIG_HOME/hris-sync/secret.key`, else `$HOME/.config/hris-sync/secret.key`); null
   * when neither variable is set.
   */
  readonly keyFile: string | null
  /** `HRIS_SYNC_LOG_LEVEL`, default `info`. */
  readonly logLevel: LogLevel
  /**
   * `HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE=true`: webhooks may be http:// and go to loopback, private,
   * link-local… addresses (self-hosting beside the receiver); `false`: https:// to public
   * addresses only. Null when unset: `serve` and `worker` refuse them, the sandbox of `npm start`
   * (a local playground) allows them.
   */
  readonly allowPrivateWebhooks: boolean | null
}

// VAR= is how a compose file or a shell leaves a variable unset
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const KEY_HELP =
  'must be 32 random bytes, base64 or hex (e.g. the output of openssl rand -base64 32)'

/** 32 bytes as base64 (padded or url-safe) or as 64 hex digits. */
export function isSecretKey(text: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return true
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return false
  return Buffer.from(text, 'base64').length === 32
}

const SecretKey = optional(z.string().refine(isSecretKey, { message: KEY_HELP }))

const PostgresUrl = z.string().refine(
  (text) => {
    try {
      const url = new URL(text)
      return url.protocol === 'postgres:' || url.protocol === 'postgresql:'
    } catch {
      return false
    }
  },
  { message: 'must be a postgres:// or postgresql:// URL' },
)

const EnvSchema = z
  .object({
    HRIS_SYNC_DATA_DIR: optional(z.string()),
    DATABASE_URL: optional(PostgresUrl),
    HRIS_SYNC_SECRET_KEY: SecretKey,
    HRIS_SYNC_NEW_SECRET_KEY: SecretKey,
    HRIS_SYNC_KEY_FILE: optional(z.string()),
    HRIS_SYNC_LOG_LEVEL: optional(
      z.preprocess(
        (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
        z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
      ),
    ),
    [ALLOW_PRIVATE_WEBHOOKS]: optional(
      z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }),
    ),
    XDG_CONFIG_HOME: optional(z.string()),
    HOME: optional(z.string()),
  })
  .superRefine((env, ctx) => {
    const { HRIS_SYNC_SECRET_KEY: current, HRIS_SYNC_NEW_SECRET_KEY: next } = env
    if (current !== undefined && current === next) {
      ctx.addIssue({
        code: 'custom',
        path: ['HRIS_SYNC_NEW_SECRET_KEY'],
        message: 'is the same as HRIS_SYNC_SECRET_KEY: a rotation needs a new key',
      })
    }
  })

const flag = (v: 'true' | 'false' | '1' | '0' | undefined) =>
  v === undefined ? null : v === 'true' || v === '1'

function defaultKeyFile(xdg: string | undefined, home: string | undefined): string | null {
  // the XDG spec ignores a relative XDG_CONFIG_HOME
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'hris-sync', 'secret.key')
  if (home !== undefined) return join(home, '.config', 'hris-sync', 'secret.key')
  return null
}

/**
 * The process's settings from `env`, frozen. An invalid value throws a
 * `SyncError('invalid_config')` that names every variable at fault; no message repeats a value
 * (a URL or a key is a secret). Empty variables count as unset.
 */
export function loadEnv(env: NodeJS.ProcessEnv): Env {
  const e = parseEnvironment(EnvSchema, env)
  return Object.freeze({
    dataDir: e.HRIS_SYNC_DATA_DIR ?? './.hris-sync',
    databaseUrl: e.DATABASE_URL ?? null,
    secretKey: e.HRIS_SYNC_SECRET_KEY ?? null,
    newSecretKey: e.HRIS_SYNC_NEW_SECRET_KEY ?? null,
    keyFile: e.HRIS_SYNC_KEY_FILE ?? defaultKeyFile(e.XDG_CONFIG_HOME, e.HOME),
    logLevel: e.HRIS_SYNC_LOG_LEVEL ?? 'info',
    allowPrivateWebhooks: flag(e[ALLOW_PRIVATE_WEBHOOKS]),
  })
}

/**
 * `env` parsed by `schema`; when it does not hold, a `SyncError('invalid_config')` naming every
 * variable at fault and never a value (the Zod error is not attached: it could hold them).
 */
export function parseEnvironment<T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv): T {
  const parsed = schema.safeParse(env)
  if (parsed.success) return parsed.data
  const issues = issuesFromZod(parsed.error).map((i) => ({
    ...i,
    message: `${formatPath(i.path)} ${i.message}`,
  }))
  throw new SyncError(
    'invalid_config',
    `invalid environment: ${issues.map((i) => i.message).join('; ')}`,
    { issues },
  )
}
