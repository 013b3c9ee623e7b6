import type { PGlite } from '@electric-sql/pglite'
import { CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely'
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely'

/** One connection at a time: PGlite is a single session, so a transaction must own it. */
class Mutex {
  #tail: Promise<void> = Promise.resolve()
  lock(): Promise<() => void> {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const ready = this.#tail.then(() => release)
    this.#tail = this.#tail.then(() => held)
    return ready
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pg: PGlite
  constructor(pg: PGlite) {
    this.#pg = pg
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pg.query<R>(compiled.sql, [...compiled.parameters])
    const affected = result.affectedRows
    return {
      rows: result.rows,
      ...(affected === undefined ? {} : { numAffectedRows: BigInt(affected) }),
    }
  }

  // eslint-disable-next-line require-yield -- kysely's contract; PGlite has no cursors to stream
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    await Promise.resolve()
    throw new Error('streaming is not supported on PGlite: page with limit/offset instead')
  }
}

class PGliteDriver implements Driver {
  readonly #pg: PGlite
  readonly #mutex = new Mutex()
  readonly #connection: PGliteConnection
  #release: (() => void) | null = null

  constructor(pg: PGlite) {
    this.#pg = pg
    this.#connection = new PGliteConnection(pg)
  }

  async init(): Promise<void> {
    await this.#pg.waitReady
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.lock()
    return this.#connection
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''
    await connection.executeQuery(CompiledQuery.raw(`begin${level}`))
  }

  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  releaseConnection(): Promise<void> {
    const release = this.#release
    this.#release = null
    release?.()
    return Promise.resolve()
  }

  async destroy(): Promise<void> {
    if (!this.#pg.closed) await this.#pg.close()
  }
}

/** Kysely on the embedded PGlite: the Postgres compiler and adapter, only the driver is new. */
export class PGliteDialect implements Dialect {
  readonly #pg: PGlite
  constructor(pg: PGlite) {
    this.#pg = pg
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#pg)
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }
  createAdapter(): DialectAdapter {
    return new PostgresAdapter()
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db)
  }
}
