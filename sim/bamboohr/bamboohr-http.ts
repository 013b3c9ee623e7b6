import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'
import { XMLBuilder } from 'fast-xml-parser'

import type { SimApiKey } from './bamboohr-state.ts'

export interface Env {
  Bindings: HttpBindings
  Variables: { apiKey: SimApiKey }
}

export type Ctx = Context<Env>

/** Where the test-only endpoints live: not part of BambooHR's API. */
export const ADMIN_PREFIX = '/_admin'

/** The statuses of the document's shared error responses, which name X-BambooHR-Message. */
const SHARED_RESPONSES = new Set([400, 401, 403, 404, 409, 413, 500])

/**
 * An error as BambooHR answers one on the endpoints the connector uses: the status, an empty
 * body, and what went wrong in X-BambooHR-Error-Message (what BambooHR's Technical Overview and
 * the document's endpoints that describe their errors name); for the statuses of the document's
 * shared responses (`components.responses`), the same words in X-BambooHR-Message too.
 */
export const bambooError = (
  status: number,
  message: string,
  headers: Record<string, string> = {},
) =>
  new Response(null, {
    status,
    headers: {
      'x-bamboohr-error-message': message,
      ...(SHARED_RESPONSES.has(status) ? { 'x-bamboohr-message': message } : {}),
      ...headers,
    },
  })

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })

// fast-xml-parser's builder (it wraps fast-xml-builder, which is not a dependency of its own)
// eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  suppressEmptyNode: true,
})

/** An XML element in fast-xml-parser's object form: attributes under '@name', text '#text'. */
export type XmlNode = { readonly [key: string]: unknown }

/** A text element with attributes; no text for null (an empty element). */
export const element = (attributes: Record<string, string>, text: string | null): XmlNode => ({
  ...Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`@${k}`, v])),
  ...(text === null ? {} : { '#text': text }),
})

export const xml = (root: XmlNode, contentType = 'application/xml', status = 200) =>
  new Response(`<?xml version="1.0"?>\n${builder.build(root)}`, {
    status,
    headers: { 'content-type': contentType },
  })

/** JSON when the request accepts it, else XML: BambooHR's default. */
export const wantsJson = (c: Ctx) =>
  (c.req.header('accept') ?? '')
    .split(',')
    .some((media) => media.split(';')[0]?.trim().toLowerCase() === 'application/json')

/** The API key of HTTP Basic credentials (the user name; any password), or null. */
export const basicUser = (header: string | undefined): string | null => {
  const m = /^Basic\s+(\S+)$/i.exec(header?.trim() ?? '')
  if (!m?.[1]) return null
  const decoded = Buffer.from(m[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const user = colon < 0 ? decoded : decoded.slice(0, colon)
  return user === '' ? null : user
}

/** 'GET /v1/employees/{id}': the route a request is counted under. */
export const routeKey = (method: string, path: string) =>
  `${method} ${path.replace(/\/(\d+)(?=\/|$)/g, '/{id}')}`
