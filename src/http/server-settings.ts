import { z } from 'zod'

import { optional, parseEnvironment } from '../config/env.ts'

/** How `serve` listens and who its first admin is, from the environment. */
export interface ServerSettings {
  /** `HOST`, default 127.0.0.1 (this machine only). */
  readonly host: string
  /** `PORT`, default 3000; 0 takes any free port. */
  readonly port: number
  /** `HRIS_SYNC_ADMIN_EMAIL` / `HRIS_SYNC_ADMIN_PASSWORD`: the first admin (see ensureFirstAdmin). */
  readonly adminEmail: string | null
  readonly adminPassword: string | null
  /** `HRIS_SYNC_TRUST_PROXY=true`: take the client address and https from a proxy in front. */
  readonly trustProxy: boolean
}

const Settings = z.object({
  HOST: optional(z.string().min(1)),
  PORT: optional(z.coerce.number().int().min(0).max(65535)),
  HRIS_SYNC_ADMIN_EMAIL: optional(z.email()),
  HRIS_SYNC_ADMIN_PASSWORD: optional(z.string().min(10, 'must be at least 10 characters')),
  HRIS_SYNC_TRUST_PROXY: optional(z.enum(['true', 'false', '1', '0'])),
})

/** The server's settings; an invalid one is named (never its value: it may be a password). */
export function loadServerSettings(env: NodeJS.ProcessEnv): ServerSettings {
  const e = parseEnvironment(Settings, env)
  return Object.freeze({
    host: e.HOST ?? '127.0.0.1',
    port: e.PORT ?? 3000,
    adminEmail: e.HRIS_SYNC_ADMIN_EMAIL ?? null,
    adminPassword: e.HRIS_SYNC_ADMIN_PASSWORD ?? null,
    trustProxy: e.HRIS_SYNC_TRUST_PROXY === 'true' || e.HRIS_SYNC_TRUST_PROXY === '1',
  })
}
