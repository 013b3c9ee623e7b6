import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startSandbox } from './console-sandbox.ts'
import { userEnv } from './run-cli.ts'

/** Signs in at the console's API as a browser would; the answer's status. */
async function signIn(url: string, email: string, password: string): Promise<number> {
  const answer = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password }),
  })
  return answer.status
}

// npm start on a new machine: the first admin is made and its password printed once; the next
// start prints none, and the password still signs in
describe('npm start: the first admin', { timeout: 120_000 }, () => {
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-first-admin-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('prints a generated password on the first start only', async () => {
    // no password in the environment: one is generated
    const env = userEnv(dir)
    delete env['HRIS_SYNC_ADMIN_PASSWORD']
    delete env['HRIS_SYNC_ADMIN_EMAIL']

    const first = await startSandbox(dir, env)
    const said = first.said()
    const password =
      /Sign in as admin@example\.com, password (\S+)\n\s+\(shown this once/.exec(said)?.[1] ?? ''
    try {
      expect(password, said).toMatch(/^[\w-]{20}$/)
      // printed that once, and nowhere else
      expect(said.split(password)).toHaveLength(2)
      expect(await signIn(first.consoleUrl ?? '', 'admin@example.com', password)).toBe(200)
    } finally {
      await first.stop()
    }

    const second = await startSandbox(dir, env)
    try {
      const again = second.said()
      expect(again).not.toContain(password)
      expect(again).not.toMatch(/password \S+\n\s+\(shown this once/)
      expect(again).toContain(
        'Sign in as admin@example.com (its password was shown on the first start',
      )
      expect(await signIn(second.consoleUrl ?? '', 'admin@example.com', password)).toBe(200)
    } finally {
      await second.stop()
    }
  })
})
