import type { z } from 'zod'

import type { Issue, Result } from '../core/errors.ts'
import type { FilterRule } from '../core/filter/filter-rule.ts'
import type { InvalidRecord } from '../core/model/employee.ts'
import type { FieldValue } from '../core/model/field-value.ts'
import type { SourceType } from '../core/model/source-path.ts'

export const CONNECTOR_IDS = ['file', 'personio', 'bamboohr', 'fake'] as const
export type ConnectorId = (typeof CONNECTOR_IDS)[number]

/** How far a read has come, for progress on a terminal or in the console. */
export interface ReadProgress {
  readonly read: number
  /** The number of employees the HR system reports, when it does. */
  readonly total: number | null
}

/** An access token an HR system issued, and when it stops working (ms since the epoch). */
export interface CachedToken {
  readonly value: string
  readonly expiresAt: number
}

/**
 * Tokens shared by every process that runs the connection, so a token one process obtained
 * serves the others until it expires. `key` names the credential without revealing it (a hash of
 * what the token depends on, secret included). `get` never answers a token that has expired, nor
 * one it cannot read (a miss, not an error); `drop` removes the token stored under `key` only while
 * it is still `value` (HR system refused it), so a newer one another process stored stays.
 */
export interface TokenCache {
  get(key: string): Promise<CachedToken | null>
  put(key: string, token: CachedToken): Promise<void>
  drop(key: string, value: string): Promise<void>
}

/**
 * What a connector is given; injected, never imported. `baseDir` resolves relative file paths
 * (the folder of the config file). `tokens`, when given, shares access tokens across processes
 * (connectors whose credentials are API keys have no use for it).
 */
export interface ConnectorContext {
  readonly signal?: AbortSignal
  readonly now: () => Date
  readonly fetch?: typeof fetch
  readonly baseDir?: string
  readonly progress?: (progress: ReadProgress) => void
  readonly tokens?: TokenCache
}

/** A field the credential can read, in model terms (`workEmail`, `custom.dynamic_123`). */
export interface FieldInfo {
  readonly path: string
  /** The HR system's own key for it (`dynamic_123`, `hire_date`, a CSV header). */
  readonly key: string
  /** The HR system's label, in the company's language. */
  readonly label: string
  readonly type: SourceType
  /** A custom field of the company rather than a standard one. */
  readonly custom: boolean
  /** A value from the first employee that has one, so an admin sees what the field holds. */
  readonly sample: FieldValue
}

/**
 * One page of a read: normalized records, still to be validated (`validateEmployees`), and the
 * records the connector could not normalize, each with issues naming the record and field (a CSV
 * row and column). An invalid record is skipped by the plan, never taken for a leaver.
 */
export interface ReadPage {
  readonly records: readonly unknown[]
  readonly invalid?: readonly InvalidRecord[]
}

/**
 * How a read ended. `complete`: every employee was seen (only then can someone become a leaver
 * for being missing); `readableFields`: model paths the credential reads, null when it reads all;
 * `watermark`: where the next incremental read starts.
 */
export interface ReadEnd {
  readonly complete: boolean
  readonly readableFields: readonly string[] | null
  readonly watermark: string | null
  readonly issues: readonly Issue[]
}

/**
 * `since`: read only what changed after this watermark (a previous `ReadEnd.watermark`).
 * `sizeHint`: how many employees the last read found, so a connector can ask for every page at
 * once rather than wait for the first to learn the total (a guess: the read stays correct when
 * the company grew or shrank). `fields`: the model fields the sync reads (`sourceFieldsOf`); a
 * connector that can ask for fewer asks for these only, so nothing else leaves the HR system;
 * `readableFields` then names only fields among them.
 */
export interface ReadOptions {
  readonly since?: string
  readonly sizeHint?: number
  readonly fields?: readonly string[]
}

/**
 * An HR system. `config` is what may be stored and shown; `secret` (credentials) goes to the vault
 * and is never returned. `read` yields pages and returns how it ended; it throws a `SyncError`
 * (with `retryable`) when the read cannot go on.
 */
export interface Connector<Config = unknown, Secret = unknown> {
  readonly id: ConnectorId
  readonly configSchema: z.ZodType<Config>
  /** null: the connector needs no credentials. */
  readonly secretSchema: z.ZodType<Secret> | null
  readonly capabilities: {
    readonly incremental: boolean
    readonly includesTerminated: boolean
    readonly customFields: boolean
  }
  /**
   * The sync-if filter a connection of this HR system has when its config names none (BambooHR:
   * only employees with a hire date); a config that sets `filter: null` syncs everyone.
   */
  readonly defaultFilter?: FilterRule
  /**
   * What to enable in the HR system for a credential to read the model field `path` (a root:
   * `workEmail`, `custom.<key>`), naming the setting as the HR system's screens do; null when
   * there is nothing to say. Appended to the warnings about fields a credential cannot read.
   */
  enableHint?(path: string, config: Config): string | null
  check(config: Config, secret: Secret, ctx: ConnectorContext): Promise<Result<void>>
  discoverFields(
    config: Config,
    secret: Secret,
    ctx: ConnectorContext,
  ): Promise<Result<FieldInfo[]>>
  read(
    config: Config,
    secret: Secret,
    ctx: ConnectorContext,
    options?: ReadOptions,
  ): AsyncGenerator<ReadPage, ReadEnd>
}
