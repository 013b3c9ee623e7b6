// Validates simulator responses against BambooHR's public OpenAPI document (copied byte for
// byte into reference/ beside this file, see its SOURCE.txt; or BAMBOOHR_REFERENCE_DIR).
//
// Where the simulator's errors come from when the document is silent: the endpoints the connector
// calls list no 401 and meta/fields no 404, so a missing or wrong API key (401, "Your API key is
// missing"), an unknown company domain or path (404, "the given URL is not a valid API") and
// throttling (503, or 429 since BambooHR's "Planned Changes to the API" of 16 September 2026,
// each with Retry-After) follow BambooHR's Technical Overview
// (documentation.bamboohr.com/docs/api-details) and its help center's "API Error Code
// Definitions". Every error has an empty body and X-BambooHR-Error-Message (named by both, and by
// the document on endpoints that describe their errors); X-BambooHR-Message, which the document's
// shared responses (components.responses 400, 401, 403, 404, 409, 413, 500) name, comes beside it
// for those statuses.
import path from 'node:path'

import type {
  Correction,
  ReferenceValidator as Validator,
  ResponseLookup as Lookup,
} from '../shared/reference-validator.ts'
import { at, createValidator } from '../shared/reference-validator.ts'

export const REFERENCE_DIR =
  process.env['BAMBOOHR_REFERENCE_DIR'] ?? path.resolve(import.meta.dirname, 'reference')

const DOCUMENTS = { public: 'bamboohr-public-openapi.yaml' } as const
export type DocumentName = keyof typeof DOCUMENTS

/**
 * Where the document is wrong, each corrected before use (and said in the report): the
 * simulator answers as BambooHR does, not as the gap would have it.
 */
export const CORRECTIONS: readonly Correction<DocumentName>[] = [
  {
    document: 'public',
    why: 'POST /v1/reports/custom: an employee\'s values are typed as strings only, but a field with no value is null (as "Get Report by ID" says of the same rows: "values are strings or null", and Get Employee types every field as string or null); empty dates are the string 0000-00-00',
    apply: (doc) => {
      const employees = at(
        doc,
        'paths',
        '/api/v1/reports/custom',
        'post',
        'responses',
        '200',
        'content',
        'application/json',
        'schema',
        'properties',
        'employees',
        'items',
      )
      employees['additionalProperties'] = { type: ['string', 'null'] }
    },
  },
]

export type ResponseLookup = Lookup<DocumentName>
export type ReferenceValidator = Validator<DocumentName> & {
  /** The statuses the document lists for an operation (many without a body schema). */
  statuses(path: string, method: 'get' | 'post'): readonly string[]
  /** The headers the document's shared response of a status names (`components.responses`). */
  sharedHeaders(status: number): readonly string[]
}

export const createReferenceValidator = (dir = REFERENCE_DIR): ReferenceValidator => {
  const validator = createValidator({
    dir,
    files: DOCUMENTS,
    corrections: CORRECTIONS,
    dialect: 'openapi-3.1',
  })
  return {
    ...validator,
    statuses: (apiPath, method) =>
      Object.keys(at(validator.raw.public, 'paths', apiPath, method, 'responses')),
    sharedHeaders: (status) => {
      const responses = at(validator.raw.public, 'components', 'responses')
      const shared = responses[String(status)] as { headers?: object } | undefined
      return Object.keys(shared?.headers ?? {})
    },
  }
}
