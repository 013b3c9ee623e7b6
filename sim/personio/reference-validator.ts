// Validates simulator responses against Personio's public API documents (copied byte for byte
// into reference/ beside this file, see its SOURCE.txt; or PERSONIO_REFERENCE_DIR), with Ajv.
import path from 'node:path'

import type {
  Correction,
  ReferenceValidator as Validator,
  ResponseLookup as Lookup,
} from '../shared/reference-validator.ts'
import { at, createValidator } from '../shared/reference-validator.ts'

export const REFERENCE_DIR =
  process.env['PERSONIO_REFERENCE_DIR'] ?? path.resolve(import.meta.dirname, 'reference')

const DOCUMENTS = {
  auth: 'personio-auth-api.yaml',
  personnel: 'personio-personnel-data-api-oa3.yaml',
  credentials: 'credentials-service-api-v2.json',
  persons: 'persons-service-api-v2.json',
  employments: 'employment-contract-v2.json',
  common: 'common-components-v2.json',
} as const
export type DocumentName = keyof typeof DOCUMENTS

/**
 * Where the documents are wrong or incomplete, each corrected before use (and said in the report):
 * the simulator answers as Personio does, not as the gap would have it.
 */
export const CORRECTIONS: readonly Correction<DocumentName>[] = [
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

export type ResponseLookup = Lookup<DocumentName>
export type ReferenceValidator = Validator<DocumentName>

export const createReferenceValidator = (dir = REFERENCE_DIR): ReferenceValidator =>
  createValidator({
    dir,
    files: DOCUMENTS,
    corrections: CORRECTIONS,
    dialect: 'openapi-3.0',
    // the v2 documents use "url", which is no JSON Schema format: read as "uri"
    formats: { url: /^[a-z][a-z0-9+.-]*:\/\/\S+$/i },
  })
