import type { Hono } from 'hono'

import type { CustomValue, Person } from '../shared/company.ts'
import { formatUtcInstant } from '../shared/dates.ts'
import type { RenderContext } from './personio-attributes.ts'
import { ATTRIBUTES, isDynamicKey } from './personio-attributes.ts'
import type { OAuthError, V2Problem } from './personio-errors.ts'
import {
  CONTENT_TYPE_ERROR,
  oauthError,
  V2_BAD_FILTER,
  V2_BAD_REQUEST,
  V2_FORBIDDEN,
  V2_NOT_FOUND,
  V2_TOO_MANY_REQUESTS,
  V2_UNAUTHORIZED,
  v2Error,
} from './personio-errors.ts'
import type { Ctx, Env } from './personio-http.ts'
import {
  bearer,
  intParam,
  json,
  overLimit,
  problem,
  queryParams,
  renderContext,
  requestKey,
  tokenAuth,
} from './personio-http.ts'
import type { PersonioState, Scope, SimCredential } from './personio-state.ts'

export const V2_DEFAULT_LIMIT = 10
export const V2_MAX_LIMIT = 50

// grant types OAuth 2.0 defines: asked for, they are "unsupported"; anything else is "invalid"
const KNOWN_GRANTS = new Set([
  'authorization_code',
  'refresh_token',
  'password',
  'implicit',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
])

const V1_TO_V2_TYPE: Partial<Record<string, 'STRING' | 'DATE' | 'DOUBLE'>> = {
  standard: 'STRING',
  list: 'STRING',
  date: 'DATE',
  decimal: 'DOUBLE',
}
const TERMINATION_TYPES = {
  resignation: 'EMPLOYEE',
  dismissal: 'FIRED',
  mutual_agreement: 'AGREEMENT',
  contract_expired: 'CONTRACT_EXPIRED',
} as const

interface ListFilters {
  readonly id?: readonly string[]
  readonly email?: readonly string[]
  readonly firstName?: string
  readonly lastName?: string
  readonly preferredName?: string
  readonly status?: 'ACTIVE' | 'INACTIVE'
  readonly updatedGt?: number
  readonly updatedLt?: number
  readonly updatedAt?: number
  readonly createdGt?: number
  readonly createdLt?: number
}

const NAME_FILTERS = {
  first_name: 'firstName',
  last_name: 'lastName',
  preferred_name: 'preferredName',
} as const

interface CursorState {
  readonly after: number
  readonly limit: number
  readonly filters: ListFilters
  /** How many stuck cursors led here (chaos): a stuck cursor is new text at the same place. */
  readonly turn?: number
}

const encodeCursor = (cursor: CursorState) =>
  `cur_${Buffer.from(JSON.stringify(cursor)).toString('base64url')}`
const decodeCursor = (text: string): CursorState | null => {
  if (!text.startsWith('cur_')) return null
  try {
    const value = JSON.parse(
      Buffer.from(text.slice(4), 'base64url').toString('utf8'),
    ) as CursorState
    return typeof value.after === 'number' && typeof value.limit === 'number' ? value : null
  } catch {
    return null
  }
}

const personStatus = (p: Person) => (p.status === 'inactive' ? 'INACTIVE' : 'ACTIVE')

const customValue = (value: CustomValue) =>
  value === null ? null : typeof value === 'number' ? String(value) : value

export const mountV2 = (app: Hono<Env>, state: PersonioState, baseUrl: () => string) => {
  const fail = (p: V2Problem, status: number, headers: Record<string, string> = {}) =>
    problem(v2Error(p, state.traceId(), state.now()), status, headers)
  const tooMany = (headers: Record<string, string>) => fail(V2_TOO_MANY_REQUESTS, 429, headers)

  /** The credential of a token that may use `scope`, or the 401 or 403 to answer. */
  const authorize = (c: Ctx, scope: Scope): Response | SimCredential => {
    const auth = tokenAuth(state, c, bearer(c))
    if (!auth) return fail(V2_UNAUTHORIZED, 401)
    return auth.scopes.has(scope) ? auth.credential : fail(V2_FORBIDDEN, 403)
  }

  app.post('/v2/auth/token', async (c) => {
    const oauth = (error: OAuthError, extra: Parameters<typeof oauthError>[3] = {}) =>
      problem(oauthError(error, state.traceId(), state.now(), extra), 400)
    const limited = overLimit(state, 'v2Token', tooMany)
    if (limited) return limited
    if (!(c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded')) {
      return oauth('invalid_request', CONTENT_TYPE_ERROR)
    }
    const form = new URLSearchParams(await c.req.text())
    const missing = ['grant_type', 'client_id', 'client_secret'].filter((k) => !form.get(k))
    const grant = form.get('grant_type')
    if (grant && grant !== 'client_credentials') {
      return KNOWN_GRANTS.has(grant)
        ? oauth('unsupported_grant_type', { meta: { grant_type: grant } })
        : oauth('invalid_grant')
    }
    const clientId = form.get('client_id') ?? ''
    const credential = state.credential(clientId)
    if (clientId && (!credential || !form.get('client_secret')) && !missing.includes('grant_type'))
      return oauth('invalid_client')
    if (missing.length > 0)
      return oauth('invalid_request', { meta: { missing_parameters: missing } })
    if (!credential || credential.clientSecret !== form.get('client_secret'))
      return oauth('unauthorized_client')
    // no scope: every scope the credential has; one it does not have (or no such scope) is
    // invalid_scope, as the document's example
    const scope = form.get('scope')
    const asked = scope ? [...new Set(scope.split(' ').filter(Boolean))] : credential.scopes
    const granted = asked.filter((s): s is Scope => credential.scopes.includes(s as Scope))
    if (granted.length < asked.length) return oauth('invalid_scope')
    const token = state.issueToken(clientId, granted)
    return json(
      {
        access_token: token.value,
        token_type: 'Bearer',
        expires_in: Math.round((token.expiresAt - state.now().getTime()) / 1000),
        scope: token.scopes.join(' '),
      },
      200,
    )
  })

  /** The filters of a list request, or the problem with them. */
  const parseFilters = (
    query: URLSearchParams,
    allowed: ReadonlySet<string>,
  ): ListFilters | V2Problem => {
    const filters: Record<string, unknown> = {}
    for (const name of new Set(query.keys())) {
      if (name === 'limit' || name === 'cursor') continue
      if (!allowed.has(name)) {
        if (name.includes('.')) return V2_BAD_FILTER
        continue
      }
      const value = query.get(name) ?? ''
      const list = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
      if (name === 'id') filters['id'] = list
      else if (name === 'email') filters['email'] = list.map((e) => e.toLowerCase())
      else if (name in NAME_FILTERS) {
        // one name each (the document lists several only for id and email), matched whole
        if (value.trim() === '') return V2_BAD_REQUEST
        filters[NAME_FILTERS[name as keyof typeof NAME_FILTERS]] = value.trim()
      } else if (name === 'status') {
        if (value !== 'ACTIVE' && value !== 'INACTIVE') return V2_BAD_REQUEST
        filters['status'] = value
      } else {
        const time = Date.parse(value)
        if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time)) return V2_BAD_REQUEST
        const key = {
          'updated_at.gt': 'updatedGt',
          'updated_at.lt': 'updatedLt',
          updated_at: 'updatedAt',
          'created_at.gt': 'createdGt',
          'created_at.lt': 'createdLt',
        }[name]
        if (key) filters[key] = time
      }
    }
    return filters
  }

  /** Whether a person passes the filters; a name filter on a name the credential may not read passes nobody. */
  const matches = (f: ListFilters, p: Person, id: string, readable: (key: string) => boolean) => {
    const updated = Date.parse(p.updatedAt)
    const created = Date.parse(p.createdAt)
    const name = (wanted: string | undefined, key: string, value: string | null) =>
      wanted === undefined || (readable(key) && value === wanted)
    return (
      (!f.id || f.id.includes(id)) &&
      name(f.firstName, 'first_name', p.firstName) &&
      name(f.lastName, 'last_name', p.lastName) &&
      name(f.preferredName, 'preferred_name', p.preferredName) &&
      (!f.email || f.email.includes(p.workEmail.toLowerCase())) &&
      (!f.status || personStatus(p) === f.status) &&
      (f.updatedGt === undefined || updated > f.updatedGt) &&
      (f.updatedLt === undefined || updated < f.updatedLt) &&
      (f.updatedAt === undefined ||
        Math.floor(updated / 1000) === Math.floor(f.updatedAt / 1000)) &&
      (f.createdGt === undefined || created > f.createdGt) &&
      (f.createdLt === undefined || created < f.createdLt)
    )
  }

  /** One page of a cursor-paginated list: items after the cursor's position, in id order. */
  const listPage = (
    c: Ctx,
    readable: (key: string) => boolean,
    path: string,
    allowed: ReadonlySet<string>,
    items: readonly (readonly [number, Person, string])[],
    render: (person: Person) => unknown,
  ): Response => {
    const query = queryParams(c)
    const cursorText = query.get('cursor')
    const cursor = cursorText === null ? null : decodeCursor(cursorText)
    if (cursorText !== null && cursor === null) return fail(V2_BAD_REQUEST, 400)
    const limit = intParam(query.get('limit')) ?? cursor?.limit ?? V2_DEFAULT_LIMIT
    if (!(limit >= 1 && limit <= V2_MAX_LIMIT)) return fail(V2_BAD_REQUEST, 400)
    const parsed = parseFilters(query, allowed)
    if ('title' in parsed) return fail(parsed, 400)
    const filters = cursor?.filters ?? parsed
    const after = cursor?.after ?? 0
    const all = items.filter(([, p, id]) => matches(filters, p, id, readable))
    const start = all.findIndex(([n]) => n > after)
    const rest = start < 0 ? [] : all.slice(start)
    const page = rest.slice(0, limit)
    const self = `${baseUrl()}${path}${new URL(c.req.url).search}`
    const request = requestKey(c)
    const { chaos } = state.config
    const previous = start > 0 ? all[start - 1] : undefined
    if (previous && cursor && chaos.strikes('duplicate', request, 0)) page.unshift(previous)
    const last = page.at(-1)
    const links: Record<string, { href: string }> = { self: { href: self } }
    if (rest.length > limit && last) {
      const at = (position: CursorState) => `${baseUrl()}${path}?cursor=${encodeCursor(position)}`
      links['next'] = {
        href: chaos.strikes('repeatNext', request, 0)
          ? self
          : chaos.strikes('stuckCursor', request, 0)
            ? at({ after, limit, filters, turn: (cursor?.turn ?? 0) + 1 })
            : at({ after: last[0], limit, filters }),
      }
    }
    const shown = cursor && chaos.strikes('emptyPage', request, 0) ? [] : page
    return json({ _data: shown.map(([, p]) => render(p)), _meta: { links } }, 200)
  }

  const renderPerson = (p: Person, ctx: RenderContext) => {
    const { readable } = ctx
    const id = String(p.id)
    const has = (key: string) => readable(key)
    const custom = ATTRIBUTES.filter((def) => isDynamicKey(def.key) && readable(def.key)).flatMap(
      (def) => {
        const value = customValue(def.value(p, ctx) as CustomValue)
        if (value === null) return []
        return [
          {
            id: def.key,
            type: V1_TO_V2_TYPE[def.type] ?? 'STRING',
            global_id: def.universalId ?? def.key,
            label: def.labels[state.language],
            value,
          },
        ]
      },
    )
    const gender = { male: 'MALE', female: 'FEMALE', diverse: 'DIVERSE' } as const
    return {
      id,
      ...(has('email') ? { email: p.workEmail } : {}),
      created_at: formatUtcInstant(new Date(p.createdAt)),
      updated_at: formatUtcInstant(new Date(p.updatedAt)),
      ...(has('first_name') ? { first_name: p.firstName } : {}),
      ...(has('last_name') ? { last_name: p.lastName } : {}),
      ...(has('preferred_name') && p.preferredName !== null
        ? { preferred_name: p.preferredName }
        : {}),
      ...(has('gender') ? { gender: gender[p.gender] } : {}),
      ...(has('profile_picture')
        ? { profile_picture: { url: `${baseUrl()}/v1/company/employees/${id}/profile-picture` } }
        : {}),
      ...(has('status') ? { status: personStatus(p) } : {}),
      custom_attributes: custom,
      employments: [{ id: state.employmentId(p.id) }],
      _meta: { links: { employments: { href: `${baseUrl()}/v2/persons/${id}/employments` } } },
    }
  }

  const renderEmployment = (p: Person, readable: (key: string) => boolean) => {
    const has = (key: string) => readable(key)
    const personId = String(p.id)
    const ended = {
      ...(has('termination_date') && p.terminationDate !== null
        ? { termination_date: p.terminationDate }
        : {}),
      ...(has('last_working_day') && p.lastWorkingDay !== null
        ? { last_working_day: p.lastWorkingDay }
        : {}),
      ...(has('termination_type') && p.terminationType !== null
        ? { type: TERMINATION_TYPES[p.terminationType] }
        : {}),
      ...(has('termination_reason') && p.terminationReason !== null
        ? { reason: p.terminationReason }
        : {}),
    }
    const termination = Object.keys(ended).length > 0 ? { termination: ended } : {}
    const orgUnits = [
      ...(has('team') && p.teamId !== null ? [{ type: 'team', id: String(p.teamId) }] : []),
      ...(has('department') ? [{ type: 'department', id: String(p.departmentId) }] : []),
    ]
    const links: Record<string, { href: string }> = {
      person: { href: `${baseUrl()}/v2/persons/${personId}` },
    }
    if (has('supervisor') && p.supervisorId !== null)
      links['supervisor'] = { href: `${baseUrl()}/v2/persons/${String(p.supervisorId)}` }
    return {
      id: state.employmentId(p.id),
      ...(has('status') ? { status: p.status.toUpperCase() } : {}),
      ...(has('weekly_working_hours')
        ? { weekly_working_hours: Number(p.weeklyHours), full_time_weekly_working_hours: 40 }
        : {}),
      // absent dates are null, as the document's own example sends employment_end_date
      ...(has('probation_period_end') ? { probation_end_date: p.probationEndDate } : {}),
      ...(has('hire_date') ? { employment_start_date: p.hireDate } : {}),
      ...(has('termination_date') ? { employment_end_date: p.terminationDate } : {}),
      ...(has('employment_type') ? { type: p.employmentType.toUpperCase() } : {}),
      ...(has('contract_end_date') ? { contract_end_date: p.contractEndDate } : {}),
      created_at: formatUtcInstant(new Date(p.createdAt)),
      updated_at: formatUtcInstant(new Date(p.updatedAt)),
      ...(has('position') ? { position: { title: p.position } } : {}),
      ...(has('supervisor') && p.supervisorId !== null
        ? { supervisor: { id: String(p.supervisorId) } }
        : {}),
      ...(has('office') ? { office: { id: String(p.officeId) } } : {}),
      ...(has('subcompany')
        ? {
            legal_entity: { id: String(p.legalEntityId) },
            sub_company: { id: String(p.legalEntityId) },
          }
        : {}),
      org_units: orgUnits,
      ...(has('cost_centers')
        ? { cost_centers: [{ id: String(p.costCenterId), weight: 100 }] }
        : {}),
      person: { id: personId },
      ...termination,
      _meta: { links },
    }
  }

  const PERSON_FILTERS = new Set([
    'id',
    'email',
    ...Object.keys(NAME_FILTERS),
    'status',
    'updated_at',
    'updated_at.gt',
    'updated_at.lt',
    'created_at',
    'created_at.gt',
    'created_at.lt',
  ])
  const ROUTE_SCOPES = {
    v2Persons: 'personio:persons:read',
    v2Employments: 'personio:employments:read',
  } as const satisfies Record<string, Scope>
  const EMPLOYMENT_FILTERS = new Set(['id', 'updated_at', 'updated_at.gt', 'updated_at.lt'])

  /** A v2 data route: the token and its scope checked, the route's limit counted, then `handle`. */
  const guarded =
    (
      route: 'v2Persons' | 'v2Employments',
      handle: (c: Ctx, credential: SimCredential) => Response,
    ) =>
    (c: Ctx) => {
      const credential = authorize(c, ROUTE_SCOPES[route])
      if (credential instanceof Response) return credential
      return overLimit(state, route, tooMany) ?? handle(c, credential)
    }
  const withPerson =
    (handle: (c: Ctx, credential: SimCredential, person: Person) => Response) =>
    (c: Ctx, credential: SimCredential) => {
      const id = intParam(c.req.param('id') ?? '')
      const person = id === undefined ? undefined : state.person(id)
      return person ? handle(c, credential, person) : fail(V2_NOT_FOUND, 404)
    }

  app.get(
    '/v2/persons',
    guarded('v2Persons', (c, credential) => {
      const ctx = renderContext(state, credential, baseUrl())
      const items = state.people().map((p) => [p.id, p, String(p.id)] as const)
      return listPage(c, ctx.readable, '/v2/persons', PERSON_FILTERS, items, (p) =>
        renderPerson(p, ctx),
      )
    }),
  )

  app.get(
    '/v2/persons/:id',
    guarded(
      'v2Persons',
      withPerson((_c, credential, person) =>
        json(renderPerson(person, renderContext(state, credential, baseUrl())), 200),
      ),
    ),
  )

  app.get(
    '/v2/persons/:id/employments',
    guarded(
      'v2Employments',
      withPerson((c, credential, person) => {
        const readable = state.readable(credential)
        const path = `/v2/persons/${String(person.id)}/employments`
        const items = [[1, person, state.employmentId(person.id)] as const]
        return listPage(c, readable, path, EMPLOYMENT_FILTERS, items, (p) =>
          renderEmployment(p, readable),
        )
      }),
    ),
  )
}
