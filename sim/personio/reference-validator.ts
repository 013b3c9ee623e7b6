// Validates simulator responses against Personio's public API documents (copied byte for byte
// into reference/ beside this file, see its SOURCE.txt; or PERSONIO_REFERENCE_DIR), with Ajv. OpenAPI 3.0 schemas are
// JSON Schema plus a few keywords: Ajv knows `nullable`, and ignores `example`, `readOnly`, `x-*`.
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { Ajv } from 'ajv'
import type { ErrorObject, ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { parse } from 'yaml'

export const REFERENCE_DIR =
  process.env['PERSONIO_REFERENCE_DIR'] ??
  path.resolve(import.meta.dirname, 'reference')

const DOCUMENTS = {
  auth: 'personio-auth-api.yaml',
  personnel: 'personio-personnel-data-api-oa3.yaml',
  credentials: 'credentials-service-api-v2.json',
  persons: 'persons-service-api-v2.json',
  employments: 'employment-contract-v2.json',
  common: 'common-components-v2.json',
} as const
export type DocumentName = keyof typeof DOCUMENTS

type Json = Record<string, unknown>

const at = (value: unknown, ...keys: string[]): Json => {
  let node = value
  for (const key of keys) node = (node as Json | undefined)?.[key]
  if (typeof node !== 'object' || node === null)
    throw new Error(`no ${keys.join('/')} in the document`)
  return node as Json
}

/**
 * Where the documents are wrong or incomplete, each corrected before use (and said in the report):
 * the simulator answers as Personio does, not as the gap would have it.
 */
export const CORRECTIONS: readonly {
  readonly document: DocumentName
  readonly why: string
  readonly apply: (doc: Json) => void
}[] = [
  {
    document: 'personnel',
    why: 'v1 Employee: an attribute whose value is an object (supervisor, team, office, department, subcompany, holiday_calendar, work_schedule) has value null when it is not set (the CEO has no supervisor; not everyone has a team), but only the scalar attributes are shown with null values',
    apply: (doc) => {
      const schemas = at(doc, 'components', 'schemas')
      for (const name of ['Office', 'Department', 'Team', 'HolidayCalendar', 'WorkSchedule']) {
        at(schemas, name, 'properties', 'value')['nullable'] = true
      }
      const supervisor = at(schemas, 'Supervisor', 'properties')
      supervisor['value'] = { anyOf: [supervisor['value'], { type: 'null' }] }
    },
  },
  {
    document: 'personnel',
    why: 'v1 EmployeesResponse is allOf the generic Response, whose data is an object, and a list whose data is an array: no answer can be both; the generic part keeps only `success`',
    apply: (doc) => {
      const allOf = at(doc, 'components', 'schemas', 'EmployeesResponse')['allOf'] as unknown[]
      allOf[0] = {
        type: 'object',
        required: ['success', 'data'],
        properties: { success: { type: 'boolean' } },
      }
    },
  },
  {
    document: 'employments',
    why: "v2 Employment: the dates probation_end_date, employment_end_date and contract_end_date are null when not set, as the document's own example sends employment_end_date: null, but the schema types them as plain strings",
    apply: (doc) => {
      const properties = at(doc, 'components', 'schemas', 'Employment', 'properties')
      for (const name of ['probation_end_date', 'employment_end_date', 'contract_end_date']) {
        at(properties, name)['nullable'] = true
      }
    },
  },
]

/** The documented answer's schema, or why there is none. */
export interface ResponseLookup {
  readonly document: DocumentName
  /** The path as the document writes it ('/company/employees/{employee_id}'). */
  readonly path: string
  readonly method: 'get' | 'post'
  readonly status: number
  readonly contentType: string
}

export interface ReferenceValidator {
  /** Errors of `body` against the documented response; throws when nothing is documented. */
  validateResponse(lookup: ResponseLookup, body: unknown): readonly string[]
  /**
   * Errors of `body` against a named schema ('common#/components/schemas/ErrorResponse'), or a
   * schema given whole (which may refer to the documents by name).
   */
  validateSchema(schema: string | object, body: unknown): readonly string[]
  /** Whether the document has a schema for that response at all. */
  documents(lookup: ResponseLookup): boolean
  readonly raw: Readonly<Record<DocumentName, Json>>
}

const escape = (segment: string) =>
  encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))

const describe = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  )

export const createReferenceValidator = (dir = REFERENCE_DIR): ReferenceValidator => {
  const raw = {} as Record<DocumentName, Json>
  for (const [name, file] of Object.entries(DOCUMENTS) as [DocumentName, string][]) {
    const text = readFileSync(path.join(dir, file), 'utf8')
    raw[name] = (file.endsWith('.yaml') ? parse(text) : JSON.parse(text)) as Json
  }
  for (const correction of CORRECTIONS) correction.apply(raw[correction.document])

  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false })
  // ajv-formats is CommonJS: TypeScript sees its module object; its `default` is the plugin
  formatsPlugin.default(ajv)
  // the v2 documents use "url", which is no JSON Schema format: read as "uri"
  ajv.addFormat('url', /^[a-z][a-z0-9+.-]*:\/\/\S+$/i)
  for (const name of Object.keys(raw) as DocumentName[]) ajv.addSchema(raw[name], name)

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
  const refOf = (lookup: ResponseLookup): string | null => {
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
