import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startPersonioSim } from '../../sim/personio/start-personio-sim.ts'
import type { PersonioSim } from '../../sim/personio/start-personio-sim.ts'
import { apiHarness, applied, bodyOf, client, settled } from './api-harness.ts'
import type { Answer, Client } from './api-harness.ts'

const V1 = '/api/v1'
const EMPLOYEES = 20
/** More than the default threshold of 20% of the active people. */
const LEAVERS = 6

interface ErrorBody {
  error: { code: string; message: string; issues?: { code: string; path: string[] }[] }
}
interface PlanBody {
  plan: { approval: { required: boolean; findings: { code: string; message: string }[] } }
}

let h: Awaited<ReturnType<typeof apiHarness>>
let sim: PersonioSim
let admin: Client
let tenant: Awaited<ReturnType<typeof h.tenant>>
let connectionId = ''
const at = (rest: string) => `${V1}/workspaces/${tenant.workspace.id}${rest}`

/** A preview of the connection, settled; its run and plan ids. */
async function preview(c: Client) {
  const started = await c.post(at(`/connections/${connectionId}/previews`))
  expect(started.status, started.text).toBe(202)
  const { run } = await settled(
    c,
    tenant.workspace,
    bodyOf<{ run: { id: string } }>(started).run.id,
  )
  return { runId: (run as { id?: string }).id ?? '', planId: run.planId ?? '', state: run.state }
}

function expectError(answer: Answer, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status)
  expect(bodyOf<ErrorBody>(answer).error.code).toBe(code)
}

// the guard over HTTP: a plan that makes too many people leavers waits for a person's approval
describe('a plan the guard holds', () => {
  beforeAll(async () => {
    h = await apiHarness()
    sim = await startPersonioSim({ employees: EMPLOYEES, seed: 'guard', rateLimits: false })
    const [credential] = sim.credentials
    if (!credential) throw new Error('no credential')
    tenant = await h.tenant('guarded')
    admin = client(h.app)
    await admin.signIn(tenant.email, tenant.password)
    const made = await admin.post(at('/connections'), {
      name: 'hr',
      connector: 'personio',
      config: { baseUrl: sim.url },
      secret: { clientId: credential.clientId, clientSecret: credential.clientSecret },
    })
    expect(made.status, made.text).toBe(201)
    connectionId = bodyOf<{ connection: { id: string } }>(made).connection.id
    // everyone in the directory first
    const first = await preview(admin)
    const apply = await admin.post(at(`/plans/${first.planId}/apply`), { selection: 'all' })
    expect(apply.status, apply.text).toBe(202)
    expect((await applied(admin, tenant.workspace, first.runId)).run.state).toBe('succeeded')
    // then more than a fifth of them leave, through the simulator's admin API
    const active = sim.admin.employees().filter((p) => p.status === 'active')
    for (const person of active.slice(0, LEAVERS)) {
      const answer = await fetch(`${sim.url}/_admin/employees/${String(person.id)}/terminate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ terminationDate: '2020-01-31' }),
      })
      expect(answer.status).toBe(200)
    }
  }, 60_000)

  afterAll(async () => {
    await sim.close()
    await h.close()
  })

  it('waits for approval with the findings, then applies once an admin approves', async () => {
    const held = await preview(admin)
    expect(held.state).toBe('awaiting_approval')
    const header = bodyOf<PlanBody>(await admin.get(at(`/plans/${held.planId}`)))
    expect(header.plan.approval.required).toBe(true)
    const finding = header.plan.approval.findings.find((f) => f.code === 'leaver_threshold')
    expect(finding?.message).toMatch(/would become leavers, more than the threshold of 20%/)

    const refused = await admin.post(at(`/plans/${held.planId}/apply`), { selection: 'all' })
    expectError(refused, 409, 'approval_required')
    expect(bodyOf<ErrorBody>(refused).error.message).toContain(finding?.message)
    expect(bodyOf<ErrorBody>(refused).error.issues).toEqual([
      expect.objectContaining({ code: 'leaver_threshold', path: ['approve'] }),
    ])
    // nothing was applied, and the plan still waits
    const run = await admin.get(at(`/runs/${held.runId}`))
    expect(bodyOf<{ run: { state: string }; applies: unknown[] }>(run)).toMatchObject({
      run: { state: 'awaiting_approval' },
      applies: [],
    })

    // a script never approves: an API token is refused, whatever it sends
    const made = await admin.post(at('/tokens'), { name: 'ci' })
    const bot = client(h.app)
    bot.useToken(bodyOf<{ token: string }>(made).token)
    const byToken = await bot.post(at(`/plans/${held.planId}/apply`), {
      selection: 'all',
      approve: true,
    })
    expectError(byToken, 403, 'forbidden')
    expect(bodyOf<ErrorBody>(byToken).error.message).toMatch(/an API token cannot approve a plan/)
    // nor does a member who is not an admin, password or not
    await admin.post(at('/members'), { email: 'mia@example.com', password: 'mia has a long one' })
    const member = client(h.app)
    await member.signIn('mia@example.com', 'mia has a long one')
    const byMember = await member.post(at(`/plans/${held.planId}/apply`), {
      selection: 'all',
      approve: true,
      password: 'mia has a long one',
    })
    expectError(byMember, 403, 'forbidden')
    expect(bodyOf<ErrorBody>(byMember).error.message).toMatch(/only an admin/)
    // the token still applies what needs no approval: nothing held is in a selection without leavers
    expectError(
      await bot.post(at(`/plans/${held.planId}/apply`), { selection: 'all' }),
      409,
      'approval_required',
    )
    expect(
      bodyOf<{ run: { state: string } }>(await admin.get(at(`/runs/${held.runId}`))).run.state,
    ).toBe('awaiting_approval')

    // approving is applying: the password again, once it is older than 5 minutes
    h.advance(6 * 60_000)
    const unconfirmed = await admin.post(at(`/plans/${held.planId}/apply`), {
      selection: 'all',
      approve: true,
    })
    expectError(unconfirmed, 403, 'password_required')
    const approved = await admin.post(at(`/plans/${held.planId}/apply`), {
      selection: 'all',
      approve: true,
      password: tenant.password,
    })
    expect(approved.status, approved.text).toBe(202)
    const done = await applied(admin, tenant.workspace, held.runId)
    expect(done.run.state).toBe('succeeded')
    expect(done.applies).toMatchObject([{ seq: 1, approved: true, actor: tenant.email }])
    // the leavers, and the teams they leave
    expect(done.applies[0]?.counts['applied']).toBeGreaterThanOrEqual(LEAVERS)
    const leavers = await admin.get(at('/people?status=leaver'))
    expect(bodyOf<{ total: number }>(leavers).total).toBe(LEAVERS)
  })
})
