import type { Hono } from 'hono'

import { adminAnswer, jsonBody, mountCompanyAdmin } from '../shared/admin.ts'
import type { Person, PersonFields, PersonPatch } from '../shared/company.ts'
import type { Termination } from '../shared/edit-person.ts'
import type { ChaosOptions } from './personio-chaos.ts'
import type { Env } from './personio-http.ts'
import { json } from './personio-http.ts'
import type { PersonioRateLimits } from './personio-rate-limits.ts'
import type {
  CredentialAccess,
  CredentialOptions,
  PersonioState,
  SimCredential,
} from './personio-state.ts'
import type { PersonioSimStats } from './personio-stats.ts'

/** Where the test-only endpoints live: not part of Personio's API. */
export const ADMIN_PREFIX = '/_admin'

/** Test-only operations on a running simulator; each is also an admin endpoint. */
export interface PersonioSimAdmin {
  /** All employees, in id order, as the simulator holds them. */
  employees(): readonly Person[]
  employee(id: number): Person | undefined
  /** POST /_admin/employees: a new employee (defaults for what is not given), created now. */
  addEmployee(fields?: Partial<PersonFields>): Person
  /** PATCH /_admin/employees/:id: changed fields and `last_modified_at` move to now. */
  editEmployee(id: number, patch: PersonPatch): Person
  /** POST /_admin/employees/:id/terminate: inactive now when the date is today or before. */
  terminateEmployee(id: number, termination: Termination): Person
  /** POST /_admin/credentials: another credential (say, one that reads only some attributes). */
  addCredential(credential: CredentialOptions): SimCredential
  /** POST /_admin/credentials/:clientId/rotate: a new secret; the old secret and tokens stop working. */
  rotateCredential(clientId: string): SimCredential
  /**
   * PATCH /_admin/credentials/:clientId {attributes?, scopes?}: what the credential may read, as
   * changed in Personio's API credentials screen; the secret and tokens stay (a token loses a
   * scope taken away).
   */
  setCredentialAccess(clientId: string, access: CredentialAccess): SimCredential
  /**
   * POST /_admin/credentials/:clientId/revoke-tokens: the client's tokens stop working (401) while
   * its secret still gets new ones. How many were revoked.
   */
  revokeTokens(clientId: string): number
  /** PUT /_admin/config {latencyMs}: a delay before every response. */
  setLatency(ms: number): void
  /** PUT /_admin/config {chaos}: replaces the chaos settings ({} turns chaos off). */
  setChaos(chaos: ChaosOptions): void
  /** PUT /_admin/config {rateLimits}: Personio's limits with these routes replaced, or none (false). */
  setRateLimits(limits: Partial<PersonioRateLimits> | false): void
  /** PUT /_admin/config {retryAfter}: whether 429s carry Retry-After (default true). */
  setRetryAfter(send: boolean): void
  /** POST /_admin/rate-limits/reset: forget the requests counted so far. */
  resetRateLimits(): void
  /** GET /_admin/stats */
  stats(): PersonioSimStats
  /** POST /_admin/stats/reset */
  resetStats(): void
}

export const createAdmin = (state: PersonioState): PersonioSimAdmin => ({
  employees: state.people,
  employee: state.person,
  addEmployee: state.addEmployee,
  editEmployee: state.editEmployee,
  terminateEmployee: state.terminateEmployee,
  addCredential: state.addCredential,
  rotateCredential: state.rotateCredential,
  setCredentialAccess: state.setCredentialAccess,
  revokeTokens: state.revokeTokens,
  setLatency: (ms) => {
    state.config.latencyMs = ms
  },
  setChaos: state.setChaos,
  setRateLimits: state.setRateLimits,
  setRetryAfter: (send) => {
    state.config.retryAfter = send
  },
  resetRateLimits: state.resetRateLimits,
  stats: state.stats.snapshot,
  resetStats: state.stats.reset,
})

export const mountAdmin = (app: Hono<Env>, admin: PersonioSimAdmin) => {
  const p = ADMIN_PREFIX
  mountCompanyAdmin(app, admin, p)
  app.post(`${p}/credentials`, async (c) => {
    const credential = await jsonBody(c.req.raw)
    return adminAnswer(() => admin.addCredential({ attributes: 'all', ...credential }), 201)
  })
  app.post(`${p}/credentials/:clientId/rotate`, (c) =>
    adminAnswer(() => admin.rotateCredential(c.req.param('clientId'))),
  )
  app.patch(`${p}/credentials/:clientId`, async (c) => {
    const access = await jsonBody(c.req.raw)
    return adminAnswer(() => admin.setCredentialAccess(c.req.param('clientId'), access))
  })
  app.post(`${p}/credentials/:clientId/revoke-tokens`, (c) =>
    adminAnswer(() => ({ revoked: admin.revokeTokens(c.req.param('clientId')) })),
  )
  app.put(`${p}/config`, async (c) => {
    const config = await jsonBody(c.req.raw)
    if (typeof config['latencyMs'] === 'number') admin.setLatency(config['latencyMs'])
    if (typeof config['retryAfter'] === 'boolean') admin.setRetryAfter(config['retryAfter'])
    if (typeof config['chaos'] === 'object' && config['chaos'] !== null)
      admin.setChaos(config['chaos'])
    if (
      config['rateLimits'] === false ||
      (typeof config['rateLimits'] === 'object' && config['rateLimits'] !== null)
    ) {
      admin.setRateLimits(config['rateLimits'])
    }
    return json({ ok: true }, 200)
  })
}
