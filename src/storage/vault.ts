import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import fs, { type FileHandle } from 'node:fs/promises'
import path from 'node:path'

import { SyncError } from '../core/errors.ts'

const VERSION = 'hsv1'
const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16
const ENV_KEY = 'HRIS_SYNC_SECRET_KEY'
const NEW_ENV_KEY = 'HRIS_SYNC_NEW_SECRET_KEY'

/** A fresh random 32-byte AES-256 key. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES)
}

/**
 * A stable name for a key, safe to store and show: the first 8 bytes of sha256(key) as 16 hex
 * characters.
 */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest().subarray(0, 8).toString('hex')
}

/**
 * Reads a 32-byte key written as base64 or base64url (43–44 characters) or hex (64 characters),
 * surrounding whitespace ignored. Throws `SyncError('invalid_config')` naming `source` (an env
 * variable or a file), never the value.
 */
export function parseKey(text: string, source: string): Buffer {
  const value = text.trim()
  let key: Buffer | undefined
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex')
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) key = Buffer.from(value, 'base64')
  if (key?.length !== KEY_BYTES) {
    throw new SyncError('invalid_config', `${source} must be 32 bytes as base64 or hex`)
  }
  return key
}

function checkKeyLength(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new SyncError('invalid_config', `a secret key must be ${KEY_BYTES} bytes`)
  }
}

function decode(text: string, bytes?: number): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  const buf = Buffer.from(text, 'base64url')
  // reject non-canonical spellings, so one sealed value has exactly one text form
  if (buf.toString('base64url') !== text) return undefined
  return bytes === undefined || buf.length === bytes ? buf : undefined
}

interface Sealed {
  readonly keyId: string
  readonly nonce: Buffer
  readonly body: Buffer
}

function parseSealed(sealed: string): Sealed {
  const parts = sealed.split(':')
  const [version, id, nonceText, bodyText] = parts
  if (version !== VERSION) {
    const what = /^hsv\d+$/.test(version ?? '') ? `version ${version ?? ''}` : 'format'
    throw new SyncError(
      'internal',
      `a stored secret has an unknown ${what}: expected ${VERSION}:<key id>:<nonce>:<ciphertext>`,
    )
  }
  const nonce = decode(nonceText ?? '', NONCE_BYTES)
  const body = decode(bodyText ?? '')
  if (
    parts.length !== 4 ||
    id === undefined ||
    !/^[0-9a-f]{16}$/.test(id) ||
    nonce === undefined ||
    body === undefined ||
    body.length < TAG_BYTES
  ) {
    throw new SyncError(
      'internal',
      `a stored secret is malformed: expected ${VERSION}:<key id>:<nonce>:<ciphertext>`,
    )
  }
  return { keyId: id, nonce, body }
}

// the version is part of the authenticated data, so a later format can never be confused with it
const aad = (context: string) => Buffer.from(`${VERSION}\u0000${context}`, 'utf8')

/**
 * A keyring for connection secrets: AES-256-GCM with a fresh 12-byte nonce per value and the
 * key id stored beside each ciphertext. The *current* key seals; extra keys only open (the old
 * key during a rotation, or a pending `<keyFile>.next`). Keys are never exposed.
 *
 * Sealed values look like `hsv1:<keyId>:<nonce base64url>:<ciphertext+tag base64url>` and fit a
 * text column. `context` (the connection id) is authenticated data: a value copied to another
 * connection does not open.
 */
export class Vault {
  readonly #current: string
  readonly #keys: ReadonlyMap<string, Buffer>

  /** @param current the key that seals; @param extra keys that only open. All 32 bytes. */
  constructor(current: Buffer, extra: readonly Buffer[] = []) {
    const keys = new Map<string, Buffer>()
    for (const key of [current, ...extra]) {
      checkKeyLength(key)
      keys.set(keyId(key), Buffer.from(key))
    }
    this.#current = keyId(current)
    this.#keys = keys
  }

  /** The id of the current (sealing) key. */
  get keyId(): string {
    return this.#current
  }

  /** The ids of every loaded key, the current one first. */
  get keyIds(): readonly string[] {
    return [...this.#keys.keys()]
  }

  /** Encrypts `plaintext` with the current key, bound to `context`; never the same text twice. */
  seal(plaintext: string, context: string): string {
    const key = this.#keys.get(this.#current)
    if (key === undefined) throw new SyncError('internal', 'the current key is not loaded')
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(aad(context))
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ])
    return [VERSION, this.#current, nonce.toString('base64url'), body.toString('base64url')].join(
      ':',
    )
  }

  /**
   * Decrypts a value sealed by any loaded key for the same `context`. Throws `SyncError`:
   * `invalid_config` when its key is not loaded; `internal` when it is not a sealed value, or it
   * does not authenticate (altered, or sealed for another context). Never returns garbage.
   */
  open(sealed: string, context: string): string {
    const { keyId: id, nonce, body } = parseSealed(sealed)
    const key = this.#keys.get(id)
    if (key === undefined) {
      const ids = this.keyIds
      const loaded = ids.length === 1 ? `key is ${this.#current}` : `keys are ${ids.join(', ')}`
      throw new SyncError(
        'invalid_config',
        `this secret was sealed with key ${id}, but the loaded ${loaded}: ` +
          `set ${ENV_KEY} or the key file to the key it was sealed with`,
      )
    }
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
    decipher.setAAD(aad(context))
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    try {
      const plain = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ])
      return plain.toString('utf8')
    } catch {
      // the cause (an OpenSSL error) says nothing more and is left out on purpose
      throw new SyncError(
        'internal',
        `the secret sealed with key ${id} cannot be decrypted: it was altered, or it belongs to ` +
          'another connection',
      )
    }
  }

  /**
   * Re-encrypts `sealed` under the current key (opening it with the key it names). A value already
   * sealed by the current key is returned unchanged, so a rotation can be run again safely.
   */
  reseal(sealed: string, context: string): string {
    if (parseSealed(sealed).keyId === this.#current) return sealed
    return this.seal(this.open(sealed, context), context)
  }
}

const errno = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined

/** Reads a key file, or `undefined` when there is none; refuses one others can read. */
async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let handle: FileHandle
  try {
    handle = await fs.open(file, constants.O_RDONLY)
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw new SyncError('invalid_config', `cannot read the key file ${file}`, { cause: error })
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new SyncError('invalid_config', `the key file ${file} is not a file`)
    // posix permissions mean nothing on windows
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8)
      throw new SyncError(
        'invalid_config',
        `the key file ${file} can be read by other users (mode ${mode}): run chmod 600 ${file}`,
      )
    }
    return parseKey(await handle.readFile('utf8'), `the key file ${file}`)
  } finally {
    await handle.close()
  }
}

/**
 * Writes `key` to `file` (mode 0600) unless the file exists, atomically: a temp file in the same
 * folder is hard-linked into place, so a reader never sees a half-written key and of two writers
 * exactly one wins. Returns the key now in the file (the other writer's, when it won).
 */
async function createKeyFile(file: string, key: Buffer): Promise<Buffer> {
  const dir = path.dirname(file)
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid.toString()}.${randomBytes(6).toString('hex')}.tmp`,
  )
  let created: boolean
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 })
    created = await writeExclusive(temp, file, key)
  } catch (error) {
    throw new SyncError('invalid_config', `cannot create the key file ${file}`, { cause: error })
  } finally {
    await fs.rm(temp, { force: true })
  }
  if (created) return key
  const existing = await readKeyFile(file)
  if (existing === undefined) throw new SyncError('internal', `the key file ${file} vanished`)
  return existing
}

// false when `file` already existed (another process won)
async function writeExclusive(temp: string, file: string, key: Buffer): Promise<boolean> {
  const handle = await fs.open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(`${key.toString('base64')}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.link(temp, file)
  } catch (error) {
    if (errno(error) === 'EEXIST') return false
    throw error
  }
  await syncDir(path.dirname(file))
  return true
}

// makes a link or rename durable; some platforms cannot open a folder, which is fine there
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await fs.open(dir, constants.O_RDONLY)
    await handle.sync()
  } catch {
    // best effort
  } finally {
    await handle?.close()
  }
}

const nextFile = (keyFile: string) => `${keyFile}.next`

/**
 * Loads the keyring. `envKey` (from `HRIS_SYNC_SECRET_KEY`), when set, is the current key and the
 * key file is neither read nor created. Otherwise the key file is read, or created on first run
 * when `create` is true (0600, parent folder 0700, safe against a concurrent first run). A pending
 * `<keyFile>.next` from an interrupted rotation is loaded as an extra key that only opens.
 * Throws `SyncError('invalid_config')` for a missing, unreadable, too-open or invalid key.
 */
export async function loadVault(options: {
  envKey: string | undefined
  keyFile: string
  create: boolean
}): Promise<Vault> {
  const { envKey, keyFile, create } = options
  if (envKey !== undefined) return new Vault(parseKey(envKey, ENV_KEY))
  let key = await readKeyFile(keyFile)
  if (key === undefined) {
    if (!create) {
      throw new SyncError(
        'invalid_config',
        `no secret key: set ${ENV_KEY} or create the key file ${keyFile}`,
      )
    }
    key = await createKeyFile(keyFile, generateKey())
  }
  const pending = await readKeyFile(nextFile(keyFile))
  return new Vault(key, pending === undefined ? [] : [pending])
}

/**
 * Starts a key rotation. The caller re-encrypts every stored secret with `next.reseal()` in one
 * database transaction, then calls `commit()`.
 *
 * With a key file: a new key is written to `<keyFile>.next` (0600, atomic) — or the one already
 * there is reused, so an interrupted rotation resumes with the same key — and `commit()` renames
 * it over the key file. Until then `loadVault` loads both keys, so a crash at any point leaves
 * every secret readable. With `envKey`: `newEnvKey` (`HRIS_SYNC_NEW_SECRET_KEY`) is the new key and
 * `commit()` does nothing; the operator then sets `HRIS_SYNC_SECRET_KEY` to it.
 */
export async function beginRotation(options: {
  envKey: string | undefined
  keyFile: string
  newEnvKey?: string | undefined
}): Promise<{ next: Vault; commit: () => Promise<void> }> {
  const { envKey, keyFile, newEnvKey } = options
  if (envKey !== undefined) {
    const old = parseKey(envKey, ENV_KEY)
    if (newEnvKey === undefined) {
      throw new SyncError(
        'invalid_config',
        `set ${NEW_ENV_KEY} to the new key; after the rotation, set ${ENV_KEY} to it`,
      )
    }
    const key = parseKey(newEnvKey, NEW_ENV_KEY)
    if (key.equals(old)) {
      throw new SyncError('invalid_config', `${NEW_ENV_KEY} must differ from ${ENV_KEY}`)
    }
    return { next: new Vault(key, [old]), commit: () => Promise.resolve() }
  }
  if (newEnvKey !== undefined) {
    throw new SyncError(
      'invalid_config',
      `${NEW_ENV_KEY} is set but ${ENV_KEY} is not: the key file ${keyFile} is rotated to a ` +
        `generated key, so unset ${NEW_ENV_KEY}`,
    )
  }
  const old = await readKeyFile(keyFile)
  if (old === undefined) {
    throw new SyncError('invalid_config', `no key file at ${keyFile}: there is no key to rotate`)
  }
  const pending = nextFile(keyFile)
  const key = await createKeyFile(pending, generateKey())
  const next = new Vault(key, [old])
  return {
    next,
    commit: async () => {
      try {
        await fs.rename(pending, keyFile)
      } catch (error) {
        // a second commit finds the rotation already done
        if (errno(error) === 'ENOENT' && (await readKeyFile(keyFile))?.equals(key)) return
        throw new SyncError('internal', `cannot replace the key file ${keyFile}`, { cause: error })
      }
      await syncDir(path.dirname(keyFile))
    },
  }
}

/**
 * Where the key file lives by default: `$XDG_CONFIG_HOME/hris-sync/secret.key`, else
 * `$HOME/.config/hris-sync/secret.key` — never beside the data directory.
 */
export function defaultKeyFile(env: { XDG_CONFIG_HOME?: string; HOME?: string }): string {
  // the XDG spec ignores an empty or relative XDG_CONFIG_HOME
  const xdg = env.XDG_CONFIG_HOME
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'hris-sync', 'secret.key')
  if (env.HOME === undefined || env.HOME === '') {
    throw new SyncError('invalid_config', `set HOME or XDG_CONFIG_HOME, or set ${ENV_KEY}`)
  }
  return path.join(env.HOME, '.config', 'hris-sync', 'secret.key')
}
