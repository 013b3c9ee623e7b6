import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { chromium } from 'playwright-core'
import type { BrowserContext, Page, Request } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'

import { startBambooHRSim } from '../../sim/bamboohr/start-bamboohr-sim.ts'
import { adminClient } from '../../sim/shared/admin.ts'
import { startSandbox } from './console-sandbox.ts'
import type { Sandbox } from './console-sandbox.ts'
import { hrisSync, userEnv } from './run-cli.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CHROMIUM = process.env['HRIS_SYNC_CHROMIUM'] ?? '/usr/bin/chromium'
/** Where the screenshots of each step go (.ci/run keeps them). */
const SHOTS = path.join(ROOT, '.test-report', 'screenshots')
const EMAIL = 'admin@example.com'

/** "… 1,234 changes applied" → 1234. */
const changesIn = (text: string | null) =>
  Number((/([\d,]+) changes? applied/.exec(text ?? '')?.[1] ?? 'NaN').replaceAll(',', ''))

/** A name whatever its format: "Krämer, Dörte" and "Dörte Krämer" are one person. */
const nameKey = (name: string) =>
  name
    .split(/[\s,]+/)
    .filter(Boolean)
    .sort()
    .join(' ')
const PASSWORD = 'correct horse battery staple'

// the console as a newcomer uses it, on npm start's sandbox: sign in, connect to the Personio
// simulator, map, configure, preview, sync three selected, see them in People, sync the rest,
// read the history
describe.skipIf(!existsSync(CHROMIUM) && process.env['CI'] !== 'true')(
  'the console in Chromium',
  { timeout: 120_000 },
  () => {
    let dir: string
    let sandbox: Sandbox | undefined
    let browser: BrowserContext | undefined
    let page: Page
    let step = 0
    const problems: string[] = []
    const shot = async (name: string) => {
      step++
      await page.screenshot({
        path: path.join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`),
      })
    }

    beforeAll(async () => {
      await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error' })
      await rm(SHOTS, { recursive: true, force: true })
      await mkdir(SHOTS, { recursive: true })
      dir = await mkdtemp(path.join(tmpdir(), 'hris-sync-console-'))
      sandbox = await startSandbox(
        dir,
        userEnv(dir, { HRIS_SYNC_ADMIN_EMAIL: EMAIL, HRIS_SYNC_ADMIN_PASSWORD: PASSWORD }),
      )
      // a fresh profile each run
      browser = await chromium.launchPersistentContext(path.join(dir, 'chromium'), {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1366, height: 850 },
        // the machine's network is closed: anything that phones home would stall the browser
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
      page = browser.pages()[0] ?? (await browser.newPage())
      page.on('pageerror', (error) => {
        problems.push(`page error: ${error.message}`)
      })
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`)
      })
      page.setDefaultTimeout(20_000)
    }, 60_000)

    afterAll(async () => {
      await browser?.close()
      await sandbox?.stop()
      await rm(dir, { recursive: true, force: true })
    }, 30_000)

    it('runs the whole flow: connect, map, preview, sync selected, sync all, history, a held plan', async () => {
      onTestFailed(async () => {
        await shot('failed')
        process.stderr.write(`browser problems:\n${problems.join('\n')}\n`)
      })
      if (!sandbox) throw new Error('no sandbox')
      const { simUrl, clientId, clientSecret } = sandbox
      const url = sandbox.consoleUrl
      expect(url, sandbox.said()).not.toBeNull()
      expect(sandbox.said()).not.toContain(PASSWORD)
      await page.goto(url ?? '')

      await page.getByLabel('Email').fill(EMAIL)
      await page.getByLabel('Password').fill(PASSWORD)
      await shot('sign-in')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Connections' }).waitFor()
      // npm start made one; we connect another, as a newcomer with their own credentials would
      await page.getByRole('link', { name: 'personio-sandbox' }).waitFor()
      await shot('connections')

      await page.getByRole('link', { name: 'Connect an HR system' }).click()
      await page.getByLabel('Personio').check()
      await page.getByLabel('Connection name').fill('personio-test')
      await page.getByLabel('Client ID').fill(clientId ?? '')
      await page.getByLabel('Client secret').fill(clientSecret ?? '')
      await page.getByLabel('Base URL').fill(simUrl)
      await page.getByRole('heading', { name: 'Where do I find these?' }).waitFor()
      await shot('connect')
      await page.getByRole('button', { name: 'Connect and load fields' }).click()
      await page.getByText(/fields are readable/).waitFor()
      await expect.poll(() => page.getByRole('row').count()).toBeGreaterThan(10)
      await shot('fields')

      await page.getByRole('link', { name: '2. Map fields' }).click()
      const office = page.getByLabel('Office', { exact: true })
      await office.waitFor()
      await page.getByLabel('Who owns Job title').selectOption('app')
      await page.getByLabel('Name', { exact: true }).selectOption('name:last_comma_first')
      await shot('mapping')
      await page.getByRole('button', { name: 'Save the mapping' }).click()
      await page.getByText('Mapping saved.').waitFor()

      await page.getByRole('link', { name: '3. Configure' }).click()
      await page.getByLabel('Identifier', { exact: true }).selectOption('work_email')
      await page.getByLabel('Then, when nobody has it').selectOption('employee_number')
      // as many fallbacks as there are rules: a third level is kept too
      const third = page.getByLabel('Then, when nobody has those (rule 3)')
      await third.selectOption('personal_email')
      await page.getByRole('button', { name: 'Add a condition' }).click()
      await page.getByLabel('Condition', { exact: true }).selectOption('exists')
      await page.getByLabel('Field', { exact: true }).selectOption('workEmail')
      await shot('configure')
      await page.getByRole('button', { name: 'Save the settings' }).click()
      await page.getByText('Settings saved.').waitFor()
      await page.reload()
      await third.waitFor()
      expect(await third.inputValue()).toBe('personal_email')
      expect(await page.getByLabel('Then, when nobody has it').inputValue()).toBe('employee_number')

      await page.getByRole('link', { name: '4. Preview and sync' }).click()
      await page.getByRole('button', { name: 'Build a preview' }).click()
      const createTab = page.getByRole('tab', { name: /^Create \(\d+\)$/ })
      await createTab.waitFor()
      const boxes = page.getByRole('checkbox', { name: /^Select (?!all)/ })
      await boxes.first().waitFor()
      await shot('preview')
      // a long diff opens in full, and closes again
      const more = page.getByRole('button', { name: /^Show \d+ more fields?$/ }).first()
      const hidden = Number(/(\d+)/.exec((await more.textContent()) ?? '')?.[1])
      const firstDiff = page.getByRole('row').nth(1).locator('ul.diff > li')
      const before = await firstDiff.count()
      await more.click()
      const fewer = page.getByRole('button', { name: 'Show fewer fields' }).first()
      expect(await fewer.getAttribute('aria-expanded')).toBe('true')
      expect(await firstDiff.count()).toBe(before + hidden)
      await shot('preview-diff-open')
      await fewer.click()
      expect(await firstDiff.count()).toBe(before)
      const created = Number(/\((\d+)\)/.exec((await createTab.textContent()) ?? '')?.[1])
      expect(created).toBeGreaterThan(200)

      const picked: string[] = []
      for (let i = 0; i < 3; i++) {
        await boxes.nth(i).check()
        picked.push(((await boxes.nth(i).getAttribute('aria-label')) ?? '').replace(/^Select /, ''))
      }
      // an apply answers at once (202) and the console follows its run to the end
      const applyAnswer = () =>
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/apply'))
      let answered = applyAnswer()
      await page.getByRole('button', { name: 'Sync selected (3)' }).click()
      expect((await answered).status()).toBe(202)
      const selectedNotice = page.getByText(/Synced 3 selected records: \d+ changes? applied/)
      await selectedNotice.waitFor()
      const selectedCount = changesIn(await selectedNotice.textContent())
      // the three people, their team and memberships at least
      expect(selectedCount).toBeGreaterThanOrEqual(3)
      await shot('synced-selected')

      await page.getByRole('link', { name: 'People', exact: true }).click()
      await page.getByText('3 people', { exact: true }).waitFor()
      await expect.poll(() => page.getByRole('row').count()).toBe(4)
      // exactly the three selected, whatever the name format shows them as
      const names = await page
        .getByRole('row')
        .locator('td:first-child, th:first-child')
        .allTextContents()
      expect(names.slice(1).map(nameKey).sort()).toEqual(picked.map(nameKey).sort())
      await shot('people-three')

      await page.goBack()
      const syncAll = page.getByRole('button', { name: /^Sync all \(/ })
      await syncAll.waitFor()
      answered = applyAnswer()
      await syncAll.click()
      expect((await answered).status()).toBe(202)
      const allNotice = page.getByText(/Synced the plan: \d+ changes? applied/)
      await allNotice.waitFor()
      const allCount = changesIn(await allNotice.textContent())
      await shot('synced-all')

      await page.getByRole('link', { name: 'People', exact: true }).click()
      await page.getByText(/^\d+ people$/).waitFor()
      const total = Number(
        /(\d+)/.exec((await page.getByText(/^\d+ people$/).textContent()) ?? '')?.[1],
      )
      expect(total).toBe(created)
      await shot('people-all')
      // the search asks once typing pauses, not at every key
      const searches: string[] = []
      const counted = (r: Request) => {
        if (r.url().includes('/people?')) searches.push(r.url())
      }
      page.on('request', counted)
      const wanted = picked[0] ?? ''
      await page.getByLabel('Search').pressSequentially(wanted)
      await expect
        .poll(() => page.getByText(/^\d+ (person|people)$/).textContent())
        .toMatch(/^1 person$/)
      page.off('request', counted)
      expect(searches.length).toBeLessThan(wanted.length)
      expect(
        nameKey((await page.getByRole('row').nth(1).locator('td, th').first().textContent()) ?? ''),
      ).toBe(nameKey(wanted))
      await page.getByLabel('Search').fill('')

      await page.goBack()
      await page.getByRole('link', { name: 'History' }).click()
      // each sync is an entry of its own, with its own counts, beside the preview it applied
      const selectedRow = page.getByRole('row', { name: /Sync selected: 3 records/ })
      const allRow = page.getByRole('row', { name: /Sync all/ })
      await selectedRow.waitFor()
      expect(await selectedRow.textContent()).toContain(`${String(selectedCount)} changes applied`)
      expect(await selectedRow.textContent()).toContain(EMAIL)
      expect(await allRow.textContent()).toContain(
        `${allCount.toLocaleString('en-US')} changes applied`,
      )
      expect(await page.getByRole('row', { name: /Preview/ }).count()).toBe(1)
      // the preview's own row still says what it planned, not what its syncs applied
      const previewRow = (await page.getByRole('row', { name: /Preview/ }).textContent()) ?? ''
      expect(previewRow).toMatch(/create [\d,]+/)
      expect(previewRow).not.toContain('applied')
      await shot('history')

      // the selected sync's own results: the three people among them
      await selectedRow.getByRole('link').click()
      await page.getByRole('heading', { name: /^Sync selected: 3 records/ }).waitFor()
      const results = page.getByRole('table', { name: 'Results' }).getByRole('row')
      // its own results only: as many applied as the sync said (a skipped manager link beside)
      await expect
        .poll(() => results.filter({ has: page.getByText('applied', { exact: true }) }).count())
        .toBe(selectedCount)
      for (const name of picked) {
        await results.getByRole('rowheader', { name, exact: true }).first().waitFor()
      }
      await shot('history-selected-sync')

      // a quarter of the company leaves at once: the next plan waits for an approval, and says why
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
      for (let id = 1; id <= 70; id++) {
        const left = await fetch(`${simUrl}/_admin/employees/${String(id)}/terminate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ terminationDate: yesterday }),
        })
        expect(left.status).toBe(200)
      }
      await page.getByRole('link', { name: '4. Preview and sync' }).click()
      await page.getByRole('button', { name: 'Preview again' }).click()
      const why = page.getByRole('alert').filter({ hasText: 'This plan needs approval' })
      await why.waitFor()
      expect(await why.textContent()).toMatch(
        /\d+ of \d+ active people \([\d.]+%\) would become leavers, more than the threshold of 20%/,
      )
      const held = page.getByRole('button', { name: /^Sync all \(/ })
      expect(await held.isDisabled()).toBe(true)
      await shot('approval')
      await page.getByLabel('I have read why and approve this plan').check()
      answered = applyAnswer()
      await held.click()
      expect((await answered).status()).toBe(202)
      await page.getByText(/Synced the plan: \d+ changes? applied/).waitFor()
      await shot('approved')
    })

    it('rejects a held plan, shows and edits the schedule, resends an invitation, adds a webhook and a recipient', async () => {
      onTestFailed(async () => {
        await shot('ongoing-failed')
        process.stderr.write(`browser problems:\n${problems.join('\n')}\n`)
      })
      if (!sandbox) throw new Error('no sandbox')
      // a third of the company leaves in Personio: more leavers than the guard lets through
      const sim = adminClient(sandbox.simUrl)
      const employees = (await sim('GET', 'employees')) as { id: number; status: string }[]
      const today = new Date().toISOString().slice(0, 10)
      const active = employees.filter((e) => e.status === 'active')
      for (const e of active.slice(0, Math.ceil(active.length / 3))) {
        await sim('POST', `employees/${String(e.id)}/terminate`, { terminationDate: today })
      }
      await page.getByRole('link', { name: '4. Preview and sync' }).click()
      await page.getByRole('button', { name: 'Preview again' }).click()
      await page.getByText('This plan needs approval before everything is synced.').waitFor()
      await page.getByRole('button', { name: 'Reject…' }).click()
      await page.getByLabel('Why (optional)').fill('a third leaving at once is a mistake')
      await shot('reject')
      await page.getByRole('button', { name: 'Reject this plan' }).click()
      await page.getByText(/This plan was rejected \(a third leaving at once/).waitFor()

      await page.getByRole('link', { name: 'Schedule and health' }).click()
      await page.getByText('Healthy').waitFor()
      await page.getByLabel('Sync on a schedule').check()
      await page.getByLabel(/^Incremental read/).fill('*/5 * * * *')
      await page.getByRole('button', { name: 'Save the schedule' }).click()
      await page.getByText('Schedule saved.').waitFor()
      const next = page.getByText('Next incremental read').locator('xpath=following-sibling::dd')
      await expect.poll(() => next.textContent()).not.toBe('—')
      await shot('schedule')

      await page.getByRole('link', { name: 'People', exact: true }).click()
      await page.getByText(/^\d+ people$/).waitFor()
      // an active person: a leaver (the flow before made some) gets no invitation
      await page.getByLabel('Status').selectOption('active')
      await expect.poll(() => page.locator('tbody .badge.leaver').count()).toBe(0)
      await page.getByRole('row').nth(1).getByRole('link').first().click()
      await page.getByRole('heading', { name: 'Invitations' }).waitFor()
      await page.getByRole('button', { name: 'Resend invitation' }).click()
      await page.getByText(/A new invitation to .+@.+ is on its way\./).waitFor()
      await page.getByText('Waiting to be sent').waitFor()
      await shot('invitation')

      await page.getByRole('link', { name: 'Settings' }).click()
      await page.getByLabel('Endpoint URL').fill('https://hooks.example/hris-sync')
      await page.getByLabel(/A person is updated/).uncheck()
      await page.getByRole('button', { name: 'Add webhook' }).click()
      const secret = page.locator('code.token')
      await expect.poll(() => secret.last().textContent()).toMatch(/^whsec_/)
      const shown = (await secret.last().textContent()) ?? ''
      await shot('webhook')
      await page.getByRole('button', { name: 'Deliveries' }).click()
      await page.getByText('Nothing sent yet.').waitFor()
      await page.getByLabel('Notify someone else too').fill('ops@example.com')
      await page.getByRole('button', { name: 'Add', exact: true }).click()
      await page.getByText('ops@example.com is notified too.').waitFor()
      // shown once: a fresh page has the endpoint, never its secret
      await page.reload()
      await page
        .getByRole('cell', { name: /person\.created, person\.left, run\.completed/ })
        .waitFor()
      expect(await page.content()).not.toContain(shown)
      await page.getByRole('listitem').filter({ hasText: 'ops@example.com' }).waitFor()
      await shot('settings-ongoing')
    })

    // a workspace of its own (the BambooHR simulator's people have the Personio one's emails)
    it('connects BambooHR: its fields, the hire-date filter, a preview, sync all, the people', async () => {
      onTestFailed(async () => {
        await shot('bamboohr-failed')
        process.stderr.write(`browser problems:\n${problems.join('\n')}\n`)
      })
      const url = sandbox?.consoleUrl ?? ''
      const sim = await startBambooHRSim({ employees: 40, seed: 'console', withoutHireDate: 0.15 })
      try {
        await createWorkspace(url, 'BambooHR test')
        await page.goto(url)
        const signIn = page.getByRole('button', { name: 'Sign in' })
        const connections = page.getByRole('heading', { name: 'Connections' })
        await signIn.or(connections).first().waitFor()
        if (await signIn.isVisible()) {
          await page.getByLabel('Email').fill(EMAIL)
          await page.getByLabel('Password').fill(PASSWORD)
          await signIn.click()
        }
        await page.getByLabel('Workspace').selectOption({ label: 'BambooHR test' })
        await page.getByText('No HR system is connected yet.').waitFor()

        await page.getByRole('link', { name: 'Connect an HR system' }).click()
        await page.getByRole('radio', { name: 'BambooHR' }).check()
        await page.getByLabel('Connection name').fill('bamboohr-test')
        // as "Your BambooHR URL" shows it
        await page.getByLabel('Company domain').fill(`${sim.companyDomain}.bamboohr.com`)
        await page.getByLabel('API key').fill(sim.apiKeys[0]?.key ?? '')
        await page.getByLabel('Base URL').fill(sim.url)
        await page.getByText(/syncs only employees who have a hire date/).waitFor()
        await shot('bamboohr-connect')
        await page.getByRole('button', { name: 'Connect and load fields' }).click()
        await page.getByText(/fields are readable/).waitFor()
        await expect.poll(() => page.getByRole('row').count()).toBeGreaterThan(10)
        await page.getByRole('rowheader', { name: 'hireDate', exact: true }).waitFor()
        await shot('bamboohr-fields')

        // nothing saved: the connection has BambooHR's default filter, shown like any other
        await page.getByRole('link', { name: '3. Configure' }).click()
        const condition = page.getByRole('group', { name: 'Condition 1' })
        await condition.waitFor()
        expect(await condition.getByLabel('Field', { exact: true }).inputValue()).toBe('hireDate')
        expect(await condition.getByLabel('Condition', { exact: true }).inputValue()).toBe('exists')
        await shot('bamboohr-configure')

        await page.getByRole('link', { name: '4. Preview and sync' }).click()
        await page.getByRole('button', { name: 'Build a preview' }).click()
        const createTab = page.getByRole('tab', { name: /^Create \(\d+\)$/ })
        await createTab.waitFor()
        const created = Number(/\((\d+)\)/.exec((await createTab.textContent()) ?? '')?.[1])
        expect(created).toBeGreaterThan(20)
        await page.getByRole('tab', { name: /^Skipped \(\d+\)$/ }).click()
        const withoutHire = sim.admin.employees().filter((p) => p.hireDate === null)
        expect(withoutHire.length).toBeGreaterThan(2)
        await expect
          .poll(() =>
            page.getByRole('row').filter({ hasText: 'Left out by a sync-if condition' }).count(),
          )
          .toBe(withoutHire.length)
        await shot('bamboohr-preview-skipped')

        const syncAll = page.getByRole('button', { name: /^Sync all \(/ })
        await syncAll.click()
        const synced = page.getByText(/Synced the plan/)
        const password = page.getByRole('dialog')
        // the password is asked for again when it was given more than 5 minutes ago
        await synced.or(password).first().waitFor()
        if (await password.isVisible()) {
          await password.getByLabel('Password').fill(PASSWORD)
          await password.getByRole('button', { name: 'Confirm and sync' }).click()
        }
        await synced.waitFor()
        await shot('bamboohr-synced-all')

        await page.getByRole('link', { name: 'People', exact: true }).click()
        await page.getByText(`${String(created)} people`, { exact: true }).waitFor()
        const hired = sim.admin
          .employees()
          .find((p) => p.hireDate !== null && p.status === 'active')
        if (!hired) throw new Error('nobody with a hire date')
        await page.getByLabel('Search').fill(hired.workEmail)
        await page.getByText('1 person', { exact: true }).waitFor()
        await page.getByRole('cell', { name: hired.workEmail }).first().waitFor()
        await shot('bamboohr-people')
      } finally {
        await sim.close()
      }
    })

    it('tells the hris-sync command that the server has the data folder', async () => {
      const run = await hrisSync(['plan'], { cwd: dir, env: userEnv(dir) })
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/the hris-sync server \(pid \d+\) has this data folder open/)
      expect(run.stderr).toContain(sandbox?.consoleUrl ?? '?')
    })
  },
)

/** Creates a workspace through the API, as its admin (the console has no form for it). */
async function createWorkspace(consoleUrl: string, name: string): Promise<void> {
  const origin = new URL(consoleUrl).origin
  const login = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  })
  if (login.status !== 200) throw new Error(`sign-in failed: ${await login.text()}`)
  const { csrfToken } = (await login.json()) as { csrfToken: string }
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const made = await fetch(`${origin}/api/v1/workspaces`, {
    method: 'POST',
    headers: { origin, cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  if (made.status !== 201) throw new Error(`no workspace: ${await made.text()}`)
}
