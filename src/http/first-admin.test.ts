import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { openStore } from '../../test/helpers/stores.ts'
import { SqlAccounts } from '../storage/sql-accounts.ts'
import type { SqlStore } from '../storage/sql-store.ts'
import { checkPassword } from './auth.ts'
import { ensureFirstAdmin } from './first-admin.ts'

describe('the first admin', () => {
  let opened: Awaited<ReturnType<typeof openStore>>
  let store: SqlStore
  let accounts: SqlAccounts
  const start = (password: string | null = null) =>
    ensureFirstAdmin({ accounts, store }, { email: null, password, workspace: 'default' })

  beforeAll(async () => {
    opened = await openStore('pglite')
    store = opened.store
    accounts = new SqlAccounts(store.db)
  })
  afterAll(async () => {
    await opened.close()
  })

  it('is made on the first start with a generated password, shown then and never again', async () => {
    const first = await start()
    expect(first).toMatchObject({ email: 'admin@example.com', created: true, fromEnv: false })
    const password = first.generatedPassword ?? ''
    expect(password).toMatch(/^[\w-]{20}$/)
    const user = await accounts.userByEmail('admin@example.com')
    if (!user) throw new Error('no admin')
    // stored as an argon2id hash that the password opens, never in clear
    const hash = (await accounts.passwordHash(user.id)) ?? ''
    expect(hash).toMatch(/^\$argon2id\$/)
    expect(hash).not.toContain(password)
    expect(await checkPassword(hash, password)).toBe(true)
    const workspace = await store.workspaceByName('default')
    expect(await accounts.role(workspace?.id ?? '', user.id)).toBe('admin')

    const second = await start()
    expect(second).toEqual({
      email: 'admin@example.com',
      created: false,
      generatedPassword: null,
      fromEnv: false,
    })
    expect(await accounts.countUsers()).toBe(1)
    expect(await checkPassword(await accounts.passwordHash(user.id), password)).toBe(true)
  })

  it('takes its password from the environment, a way back in; the same one again changes nothing', async () => {
    const set = await start('a password chosen by the operator')
    expect(set).toMatchObject({ created: false, generatedPassword: null, fromEnv: true })
    const user = await accounts.userByEmail('admin@example.com')
    if (!user) throw new Error('no admin')
    const hash = await accounts.passwordHash(user.id)
    expect(await checkPassword(hash, 'a password chosen by the operator')).toBe(true)
    const again = await start('a password chosen by the operator')
    expect(again).toMatchObject({ generatedPassword: null, fromEnv: true })
    // not hashed again: the sessions made with it stay
    expect(await accounts.passwordHash(user.id)).toBe(hash)
  })
})
