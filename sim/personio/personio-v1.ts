import type { Hono } from 'hono'

import type { Person } from '../shared/company.ts'
import { fieldUpdatedAt } from '../shared/company.ts'
import { parseBerlinTime } from '../shared/dates.ts'
import { createRenderCache } from '../shared/render-cache.ts'
import type { AttributeDefinition, RenderContext } from './personio-attributes.ts'
import { ATTRIBUTE_BY_KEY, ATTRIBUTES, renderAttribute } from './personio-attributes.ts'
import { v1Error } from './personio-errors.ts'
import type { Ctx, Env } from './personio-http.ts'
import {
  bearer,
  intParam,
  json,
  overLimit,
  queryParams,
  renderContext,
  requestKey,
  tokenAuth,
} from './personio-http.ts'
import type { PersonioState, SimCredential } from './personio-state.ts'

/** GET /v1/company/employees: page size when none is asked for, and the most a page holds. */
export const V1_DEFAULT_LIMIT = 50
export const V1_MAX_LIMIT = 100

const tooMany = (headers: Record<string, string>) =>
  json(v1Error(429, 'Too Many Requests'), 429, headers)

const readBody = async (c: Ctx): Promise<Record<string, unknown>> => {
  const type = c.req.header('content-type') ?? ''
  try {
    if (type.includes('application/json')) {
      const body: unknown = await c.req.json()
      return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
    }
    if (
      type.includes('application/x-www-form-urlencoded') ||
      type.includes('multipart/form-data')
    ) {
      return Object.fromEntries(Object.entries(await c.req.parseBody()))
    }
  } catch {
    return {}
  }
  return {}
}

/**
 * The token of a v1 request, or the answer to give: 401 without a valid token, 403 (the
 * document's shared example) when the credential may not read employees.
 */
const authorize = (
  state: PersonioState,
  c: Ctx,
): Response | { credential: SimCredential; token: string } => {
  const token = bearer(c)
  if (token === null) return json(v1Error(401, 'Authorization is not provided'), 401)
  const auth = tokenAuth(state, c, token)
  if (!auth) return json(v1Error(401, 'Provided authorization is not valid'), 401)
  if (!auth.scopes.has('employees:read'))
    return json(v1Error(403, 'Provided authorization is not valid'), 403)
  return { credential: auth.credential, token }
}

const renderEmployee = (
  person: Person,
  defs: readonly AttributeDefinition[],
  ctx: RenderContext,
) => {
  const attributes: Record<string, unknown> = {}
  for (const def of defs) attributes[def.key] = renderAttribute(def, person, ctx)
  return { type: 'Employee', attributes }
}

/** An employee as JSON text, made once per version of the person (see `createRenderCache`). */
const rendered = createRenderCache()
const employeeJson = (person: Person, defs: readonly AttributeDefinition[], ctx: RenderContext) => {
  const key = `${ctx.language}|${ctx.baseUrl}|${defs.map((d) => d.key).join(',')}`
  const supervisor = person.supervisorId === null ? undefined : ctx.person(person.supervisorId)
  return rendered(person, key, supervisor, () => JSON.stringify(renderEmployee(person, defs, ctx)))
}

/** A list answer whose `data` (its last key) is employees already rendered as JSON. */
const listJson = (
  envelope: Record<string, unknown>,
  items: readonly string[],
  headers: Record<string, string>,
) => {
  const head = JSON.stringify({ ...envelope, data: [] })
  return new Response(`${head.slice(0, -2)}${items.join(',')}]}`, {
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** The attributes a response shows: the requested ones it may read (all readable when none). */
const projection = (requested: readonly string[], ctx: RenderContext) => {
  const wanted = new Set(requested)
  return ATTRIBUTES.filter(
    (def) =>
      ctx.readable(def.key) && (wanted.size === 0 || def.key === 'id' || wanted.has(def.key)),
  )
}

const changedAfter = (person: Person, def: AttributeDefinition, since: number) => {
  const times =
    def.fields.length === 0
      ? [person.createdAt]
      : def.fields.map((f) => (f === '*' ? person.updatedAt : fieldUpdatedAt(person, f)))
  return times.some((t) => Date.parse(t) > since)
}

export const mountV1 = (app: Hono<Env>, state: PersonioState, baseUrl: () => string) => {
  app.post('/v1/auth', async (c) => {
    const limited = overLimit(state, 'v1Auth', tooMany)
    if (limited) return limited
    const query = queryParams(c)
    // Personio refuses credentials in the URL (the "query-string credentials" deprecation)
    if (query.has('client_id') || query.has('client_secret')) {
      return json(
        v1Error(403, 'Credentials must be sent in the request body, not in the query string.'),
        403,
      )
    }
    const body = await readBody(c)
    const clientId = body['client_id']
    const clientSecret = body['client_secret']
    if (
      typeof clientId !== 'string' ||
      typeof clientSecret !== 'string' ||
      !clientId ||
      !clientSecret
    ) {
      return json(v1Error(400, 'The client_id and client_secret fields are required.'), 400)
    }
    const credential = state.credential(clientId)
    if (!credential || credential.clientSecret !== clientSecret) {
      return json(v1Error(401, 'The client credentials are invalid.'), 401)
    }
    const token = state.issueToken(clientId)
    const expiresIn = Math.round((token.expiresAt - state.now().getTime()) / 1000)
    return json(
      {
        success: true,
        data: { token: token.value, expires_in: expiresIn, scope: token.scopes.join(' ') },
      },
      200,
    )
  })

  app.get('/v1/company/employees', async (c) => {
    const auth = authorize(state, c)
    if (auth instanceof Response) return auth
    const limited = overLimit(state, 'v1Employees', tooMany)
    if (limited) return limited
    // counted on arrival, rendered after: requests that arrived together are all counted before
    // any of them is rendered, as at a gateway in front of many servers (one process renders one
    // page at a time, and would otherwise count the last of a burst a whole burst late)
    await new Promise((resolve) => setImmediate(resolve))
    const echo = { authorization: `Bearer ${auth.token}` }
    const query = queryParams(c)
    const ctx = renderContext(state, auth.credential, baseUrl())
    const defs = projection(query.getAll('attributes[]'), ctx)
    const updatedSince = query.get('updated_since')

    if (updatedSince !== null) {
      // the doc: with updated_since, email, limit and offset are ignored; with attributes[]
      // only employees with one of those attributes changed are returned
      const since = parseBerlinTime(updatedSince)
      if (since === null)
        return json(
          v1Error(400, 'The updated_since parameter must be an ISO 8601 date or date-time.'),
          400,
          echo,
        )
      const requested = query
        .getAll('attributes[]')
        .map((key) => ATTRIBUTE_BY_KEY.get(key))
        // an attribute the credential cannot read selects nothing, as it shows nothing
        .filter((d): d is AttributeDefinition => d !== undefined && ctx.readable(d.key))
      const matching = state
        .people()
        .filter((p) =>
          query.getAll('attributes[]').length === 0
            ? Date.parse(p.updatedAt) > since.getTime()
            : requested.some((d) => changedAfter(p, d, since.getTime())),
        )
      return listJson(
        {
          success: true,
          metadata: {
            total_elements: matching.length,
            current_page: 0,
            total_pages: matching.length > 0 ? 1 : 0,
          },
          offset: 0,
          limit: matching.length,
        },
        matching.map((p) => employeeJson(p, defs, ctx)),
        echo,
      )
    }

    const limit = intParam(query.get('limit')) ?? V1_DEFAULT_LIMIT
    const offset = intParam(query.get('offset')) ?? 0
    if (!(limit >= 1 && limit <= V1_MAX_LIMIT)) {
      return json(
        v1Error(400, `The limit must be between 1 and ${String(V1_MAX_LIMIT)}.`),
        400,
        echo,
      )
    }
    if (!(offset >= 0)) return json(v1Error(400, 'The offset must be 0 or more.'), 400, echo)
    const email = query.get('email')
    const all =
      email === null
        ? state.people()
        : state.people().filter((p) => p.workEmail.toLowerCase() === email.toLowerCase())
    const page = all.slice(offset, offset + limit)
    const request = requestKey(c)
    const previous = all[offset - 1]
    if (offset > 0 && previous && state.config.chaos.strikes('duplicate', request, 0))
      page.unshift(previous)
    return listJson(
      {
        success: true,
        metadata: {
          total_elements: all.length,
          current_page: Math.floor(offset / limit),
          total_pages: Math.ceil(all.length / limit),
        },
        offset,
        limit,
      },
      page.map((p) => employeeJson(p, defs, ctx)),
      echo,
    )
  })

  const attributes = (c: Ctx) => {
    const auth = authorize(state, c)
    if (auth instanceof Response) return auth
    const ctx = renderContext(state, auth.credential, baseUrl())
    const data = ATTRIBUTES.filter((def) => ctx.readable(def.key)).map((def) => ({
      key: def.key,
      label: def.labels[state.language],
      type: def.type,
      universal_id: def.universalId,
      options: def.options,
    }))
    return json({ success: true, data }, 200, { authorization: `Bearer ${auth.token}` })
  }
  app.get('/v1/company/employees/attributes', attributes)
  app.get('/v1/company/employees/custom-attributes', attributes)

  app.get('/v1/company/employees/:id', (c) => {
    const auth = authorize(state, c)
    if (auth instanceof Response) return auth
    const echo = { authorization: `Bearer ${auth.token}` }
    const id = intParam(c.req.param('id'))
    const person = id === undefined ? undefined : state.person(id)
    if (!person) {
      const message =
        state.language === 'de' ? 'Es ist ein Problem aufgetreten' : 'Something went wrong'
      return json(v1Error(404, message), 404, echo)
    }
    const ctx = renderContext(state, auth.credential, baseUrl())
    const defs = projection(queryParams(c).getAll('attributes[]'), ctx)
    return json({ success: true, data: renderEmployee(person, defs, ctx) }, 200, echo)
  })
}
