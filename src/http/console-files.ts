import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'

import type { Context } from 'hono'
import { getMimeType } from 'hono/utils/mime'

/**
 * The console's own pages may load only what this server serves: no inline script, no other
 * origin, no framing (clickjacking a "Sync all" button).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>hris-sync</title>
<p>The console is not built yet: run <code>npm run build:web</code> (<code>npm start</code> does it), then reload.</p>
<p>The API is at <a href="/api/docs">/api/docs</a>.</p>`

/**
 * Serves the built console from `root`: a file under it when the path names one (hashed assets
 * are cached for good), else `index.html`, so a reload on /people lands in the console.
 */
export function consoleFiles(root: string | null) {
  return async (c: Context): Promise<Response> => {
    c.header('content-security-policy', CONSOLE_CSP)
    if (root === null) return c.html(NOT_BUILT, 503)
    let decoded: string
    try {
      decoded = decodeURIComponent(c.req.path)
    } catch {
      decoded = '/'
    }
    const wanted = path.normalize(decoded).replace(/^([/\\])+/, '')
    const file = path.join(root, wanted)
    // a path that climbs out of the folder (../) gets the index, never a file outside
    const inside = file.startsWith(root + path.sep)
    const found = inside ? await stat(file).catch(() => null) : null
    if (found?.isFile() === true) {
      const type = getMimeType(file) ?? 'application/octet-stream'
      c.header(
        'cache-control',
        wanted.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
      return c.body(new Uint8Array(await readFile(file)), 200, { 'content-type': type })
    }
    const index = await readFile(path.join(root, 'index.html'), 'utf8').catch(() => null)
    if (index === null) return c.html(NOT_BUILT, 503)
    c.header('cache-control', 'no-cache')
    return c.html(index, 200)
  }
}
