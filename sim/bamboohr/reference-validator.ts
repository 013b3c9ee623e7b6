// Validates simulator responses against BambooHR's public OpenAPI document (copied byte for
// byte into reference/ beside this file, see its SOURCE.txt; or BAMBOOHR_REFERENCE_DIR).
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
  }
}
