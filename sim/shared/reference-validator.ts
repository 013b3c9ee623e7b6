// Validates simulator responses against an HR system's public API documents (copied byte for
// byte into the simulator's reference/ folder), with Ajv. OpenAPI 3.0 schemas are JSON Schema
// draft 7 plus a few keywords (Ajv knows `nullable`, and ignores `example`, `readOnly`, `x-*`);
// OpenAPI 3.1 schemas are JSON Schema 2020-12.
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { Ajv } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { parse } from 'yaml'

type Json = Record<string, unknown>

/** The node at `keys` below `value`; throws when there is none (a correction that missed). */
export const at = (value: unknown, ...keys: string[]): Json => {
  let node = value
  for (const key of keys) node = (node as Json | undefined)?.[key]
  if (typeof node !== 'object' || node === null)
    throw new Error(`no ${keys.join('/')} in the document`)
  return node as Json
}

/** Where a document is wrong or incomplete: corrected before use, and said why. */
export interface Correction<Name extends string> {
  readonly document: Name
  readonly why: string
  readonly apply: (doc: Json) => void
}

export interface ReferenceDocuments<Name extends string> {
  readonly dir: string
  /** Each document's name (how schemas refer to it: 'personnel#/components/…') and file. */
  readonly files: Readonly<Record<Name, string>>
  readonly corrections: readonly Correction<Name>[]
  readonly dialect: 'openapi-3.0' | 'openapi-3.1'
  /** Formats the documents use that JSON Schema does not know, as patterns. */
  readonly formats?: Readonly<Record<string, RegExp>>
}

/** The documented answer's schema, or why there is none. */
export interface ResponseLookup<Name extends string = string> {
  readonly document: Name
  /** The path as the document writes it ('/company/employees/{employee_id}'). */
  readonly path: string
  readonly method: 'get' | 'post'
  readonly status: number
  readonly contentType: string
}

export interface ReferenceValidator<Name extends string = string> {
  /** Errors of `body` against the documented response; throws when nothing is documented. */
  validateResponse(lookup: ResponseLookup<Name>, body: unknown): readonly string[]
  /**
   * Errors of `body` against a named schema ('common#/components/schemas/ErrorResponse'), or a
   * schema given whole (which may refer to the documents by name).
   */
  validateSchema(schema: string | object, body: unknown): readonly string[]
  /** Whether the document has a schema for that response at all. */
  documents(lookup: ResponseLookup<Name>): boolean
  readonly raw: Readonly<Record<Name, Json>>
}

const escape = (segment: string) =>
  encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))

const describe = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  )

export const createValidator = <Name extends string>(
  set: ReferenceDocuments<Name>,
): ReferenceValidator<Name> => {
  const raw = {} as Record<Name, Json>
  for (const [name, file] of Object.entries(set.files) as [Name, string][]) {
    const text = readFileSync(path.join(set.dir, file), 'utf8')
    raw[name] = (file.endsWith('.yaml') ? parse(text) : JSON.parse(text)) as Json
  }
  for (const correction of set.corrections) correction.apply(raw[correction.document])

  const options = { strict: false, allErrors: true, validateSchema: false, logger: false } as const
  const ajv = set.dialect === 'openapi-3.1' ? new Ajv2020(options) : new Ajv(options)
  // ajv-formats is CommonJS: TypeScript sees its module object; its `default` is the plugin
  formatsPlugin.default(ajv)
  for (const [name, pattern] of Object.entries(set.formats ?? {})) ajv.addFormat(name, pattern)
  for (const name of Object.keys(raw) as Name[]) ajv.addSchema(raw[name], name)

  const compiled = new Map<string, ValidateFunction>()
  const compile = (schema: string | object) => {
    const key = typeof schema === 'string' ? schema : JSON.stringify(schema)
    let validate = compiled.get(key)
    if (!validate) {
      validate = ajv.compile(typeof schema === 'string' ? { $ref: schema } : schema)
      compiled.set(key, validate)
    }
    return validate
  }
  const refOf = (lookup: ResponseLookup<Name>): string | null => {
    const responses = (
      ((raw[lookup.document]['paths'] as Json | undefined)?.[lookup.path] as Json | undefined)?.[
        lookup.method
      ] as Json | undefined
    )?.['responses'] as Json | undefined
    const response = responses?.[String(lookup.status)] as Json | undefined
    const content = response?.['content'] as Json | undefined
    const media = content?.[lookup.contentType] as Json | undefined
    if (media?.['schema'] === undefined) return null
    return `${lookup.document}#/paths/${escape(lookup.path)}/${lookup.method}/responses/${String(lookup.status)}/content/${escape(lookup.contentType)}/schema`
  }
  const run = (schema: string | object, body: unknown) => {
    const validate = compile(schema)
    return validate(body) ? [] : describe(validate.errors)
  }
  return {
    raw,
    documents: (lookup) => refOf(lookup) !== null,
    validateResponse(lookup, body) {
      const ref = refOf(lookup)
      if (ref === null) {
        throw new Error(
          `${lookup.document} documents no ${String(lookup.status)} ${lookup.contentType} answer for ${lookup.method.toUpperCase()} ${lookup.path}`,
        )
      }
      return run(ref, body)
    },
    validateSchema: run,
  }
}
