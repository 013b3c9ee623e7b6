import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { BACKENDS, openStore } from '../../test/helpers/stores.ts'
import { SqlSchedules } from './sql-schedules.ts'
import type { SqlStore } from './sql-store.ts'

const failure = { code: 'upstream_unavailable', message: 'Personio did not answer' }

for (const backend of BACKENDS) {
  describe(`connection health and schedule slots, on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let store: SqlStore
    let schedules: SqlSchedules
    let workspaceId: string
    let count = 0
    const connection = async () =>
      (
        await store.createConnection({
          workspaceId,
          name: `hr-${String(++count)}`,
          connector: 'fake',
          config: {},
          secret: null,
        })
      ).id
    const fail = (id: string, times: number) =>
      Array.from({ length: times }).reduce<Promise<unknown>>(
        (before) =>
          before.then(() => schedules.recordAttempt(id, new Date().toISOString(), failure, 3)),
        Promise.resolve(),
      )

    beforeAll(async () => {
      opened = await openStore(backend)
      store = opened.store
      schedules = new SqlSchedules(store.db)
      workspaceId = (await store.ensureWorkspace('acme')).id
    }, 60_000)
    afterAll(() => opened.close())

    it('quarantines at N failures in a row, and clearing by hand lets it run again', async () => {
      const id = await connection()
      await fail(id, 3)
      expect(await schedules.health(id)).toMatchObject({
        status: 'quarantined',
        consecutiveFailures: 3,
        lastError: failure,
      })
      const cleared = await schedules.clearQuarantine(id)
      expect(cleared).toMatchObject({
        status: 'active',
        consecutiveFailures: 0,
        quarantinedAt: null,
      })
      expect((await store.connection(workspaceId, id))?.status).toBe('active')
    })

    it('leaves refused credentials as they are: only new ones lift needs_reauth', async () => {
      const id = await connection()
      await fail(id, 2)
      await store.updateConnection(workspaceId, id, { status: 'needs_reauth' })
      const cleared = await schedules.clearQuarantine(id)
      expect(cleared).toMatchObject({ status: 'needs_reauth', consecutiveFailures: 0 })
      expect((await store.connection(workspaceId, id))?.status).toBe('needs_reauth')

      // quarantined first, then refused: the quarantine goes, the refusal stays
      const both = await connection()
      await fail(both, 3)
      await store.updateConnection(workspaceId, both, { status: 'needs_reauth' })
      expect(await schedules.clearQuarantine(both)).toMatchObject({
        status: 'needs_reauth',
        quarantinedAt: null,
        consecutiveFailures: 0,
      })
    })

    it('changes nothing of a healthy connection, and knows no other', async () => {
      const id = await connection()
      expect(await schedules.clearQuarantine(id)).toMatchObject({
        status: 'active',
        consecutiveFailures: 0,
      })
      await expect(schedules.clearQuarantine('no-such-connection')).rejects.toMatchObject({
        code: 'not_found',
      })
    })

    it('gives a connection’s slots as the scheduler set them', async () => {
      const id = await connection()
      expect(await schedules.slots(id)).toEqual({})
      await schedules.setSlot(id, 'full', {
        cron: '0 3 * * *',
        timeZone: 'Europe/Berlin',
        nextAt: '2026-03-03T02:00:00.000Z',
      })
      expect(await schedules.slots(id)).toEqual({
        full: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', nextAt: '2026-03-03T02:00:00.000Z' },
      })
    })
  })
}
