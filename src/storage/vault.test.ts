import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { SyncError } from '../core/errors.ts'
import {
  Vault,
  beginRotation,
  defaultKeyFile,
  generateKey,
  keyId,
  loadVault,
  parseKey,
} from './vault.ts'

let dir: string
let keyFile: string

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hris-sync-vault-'))
  keyFile = path.join(dir, 'config', 'hris-sync', 'secret.key')
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777

/** The error `fn` throws, which must be a SyncError. */
function thrown(fn: () => unknown): SyncError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SyncError)
    return error as SyncError
  }
  throw new Error('expected an error')
}

async function rejected(promise: Promise<unknown>): Promise<SyncError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SyncError)
  return error as SyncError
}

const spellings = (key: Buffer) => [
  key.toString('base64'),
  key.toString('base64url'),
  key.toString('hex'),
]

describe('keys', () => {
  it('generates 32 random bytes with a stable 16-hex-character id', () => {
    const a = generateKey()
    const b = generateKey()
    expect(a).toHaveLength(32)
    expect(a.equals(b)).toBe(false)
    expect(keyId(a)).toMatch(/^[0-9a-f]{16}$/)
    expect(keyId(Buffer.from(a))).toBe(keyId(a))
    expect(keyId(a)).not.toBe(keyId(b))
  })

  it('parses base64, base64url and hex, trimmed', () => {
    const key = generateKey()
    for (const text of spellings(key)) {
      expect(parseKey(`  ${text}\n`, 'X').equals(key)).toBe(true)
    }
    expect(parseKey(key.toString('base64').replace(/=$/, ''), 'X').equals(key)).toBe(true)
  })

  it('refuses anything else, naming the source and never echoing the value', () => {
    const key = generateKey()
    const bad = [
      '',
      'hunter2',
      key.subarray(0, 31).toString('base64'),
      key.toString('hex').slice(0, 62),
      `${key.toString('hex')}00`,
      `${key.toString('base64')}AAAA`,
      key.toString('base64').replace(/^./, '!'),
    ]
    for (const text of bad) {
      const error = thrown(() => parseKey(text, 'HRIS_SYNC_SECRET_KEY'))
      expect(error.code).toBe('invalid_config')
      expect(error.message).toBe('HRIS_SYNC_SECRET_KEY must be 32 bytes as base64 or hex')
    }
  })
})

describe('Vault', () => {
  const vault = new Vault(generateKey())

  it('round-trips unicode and the empty string', () => {
    for (const secret of ['päßwörd 🔑 日本語 \u0000 "quoted"', '']) {
      const sealed = vault.seal(secret, 'conn_1')
      expect(sealed).toMatch(/^hsv1:[0-9a-f]{16}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/)
      expect(sealed.split(':')[1]).toBe(vault.keyId)
      expect(vault.open(sealed, 'conn_1')).toBe(secret)
    }
  })

  it('uses a fresh nonce for every seal', () => {
    const a = vault.seal('same', 'conn_1')
    const b = vault.seal('same', 'conn_1')
    expect(a).not.toBe(b)
    expect(a.split(':')[2]).not.toBe(b.split(':')[2])
    expect(vault.open(a, 'conn_1')).toBe(vault.open(b, 'conn_1'))
  })

  it('does not open a value under another context', () => {
    const sealed = vault.seal('client-secret', 'conn_1')
    const error = thrown(() => vault.open(sealed, 'conn_2'))
    expect(error.code).toBe('internal')
    expect(error.message).toContain('cannot be decrypted: it was altered, or it belongs to')
    expect(error.message).not.toContain('client-secret')
  })

  it('refuses a tampered ciphertext, nonce or tag with a clear message', () => {
    const sealed = vault.seal('client-secret', 'conn_1')
    const [version, id, nonce = '', body = ''] = sealed.split(':')
    const flip = (text: string, at: number) => {
      const buf = Buffer.from(text, 'base64url')
      buf[at] = (buf[at] ?? 0) ^ 1
      return buf.toString('base64url')
    }
    const tampered = [
      [version, id, nonce, flip(body, 0)],
      [version, id, nonce, flip(body, Buffer.from(body, 'base64url').length - 1)],
      [version, id, flip(nonce, 3), body],
    ]
    for (const parts of tampered) {
      const error = thrown(() => vault.open(parts.join(':'), 'conn_1'))
      expect(error.message).toContain(
        'cannot be decrypted: it was altered, or it belongs to another connection',
      )
    }
  })

  it('names both key ids when sealed by a key that is not loaded, and no secret', () => {
    const oldKey = generateKey()
    const newKey = generateKey()
    const sealed = new Vault(oldKey).seal('client-secret', 'conn_1')
    const error = thrown(() => new Vault(newKey).open(sealed, 'conn_1'))
    expect(error.code).toBe('invalid_config')
    expect(error.message).toBe(
      `this secret was sealed with key ${keyId(oldKey)}, but the loaded key is ${keyId(newKey)}: ` +
        'set HRIS_SYNC_SECRET_KEY or the key file to the key it was sealed with',
    )
    for (const text of ['client-secret', ...spellings(oldKey), ...spellings(newKey)]) {
      expect(error.message).not.toContain(text)
    }
  })

  it('refuses malformed values and unknown versions as internal errors', () => {
    const sealed = vault.seal('x', 'c')
    const bad = [
      '',
      'plain text password',
      sealed.replace(/^hsv1/, 'hsv2'),
      sealed.slice(0, -40),
      `${sealed}:extra`,
      sealed.replace(/:[^:]+:/, ':zz:'),
      'hsv1:0123456789abcdef:AAAA:AAAA',
    ]
    for (const text of bad) {
      const error = thrown(() => vault.open(text, 'c'))
      expect(error.code).toBe('internal')
      expect(error.message).toMatch(/unknown (format|version hsv2)|malformed|cannot be decrypted/)
    }
    expect(thrown(() => vault.open(sealed.replace(/^hsv1/, 'hsv2'), 'c')).message).toContain(
      'unknown version hsv2',
    )
  })

  it('opens with extra keys, seals with the current one; reseal moves to it', () => {
    const oldKey = generateKey()
    const old = new Vault(oldKey).seal('client-secret', 'conn_1')
    const ring = new Vault(generateKey(), [oldKey])
    expect(ring.keyIds).toEqual([ring.keyId, keyId(oldKey)])
    expect(ring.open(old, 'conn_1')).toBe('client-secret')
    const moved = ring.reseal(old, 'conn_1')
    expect(moved.split(':')[1]).toBe(ring.keyId)
    expect(ring.open(moved, 'conn_1')).toBe('client-secret')
    expect(ring.reseal(moved, 'conn_1')).toBe(moved)
  })

  it('refuses a key of the wrong length', () => {
    expect(thrown(() => new Vault(Buffer.alloc(16))).code).toBe('invalid_config')
  })
})

describe('loadVault', () => {
  it('creates the key file 0600 (folder 0700) on first run, reuses it next', async () => {
    const first = await loadVault({ envKey: undefined, keyFile, create: true })
    expect(await mode(keyFile)).toBe(0o600)
    expect(await mode(path.dirname(keyFile))).toBe(0o700)
    expect(keyId(parseKey(await fs.readFile(keyFile, 'utf8'), 'file'))).toBe(first.keyId)
    const sealed = first.seal('client-secret', 'conn_1')
    const second = await loadVault({ envKey: undefined, keyFile, create: true })
    expect(second.keyId).toBe(first.keyId)
    expect(second.open(sealed, 'conn_1')).toBe('client-secret')
    expect(await fs.readdir(path.dirname(keyFile))).toEqual(['secret.key'])
  })

  it('does not create a key file when told not to', async () => {
    const error = await rejected(loadVault({ envKey: undefined, keyFile, create: false }))
    expect(error.code).toBe('invalid_config')
    expect(error.message).toContain(keyFile)
    await expect(fs.access(keyFile)).rejects.toThrow()
  })

  it('refuses a key file others can read, telling to chmod 600', async () => {
    const key = generateKey()
    await fs.writeFile(path.join(dir, 'open.key'), key.toString('hex'))
    await fs.chmod(path.join(dir, 'open.key'), 0o644)
    const file = path.join(dir, 'open.key')
    const error = await rejected(loadVault({ envKey: undefined, keyFile: file, create: true }))
    expect(error.code).toBe('invalid_config')
    expect(error.message).toContain(`chmod 600 ${file}`)
    for (const text of spellings(key)) expect(error.message).not.toContain(text)
    await fs.chmod(file, 0o600)
    const vault = await loadVault({ envKey: undefined, keyFile: file, create: true })
    expect(vault.keyId).toBe(keyId(key))
  })

  it('refuses a key file whose content is not a key', async () => {
    const file = path.join(dir, 'bad.key')
    await fs.writeFile(file, 'not a key at all', { mode: 0o600 })
    const error = await rejected(loadVault({ envKey: undefined, keyFile: file, create: true }))
    expect(error.code).toBe('invalid_config')
    expect(error.message).toBe(`the key file ${file} must be 32 bytes as base64 or hex`)
  })

  it('ends with one key when several processes start at once on a missing file', async () => {
    const vaults = await Promise.all(
      Array.from({ length: 8 }, () => loadVault({ envKey: undefined, keyFile, create: true })),
    )
    const ids = new Set(vaults.map((v) => v.keyId))
    expect(ids.size).toBe(1)
    const onDisk = keyId(parseKey(await fs.readFile(keyFile, 'utf8'), 'file'))
    expect(ids).toEqual(new Set([onDisk]))
    // no temp file is left behind
    expect(await fs.readdir(path.dirname(keyFile))).toEqual(['secret.key'])
  })

  it('uses the env key when set and neither reads nor creates the key file', async () => {
    const key = generateKey()
    const vault = await loadVault({ envKey: key.toString('base64'), keyFile, create: true })
    expect(vault.keyId).toBe(keyId(key))
    await expect(fs.access(path.dirname(keyFile))).rejects.toThrow()
  })

  it('refuses an invalid env key without echoing it', async () => {
    const envKey = 'correct-horse-battery-staple'
    const error = await rejected(loadVault({ envKey, keyFile, create: true }))
    expect(error.code).toBe('invalid_config')
    expect(error.message).toBe('HRIS_SYNC_SECRET_KEY must be 32 bytes as base64 or hex')
    expect(error.message).not.toContain(envKey)
    await expect(fs.access(path.dirname(keyFile))).rejects.toThrow()
  })
})

describe('key rotation', () => {
  it('re-encrypts under a new key file that takes effect only on commit', async () => {
    const before = await loadVault({ envKey: undefined, keyFile, create: true })
    const stored = new Map([
      ['conn_1', before.seal('secret one', 'conn_1')],
      ['conn_2', before.seal('secret two', 'conn_2')],
    ])

    const { next, commit } = await beginRotation({ envKey: undefined, keyFile })
    expect(next.keyId).not.toBe(before.keyId)
    expect(await mode(`${keyFile}.next`)).toBe(0o600)
    for (const [id, sealed] of stored) stored.set(id, next.reseal(sealed, id))

    const uncommitted = await loadVault({ envKey: undefined, keyFile, create: true })
    expect(uncommitted.keyId).toBe(before.keyId)

    await commit()
    expect(await fs.readdir(path.dirname(keyFile))).toEqual(['secret.key'])
    expect(await mode(keyFile)).toBe(0o600)
    const after = await loadVault({ envKey: undefined, keyFile, create: true })
    expect(after.keyId).toBe(next.keyId)
    expect(after.keyIds).toEqual([next.keyId])
    expect(after.open(stored.get('conn_1') ?? '', 'conn_1')).toBe('secret one')
    expect(after.open(stored.get('conn_2') ?? '', 'conn_2')).toBe('secret two')
    // the old key is gone: a value it sealed (a stale backup) no longer opens
    expect(thrown(() => after.open(before.seal('s', 'c'), 'c')).message).toContain(
      `this secret was sealed with key ${before.keyId}`,
    )
    // a second commit finds the work done
    await commit()
    expect(await fs.readdir(path.dirname(keyFile))).toEqual(['secret.key'])
  })

  it('reads old and new ciphertexts after a crash before commit, and resumes', async () => {
    const before = await loadVault({ envKey: undefined, keyFile, create: true })
    const old = before.seal('secret one', 'conn_1')
    const { next } = await beginRotation({ envKey: undefined, keyFile })
    const resealed = next.reseal(before.seal('secret two', 'conn_2'), 'conn_2')
    // crash: commit() never runs, <keyFile>.next stays

    const restarted = await loadVault({ envKey: undefined, keyFile, create: true })
    expect(restarted.keyId).toBe(before.keyId)
    expect(restarted.open(old, 'conn_1')).toBe('secret one')
    expect(restarted.open(resealed, 'conn_2')).toBe('secret two')

    const again = await beginRotation({ envKey: undefined, keyFile })
    expect(again.next.keyId).toBe(next.keyId)
    expect(again.next.reseal(resealed, 'conn_2')).toBe(resealed)
    const moved = again.next.reseal(old, 'conn_1')
    await again.commit()
    const after = await loadVault({ envKey: undefined, keyFile, create: true })
    expect(after.open(moved, 'conn_1')).toBe('secret one')
    expect(after.open(resealed, 'conn_2')).toBe('secret two')
  })

  it('refuses to rotate a key file that does not exist', async () => {
    const error = await rejected(beginRotation({ envKey: undefined, keyFile }))
    expect(error.code).toBe('invalid_config')
    await expect(fs.access(`${keyFile}.next`)).rejects.toThrow()
  })

  it('rotates an env key to HRIS_SYNC_NEW_SECRET_KEY and writes no file', async () => {
    const oldKey = generateKey()
    const newKey = generateKey()
    const sealed = new Vault(oldKey).seal('client-secret', 'conn_1')
    const { next, commit } = await beginRotation({
      envKey: oldKey.toString('hex'),
      keyFile,
      newEnvKey: newKey.toString('base64url'),
    })
    expect(next.keyId).toBe(keyId(newKey))
    const moved = next.reseal(sealed, 'conn_1')
    await commit()
    const after = await loadVault({ envKey: newKey.toString('base64'), keyFile, create: true })
    expect(after.open(moved, 'conn_1')).toBe('client-secret')
    await expect(fs.access(path.dirname(keyFile))).rejects.toThrow()
  })

  it('asks for HRIS_SYNC_NEW_SECRET_KEY when rotating an env key without it', async () => {
    const error = await rejected(beginRotation({ envKey: generateKey().toString('hex'), keyFile }))
    expect(error.code).toBe('invalid_config')
    expect(error.message).toBe(
      'set HRIS_SYNC_NEW_SECRET_KEY to the new key; ' +
        'after the rotation, set HRIS_SYNC_SECRET_KEY to it',
    )
  })

  it('refuses a new env key equal to the current one', async () => {
    const key = generateKey()
    const error = await rejected(
      beginRotation({ envKey: key.toString('hex'), keyFile, newEnvKey: key.toString('base64') }),
    )
    expect(error.code).toBe('invalid_config')
  })
})

describe('defaultKeyFile', () => {
  it('prefers XDG_CONFIG_HOME, then HOME/.config, never a relative folder', () => {
    expect(defaultKeyFile({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/a' })).toBe(
      '/xdg/hris-sync/secret.key',
    )
    expect(defaultKeyFile({ HOME: '/home/a' })).toBe('/home/a/.config/hris-sync/secret.key')
    expect(defaultKeyFile({ XDG_CONFIG_HOME: 'rel', HOME: '/home/a' })).toBe(
      '/home/a/.config/hris-sync/secret.key',
    )
    expect(thrown(() => defaultKeyFile({})).code).toBe('invalid_config')
  })
})
