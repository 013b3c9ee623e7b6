import { z } from '@hono/zod-openapi'

import { ErrorSchema } from './schemas.ts'

/** A JSON body, for a request or a response. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

/** A required JSON request body. */
export const body = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
})

/** A file as the request body (a CSV or XLSX upload). */
export const FILE_BODY = {
  required: true,
  content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
}

const error = (description: string) => json(ErrorSchema, description)

/** The errors any authenticated route can answer (the envelope is the same for all). */
export const ERRORS = {
  400: error('The request is malformed: `issues` names each field.'),
  401: error('Not signed in, or the API token is not valid.'),
  403: error('Not allowed, a CSRF token is missing, or the password must be given again.'),
  404: error('Not found in this workspace (ids of other workspaces are not found either).'),
  409: error('Conflicts with the current state (a run in progress, a newer plan, approval).'),
  422: error('Understood but not valid: `issues` names each problem.'),
  429: error('Too many attempts: see Retry-After.'),
} as const
