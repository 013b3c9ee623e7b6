import { z } from 'zod'

import type { Issue } from '../errors.ts'
import { FilterRule, filterFields } from '../filter/filter-rule.ts'
import { MappingConfig, defaultMapping, ruleSources } from '../mapping/mapping-config.ts'
import { IdentifierRule, ruleName } from '../matching/identifier-rule.ts'
import { Text } from '../model/employee.ts'
import { targetFieldLabel } from '../model/person.ts'
import { sourceLabel, sourceRoot } from '../model/source-path.ts'

const validTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** What a sync may do beyond updating fields. */
export const SyncPolicy = z.strictObject({
  /** Employees terminated before they were ever imported: left out, or created as leavers. */
  terminatedNeverImported: z.enum(['skip', 'create_as_leaver']).default('skip'),
  /** The group leavers join (Ledgy's "Ex-employees"); null: none. */
  leaverGroup: Text.nullable().default('Ex-employees'),
  /** A plan that would make more than this share of active people leavers waits for approval. */
  leaverThreshold: z.number().min(0).max(1).default(0.2),
  /** One team per department; people join their department's team and leave the old one. */
  teamsFromDepartments: z.boolean().default(true),
  /** A person's manager is the person of their supervisor. */
  managersFromSupervisors: z.boolean().default(true),
  /** New people are created with a pending invitation. */
  inviteNewPeople: z.boolean().default(false),
})
export type SyncPolicy = z.infer<typeof SyncPolicy>

/** Everything that decides a plan, besides the data: parsed once, then passed around frozen. */
export const SyncConfig = z.strictObject({
  /** Replaces the default directory mapping as a whole when given. */
  mapping: MappingConfig.default(() => defaultMapping()),
  /** Tried in order; the first that finds anyone decides. */
  identifiers: z.array(IdentifierRule).min(1).default(['work_email']),
  filter: FilterRule.nullable().default(null),
  policy: SyncPolicy.default(() => SyncPolicy.parse({})),
  /** Where "today" is: decides whether a termination date has passed. */
  timeZone: z
    .string()
    .refine(validTimeZone, { message: 'is not an IANA time zone' })
    .default('UTC'),
})
export type SyncConfig = z.infer<typeof SyncConfig>

const IDENTIFIER_SOURCES: Record<string, string> = {
  work_email: 'workEmail',
  personal_email: 'personalEmail',
  employee_number: 'employeeNumber',
}

/**
 * What to enable in the HR system so the credential reads the model field `path` (a root), in
 * words an admin can act on; null when there is nothing to say. Each connector knows its own.
 */
export type EnableHint = (path: string) => string | null

interface Unreadable {
  readonly issue: Issue
  /** The model field it is about. */
  readonly source: string
}

/** One issue per consequence of `path` being unreadable, with the hint when there is one. */
function unreadable(
  path: string,
  consequence: string,
  severity: Issue['severity'],
  at: readonly (string | number)[],
  hint: EnableHint | undefined,
): Unreadable {
  const enable = hint?.(sourceRoot(path)) ?? null
  return {
    source: sourceRoot(path),
    issue: {
      code: 'field_not_readable',
      severity,
      message: `${sourceLabel(path)} is not readable with these credentials: ${consequence}${enable === null ? '' : `. ${enable}`}`,
      path: at,
    },
  }
}

function configUnreadable(
  config: SyncConfig,
  readable: ReadonlySet<string>,
  hint: EnableHint | undefined,
): Unreadable[] {
  const out: Unreadable[] = []
  const can = (path: string) => readable.has(sourceRoot(path))
  const missing = (
    path: string,
    consequence: string,
    severity: Issue['severity'],
    at: (string | number)[],
  ) => out.push(unreadable(path, consequence, severity, at, hint))

  if (!can('terminationDate')) {
    missing('terminationDate', 'leavers cannot be detected', 'warning', ['terminationDate'])
  } else if (!can('status')) {
    missing('status', STATUS_CONSEQUENCE, 'warning', ['status'])
  }
  const identifierPaths = config.identifiers.map((rule) =>
    typeof rule === 'string'
      ? rule === 'name'
        ? ['firstName', 'lastName']
        : [IDENTIFIER_SOURCES[rule] ?? rule]
      : [`custom.${rule.custom}`],
  )
  const usable = identifierPaths.filter((paths) => paths.every(can))
  config.identifiers.forEach((rule, i) => {
    const path = identifierPaths[i]?.find((p) => !can(p))
    if (path === undefined) return
    missing(
      path,
      usable.length === 0
        ? 'no identifier can be read, so no employee can be matched and every one would be created again'
        : `employees cannot be matched by ${ruleName(rule).replace('_', ' ')}`,
      usable.length === 0 ? 'error' : 'warning',
      ['identifiers', i],
    )
  })
  for (const path of new Set(config.filter ? filterFields(config.filter) : [])) {
    if (!can(path)) {
      missing(path, 'the sync-if condition on it cannot be evaluated', 'error', ['filter', path])
    }
  }
  if (config.policy.managersFromSupervisors && !can('supervisorExternalId')) {
    missing('supervisorExternalId', SUPERVISOR_CONSEQUENCE, 'warning', [
      'policy',
      'managersFromSupervisors',
    ])
  }
  if (config.policy.teamsFromDepartments && !can('department')) {
    missing('department', 'teams cannot be built from departments', 'warning', [
      'policy',
      'teamsFromDepartments',
    ])
  }
  for (const [field, rule] of Object.entries(config.mapping)) {
    const path = ruleSources(rule).find((p) => !can(p))
    if (path === undefined || path === 'terminationDate') continue
    missing(path, `${targetFieldLabel(field)} will not be synced`, 'warning', ['mapping', field])
  }
  return out
}

const STATUS_CONSEQUENCE =
  'leavers are found by their termination date only, and employees on leave or onboarding look active'
const SUPERVISOR_CONSEQUENCE = 'managers cannot be set from supervisors'

/**
 * The fields every connection should read, whatever its mapping, and what each disables when it
 * cannot: names, email, hire date, termination date, status, supervisor.
 */
const IMPORTANT_FIELDS: readonly (readonly [string, string])[] = [
  ['workEmail', 'employees cannot be matched by their work email, and nobody gets one'],
  ['firstName', 'nobody gets a first name, and employees cannot be matched by name'],
  ['lastName', 'nobody gets a last name, and employees cannot be matched by name'],
  ['hireDate', 'start dates are not synced, and no sync-if can use them'],
  ['terminationDate', 'leavers cannot be detected'],
  ['status', STATUS_CONSEQUENCE],
  ['supervisorExternalId', SUPERVISOR_CONSEQUENCE],
]

/**
 * What a configuration cannot do with a credential that reads only `readable` (model field
 * names, `custom.<key>` for custom fields): one issue per consequence, in words an admin can act
 * on, each with `hint`'s advice when it has some. Errors make planning impossible; warnings say
 * what will not happen.
 */
export function readabilityIssues(
  config: SyncConfig,
  readable: ReadonlySet<string>,
  hint?: EnableHint,
): Issue[] {
  return configUnreadable(config, readable, hint).map((u) => u.issue)
}

/**
 * What a connection's credential cannot read, for the admin choosing what it may read:
 * `readabilityIssues`, and a warning for each important field (names, email, hire date,
 * termination date, status, supervisor) it cannot read that the configuration did not already
 * name, whatever the mapping, with what it disables.
 */
export function connectionFieldIssues(
  config: SyncConfig,
  readable: ReadonlySet<string>,
  hint?: EnableHint,
): Issue[] {
  const found = configUnreadable(config, readable, hint)
  const named = new Set(found.map((u) => u.source))
  for (const [path, consequence] of IMPORTANT_FIELDS) {
    if (readable.has(path) || named.has(path)) continue
    named.add(path)
    found.push(unreadable(path, consequence, 'warning', [path], hint))
  }
  return found.map((u) => u.issue)
}

/** What a plan reads of every employee, whatever the config: identity, leaving, names. */
const ALWAYS_READ = [
  'externalId',
  'status',
  'terminationDate',
  'lastWorkingDay',
  'firstName',
  'lastName',
  'preferredName',
  'sourceUpdatedAt',
]

/**
 * The employee fields (model roots: `department`, `custom.dynamic_123`) a sync with this config
 * reads: its mapping, identifiers, sync-if filter, the policy's teams and managers, and what every
 * plan needs. A connector may ask the HR system for these only: nothing else is copied.
 */
export function sourceFieldsOf(config: SyncConfig): string[] {
  const paths = new Set(ALWAYS_READ)
  for (const rule of Object.values(config.mapping)) for (const p of ruleSources(rule)) paths.add(p)
  for (const rule of config.identifiers) {
    if (rule === 'name') continue
    paths.add(
      typeof rule === 'string' ? (IDENTIFIER_SOURCES[rule] ?? rule) : `custom.${rule.custom}`,
    )
  }
  if (config.filter) for (const p of filterFields(config.filter)) paths.add(p)
  if (config.policy.teamsFromDepartments) paths.add('department')
  if (config.policy.managersFromSupervisors) paths.add('supervisorExternalId')
  return [...new Set([...paths].map(sourceRoot))].sort()
}
