import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { spawnSimulator } from '../shared/run-alone.ts'
import { BAMBOOHR_RATE_LIMIT } from './bamboohr-state.ts'
import {
  apiBase,
  basic,
  call,
  getWithHost,
  report,
  request,
  startTestSim,
} from './bamboohr-test-kit.ts'

describe('the BambooHR simulator', { timeout: 30_000 }, () => {
  it('answers under both base URL forms, and 404 for a company it does not know', async () => {
    const sim = await startTestSim({ companyDomain: 'acme' })
    try {
      const key = sim.apiKeys[0]?.key ?? ''
      const gateway = await call(sim, '/meta/fields')
      expect(gateway.status).toBe(200)
      const sub = await getWithHost(`${sim.url}/api/v1/meta/fields`, 'acme.bamboohr.com', key)
      expect(sub.status).toBe(200)
      expect(sub.body).toEqual(gateway.body)
      const other = await request(`${sim.url}/api/gateway.php/globex/v1/meta/fields`, {
        headers: { authorization: basic(key) },
      })
      expect(other.status).toBe(404)
      expect(other.headers.get('x-bamboohr-error-message')).toContain('globex')
      expect(sim.stats().routes['GET /v1/meta/fields']?.requests).toBe(3)
    } finally {
      await sim.close()
    }
  })

  it('takes the API key as the Basic user name with any password; a rotated key stops working', async () => {
    const sim = await startTestSim()
    try {
      const key = sim.apiKeys[0]?.key ?? ''
      const url = `${apiBase(sim)}/meta/fields`
      const withPassword = `Basic ${Buffer.from(`${key}:anything`).toString('base64')}`
      expect((await request(url, { headers: { authorization: withPassword } })).status).toBe(200)
      const missing = await request(url)
      expect(missing.status).toBe(401)
      expect(missing.headers.get('x-bamboohr-error-message')).toBe('API key is missing')
      const fresh = sim.admin.rotateApiKey(key)
      expect((await call(sim, '/meta/fields', { key })).status).toBe(401)
      expect((await call(sim, '/meta/fields', { key: fresh.key })).status).toBe(200)
    } finally {
      await sim.close()
    }
  })

  it('refuses requests over the limit with 429 and Retry-After, or 503 when told to', async () => {
    const sim = await startTestSim({ rateLimit: BAMBOOHR_RATE_LIMIT })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 11; i++) statuses.push((await call(sim, '/meta/fields')).status)
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true)
      const refused = await call(sim, '/meta/fields')
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('1')
      sim.clock.advance(1000)
      expect((await call(sim, '/meta/fields')).status).toBe(200)
      sim.admin.setThrottle({ status: 503 })
      // 120 a minute: the rest of the minute is refused once it is used up
      for (let i = 0; i < 200; i++) {
        sim.clock.advance(101)
        await call(sim, '/meta/fields')
      }
      const unavailable = await call(sim, '/meta/fields')
      expect(unavailable.status).toBe(503)
      expect(Number(unavailable.headers.get('retry-after'))).toBeGreaterThan(1)
      expect(sim.stats().rateLimited).toBeGreaterThan(0)
    } finally {
      await sim.close()
    }
  })

  it('chaos: 5xx with BambooHR error headers, 503 with Retry-After, dropped sockets, repeated rows, the same on every run', async () => {
    const run = async () => {
      const sim = await startTestSim({
        chaos: { errorRate: 0.2, unavailableRate: 0.2, dropRate: 0.2, duplicateRate: 0.5 },
      })
      try {
        const seen: string[] = []
        for (let i = 0; i < 20; i++) {
          try {
            const answer = await report(sim, { fields: ['firstName'] })
            const rows = (answer.body as { employees?: unknown[] } | null)?.employees?.length
            seen.push(`${String(answer.status)}:${String(rows ?? '-')}`)
            if (answer.status >= 500) {
              expect(answer.headers.get('x-bamboohr-error-message')).toMatch(/\S/)
            }
          } catch {
            seen.push('dropped')
          }
        }
        return seen
      } finally {
        await sim.close()
      }
    }
    const first = await run()
    expect(first).toEqual(await run())
    expect(first).toContain('dropped')
    expect(first.some((s) => s.startsWith('503'))).toBe(true)
    expect(first.some((s) => s.startsWith('200:') && s !== '200:30')).toBe(true)
  })

  it('admin: add, edit, terminate and delete employees; a record without a hire date', async () => {
    const sim = await startTestSim({ employees: 10, withoutHireDate: 0 })
    try {
      const added = sim.admin.addEmployee({ firstName: 'Ada', hireDate: null })
      sim.admin.editEmployee(2, { position: 'Chief of Staff' })
      sim.admin.terminateEmployee(3, { terminationDate: '2026-03-01' })
      const after = await request(`${sim.url}/_admin/employees/4`, { method: 'DELETE' })
      expect(after.status).toBe(200)
      const answer = await report(sim, {
        fields: ['firstName', 'hireDate', 'jobTitle', 'status', 'terminationDate'],
      })
      const rows = (answer.body as { employees: Record<string, string | null>[] }).employees
      const row = (id: number) => rows.find((r) => r['id'] === String(id))
      expect(row(added.id)).toMatchObject({ firstName: 'Ada', hireDate: '0000-00-00' })
      expect(row(2)?.['jobTitle']).toBe('Chief of Staff')
      expect(row(3)).toMatchObject({ status: 'Inactive', terminationDate: '2026-03-01' })
      expect(row(4)).toBeUndefined()
      const patched = await request(`${sim.url}/_admin/employees/${String(added.id)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hireDate: '2026-04-01' }),
      })
      expect(patched.body).toMatchObject({ hireDate: '2026-04-01' })
    } finally {
      await sim.close()
    }
  })

  it('is the same company for the same seed, byte for byte', async () => {
    const answer = async () => {
      const sim = await startTestSim({ employees: 40, seed: 'same', today: '2026-03-02' })
      try {
        return (await report(sim, { fields: ['firstName', 'hireDate', 'customShirtSize'] })).text
      } finally {
        await sim.close()
      }
    }
    expect(await answer()).toBe(await answer())
  })

  it('runs alone from the command line, printing its URL and API key', async () => {
    const alone = await spawnSimulator(
      path.join(import.meta.dirname, 'main.ts'),
      ['--employees', '5', '--domain', 'acme'],
      'admin',
    )
    try {
      const answer = await request(`${alone.field('api')}meta/fields`, {
        headers: { authorization: basic(alone.field('apiKey')), accept: 'application/json' },
      })
      expect(answer.status).toBe(200)
      expect(alone.field('companyDomain')).toBe('acme')
    } finally {
      alone.stop()
    }
  })
})
