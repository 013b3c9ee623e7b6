import { createRoute, z } from '@hono/zod-openapi'
import type { OpenAPIHono } from '@hono/zod-openapi'

import { Schedule } from '../../config/config-file.ts'
import { jsonSchemaOf } from '../../config/json-schema.ts'
import { FILTER_OPS } from '../../core/filter/filter-rule.ts'
import { NAME_FORMATS } from '../../core/mapping/mapping-config.ts'
import { DIRECTORY_FIELDS } from '../../core/model/person.ts'
import { SOURCE_PATHS, sourceType } from '../../core/model/source-path.ts'
import { SyncConfig } from '../../core/plan/sync-config.ts'
import { REASONS } from '../../core/plan/sync-plan.ts'
import type { AppEnv, HttpDeps } from '../http-deps.ts'
import { ERRORS, json } from '../responses.ts'
import { secureRoute } from '../secure-route.ts'

const MetaSchema = z
  .object({
    connectors: z.array(
      z.object({
        id: z.string(),
        needsSecret: z.boolean(),
        config: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema.' }),
        secret: z.record(z.string(), z.unknown()).nullable(),
        defaultFilter: z.unknown().openapi({
          description:
            'The sync-if filter a new connection starts with (BambooHR: employees with a hire date); null: none.',
        }),
      }),
    ),
    directoryFields: z.array(z.object({ name: z.string(), label: z.string(), type: z.string() })),
    sourceFields: z.array(z.object({ path: z.string(), label: z.string(), type: z.string() })),
    identifierRules: z.array(z.string()),
    filterOps: z.array(z.string()),
    nameFormats: z.array(z.string()),
    reasons: z.array(z.string()),
    defaults: z.object({
      config: z.record(z.string(), z.unknown()),
      schedule: z.record(z.string(), z.unknown()),
    }),
  })
  .openapi('Meta')

/** What a client needs to build its forms: connectors and their schemas, fields, options. */
export function metaRoutes(app: OpenAPIHono<AppEnv>, deps: HttpDeps) {
  // computed once: the schemas do not change while the server runs
  const meta = {
    connectors: Object.entries(deps.sources).map(([id, source]) => ({
      id,
      needsSecret: source.secret !== null,
      config: jsonSchemaOf(source.config),
      secret: source.secret === null ? null : jsonSchemaOf(source.secret),
      defaultFilter: deps.engine.initialConfig(id).filter,
    })),
    directoryFields: Object.entries(DIRECTORY_FIELDS).map(([name, f]) => ({
      name,
      label: f.label,
      type: f.type,
    })),
    sourceFields: Object.entries(SOURCE_PATHS).map(([path, f]) => ({
      path,
      label: f.label,
      type: sourceType(path) ?? 'text',
    })),
    identifierRules: ['work_email', 'employee_number', 'personal_email', 'name'],
    filterOps: [...FILTER_OPS],
    nameFormats: [...NAME_FORMATS],
    reasons: [...REASONS],
    defaults: {
      config: SyncConfig.parse({}) as unknown as Record<string, unknown>,
      schedule: Schedule.parse({}) as unknown as Record<string, unknown>,
    },
  }
  app.openapi(
    secureRoute(
      deps,
      createRoute({
        method: 'get',
        path: '/api/v1/meta',
        tags: ['Meta'],
        summary: 'Connectors (with their config and credential schemas), fields and options',
        responses: { 200: json(MetaSchema, 'What the forms need.'), 401: ERRORS[401] },
      }),
    ),
    (c) => c.json(meta, 200),
  )
}
