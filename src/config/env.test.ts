import { describe, expect, it } from 'vitest'

import { SyncError } from '../core/errors.ts'
import { isSecretKey, loadEnv } from './env.ts'

const KEY = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80='
const HEX_KEY = 'ab'.repeat(32)

function failure(env: NodeJS.ProcessEnv): SyncError {
  try {
    loadEnv(env)
  } catch (e) {
    if (e instanceof SyncError) return e
    throw e
  }
  throw new Error('expected loadEnv to throw')
}

describe('loadEnv', () => {
  it('has a default for everything', () => {
    expect(loadEnv({ HOME: '/home/ada' })).toEqual({
      dataDir: './.hris-sync',
      databaseUrl: null,
      secretKey: null,
      newSecretKey: null,
      keyFile: '/home/ada/.config/hris-sync/secret.key',
      logLevel: 'info',
      allowPrivateWebhooks: null,
    })
  })

  it('reads every variable', () => {
    const env = loadEnv({
      HRIS_SYNC_DATA_DIR: '/var/lib/hris-sync',
      DATABASE_URL: 'postgresql://sync:pw@db:5432/hris',
      HRIS_SYNC_SECRET_KEY: KEY,
      HRIS_SYNC_NEW_SECRET_KEY: HEX_KEY,
      HRIS_SYNC_KEY_FILE: '/run/secrets/hris.key',
      HRIS_SYNC_LOG_LEVEL: ' DEBUG ',
      HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE: 'true',
    })
    expect(env).toEqual({
      dataDir: '/var/lib/hris-sync',
      databaseUrl: 'postgresql://sync:pw@db:5432/hris',
      secretKey: KEY,
      newSecretKey: HEX_KEY,
      keyFile: '/run/secrets/hris.key',
      logLevel: 'debug',
      allowPrivateWebhooks: true,
    })
    expect(Object.isFrozen(env)).toBe(true)
  })

  it('puts the key file under XDG_CONFIG_HOME when it is absolute', () => {
    expect(loadEnv({ XDG_CONFIG_HOME: '/cfg', HOME: '/home/ada' }).keyFile).toBe(
      '/cfg/hris-sync/secret.key',
    )
    expect(loadEnv({ XDG_CONFIG_HOME: 'cfg', HOME: '/home/ada' }).keyFile).toBe(
      '/home/ada/.config/hris-sync/secret.key',
    )
    expect(loadEnv({}).keyFile).toBeNull()
  })

  it('reads whether webhooks may go to private addresses as true or false, or unset', () => {
    const allows = (value: string) =>
      loadEnv({ HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE: value }).allowPrivateWebhooks
    expect([allows('true'), allows('1'), allows('false'), allows('0'), allows('')]).toEqual([
      true,
      true,
      false,
      false,
      null,
    ])
    expect(
      failure({ HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE: 'yes' }).issues.map((i) => i.message),
    ).toEqual(['HRIS_SYNC_WEBHOOK_ALLOW_PRIVATE must be true or false'])
  })

  it('takes an empty variable as unset', () => {
    const env = loadEnv({ DATABASE_URL: '', HRIS_SYNC_SECRET_KEY: '', HRIS_SYNC_LOG_LEVEL: '' })
    expect(env.databaseUrl).toBeNull()
    expect(env.secretKey).toBeNull()
    expect(env.logLevel).toBe('info')
  })

  it('names every invalid variable and never repeats a value', () => {
    const env = {
      DATABASE_URL: 'mysql://root:hunter2@db/hris',
      HRIS_SYNC_SECRET_KEY: 'too-short-s3cr3t',
      HRIS_SYNC_LOG_LEVEL: 'verbose',
    }
    const error = failure(env)
    expect(error.code).toBe('invalid_config')
    expect(error.issues.map((i) => i.message)).toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
      'HRIS_SYNC_SECRET_KEY must be 32 random bytes, base64 or hex (e.g. the output of openssl rand -base64 32)',
      'HRIS_SYNC_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ])
    expect(error.issues.map((i) => i.path)).toEqual([
      ['DATABASE_URL'],
      ['HRIS_SYNC_SECRET_KEY'],
      ['HRIS_SYNC_LOG_LEVEL'],
    ])
    const shown = `${error.message}\n${JSON.stringify(error)}\n${String(error.cause)}`
    expect(shown).not.toContain('hunter2')
    expect(shown).not.toContain('s3cr3t')
  })

  it('rejects a URL that is no URL without showing it', () => {
    const error = failure({ DATABASE_URL: 'host=db password=hunter2' })
    expect(error.message).toBe(
      'invalid environment: DATABASE_URL must be a postgres:// or postgresql:// URL',
    )
  })

  it('refuses a rotation to the same key', () => {
    const error = failure({ HRIS_SYNC_SECRET_KEY: KEY, HRIS_SYNC_NEW_SECRET_KEY: KEY })
    expect(error.issues.map((i) => i.message)).toEqual([
      'HRIS_SYNC_NEW_SECRET_KEY is the same as HRIS_SYNC_SECRET_KEY: a rotation needs a new key',
    ])
    expect(error.message).not.toContain(KEY)
  })
})

describe('isSecretKey', () => {
  it.each([
    [KEY, true],
    [KEY.slice(0, -1), true],
    [KEY.replace(/\+/g, '-').replace(/\//g, '_'), true],
    [HEX_KEY, true],
    [HEX_KEY.slice(2), false],
    ['q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ', false],
    ['correct horse battery staple correct horse', false],
  ])('%j: %s', (key, valid) => {
    expect(isSecretKey(key)).toBe(valid)
  })
})
