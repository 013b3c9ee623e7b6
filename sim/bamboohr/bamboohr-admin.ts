import type { Hono } from 'hono'

import { adminAnswer, adminId, adminJson, jsonBody, mountCompanyAdmin } from '../shared/admin.ts'
import type { Termination } from '../shared/edit-person.ts'
import type { LimitPolicy } from '../shared/sliding-window-limiter.ts'
import type { RequestStats } from '../shared/stats.ts'
import type { BambooHRChaosOptions } from './bamboohr-chaos.ts'
import type { BambooPerson } from './bamboohr-fields.ts'
import type { Env } from './bamboohr-http.ts'
import { ADMIN_PREFIX } from './bamboohr-http.ts'
import type {
  ApiKeyOptions,
  BambooFields,
  BambooHRState,
  BambooPatch,
  SimApiKey,
} from './bamboohr-state.ts'

/** Test-only operations on a running simulator; each is also an endpoint under /_admin. */
export interface BambooHRSimAdmin {
  /** All employees (not deleted), in id order, as BambooHR holds them. */
  employees(): readonly BambooPerson[]
  employee(id: number): BambooPerson | undefined
  /** POST /_admin/employees: a new employee (defaults for what is not given; hireDate may be null). */
  addEmployee(fields?: BambooFields): BambooPerson
  /** PATCH /_admin/employees/:id: the changed fields; the record's last change moves to now. */
  editEmployee(id: number, patch: BambooPatch): BambooPerson
  /** POST /_admin/employees/:id/terminate: Inactive now when the date is today or before. */
  terminateEmployee(id: number, termination: Termination): BambooPerson
  /** DELETE /_admin/employees/:id: the record is gone (GET /v1/employees/changed says Deleted). */
  deleteEmployee(id: number): void
  /** POST /_admin/api-keys: another key (say, of a user who may not see some fields). */
  addApiKey(key?: ApiKeyOptions): SimApiKey
  /** POST /_admin/api-keys/:key/rotate: a new key for the same user; the old one stops working. */
  rotateApiKey(key: string): SimApiKey
  /** PUT /_admin/config {latencyMs}: a delay on every answer. */
  setLatency(ms: number): void
  /** PUT /_admin/config {chaos}: replaces the chaos settings ({} turns chaos off). */
  setChaos(chaos: BambooHRChaosOptions): void
  /** PUT /_admin/config {rateLimit}: the limit's windows, or none (false). */
  setRateLimit(limit: LimitPolicy | false): void
  /** PUT /_admin/config {retryAfter, throttleStatus}: how a request over the limit is refused. */
  setThrottle(options: { retryAfter?: boolean; status?: 429 | 503 }): void
  /** POST /_admin/rate-limits/reset: forget the requests counted so far. */
  resetRateLimits(): void
  /** GET /_admin/stats */
  stats(): RequestStats
  /** POST /_admin/stats/reset */
  resetStats(): void
}

export const createAdmin = (state: BambooHRState): BambooHRSimAdmin => ({
  employees: state.people,
  employee: state.person,
  addEmployee: state.addEmployee,
  editEmployee: state.editEmployee,
  terminateEmployee: state.terminateEmployee,
  deleteEmployee: state.deleteEmployee,
  addApiKey: state.addApiKey,
  rotateApiKey: state.rotateApiKey,
  setLatency: (ms) => {
    state.config.latencyMs = ms
  },
  setChaos: state.setChaos,
  setRateLimit: state.setRateLimit,
  setThrottle: ({ retryAfter, status }) => {
    if (retryAfter !== undefined) state.config.retryAfter = retryAfter
    if (status !== undefined) state.config.throttleStatus = status
  },
  resetRateLimits: state.resetRateLimit,
  stats: state.stats.snapshot,
  resetStats: state.stats.reset,
})

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

export const mountAdmin = (app: Hono<Env>, admin: BambooHRSimAdmin) => {
  const p = ADMIN_PREFIX
  mountCompanyAdmin(app, admin, p)
  app.delete(`${p}/employees/:id`, (c) =>
    adminAnswer(() => (admin.deleteEmployee(adminId(c.req.param('id'))), { ok: true })),
  )
  app.post(`${p}/api-keys`, async (c) => {
    const key = await jsonBody(c.req.raw)
    return adminAnswer(() => admin.addApiKey(key), 201)
  })
  app.post(`${p}/api-keys/:key/rotate`, (c) =>
    adminAnswer(() => admin.rotateApiKey(c.req.param('key'))),
  )
  app.put(`${p}/config`, async (c) => {
    const config = await jsonBody(c.req.raw)
    if (typeof config['latencyMs'] === 'number') admin.setLatency(config['latencyMs'])
    if (isObject(config['chaos'])) admin.setChaos(config['chaos'])
    const limit = config['rateLimit']
    if (limit === false || isObject(limit)) admin.setRateLimit(limit as LimitPolicy | false)
    const status = config['throttleStatus']
    admin.setThrottle({
      ...(typeof config['retryAfter'] === 'boolean' ? { retryAfter: config['retryAfter'] } : {}),
      ...(status === 429 || status === 503 ? { status } : {}),
    })
    return adminJson({ ok: true })
  })
}
