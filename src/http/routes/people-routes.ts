import { randomUUID } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { createRoute, z } from '@hono/zod-openapi'
import type { OpenAPIHono } from '@hono/zod-openapi'

import { SyncError } from '../../core/errors.ts'
import type { Issue } from '../../core/errors.ts'
import { FieldValue } from '../../core/model/field-value.ts'
import {
  PERSON_STATUSES,
  fieldValueProblem,
  isTargetField,
  targetFieldLabel,
} from '../../core/model/person.ts'
import type { Person } from '../../core/model/person.ts'
import { SyncConfig } from '../../core/plan/sync-config.ts'
import { identifierExport, importIdentifiers } from '../../engine/identifier-import.ts'
import { actorName } from '../http-deps.ts'
import type { AppEnv, HttpDeps } from '../http-deps.ts'
import { ERRORS, FILE_BODY, body, json } from '../responses.ts'
import { Paging, PersonRow, TeamSchema } from '../schemas.ts'
import { secureRoute } from '../secure-route.ts'

const WorkspaceParams = z.object({ workspaceId: z.string() })
const PersonParams = WorkspaceParams.extend({ personId: z.string() })

/** How a person is named in lists: display name, else first and last, else email, else id. */
export function personName(p: Person): string {
  const text = (f: string) => {
    const v = p.fields[f]
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
  }
  const parts = [text('firstName'), text('lastName')].filter((x) => x !== null).join(' ')
  return text('displayName') ?? (parts !== '' ? parts : null) ?? text('email') ?? p.id
}

/**
 * The directory fields some connection's mapping owns for the HR system (every sync sets them
 * again), with the connection's name: only the others can be edited here.
 */
async function hrisOwned(deps: HttpDeps, workspaceId: string): Promise<Map<string, string>> {
  const owned = new Map<string, string>()
  for (const connection of await deps.store.listConnections(workspaceId)) {
    const stored = await deps.store.latestSyncConfig(connection.id)
    const parsed = SyncConfig.safeParse(stored?.config ?? {})
    if (!parsed.success) continue
    for (const [field, rule] of Object.entries(parsed.data.mapping)) {
      if (rule.owner === 'hris' && !owned.has(field)) owned.set(field, connection.name)
    }
  }
  return owned
}

/** The directory: people (with managers and teams), teams, identifier export and import. */
export function peopleRoutes(app: OpenAPIHono<AppEnv>, deps: HttpDeps) {
  const { views, store } = deps
  const tags = ['Directory']

  /** People as rows: their manager's and teams' names beside them. */
  const rows = async (workspaceId: string, people: readonly Person[]) => {
    const managers = await views.peopleByIds(
      workspaceId,
      people.flatMap((p) => (p.managerId === null ? [] : [p.managerId])),
    )
    const teams = new Map((await views.teams(workspaceId)).map((t) => [t.id, t.name]))
    const byId = new Map(managers.map((m) => [m.id, m]))
    return people.map((person) => {
      const manager = person.managerId === null ? undefined : byId.get(person.managerId)
      return {
        person,
        name: personName(person),
        manager: manager ? { id: manager.id, name: personName(manager) } : null,
        teams: person.teamIds.map((id) => ({ id, name: teams.get(id) ?? id })),
      }
    })
  }

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/people',
        tags,
        summary: 'People of the directory, by name',
        request: {
          params: WorkspaceParams,
          query: z.object({
            q: z.string().max(200).optional().openapi({
              description: 'Searches names, emails, identifiers and employee numbers.',
            }),
            status: z.enum(PERSON_STATUSES).optional(),
            teamId: z.string().optional(),
            ...Paging,
          }),
        },
        responses: {
          200: json(
            z.object({ total: z.number(), items: z.array(PersonRow) }),
            'A page of people.',
          ),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const q = c.req.valid('query')
      const page = await views.people(workspace.id, {
        ...(q.q === undefined ? {} : { q: q.q }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.teamId === undefined ? {} : { teamId: q.teamId }),
        offset: q.offset,
        limit: q.limit,
      })
      return c.json({ total: page.total, items: await rows(workspace.id, page.items) }, 200)
    },
  )

  const PersonView = z
    .object({
      row: PersonRow,
      reports: z.array(z.object({ id: z.string(), name: z.string() })),
      /** Fields a sync sets (owned by the HR system), with the connection that sets them. */
      ownedBy: z.record(z.string(), z.string()),
    })
    .openapi('PersonView')

  const personView = async (workspaceId: string, person: Person) => {
    const [row] = await rows(workspaceId, [person])
    const reports = (
      await views.people(workspaceId, { managerId: person.id, offset: 0, limit: 500 })
    ).items
    const owned = await hrisOwned(deps, workspaceId)
    if (!row) throw new SyncError('internal', 'no row for the person')
    return {
      row,
      reports: reports.map((p) => ({ id: p.id, name: personName(p) })),
      ownedBy: Object.fromEntries(owned),
    }
  }

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/people/{personId}',
        tags,
        summary: 'A person, with manager, teams, reports and which fields a sync sets',
        request: { params: PersonParams },
        responses: { 200: json(PersonView, 'The person.'), 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    async (c) => {
      const { workspaceId, personId } = c.req.valid('param')
      const person = await views.person(workspaceId, personId)
      if (!person) throw new SyncError('not_found', `person ${personId} not found`)
      return c.json(await personView(workspaceId, person), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'patch',
        path: '/api/v1/workspaces/{workspaceId}/people/{personId}',
        tags,
        summary: 'Edit fields the application owns',
        description:
          'Only fields no connection’s mapping owns for the HR system (`owner: hris`): a sync would overwrite those. Each value must fit its field’s type (text, an email, an E.164 phone number, a YYYY-MM-DD date, a number, a list of text; a custom field takes any), else 422 with an issue per field at `fields.<name>`. null leaves a field empty. Nothing is changed unless every field is valid.',
        request: {
          params: PersonParams,
          body: body(z.object({ fields: z.record(z.string(), FieldValue) })),
        },
        responses: {
          200: json(PersonView, 'Edited.'),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          409: ERRORS[409],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, personId } = c.req.valid('param')
      const { fields } = c.req.valid('json')
      const owned = await hrisOwned(deps, workspaceId)
      const issues: Issue[] = Object.entries(fields).flatMap(([field, value]): Issue[] => {
        const at = ['fields', field]
        if (!isTargetField(field)) {
          return [
            {
              code: 'unknown_field',
              severity: 'error',
              message: `"${field}" is not a directory field (a built-in one, or custom.<key>)`,
              path: at,
            },
          ]
        }
        const by = owned.get(field)
        if (by === undefined) {
          const problem = fieldValueProblem(field, value)
          return problem === null
            ? []
            : [{ code: 'invalid_value', severity: 'error', message: problem, path: at }]
        }
        return [
          {
            code: 'owned_by_hris',
            severity: 'error',
            message: `${targetFieldLabel(field)} comes from the HR system (connection "${by}"): a sync would overwrite it. Make it owned by the application in that connection's mapping to edit it here.`,
            path: at,
          },
        ]
      })
      if (issues.length > 0) {
        throw new SyncError('invalid_input', 'these fields cannot be edited like this', { issues })
      }
      const person = await views.editPerson(
        workspaceId,
        personId,
        fields,
        actorName(c.get('actor')),
      )
      return c.json(await personView(workspaceId, person), 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/teams',
        tags,
        summary: 'Teams, with how many members each',
        request: { params: WorkspaceParams },
        responses: {
          200: json(
            z.object({ teams: z.array(z.object({ team: TeamSchema, members: z.number() })) }),
            'Teams.',
          ),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const teams = await views.teams(c.get('workspace').id)
      return c.json({ teams: teams.map(({ members, ...team }) => ({ team, members })) }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/teams/{teamId}',
        tags,
        summary: 'A team and its members',
        request: { params: WorkspaceParams.extend({ teamId: z.string() }) },
        responses: {
          200: json(z.object({ team: TeamSchema, members: z.array(PersonRow) }), 'The team.'),
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const { workspaceId, teamId } = c.req.valid('param')
      const team = await views.team(workspaceId, teamId)
      if (!team) throw new SyncError('not_found', `team ${teamId} not found`)
      const members = await views.people(workspaceId, { teamId, offset: 0, limit: 500 })
      return c.json({ team, members: await rows(workspaceId, members.items) }, 200)
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/workspaces/{workspaceId}/identifiers/export',
        tags,
        summary: 'Export everyone with an identifier column, to fill in',
        request: {
          params: WorkspaceParams,
          query: z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') }),
        },
        responses: {
          200: {
            description: 'The file.',
            content: {
              'text/csv': { schema: z.string() },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: z.string().openapi({ format: 'binary' }),
              },
            },
          },
          401: ERRORS[401],
          404: ERRORS[404],
        },
      }),
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const { format } = c.req.valid('query')
      const { header, rows } = await identifierExport(store, workspace.id)
      const file = path.join(tmpdir(), `hris-sync-export-${randomUUID()}.${format}`)
      try {
        await deps.tables.write(file, format, header, rows)
        const bytes = await readFile(file)
        return c.body(new Uint8Array(bytes), 200, {
          'content-type':
            format === 'csv'
              ? 'text/csv; charset=utf-8'
              : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': `attachment; filename="people.${format}"`,
        })
      } finally {
        await rm(file, { force: true })
      }
    },
  )

  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'post',
        path: '/api/v1/workspaces/{workspaceId}/identifiers/import',
        tags,
        summary: 'Import identifiers from an edited export',
        description:
          'Every row is checked first; nothing is written unless all are valid (422 with an issue per row and column). `name` says the format (.csv or .xlsx).',
        request: {
          params: WorkspaceParams,
          query: z.object({
            name: z.string().min(1).max(200),
            sheet: z.string().max(100).optional(),
          }),
          body: FILE_BODY,
        },
        responses: {
          200: json(
            z.object({ changed: z.number(), unchanged: z.number(), linked: z.number() }),
            'Set.',
          ),
          400: ERRORS[400],
          401: ERRORS[401],
          404: ERRORS[404],
          409: ERRORS[409],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const workspace = c.get('workspace')
      const { name, sheet } = c.req.valid('query')
      const ext = path.extname(name).toLowerCase()
      if (ext !== '.csv' && ext !== '.xlsx') {
        throw new SyncError('invalid_input', `${name}: import a .csv or .xlsx file`)
      }
      const file = path.join(tmpdir(), `hris-sync-import-${randomUUID()}${ext}`)
      try {
        await writeFile(file, new Uint8Array(await c.req.arrayBuffer()), { mode: 0o600 })
        const table = await deps.tables.read(file, sheet === undefined ? {} : { sheet })
        const result = await importIdentifiers(store, workspace.id, table, {
          actor: actorName(c.get('actor')),
          name: path.basename(name),
        })
        return c.json(result, 200)
      } finally {
        await rm(file, { force: true })
      }
    },
  )
}
