import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'

import type { Hono } from 'hono'

import type { AppEnv } from './http-deps.ts'

/** Swagger UI's browser build, as npm installed it (its lockfile pins the bytes). */
const DIST = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/**
 * The reference page runs on the API's own origin, where a session can read its CSRF token: it
 * may load only what this server serves, and reach only this server.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes from its React components
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const FILES: Readonly<Record<string, { file: string | null; type: string }>> = {
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'init.js': { file: null, type: 'text/javascript; charset=utf-8' },
}

// a file of its own: the page's policy allows no inline script
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
})
`

/**
 * The rendered API reference at /api/docs: Swagger UI from node_modules, served by this server
 * under a versioned path (so it can be cached for good), never from another origin: it renders
 * on a machine without a network.
 */
export function apiDocs(app: Hono<AppEnv>): void {
  const { version } = JSON.parse(readFileSync(path.join(DIST, 'package.json'), 'utf8')) as {
    version: string
  }
  const base = `/api/docs/assets/${version}`
  const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>hris-sync API</title>
    <link rel="stylesheet" href="${base}/swagger-ui.css" />
  </head>
  <body>
    <div id="reference"></div>
    <script src="${base}/swagger-ui-bundle.js"></script>
    <script src="${base}/init.js"></script>
  </body>
</html>
`
  const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>()
  const bytes = (name: string, file: string | null) => {
    let read = cache.get(name)
    if (read === undefined) {
      read =
        file === null
          ? Promise.resolve(new TextEncoder().encode(INIT))
          : readFile(path.join(DIST, file)).then((b) => new Uint8Array(b))
      cache.set(name, read)
    }
    return read
  }

  app.get('/api/docs', (c) => {
    c.header('content-security-policy', DOCS_CSP)
    c.header('cache-control', 'no-cache')
    return c.html(page)
  })
  app.get(`${base}/:name`, async (c) => {
    const name = c.req.param('name')
    const asset = Object.hasOwn(FILES, name) ? FILES[name] : undefined
    if (asset === undefined) return c.notFound()
    c.header('cache-control', 'public, max-age=31536000, immutable')
    return c.body(await bytes(name, asset.file), 200, {
      'content-type': asset.type,
    })
  })
}
