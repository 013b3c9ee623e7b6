import { getCountries } from 'libphonenumber-js/max'
import { z } from 'zod'

import { FilterCondition } from '../core/filter/filter-rule.ts'
import { Country, FieldRule, MappingConfig, Transform } from '../core/mapping/mapping-config.ts'
import { IdentifierRule } from '../core/matching/identifier-rule.ts'
import { DIRECTORY_FIELDS } from '../core/model/person.ts'
import { SOURCE_PATHS } from '../core/model/source-path.ts'
import { SyncConfig, SyncPolicy } from '../core/plan/sync-config.ts'
import { configFileSchema } from './config-file.ts'
import type { Sources } from './config-file.ts'

const TRANSFORM_HELP: Readonly<Record<string, string>> = {
  trim: 'Removes spaces around the value.',
  lower: 'Lower-cases the value (emails compare that way).',
  name_format:
    'Builds a name from first, last and preferred name: first_last, last_first or last_comma_first.',
  phone_e164:
    'Writes a phone number as +491701234567; defaultCountry is used for numbers written without +.',
  date: 'Reads a date written as input (auto takes YYYY-MM-DD and DD.MM.YYYY) and writes YYYY-MM-DD.',
  map: 'Replaces values by a table; a value not in it is kept (otherwise: keep) or left empty (otherwise: null).',
  default: 'Uses value when the employee has none.',
}

/**
 * Help for the core schemas the file reuses, shown by editors. Kept here, by schema identity,
 * so the core schemas stay as they are (their JSDoc says the same for programmers).
 */
const CORE_HELP = new Map<unknown, string>([
  [
    SyncConfig.shape.mapping,
    'Directory field → how it gets its value. Replaces the built-in mapping as a whole: fields not listed are never touched by a sync.',
  ],
  [
    SyncConfig.shape.identifiers,
    'How an employee is found among existing people, tried in order: work_email, employee_number, personal_email, name, or { custom: <key> }.',
  ],
  [
    SyncConfig.shape.filter,
    'Sync only employees for whom this holds ("sync-if"): { field, op, value }, or { all: [...] } / { any: [...] } of such rules. null: everyone. Left out: the HR system\'s default (BambooHR: employees with a hire date; the others: everyone).',
  ],
  [SyncConfig.shape.policy, 'What a sync may do beyond updating fields.'],
  [
    SyncConfig.shape.timeZone,
    'IANA time zone (Europe/Berlin) that decides when a termination date has passed.',
  ],
  [
    SyncPolicy.shape.terminatedNeverImported,
    'Employees who left before they were ever synced: skip them, or create them as leavers.',
  ],
  [SyncPolicy.shape.leaverGroup, 'The group leavers are moved to (e.g. Ex-employees); null: none.'],
  [
    SyncPolicy.shape.leaverThreshold,
    'A plan that would make more than this share (0–1) of active people leavers waits for approval.',
  ],
  [
    SyncPolicy.shape.teamsFromDepartments,
    "One team per department; people follow their department's team.",
  ],
  [SyncPolicy.shape.managersFromSupervisors, "A person's manager is their supervisor."],
  [SyncPolicy.shape.inviteNewPeople, 'New people get an invitation when they are created.'],
  [FieldRule.shape.from, 'The employee field to read (workEmail, department, custom.<key>…).'],
  [FieldRule.shape.template, 'Text with employee fields in braces: "{firstName} {lastName}".'],
  [FieldRule.shape.const, 'A fixed value.'],
  [FieldRule.shape.transforms, 'Applied in order to the value read.'],
  [
    FieldRule.shape.owner,
    'hris: the HR system wins on every sync (edits in the app are overwritten); app: set on create only.',
  ],
  [IdentifierRule, 'work_email, employee_number, personal_email, name, or { custom: <key> }.'],
  [FilterCondition, 'A condition on one employee field.'],
  ...Transform.options.map((o): [unknown, string] => [
    o,
    TRANSFORM_HELP[o.shape.op.value] ?? o.shape.op.value,
  ]),
])

const CUSTOM = '^custom\\.[A-Za-z0-9_-]+$'
const oneOfNames = (names: readonly string[]) => ({
  anyOf: [{ enum: [...names] }, { pattern: CUSTOM }],
})

/**
 * What the core says in refinements, said in JSON Schema so editors can complete it: the fields
 * of the employee model and of the directory, and country codes.
 */
const CORE_VALUES = new Map<unknown, Record<string, unknown>>([
  [FieldRule.shape.from.unwrap(), oneOfNames(Object.keys(SOURCE_PATHS))],
  [FilterCondition.options[0].shape.field, oneOfNames(Object.keys(SOURCE_PATHS))],
  [MappingConfig, { propertyNames: oneOfNames(Object.keys(DIRECTORY_FIELDS)) }],
  [Country, { enum: getCountries() }],
])

/**
 * The JSON Schema (draft 2020-12) of `hris-sync.yaml`, for editors (`yaml-language-server`): the
 * input side of `configFileSchema`, so fields with defaults are optional. Descriptions come from
 * `.meta()` and, for the core schemas, from the help above. What JSON Schema cannot say (a
 * refinement such as "is a time zone", a connector's `z.custom`) is left out or becomes `{}`
 * (`unrepresentable: 'any'`): the loader still checks it.
 */
export function configJsonSchema(sources: Sources): Record<string, unknown> {
  return jsonSchemaOf(configFileSchema(sources))
}

/**
 * The JSON Schema of any schema built from the core's (a sync config, a schedule), with the same
 * help and values as the file's: what the HTTP API documents its bodies with.
 */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const help = CORE_HELP.get(zodSchema)
      if (help !== undefined) jsonSchema.description ??= help
      Object.assign(jsonSchema, CORE_VALUES.get(zodSchema))
    },
  })
}
