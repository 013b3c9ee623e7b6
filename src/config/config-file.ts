import { LineCounter, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml'
import type { Document, YAMLError } from 'yaml'
import { z } from 'zod'

import { err, formatPath, issuesFromZod, ok } from '../core/errors.ts'
import type { Issue, Result } from '../core/errors.ts'
import { FILTER_OPS } from '../core/filter/filter-rule.ts'
import type { FilterRule } from '../core/filter/filter-rule.ts'
import { Transform } from '../core/mapping/mapping-config.ts'
import { Text } from '../core/model/employee.ts'
import { SyncConfig } from '../core/plan/sync-config.ts'
import { Cron } from './cron.ts'

/**
 * The schemas of one HR system, as its connector declares them: `config` (may be stored and shown)
 * and `secret` (credentials; null when it needs none). Both must be `z.object` schemas: the file
 * writes their fields side by side under `connection.source`.
 */
export interface SourceSchemas {
  readonly config: z.ZodType
  readonly secret: z.ZodType | null
}

/** The HR systems a file may name, by connector id; injected because config/ sees no connector. */
export type Sources = Readonly<Record<string, SourceSchemas>>

/** When a scheduled sync runs: cron expressions, meant in the file's `timeZone`. */
export const Schedule = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .meta({ description: 'Run syncs on the schedule below (false: only when started by hand).' }),
    incremental: Cron.default('*/15 * * * *').meta({
      description:
        'When to read only what changed since the last run, as a cron expression (default every 15 minutes). Connectors that cannot read changes read everything.',
    }),
    full: Cron.default('0 3 * * *').meta({
      description:
        'When to read every employee, as a cron expression (default 03:00 daily); only a full read can find leavers who disappeared.',
    }),
  })
  .meta({ title: 'Schedule', description: 'When syncs run on their own, in timeZone.' })
export type Schedule = z.infer<typeof Schedule>

/** A connection as the file gives it: where employees come from, and its credentials. */
export interface ConnectionConfig {
  /** Unique in the workspace; default `default`. */
  readonly name: string
  /** The connector and its settings, as its config schema gives them: may be stored and shown. */
  readonly source: { readonly connector: string; readonly [key: string]: unknown }
  /**
   * The credentials, as the connector's secret schema gives them (values from the environment);
   * null when the file gives none: they come from the vault (`hris-sync connect`).
   */
  readonly secret: Readonly<Record<string, string>> | null
}

/** A parsed `hris-sync.yaml`, deeply frozen. */
export interface ConfigFile {
  /** The tenant the connection belongs to; default `default`. */
  readonly workspace: string
  readonly connection: ConnectionConfig
  /**
   * The sync config; `filter` absent when the file names none: the connection then has its
   * connector's default filter (the engine's `parseConfig`: BambooHR syncs only employees with a
   * hire date). `filter: null` is none.
   */
  readonly sync: Omit<SyncConfig, 'filter'> & { readonly filter?: FilterRule | null }
  readonly schedule: Readonly<Schedule>
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/
const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g

const SECRET_HELP =
  'A credential: write an environment variable reference ("${NAME}"), or leave it out and store it with "hris-sync connect". Never the value itself.'

function objectShape(schema: z.ZodType, what: string): Readonly<Record<string, z.ZodType>> {
  if (schema instanceof z.ZodObject) return schema.shape
  throw new Error(`${what} must be a z.object schema: its fields are written in the file`)
}

/** The field names of a source's secret schema (none when it needs no credentials). */
export function secretFields(source: SourceSchemas): string[] {
  return source.secret ? Object.keys(objectShape(source.secret, 'a secret schema')) : []
}

/** One alternative of `connection.source`: the connector's settings and its optional secrets. */
function sourceSchema(id: string, source: SourceSchemas) {
  const config = objectShape(source.config, `the config schema of ${id}`)
  const secret = source.secret ? objectShape(source.secret, `the secret schema of ${id}`) : {}
  const clash = Object.keys(secret).find((k) => k === 'connector' || Object.hasOwn(config, k))
  if (clash !== undefined || Object.hasOwn(config, 'connector')) {
    throw new Error(`source ${id}: field "${clash ?? 'connector'}" is declared twice`)
  }
  const secrets = Object.fromEntries(
    Object.entries(secret).map(([k, s]) => [
      k,
      // the pattern is for editors: the file holds a reference, the schema checks its value
      s.optional().meta({ description: SECRET_HELP, pattern: WHOLE_REFERENCE.source }),
    ]),
  )
  return z
    .strictObject({ connector: z.literal(id), ...config, ...secrets })
    .meta({ title: id, description: `Employees from ${id}.` })
}

/**
 * The Zod schema of `hris-sync.yaml`: `SyncConfig`'s fields (mapping, identifiers, filter,
 * policy, timeZone) beside `workspace`, `connection` (`source` is one of `sources`, picked by
 * `connector`) and `schedule`. It checks the file's structure; `loadConfigFile` adds what needs
 * the raw text (secrets written as `${ENV}` references) and splits settings from secrets.
 */
export function configFileSchema(sources: Sources) {
  const options = Object.entries(sources).map(([id, source]) => sourceSchema(id, source))
  const [first, ...rest] = options
  if (first === undefined) throw new Error('configFileSchema needs at least one source')
  const Connection = z
    .strictObject({
      name: Text.default('default').meta({
        description: 'A name for this connection, unique in the workspace.',
      }),
      source: z.discriminatedUnion('connector', [first, ...rest]).meta({
        description:
          'Where employees come from: "connector" names the HR system, the other fields are its settings.',
      }),
    })
    .meta({ title: 'Connection', description: 'The HR system this file syncs from.' })
  return z
    .strictObject({
      $schema: z
        .string()
        .optional()
        .meta({ description: 'The JSON Schema of this file, for editors.' }),
      workspace: Text.default('default').meta({
        description: 'The workspace (tenant) the connection belongs to.',
      }),
      connection: Connection,
      ...SyncConfig.shape,
      schedule: Schedule.default(() => Schedule.parse({})),
    })
    .meta({ title: 'hris-sync.yaml', description: 'How hris-sync syncs people from an HR system.' })
}

/** Where `loadConfigFile` finds what it needs besides the text. */
export interface LoadOptions {
  /** The environment `${NAME}` references read (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly sources: Sources
  /** The file's name, set as the `record` of every issue (for `formatIssues`). */
  readonly file?: string
}

type Path = (string | number)[]

const issue = (code: string, path: Path, message: string): Issue => ({
  code,
  severity: 'error',
  message: path.length === 0 ? message : `${formatPath(path)}: ${message}`,
  path,
})

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

/** The key path of the node that starts at `offset`, for an error the YAML parser reports there. */
function pathAt(doc: Document, offset: number): Path {
  let found: Path = []
  visit(doc, {
    Pair(_, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined
      const path: Path = []
      const chain = [...ancestors, pair]
      chain.forEach((node, i) => {
        if (isPair(node) && isScalar(node.key)) path.push(String(node.key.value))
        const next = chain[i + 1]
        if (isSeq(node) && next !== undefined) path.push(node.items.indexOf(next))
      })
      found = path
      return visit.BREAK
    },
  })
  return found
}

function yamlIssue(error: YAMLError, doc: Document, lines: LineCounter): Issue {
  const { line, col } = lines.linePos(error.pos[0])
  const at = `line ${line}, column ${col}`
  if (error.code === 'DUPLICATE_KEY') {
    const path = pathAt(doc, error.pos[0])
    const what = path.length === 0 ? 'a key' : formatPath(path)
    return {
      code: 'yaml_duplicate_key',
      severity: 'error',
      message: `${at}: ${what} is set twice (a key may appear once in a mapping)`,
      path,
    }
  }
  return {
    code: `yaml_${error.code.toLowerCase()}`,
    severity: 'error',
    message: `${at}: ${lowerFirst(error.message)}`,
    path: [],
  }
}

interface Read {
  readonly path: Path
  readonly name: string
  readonly value: string
}

interface Substitution {
  /** The data with every reference replaced (a missing variable leaves its reference). */
  readonly data: unknown
  readonly issues: Issue[]
  /** Values read from the environment, where: never to be shown. */
  readonly used: readonly Read[]
}

/** Replaces `${NAME}` in every string value (not keys); `$${` is a literal `${`. */
function substitute(data: unknown, env: LoadOptions['env']): Substitution {
  const issues: Issue[] = []
  const used: Read[] = []
  const text = (s: string, path: Path) =>
    s.replace(REFERENCE, (match, name: string | undefined, close: string | undefined) => {
      if (match === '$${') return '${'
      if (name === undefined || close === undefined || !NAME.test(name)) {
        issues.push(
          issue(
            'env_reference',
            path,
            'has a "${" that is not an environment variable reference: write ${NAME} (letters, digits and _), or $${ for a literal ${',
          ),
        )
        return match
      }
      const value = env[name]
      if (value === undefined) {
        issues.push(issue('env_missing', path, `environment variable ${name} is not set`))
        return match
      }
      used.push({ path, name, value })
      return value
    })
  const walk = (value: unknown, path: Path): unknown => {
    if (typeof value === 'string') return text(value, path)
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]))
    if (isPlainObject(value)) {
      // fromEntries defines keys, so a "__proto__" key stays a key
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]))
    }
    return value
  }
  return { data: walk(data, []), issues, used }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)

const screamingSnake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()

/** The variable a secret would be read from, in messages: `PERSONIO_CLIENT_SECRET`. */
export const secretVariable = (connector: string, field: string): string =>
  `${screamingSnake(connector)}_${screamingSnake(field)}`

/** Secret fields written as a value rather than a `${NAME}` reference (checked on the raw data). */
function literalSecrets(raw: unknown, sources: Sources): Issue[] {
  const source =
    isPlainObject(raw) && isPlainObject(raw['connection']) && raw['connection']['source']
  if (!isPlainObject(source) || typeof source['connector'] !== 'string') return []
  const connector = source['connector']
  const def = Object.hasOwn(sources, connector) ? sources[connector] : undefined
  if (def === undefined) return []
  return secretFields(def)
    .filter((field) => Object.hasOwn(source, field))
    .filter((field) => {
      const value = source[field]
      return value !== null && !(typeof value === 'string' && WHOLE_REFERENCE.test(value))
    })
    .map((field) =>
      issue(
        'secret_in_file',
        ['connection', 'source', field],
        `put secrets in an environment variable ("\${${secretVariable(connector, field)}}") or store them with "hris-sync connect"`,
      ),
    )
}

const list = (values: readonly unknown[]) => values.map((v) => String(v)).join(', ')

const TRANSFORM_OPS = new Set<unknown>(Transform.options.map((o) => o.shape.op.value))
const FILTER_OP_SET = new Set<unknown>(FILTER_OPS)

/** What a discriminator names, for "unknown transform" rather than "unknown op". */
function discriminatorNoun(discriminator: string, options: readonly unknown[]): string {
  if (options.length > 0 && options.every((o) => TRANSFORM_OPS.has(o))) return 'transform'
  if (options.length > 0 && options.every((o) => FILTER_OP_SET.has(o))) return 'filter op'
  return discriminator
}

/** Messages that say what is expected where Zod's defaults only say that something is not. */
const errorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_union' && iss.discriminator !== undefined) {
    const options: readonly unknown[] =
      'options' in iss && Array.isArray(iss.options) ? iss.options : []
    const value = isPlainObject(iss.input) ? iss.input[iss.discriminator] : undefined
    const noun = discriminatorNoun(iss.discriminator, options)
    if (value === undefined) return `is required: one of ${list(options)}`
    return `unknown ${noun} ${JSON.stringify(value)}: use one of ${list(options)}`
  }
  if (iss.code === 'unrecognized_keys') {
    const shape = (iss.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
      ?.shape
    const known = shape ? `: known keys are ${list(Object.keys(shape))}` : ''
    const keys = iss.keys.map((k) => JSON.stringify(k)).join(', ')
    return `unknown key${iss.keys.length === 1 ? '' : 's'} ${keys}${known}`
  }
  if (iss.code === 'invalid_type' && iss.input === undefined) return 'is required'
  if (iss.code === 'invalid_value') {
    // YAML reads a bare null, true or 12 as a value: an option spelled like one needs quotes
    const input = iss.input
    const bare =
      input === null || typeof input === 'boolean' || typeof input === 'number'
        ? String(input)
        : undefined
    if (bare !== undefined && iss.values.includes(bare)) {
      const what = input === null ? 'missing value' : typeof input
      return `must be one of ${list(iss.values)} (write '${bare}' in quotes: without them YAML reads ${bare} as a ${what})`
    }
    return iss.values.length === 1
      ? `must be ${String(iss.values[0])}`
      : `must be one of ${list(iss.values)}`
  }
  if (iss.code === 'too_big' || iss.code === 'too_small') {
    const big = iss.code === 'too_big'
    const bound = String(big ? iss.maximum : iss.minimum)
    if (iss.origin === 'number') {
      const than = big ? 'less than' : 'more than'
      return iss.inclusive === false
        ? `must be ${than} ${bound}`
        : `must be at ${big ? 'most' : 'least'} ${bound}`
    }
    if (iss.origin === 'array') {
      return `must have at ${big ? 'most' : 'least'} ${bound} item${bound === '1' ? '' : 's'}`
    }
  }
  return undefined
}

const within = (path: readonly (string | number)[], prefix: readonly (string | number)[]) =>
  prefix.every((p, i) => path[i] === p)

/**
 * The issue with every value read from the environment at or below its path replaced by the
 * reference it came from (`unknown connector "${CONNECTOR}"`).
 */
function redact(found: Issue, used: readonly Read[]): Issue {
  const message = used
    .filter((r) => r.value.trim() !== '' && within(r.path, found.path))
    .sort((a, b) => b.value.length - a.value.length)
    .reduce((m, r) => m.split(r.value).join(`\${${r.name}}`), found.message)
  return { ...found, message }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/** Parses a part of the source with the connector's own schema: its object-level rules too. */
function parsePart(
  schema: z.ZodType,
  input: Record<string, unknown>,
): Result<Record<string, unknown>, Issue[]> {
  const result = schema.safeParse(input, { error: errorMap })
  if (result.success) return ok(result.data as Record<string, unknown>)
  return err(
    issuesFromZod(result.error, ['connection', 'source']).map((i) =>
      issue(i.code, [...i.path], i.message),
    ),
  )
}

/** Splits the source into settings and secrets, each parsed by the connector's own schema. */
function splitConnection(
  name: string,
  input: Record<string, unknown>,
  def: SourceSchemas,
): Result<ConnectionConfig, Issue[]> {
  const secretKeys = new Set(secretFields(def))
  const settings = Object.fromEntries(
    Object.entries(input).filter(([k]) => k !== 'connector' && !secretKeys.has(k)),
  )
  const given = Object.fromEntries(
    Object.entries(input).filter(([k, v]) => secretKeys.has(k) && v !== undefined),
  )
  const config = parsePart(def.config, settings)
  const secret =
    def.secret === null || Object.keys(given).length === 0 ? ok(null) : parsePart(def.secret, given)
  // a credential left out while others are given: all of them or none (then the vault's)
  const leftOut = (problem: Issue) => {
    const field = problem.path[2]
    if (problem.path.length !== 3 || typeof field !== 'string' || Object.hasOwn(given, field)) {
      return problem
    }
    return issue(
      'secret_missing',
      [...problem.path],
      `is required when other credentials are given: give all of ${list([...secretKeys])} as environment variable references, or none to use the ones stored with "hris-sync connect"`,
    )
  }
  if (!config.ok || !secret.ok) {
    return err([
      ...(config.ok ? [] : config.error),
      ...(secret.ok ? [] : secret.error.map(leftOut)),
    ])
  }
  const connector = String(input['connector'])
  return ok({
    name,
    source: { connector, ...config.value },
    // secret values come from the environment: text
    secret: secret.value as Record<string, string> | null,
  })
}

/**
 * Reads `hris-sync.yaml`: YAML (duplicate keys are errors), then `${NAME}` references from `env`
 * in every string value (`$${` is a literal `${`), then the schema. Every problem is reported,
 * each message starting with its path (`mapping.phone.transforms[0]: …`); no message shows a
 * value read from the environment. Secret fields must be `${NAME}` references or left out.
 */
export function loadConfigFile(text: string, options: LoadOptions): Result<ConfigFile, Issue[]> {
  const file = options.file
  const done = (issues: Issue[]): Result<never, Issue[]> =>
    err(file === undefined ? issues : issues.map((i) => ({ ...i, record: file })))

  const lines = new LineCounter()
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines })
  if (doc.errors.length > 0) return done(doc.errors.map((e) => yamlIssue(e, doc, lines)))
  let raw: unknown
  try {
    raw = doc.toJS() ?? {}
  } catch (e) {
    // unresolved or excessive aliases
    return done([issue('yaml_alias', [], e instanceof Error ? lowerFirst(e.message) : String(e))])
  }

  if (!isPlainObject(raw)) {
    return done([
      issue(
        'not_settings',
        [],
        'the file must hold settings as "key: value" lines (connection:, mapping:, …), not a list or a single value',
      ),
    ])
  }
  const { data, issues: envIssues, used } = substitute(raw, options.env)
  const early = [...envIssues, ...literalSecrets(raw, options.sources)]
  const schema = configFileSchema(options.sources)
  const parsed = schema.safeParse(data, { error: errorMap })
  const late = parsed.success
    ? []
    : issuesFromZod(parsed.error)
        .filter((i) => !early.some((e) => within(i.path, e.path)))
        .map((i) => redact(issue(i.code, [...i.path], i.message), used))
  const issues = [...early, ...late]
  if (!parsed.success || issues.length > 0) return done(issues)

  const { workspace, connection, schedule, mapping, identifiers, filter, policy, timeZone } =
    parsed.data
  // the connector's schemas parse what the file says, not what the combined schema made of it
  const sourceInput = (data as { connection: { source: Record<string, unknown> } }).connection
    .source
  const def = options.sources[connection.source.connector]
  if (def === undefined) throw new Error('unreachable: the schema checked the connector')
  // no filter named: left out, the engine gives the connector's default
  const named = Object.hasOwn(data as Record<string, unknown>, 'filter')
  const sync: ConfigFile['sync'] = {
    mapping,
    identifiers,
    ...(named ? { filter } : {}),
    policy,
    timeZone,
  }
  const built = splitConnection(connection.name, sourceInput, def)
  if (!built.ok) return done(built.error.map((i) => redact(i, used)))
  return ok(deepFreeze({ workspace, connection: built.value, sync, schedule }))
}

/**
 * Issues as lines a person reads, each prefixed with the file (`hris-sync.yaml: mapping.email:
 * …`): `file`, else the issue's `record`. Warnings say so.
 */
export function formatIssues(issues: readonly Issue[], file?: string): string {
  return issues
    .map((i) => {
      const where = file ?? i.record
      const text = i.severity === 'warning' ? `warning: ${i.message}` : i.message
      return where === undefined ? text : `${where}: ${text}`
    })
    .join('\n')
}
