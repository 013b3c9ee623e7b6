import { randomBytes } from 'node:crypto'

import type { AccountStore, Store } from '../storage/store.ts'
import { checkPassword, hashPassword } from './auth.ts'

export const DEFAULT_ADMIN_EMAIL = 'admin@example.com'

/** What `ensureFirstAdmin` did: `password` is set only when it was made here (to show once). */
export interface FirstAdmin {
  readonly email: string
  readonly created: boolean
  /** A password generated for a new admin: to be printed once, never stored in clear. */
  readonly generatedPassword: string | null
  /** The admin's password was set from the environment. */
  readonly fromEnv: boolean
}

/**
 * A server with no user gets its first admin, a member of `workspace`: with the email and
 * password given (the environment), or a generated password. Later starts leave users alone,
 * unless a password is given: then that admin's password is set to it (a way back in).
 */
export async function ensureFirstAdmin(
  deps: { readonly accounts: AccountStore; readonly store: Store },
  options: { email: string | null; password: string | null; workspace: string },
): Promise<FirstAdmin> {
  const email = (options.email ?? DEFAULT_ADMIN_EMAIL).trim().toLowerCase()
  const workspace = await deps.store.ensureWorkspace(options.workspace)
  const existing = await deps.accounts.userByEmail(email)
  if ((await deps.accounts.countUsers()) > 0 && (existing === null || options.password === null)) {
    return { email, created: false, generatedPassword: null, fromEnv: false }
  }
  if (existing !== null && options.password !== null) {
    // already that password: its sessions stay (setting it again would end them)
    if (await checkPassword(existing.passwordHash, options.password)) {
      await deps.accounts.addMember(workspace.id, existing.id, 'admin')
      return { email, created: false, generatedPassword: null, fromEnv: true }
    }
  }
  const generated = options.password === null ? randomBytes(15).toString('base64url') : null
  const password = options.password ?? generated ?? ''
  const passwordHash = await hashPassword(password)
  if (existing) await deps.accounts.setPassword(existing.id, passwordHash)
  const user = existing ?? (await deps.accounts.createUser({ email, name: 'Admin', passwordHash }))
  await deps.accounts.addMember(workspace.id, user.id, 'admin')
  return {
    email,
    created: existing === null,
    generatedPassword: generated,
    fromEnv: generated === null,
  }
}
