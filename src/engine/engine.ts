import { SyncError, issuesFromZod } from '../core/errors.ts'
import type { Issue } from '../core/errors.ts'
import type { InvalidRecord } from '../core/model/employee.ts'
import { validateEmployees } from '../core/model/validate-employees.ts'
import type { Person, Team } from '../core/model/person.ts'
import { plan as makePlan } from '../core/plan/plan.ts'
import { SyncConfig, connectionFieldIssues, sourceFieldsOf } from '../core/plan/sync-config.ts'
import { sourceRoot } from '../core/model/source-path.ts'
import type { Change, SyncPlan } from '../core/plan/sync-plan.ts'
import { isActionable } from '../core/plan/sync-plan.ts'
import { guard } from '../core/guard/guard.ts'
import type { Connector, ConnectorContext, FieldInfo, ReadEnd } from '../connectors/connector.ts'
import type { ApplyRecord, Connection, Run, RunKind, Store } from '../storage/store.ts'
import type { ChangeResult, Target } from '../targets/target.ts'
import { applyPlan } from './apply-plan.ts'
import { sharedTokens } from './shared-tokens.ts'

/** Where a long operation is, for a progress line or the console. */
export interface Progress {
  readonly phase: 'reading' | 'planning' | 'applying'
  readonly done: number
  readonly total: number | null
}

export interface EngineDeps {
  readonly store: Store
  readonly connectors: Readonly<Record<string, Connector>>
  /** The vault: secrets are sealed for one connection (the context) and opened only here. */
  readonly vault: {
    seal(plaintext: string, context: string): string
    open(sealed: string, context: string): string
  }
  /** The directory a workspace's people live in. */
  readonly target: (workspaceId: string) => Target
  readonly now: () => Date
  /** Resolves relative paths in connector configs (the config file's folder). */
  readonly baseDir?: string
  readonly fetch?: typeof fetch
}

export interface PreviewResult {
  readonly run: Run
  readonly planId: string
  readonly plan: SyncPlan
  /** Where the next incremental read starts once this plan is applied. */
  readonly watermark: string | null
}

export interface ApplyResult {
  readonly run: Run
  /** This apply as recorded, with its own counts (null: it never started). */
  readonly apply: ApplyRecord | null
  readonly results: readonly ChangeResult[]
  readonly counts: Readonly<Record<ChangeResult['status'], number>>
}

export interface SyncApplied extends ApplyResult {
  readonly status: 'applied'
  readonly planId: string
}
export interface SyncWaiting<S extends 'up_to_date' | 'awaiting_approval'> {
  readonly status: S
  readonly run: Run
  readonly planId: string
}
export type SyncResult = SyncApplied | SyncWaiting<'up_to_date'> | SyncWaiting<'awaiting_approval'>

/** How to apply a stored plan. */
export interface ApplyOptions {
  /** `all` (default), or change ids: a few people as a test, with what they need. */
  readonly selection?: 'all' | readonly string[]
  /** A person approved the plan the guard holds. */
  readonly approved?: boolean
  readonly onProgress?: (p: Progress) => void
  /**
   * Once the approval is checked, the run is `applying` and the apply recorded, before the first
   * change is sent: a caller can answer with the run and let the apply go on.
   */
  readonly onStart?: (run: Run, apply: ApplyRecord) => void
  /** Who applies (a person's email, an API token), kept with the apply. */
  readonly by?: string
}

/** Told as a preview goes: `onRun` once its run exists (a caller can answer with its id). */
export interface PreviewHooks {
  readonly onRun?: (run: Run) => void
}

/** A credential as shown: its last characters when it is long enough to spare them. */
const mask = (value: string) => `••••••••${value.length >= 16 ? value.slice(-4) : ''}`

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
const asSyncError = (error: unknown) =>
  error instanceof SyncError ? error : new SyncError('internal', message(error), { cause: error })

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/**
 * The use cases: connect, load fields, configure, preview (read → validate → plan → guard, the plan
 * stored), apply a stored plan (all, or selected changes), and sync (preview, then apply when the
 * guard allows). One run per connection at a time; an apply interrupted anywhere is finished by
 * applying the same plan again.
 */
export class Engine {
  readonly #deps: EngineDeps

  constructor(deps: EngineDeps) {
    this.#deps = deps
  }

  #connector(id: string): Connector {
    const connector = this.#deps.connectors[id]
    if (!connector) throw new SyncError('invalid_config', `unknown connector "${id}"`)
    return connector
  }

  /**
   * What a connector is given. For a stored connection, tokens are shared with every process
   * through the store (a scheduled run on any worker, the API, the command line).
   */
  #context(connection: Connection | null, onProgress?: (p: Progress) => void): ConnectorContext {
    const { store, vault, now } = this.#deps
    return {
      now,
      ...(connection === null
        ? {}
        : { tokens: sharedTokens(store.tokens, vault, connection.id, now) }),
      ...(this.#deps.baseDir === undefined ? {} : { baseDir: this.#deps.baseDir }),
      ...(this.#deps.fetch === undefined ? {} : { fetch: this.#deps.fetch }),
      ...(onProgress
        ? {
            progress: (p) => {
              onProgress({ phase: 'reading', done: p.read, total: p.total })
            },
          }
        : {}),
    }
  }

  /** Whether a connector needs credentials (stored in the vault, or given by the config file). */
  needsSecret(connectorId: string): boolean {
    return this.#connector(connectorId).secretSchema !== null
  }

  /** Checks a connector config and credentials; every problem with its path (`source.path`). */
  #validate(connectorId: string, config: unknown, secret: unknown) {
    const connector = this.#connector(connectorId)
    const issues: Issue[] = []
    const parsedConfig = connector.configSchema.safeParse(config)
    if (!parsedConfig.success) issues.push(...issuesFromZod(parsedConfig.error, ['source']))
    let parsedSecret: unknown = null
    if (connector.secretSchema) {
      const s = connector.secretSchema.safeParse(secret ?? {})
      if (s.success) parsedSecret = s.data
      else issues.push(...issuesFromZod(s.error, ['secret']))
    }
    if (issues.length > 0 || !parsedConfig.success) {
      throw new SyncError('invalid_config', `the ${connectorId} connection is not valid`, {
        issues,
      })
    }
    return { connector, config: parsedConfig.data, secret: parsedSecret }
  }

  async #secretOf(connection: Connection): Promise<unknown> {
    const connector = this.#connector(connection.connector)
    if (!connector.secretSchema) return null
    const sealed = await this.#deps.store.sealedSecret(connection.workspaceId, connection.id)
    if (sealed === null) {
      throw new SyncError(
        'auth_failed',
        `connection "${connection.name}" has no credentials: store them with "hris-sync connect"`,
      )
    }
    return JSON.parse(this.#deps.vault.open(sealed, connection.id)) as unknown
  }

  /**
   * Creates the connection, or updates the one of that name: config stored as given, credentials
   * sealed in the vault. With `check`, the credentials are tried first and nothing is stored if
   * they do not work.
   */
  async connect(input: {
    workspaceId: string
    name: string
    connector: string
    config: unknown
    /** null keeps the credentials stored already. */
    secret: unknown
    check?: boolean
  }): Promise<Connection> {
    const { store } = this.#deps
    const existing = await store.connectionByName(input.workspaceId, input.name)
    let secret = input.secret
    if (secret === null && existing?.hasSecret && existing.connector === input.connector) {
      secret = await this.#secretOf(existing)
    }
    const valid = this.#validate(input.connector, input.config, secret)
    if (input.check !== false) {
      const checked = await valid.connector.check(valid.config, valid.secret, this.#context(null))
      if (!checked.ok) throw checked.error
    }
    const config = valid.config as Record<string, unknown>
    if (existing) {
      if (existing.connector !== input.connector) {
        throw new SyncError(
          'conflict',
          `connection "${input.name}" reads from ${existing.connector}, not ${input.connector}`,
        )
      }
      const sealed =
        input.secret === null || valid.secret === null
          ? undefined
          : this.#deps.vault.seal(JSON.stringify(valid.secret), existing.id)
      return store.updateConnection(input.workspaceId, existing.id, {
        config,
        // new credentials are what a connection that needs them waited for
        ...(sealed === undefined
          ? {}
          : {
              secret: sealed,
              ...(existing.status === 'needs_reauth' ? { status: 'active' } : {}),
            }),
      })
    }
    const created = await store.createConnection({
      workspaceId: input.workspaceId,
      name: input.name,
      connector: input.connector,
      config,
      secret: null,
    })
    if (valid.secret === null) return created
    // sealed for this connection's id, which exists only now
    const sealed = this.#deps.vault.seal(JSON.stringify(valid.secret), created.id)
    return store.updateConnection(input.workspaceId, created.id, { secret: sealed })
  }

  /**
   * The fields the credential can read, each with a sample value, and what the connection's sync
   * config cannot do without the others (no termination date: no leavers; no email: no matching
   * by email), one issue each; the important fields (names, email, hire date, termination date,
   * status, supervisor) are named whatever the mapping, each with the connector's advice on what
   * to enable in the HR system.
   */
  async fields(connection: Connection): Promise<{ fields: FieldInfo[]; issues: Issue[] }> {
    const connector = this.#connector(connection.connector)
    const secret = await this.#secretOf(connection)
    const result = await connector.discoverFields(
      connection.config,
      secret,
      this.#context(connection),
    )
    if (!result.ok) throw result.error
    const { config } = await this.#config(connection)
    const readable = new Set(result.value.map((f) => sourceRoot(f.path)))
    const hint = (path: string) => connector.enableHint?.(path, connection.config) ?? null
    return { fields: result.value, issues: connectionFieldIssues(config, readable, hint) }
  }

  /** Tries the connection's stored credentials against the HR system. */
  async check(connection: Connection): Promise<void> {
    const connector = this.#connector(connection.connector)
    const secret = await this.#secretOf(connection)
    const checked = await connector.check(connection.config, secret, this.#context(connection))
    if (!checked.ok) throw checked.error
  }

  /** The stored credentials masked, field by field; null when there are none. */
  async maskedSecret(connection: Connection): Promise<Record<string, string> | null> {
    if (!connection.hasSecret || !this.needsSecret(connection.connector)) return null
    const secret = (await this.#secretOf(connection)) as Record<string, unknown>
    return Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, mask(String(v))]))
  }

  /**
   * Stores a sync config (validated; every problem with its path) and returns its version. One
   * that names no filter is stored with its connector's default filter, named.
   */
  async configure(connection: Connection, config: unknown, schedule: unknown): Promise<number> {
    const parsed = this.parseConfig(connection.connector, config)
    if (!parsed.success) {
      throw new SyncError('invalid_config', 'the sync config is not valid', {
        issues: issuesFromZod(parsed.error),
      })
    }
    const stored = { filter: parsed.data.filter, ...(config as Record<string, unknown>) }
    return this.#deps.store.saveSyncConfig(connection.id, stored, schedule)
  }

  /**
   * A sync config as stored (`{}` when none is) with every default filled in: a config that names
   * no `filter` has its connector's default filter (BambooHR: employees with a hire date), `filter:
   * null` has none. The one place a connection gets its connector's defaults: the engine, the API
   * and a config file that names no filter all go through it.
   */
  parseConfig(connectorId: string, stored: unknown): ReturnType<typeof SyncConfig.safeParse> {
    const { defaultFilter } = this.#connector(connectorId)
    const named = typeof stored !== 'object' || stored === null || Object.hasOwn(stored, 'filter')
    return SyncConfig.safeParse(named ? stored : { ...stored, filter: defaultFilter ?? null })
  }

  /** The sync config of a connection of `connectorId` that has none saved yet. */
  initialConfig(connectorId: string): SyncConfig {
    const parsed = this.parseConfig(connectorId, {})
    if (!parsed.success) throw new Error(`the default filter of ${connectorId} is not valid`)
    return parsed.data
  }

  async #config(connection: Connection): Promise<{ config: SyncConfig; version: number | null }> {
    const stored = await this.#deps.store.latestSyncConfig(connection.id)
    const parsed = this.parseConfig(connection.connector, stored?.config ?? {})
    if (!parsed.success) {
      throw new SyncError('invalid_config', 'the stored sync config is not valid', {
        issues: issuesFromZod(parsed.error),
      })
    }
    return { config: parsed.data, version: stored?.version ?? null }
  }

  /**
   * Makes way for a new run: a plan nobody applied is superseded (cancelled); a run left open by
   * a process that died (we hold the connection, so nobody else runs it) is failed.
   */
  async #clearOpenRun(connectionId: string): Promise<void> {
    const { store } = this.#deps
    const open = await store.openRun(connectionId)
    if (!open) return
    if (open.state === 'planned' || open.state === 'awaiting_approval') {
      await store.transitionRun(open.id, 'cancelled', {
        error: { code: 'superseded', message: 'a newer plan was made' },
      })
    } else {
      await store.transitionRun(open.id, 'failed', {
        error: { code: 'interrupted', message: 'the process running it stopped' },
      })
    }
  }

  /**
   * Reads every page of a connection (or, with `since`, what changed after that watermark); the
   * records, and how the read ended.
   */
  async #read(
    connection: Connection,
    since: string | null,
    fields: readonly string[],
    onProgress?: (p: Progress) => void,
  ) {
    const connector = this.#connector(connection.connector)
    const secret = await this.#secretOf(connection)
    const records: unknown[] = []
    const invalid: InvalidRecord[] = []
    // how many employees the last full read found: the connector may ask for every page at once
    const sizeHint = (await this.#deps.store.lastFullReadSize(connection.id)) ?? undefined
    const reading = connector.read(
      connection.config,
      secret,
      this.#context(connection, onProgress),
      {
        ...(sizeHint === undefined || since !== null ? {} : { sizeHint }),
        ...(since === null ? {} : { since }),
        // only what the sync reads leaves the HR system
        fields,
      },
    )
    let step = await reading.next()
    while (step.done !== true) {
      records.push(...step.value.records)
      invalid.push(...(step.value.invalid ?? []))
      step = await reading.next()
    }
    const end: ReadEnd = step.value
    return { records, invalid, end }
  }

  async #snapshot(workspaceId: string): Promise<{ people: Person[]; teams: Team[] }> {
    const target = this.#deps.target(workspaceId)
    const [people, teams] = await Promise.all([all(target.listPeople()), all(target.listTeams())])
    return { people, teams }
  }

  async #preview(
    connection: Connection,
    kind: RunKind,
    onProgress?: (p: Progress) => void,
    hooks: PreviewHooks = {},
  ): Promise<PreviewResult> {
    const { store } = this.#deps
    await this.#clearOpenRun(connection.id)
    const { config, version } = await this.#config(connection)
    // an incremental read starts at the watermark; without one (or a connector that cannot), a
    // full read
    const current =
      kind === 'incremental' ? await store.connection(connection.workspaceId, connection.id) : null
    const since =
      current?.watermark != null && this.#connector(connection.connector).capabilities.incremental
        ? current.watermark
        : null
    let run = await store.createRun({
      workspaceId: connection.workspaceId,
      connectionId: connection.id,
      kind: kind === 'incremental' && since === null ? 'sync' : kind,
      configVersion: version,
    })
    hooks.onRun?.(run)
    try {
      run = await store.transitionRun(run.id, 'reading')
      const readAt = this.#deps.now()
      const read = await this.#read(connection, since, sourceFieldsOf(config), onProgress)
      onProgress?.({ phase: 'planning', done: 0, total: null })
      const valid = validateEmployees(read.records)
      const draft = makePlan({
        connectionId: connection.id,
        source: {
          employees: valid.employees,
          invalid: [...read.invalid, ...valid.invalid],
          complete: read.end.complete,
          readAt: readAt.toISOString(),
          readableFields: read.end.readableFields,
          incremental: since !== null,
        },
        target: await this.#snapshot(connection.workspaceId),
        config,
        now: readAt,
      })
      const plan = guard(draft, config.policy)
      const blocking = plan.issues.filter((i) => i.severity === 'error')
      if (blocking.length > 0) {
        throw new SyncError(
          'invalid_config',
          'this config cannot be planned with this connection',
          {
            issues: blocking,
          },
        )
      }
      // where the next incremental read starts, once this plan has been applied (not before:
      // a plan nobody applies must not make the next read skip what it saw)
      const watermark = read.end.watermark
      const planId = await store.savePlan(run, plan, { watermark })
      const counts = { ...plan.summary.people, employees: plan.basis.employees }
      run = await store.transitionRun(run.id, 'planned', { planId, counts })
      if (!plan.changes.some(isActionable)) {
        run = await store.transitionRun(run.id, 'succeeded')
        await this.#advance(connection.workspaceId, connection.id, watermark)
      } else if (plan.approval.required) {
        run = await store.transitionRun(run.id, 'awaiting_approval')
      }
      return { run, planId, plan, watermark }
    } catch (error) {
      const e = asSyncError(error)
      await store.transitionRun(run.id, 'failed', { error: { code: e.code, message: e.message } })
      throw e
    }
  }

  /** Reads the HR system and stores a plan; nothing is applied. */
  preview(
    connection: Connection,
    onProgress?: (p: Progress) => void,
    hooks?: PreviewHooks,
  ): Promise<PreviewResult> {
    return this.#deps.store.withConnectionLock(connection.id, () =>
      this.#preview(connection, 'preview', onProgress, hooks),
    )
  }

  /**
   * Applies a stored plan: `all`, or the change ids given (with what they need). Refused as
   * `stale_plan` when a newer plan of the connection exists, `approval_required` when the guard
   * holds it and it is not approved. Applying it again after a crash, or after a selection,
   * applies what is left.
   */
  async apply(
    workspaceId: string,
    planId: string,
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    const { store } = this.#deps
    // an apply needs the changes that do something; a selection may name any change
    const all = options.selection === undefined || options.selection === 'all'
    const stored = await store.plan(workspaceId, planId, { actionableOnly: all })
    if (!stored) throw new SyncError('not_found', `plan ${planId} not found`)
    return store.withConnectionLock(stored.connectionId, () =>
      this.#apply(stored.plan, planId, stored.runId, workspaceId, stored.watermark, options),
    )
  }

  async #apply(
    plan: SyncPlan,
    planId: string,
    runId: string,
    workspaceId: string,
    watermark: string | null,
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const { store } = this.#deps
    const latest = await store.latestRun(plan.connectionId)
    if (latest?.id !== runId) {
      throw new SyncError('stale_plan', 'a newer plan of this connection exists: apply that one')
    }
    let run = latest
    if (run.state === 'cancelled') {
      throw new SyncError('stale_plan', 'this plan was cancelled: make a new one')
    }
    if (run.state === 'succeeded') {
      throw new SyncError('conflict', 'this plan is applied already: make a new one to go on')
    }
    if (run.state === 'queued' || run.state === 'reading') {
      // the preview that made it stopped before it finished: its plan was never shown
      throw new SyncError(
        'stale_plan',
        'the preview that made this plan did not finish: plan again',
      )
    }
    const connection = await store.connection(workspaceId, plan.connectionId)
    if (!connection) throw new SyncError('not_found', `connection ${plan.connectionId} not found`)
    const { config } = await this.#config(connection)
    const recorded = await store.results(planId)
    const applied = new Map(
      recorded.flatMap((r) =>
        r.status === 'applied' && r.entityId !== null ? [[r.changeId, r.entityId] as const] : [],
      ),
    )
    if (run.state === 'applying') {
      // we hold the connection: the process that was applying it is gone
      run = await store.transitionRun(run.id, 'failed', {
        error: { code: 'interrupted', message: 'the process applying it stopped' },
      })
    }
    const target = this.#deps.target(workspaceId)
    let report
    // this apply's own record, and what its changes came to (not those earlier applies made)
    const mine: { attempt: ApplyRecord | null } = { attempt: null }
    const own: { status: string }[] = []
    try {
      report = await applyPlan(target, plan, {
        policy: config.policy,
        ...(options.selection === undefined ? {} : { selection: options.selection }),
        ...(options.approved === undefined ? {} : { approved: options.approved }),
        applied,
        onStart: async () => {
          run = await store.transitionRun(run.id, 'applying')
          mine.attempt = await store.startApply({
            workspaceId,
            runId: run.id,
            planId,
            selection:
              options.selection === undefined || options.selection === 'all'
                ? null
                : options.selection.length,
            approved: options.approved === true,
            actor: options.by ?? null,
          })
          options.onStart?.(run, mine.attempt)
        },
        onBatch: async (results, done, total) => {
          const seq = mine.attempt?.seq ?? 0
          await store.recordResults(planId, run.id, seq, results.map(toRecorded))
          own.push(...results)
          options.onProgress?.({ phase: 'applying', done, total })
        },
      })
    } catch (error) {
      const e = asSyncError(error)
      const started = mine.attempt
      if (started !== null) {
        await store.finishApply(run.id, started.seq, {
          state: 'failed',
          counts: countResults(own),
          error: { code: e.code, message: e.message },
        })
      }
      if (run.state === 'applying') {
        await store.transitionRun(run.id, 'failed', { error: { code: e.code, message: e.message } })
      }
      throw e
    }
    const counted = countResults(own)
    const started = mine.attempt
    // ended before the run leaves `applying`: whoever sees the run move on sees this apply's end
    const ended =
      started === null
        ? null
        : await store.finishApply(run.id, started.seq, {
            state: (counted['failed'] ?? 0) > 0 ? 'failed' : 'succeeded',
            counts: counted,
            error:
              (counted['failed'] ?? 0) > 0
                ? {
                    code: 'changes_failed',
                    message: `${plural(counted['failed'] ?? 0, 'change')} failed`,
                  }
                : null,
          })
    // what every change of the plan came to: earlier applies, then this one
    const outcome = new Map<string, string>(recorded.map((r) => [r.changeId, r.status]))
    for (const r of report.results) outcome.set(r.changeId, r.status)
    const left = plan.changes.filter((c: Change) => {
      const status = outcome.get(c.id)
      return isActionable(c) && (status === undefined || status === 'failed')
    }).length
    const failed = [...outcome.values()].filter((s) => s === 'failed').length
    const stale = [...outcome.values()].filter((s) => s === 'stale').length
    // what the plan counted stays beside what its changes came to: the history's row of the
    // run, and the size the next full read expects, are the plan's
    const counts = {
      ...plannedCounts(run.counts),
      ...countResults([...outcome.values()].map((status) => ({ status }))),
    }
    if (failed > 0) {
      run = await store.transitionRun(run.id, 'failed', {
        counts,
        error: { code: 'changes_failed', message: `${plural(failed, 'change')} failed` },
      })
    } else if (left > 0) {
      const held = guard(plan, config.policy).approval.required
      run = await store.transitionRun(run.id, held ? 'awaiting_approval' : 'planned', { counts })
    } else if (stale > 0) {
      // the directory moved on under these: only a new plan can apply them
      run = await store.transitionRun(run.id, 'failed', {
        counts,
        error: {
          code: 'stale_changes',
          message: `${plural(stale, 'change')} refused because the directory changed since the plan: plan again`,
        },
      })
    } else {
      run = await store.transitionRun(run.id, 'succeeded', { counts, error: null })
      await this.#advance(workspaceId, plan.connectionId, watermark)
    }
    return { run, apply: ended, results: report.results, counts: report.counts }
  }

  async #advance(workspaceId: string, connectionId: string, watermark: string | null) {
    if (watermark === null) return
    await this.#deps.store.updateConnection(workspaceId, connectionId, { watermark })
  }

  /**
   * Preview, then apply everything when the guard allows; a held plan waits for approval.
   * `incremental` reads only what changed since the watermark (a full read when there is none):
   * nobody becomes a leaver for being missing from it, and the people it did not read are left
   * as they are.
   */
  sync(
    connection: Connection,
    onProgress?: (p: Progress) => void,
    options: { incremental?: boolean } = {},
  ): Promise<SyncResult> {
    return this.#deps.store.withConnectionLock(connection.id, async () => {
      const kind = options.incremental === true ? 'incremental' : 'sync'
      const preview = await this.#preview(connection, kind, onProgress)
      const { run, planId, plan } = preview
      if (run.state === 'succeeded') return { status: 'up_to_date', run, planId }
      if (plan.approval.required) return { status: 'awaiting_approval', run, planId }
      const applied = await this.#apply(
        plan,
        planId,
        run.id,
        connection.workspaceId,
        preview.watermark,
        {
          ...(onProgress ? { onProgress } : {}),
        },
      )
      return { status: 'applied', planId, ...applied }
    })
  }
}

function toRecorded(result: ChangeResult) {
  switch (result.status) {
    case 'applied':
      return {
        changeId: result.changeId,
        status: result.status,
        entityId: result.entityId,
        message: null,
        errorCode: null,
      }
    case 'stale':
    case 'skipped':
      return {
        changeId: result.changeId,
        status: result.status,
        entityId: null,
        message: result.message,
        errorCode: null,
      }
    case 'failed':
      return {
        changeId: result.changeId,
        status: result.status,
        entityId: null,
        message: result.error.message,
        errorCode: result.error.code,
      }
  }
}

export const plural = (n: number, word: string) =>
  `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`

const RESULT_STATUSES = ['applied', 'stale', 'skipped', 'failed'] as const

function countResults(results: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(RESULT_STATUSES.map((s) => [s, 0]))
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1
  return counts
}

/** A run's counts without what applies came to: what its plan counted. */
function plannedCounts(counts: Readonly<Record<string, number>> | null): Record<string, number> {
  const results = new Set<string>(RESULT_STATUSES)
  return Object.fromEntries(Object.entries(counts ?? {}).filter(([k]) => !results.has(k)))
}
