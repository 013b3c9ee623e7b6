import { existsSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'

import { createAdaptorServer } from '@hono/node-server'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { apiHarness } from '../http/api-harness.ts'

const CHROMIUM = process.env['HRIS_SYNC_CHROMIUM'] ?? '/usr/bin/chromium'
const REPORT = path.resolve(import.meta.dirname, '../../.test-report')

// /api/docs on a machine without a network: everything it needs comes from the server itself
describe.skipIf(!existsSync(CHROMIUM) && process.env['CI'] !== 'true')(
  'the API reference in Chromium',
  { timeout: 60_000 },
  () => {
    let h: Awaited<ReturnType<typeof apiHarness>>
    let server: Server
    let browser: Browser
    let origin = ''

    beforeAll(async () => {
      h = await apiHarness()
      server = createAdaptorServer({ fetch: h.app.fetch, hostname: '127.0.0.1' }) as Server
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
        ],
      })
    }, 30_000)

    afterAll(async () => {
      await browser.close()
      await new Promise((resolve) => server.close(resolve))
      await h.close()
    })

    it('renders the operations from this server alone, under its policy', async () => {
      const page = await browser.newPage()
      const elsewhere: string[] = []
      const problems: string[] = []
      // the network beyond this server is closed: a request for it fails, and is counted
      await page.route('**/*', async (route) => {
        const url = route.request().url()
        if (url.startsWith(origin) || url.startsWith('data:')) return route.continue()
        elsewhere.push(url)
        return route.abort('internetdisconnected')
      })
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text())
      })
      page.on('pageerror', (error) => problems.push(error.message))
      await page.goto(`${origin}/api/docs`)
      await page.getByText('hris-sync API', { exact: false }).first().waitFor()
      const apply = page.getByText('/api/v1/workspaces/{workspaceId}/plans/{planId}/apply', {
        exact: true,
      })
      await apply.first().waitFor()
      expect(await page.locator('.opblock').count()).toBeGreaterThan(20)
      // an operation opens, with its summary and parameters
      await apply.first().click()
      await page.getByText('Apply a plan: all of it, or the changes selected').first().waitFor()
      await page.locator('.parameter__name', { hasText: 'planId' }).first().waitFor()
      await mkdir(REPORT, { recursive: true })
      await page.screenshot({ path: path.join(REPORT, 'api-docs.png') })
      expect(elsewhere).toEqual([])
      expect(problems).toEqual([])
      await page.close()
    })
  },
)
