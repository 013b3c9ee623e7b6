import { sql } from 'kysely'
import PgBoss from 'pg-boss'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { queueDb, queueSchema } from '../../src/storage/job-queue-db.ts'
import { BACKENDS, openStore } from '../helpers/stores.ts'

for (const backend of BACKENDS) {
  describe(`pg-boss through the project's database, on ${backend}`, () => {
    let opened: Awaited<ReturnType<typeof openStore>>
    let boss: PgBoss
    let schema: string
    beforeAll(async () => {
      opened = await openStore(backend)
      schema = await queueSchema(opened.store.db)
      boss = new PgBoss({
        db: queueDb(opened.store.db),
        schema,
        supervise: false,
        schedule: false,
      })
      boss.on('error', () => {})
      await boss.start()
    }, 60_000)
    afterAll(async () => {
      await boss.stop({ graceful: false, wait: true })
      if (backend === 'postgres') {
        await sql.raw(`drop schema ${schema} cascade`).execute(opened.store.db.kysely)
      }
      await opened.close()
    })

    it('installs its schema apart from ours, and a second start finds it installed', async () => {
      expect(schema.endsWith('_jobs')).toBe(true)
      expect(await boss.isInstalled()).toBe(true)
      const again = new PgBoss({
        db: queueDb(opened.store.db),
        schema,
        supervise: false,
        schedule: false,
      })
      again.on('error', () => {})
      await again.start()
      await again.stop({ graceful: false, wait: true })
    })

    it('sends, fetches and completes jobs, with their data', async () => {
      await boss.createQueue('q-basic')
      const id = await boss.send('q-basic', { n: 1 })
      expect(id).not.toBeNull()
      const [job] = await boss.fetch<{ n: number }>('q-basic')
      expect(job?.data).toEqual({ n: 1 })
      await boss.complete('q-basic', job?.id ?? '')
      expect((await boss.getJobById('q-basic', job?.id ?? ''))?.state).toBe('completed')
    })

    it('keeps one job active and one queued per key on a stately queue', async () => {
      await boss.createQueue('q-stately', { name: 'q-stately', policy: 'stately' })
      const a = await boss.send('q-stately', {}, { singletonKey: 'c1' })
      const b = await boss.send('q-stately', {}, { singletonKey: 'c1' })
      expect(a).not.toBeNull()
      expect(b).toBeNull()
      const [first] = await boss.fetch('q-stately')
      expect(first?.id).toBe(a)
      // the first is active: another may wait behind it, but not run beside it
      const c = await boss.send('q-stately', {}, { singletonKey: 'c1' })
      expect(c).not.toBeNull()
      expect(await boss.fetch('q-stately')).toEqual([])
      await boss.complete('q-stately', a ?? '')
      const [next] = await boss.fetch('q-stately')
      expect(next?.id).toBe(c)
    })

    it('retries a failed job after its delay', async () => {
      await boss.createQueue('q-retry', { name: 'q-retry', retryLimit: 2, retryDelay: 0 })
      const id = await boss.send('q-retry', {})
      const [job] = await boss.fetch('q-retry')
      await boss.fail('q-retry', job?.id ?? '', { message: 'boom' })
      const [again] = await boss.fetch('q-retry', { includeMetadata: true })
      expect(again?.id).toBe(id)
      expect(again?.retryCount).toBe(1)
    })
  })
}
