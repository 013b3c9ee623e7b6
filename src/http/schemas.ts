import { z } from '@hono/zod-openapi'

import { PERSON_STATUSES } from '../core/model/person.ts'
import type { Person, Team } from '../core/model/person.ts'
import { RUN_STATES } from '../core/run/run-state.ts'
import type { Change } from '../core/plan/sync-plan.ts'
import { MEMBER_ROLES, RUN_KINDS } from '../storage/store.ts'

/**
 * A response schema that documents the main fields of a type the core defines (the document shows
 * them; the handler's type is the core's own). Responses are not parsed again on the way out.
 */
const documented = <T>(schema: z.ZodType) => schema as unknown as z.ZodType<T>

const Id = z.string().min(1).max(200)
const Instant = z.string().openapi({ format: 'date-time' })

export const IssueSchema = z
  .object({
    code: z.string(),
    severity: z.enum(['error', 'warning']),
    message: z.string(),
    path: z.array(z.union([z.string(), z.number()])),
    record: z.string().optional(),
  })
  .openapi('Issue', {
    description: 'A problem with one record or setting; `path` names the field.',
  })

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string(),
      issues: z.array(IssueSchema).optional(),
    }),
  })
  .openapi('Error', { description: 'Every error has this shape.' })

export const WorkspaceSchema = z.object({ id: Id, name: z.string() }).openapi('Workspace')
export const RoleSchema = z.enum(MEMBER_ROLES)

export const UserSchema = z
  .object({ id: Id, email: z.string(), name: z.string(), createdAt: Instant })
  .openapi('User')
export const MemberSchema = UserSchema.extend({ role: RoleSchema }).openapi('Member')

export const SessionSchema = z
  .object({
    user: UserSchema,
    workspaces: z.array(WorkspaceSchema.extend({ role: RoleSchema })),
    /** Sent back in X-CSRF-Token with every request that changes something. */
    csrfToken: z.string(),
    expiresAt: Instant,
    confirmedAt: Instant.nullable(),
  })
  .openapi('Session')

export const Credentials = z
  .object({
    email: z.string().trim().min(3).max(320),
    password: z.string().min(1).max(200),
  })
  .openapi('Credentials')

export const Password = z.string().min(10).max(200).openapi({
  description: 'At least 10 characters.',
})

export const ApiTokenSchema = z
  .object({
    id: Id,
    workspaceId: Id,
    name: z.string(),
    prefix: z.string(),
    createdBy: z.string().nullable(),
    createdAt: Instant,
    lastUsedAt: Instant.nullable(),
  })
  .openapi('ApiToken')

export const RunSchema = z
  .object({
    id: Id,
    workspaceId: Id,
    connectionId: Id,
    kind: z.enum(RUN_KINDS),
    state: z.enum(RUN_STATES),
    planId: z.string().nullable(),
    configVersion: z.number().int().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    counts: z.record(z.string(), z.number()).nullable(),
    createdAt: Instant,
    updatedAt: Instant,
    finishedAt: Instant.nullable(),
  })
  .openapi('Run')

export const ProgressSchema = z
  .object({
    phase: z.enum(['reading', 'planning', 'applying']),
    done: z.number().int(),
    total: z.number().int().nullable(),
  })
  .openapi('Progress', { description: 'How far a run in this server has come.' })

export const ConnectionSchema = z
  .object({
    id: Id,
    workspaceId: Id,
    name: z.string(),
    connector: z.string(),
    config: z.record(z.string(), z.unknown()),
    hasSecret: z.boolean(),
    status: z.string(),
    watermark: z.string().nullable(),
    createdAt: Instant,
  })
  .openapi('Connection', { description: 'Credentials are never returned: see `secret`.' })

export const ConnectionView = z
  .object({
    connection: ConnectionSchema,
    /** The stored credentials masked, field by field. */
    secret: z.record(z.string(), z.string()).nullable(),
    latestRun: RunSchema.nullable(),
  })
  .openapi('ConnectionView')

export const FieldInfoSchema = z
  .object({
    path: z.string(),
    key: z.string(),
    label: z.string(),
    type: z.enum(['text', 'date', 'datetime', 'number', 'list']),
    custom: z.boolean(),
    sample: z.unknown(),
  })
  .openapi('FieldInfo')

export const ChangeSchema = documented<Change>(
  z
    .looseObject({
      id: z.string().openapi({ example: 'person:1042' }),
      kind: z.enum(['person', 'team', 'membership', 'manager']),
      action: z.string(),
      reason: z.string(),
      label: z.string(),
      issues: z.array(IssueSchema),
    })
    .openapi('Change', {
      description:
        'One change of a plan: person changes carry before, after, diff and targetHash; team, membership and manager changes refer to people and teams by id or by the change that creates them.',
    }),
)

export const ResultSchema = z
  .object({
    changeId: z.string(),
    status: z.enum(['applied', 'stale', 'skipped', 'failed']),
    entityId: z.string().nullable(),
    message: z.string().nullable(),
    errorCode: z.string().nullable(),
    at: Instant,
  })
  .openapi('ChangeResult')

export const PersonSchema = documented<Person>(
  z
    .looseObject({
      id: Id,
      fields: z.record(z.string(), z.unknown()),
      identifier: z.string().nullable(),
      status: z.enum(PERSON_STATUSES),
      leaverDate: z.string().nullable(),
      managerId: z.string().nullable(),
      teamIds: z.array(z.string()),
      inviteStatus: z.string(),
    })
    .openapi('Person'),
)

export const TeamSchema = documented<Team>(
  z.looseObject({ id: Id, name: z.string(), hash: z.string() }).openapi('Team'),
)

const NameRef = z.object({ id: Id, name: z.string() })

export const PersonRow = z
  .object({
    person: PersonSchema,
    name: z.string(),
    manager: NameRef.nullable(),
    teams: z.array(NameRef),
  })
  .openapi('PersonRow')

export const Paging = {
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
}

/** `a,b` or repeated: the values of one filter. */
export const List = z
  .string()
  .max(2000)
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  )
  .optional()

/**
 * Bodies the core's own schemas check (they are recursive, which the generator cannot follow):
 * documented by components made from their JSON Schema, validated by the handler with every issue.
 */
const componentRef = (name: string, description: string) => {
  const metadata = { $ref: `#/components/schemas/${name}`, description }
  return z.unknown().openapi(metadata)
}
export const SyncConfigRef = componentRef(
  'SyncConfig',
  'Mapping, identifiers, sync-if filter, policy and time zone.',
)
export const ScheduleRef = componentRef('Schedule', 'When syncs run on their own.')
