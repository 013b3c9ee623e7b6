// What the test-only admin APIs of the simulators share: JSON in, JSON out, a missing record 404.
import type { Termination } from './edit-person.ts'

/** A request's JSON object body; {} when there is none or it is not an object. */
export const jsonBody = async (request: Request): Promise<Record<string, unknown>> => {
  try {
    const value: unknown = await request.json()
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

export const adminJson = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })

/** What `run` returns as JSON with `status`; what it throws as a 404 naming it. */
export const adminAnswer = (run: () => unknown, status = 200): Response => {
  try {
    return adminJson(run(), status)
  } catch (error) {
    return adminJson({ error: error instanceof Error ? error.message : String(error) }, 404)
  }
}

/** A record id from a path segment; NaN when it is not a whole number. */
export const adminId = (text: string): number => (/^\d+$/.test(text) ? Number(text) : Number.NaN)

/** The admin operations every simulated company has (its people, its counters). */
export interface CompanyAdmin {
  employees(): readonly unknown[]
  employee(id: number): unknown
  addEmployee(fields: Record<string, unknown>): unknown
  editEmployee(id: number, patch: Record<string, unknown>): unknown
  terminateEmployee(id: number, termination: Termination): unknown
  resetRateLimits(): void
  stats(): unknown
  resetStats(): void
}

interface Routes {
  get(path: string, handler: (c: AdminContext) => Response | Promise<Response>): unknown
  post(path: string, handler: (c: AdminContext) => Response | Promise<Response>): unknown
  patch(path: string, handler: (c: AdminContext) => Response | Promise<Response>): unknown
}
interface AdminContext {
  readonly req: { readonly raw: Request; param(name: string): string }
}

/**
 * GET /_admin/stats, POST /_admin/stats/reset, POST /_admin/rate-limits/reset, and the people:
 * GET /_admin/employees(/:id), POST /_admin/employees, PATCH /_admin/employees/:id,
 * POST /_admin/employees/:id/terminate.
 */
export const mountCompanyAdmin = (app: Routes, admin: CompanyAdmin, prefix: string) => {
  const id = (c: AdminContext) => adminId(c.req.param('id'))
  app.get(`${prefix}/stats`, () => adminJson(admin.stats()))
  app.post(`${prefix}/stats/reset`, () => adminAnswer(() => (admin.resetStats(), { ok: true })))
  app.post(`${prefix}/rate-limits/reset`, () =>
    adminAnswer(() => (admin.resetRateLimits(), { ok: true })),
  )
  app.get(`${prefix}/employees`, () => adminJson(admin.employees()))
  app.get(`${prefix}/employees/:id`, (c) =>
    adminAnswer(() => admin.employee(id(c)) ?? missing(c.req.param('id'))),
  )
  app.post(`${prefix}/employees`, async (c) => {
    const fields = await jsonBody(c.req.raw)
    return adminAnswer(() => admin.addEmployee(fields), 201)
  })
  app.patch(`${prefix}/employees/:id`, async (c) => {
    const patch = await jsonBody(c.req.raw)
    return adminAnswer(() => admin.editEmployee(id(c), patch))
  })
  app.post(`${prefix}/employees/:id/terminate`, async (c) => {
    const termination = await jsonBody(c.req.raw)
    return adminAnswer(() => admin.terminateEmployee(id(c), termination as unknown as Termination))
  })
}

const missing = (id: string): never => {
  throw new Error(`no employee ${id}`)
}

/** A client of a simulator's admin API at `url` (in another process): JSON in, JSON out. */
export const adminClient =
  (url: string) =>
  async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/_admin/${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return response.json()
  }
