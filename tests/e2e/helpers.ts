// Shared helpers for the end-to-end specs. Every spec runs twice (playwright.config.ts): in the
// 'no-js' project (plain HTML forms, full page loads) and in the 'js' project (enhanced forms
// submitted by fetch, client-side navigation). Helpers act like a user: labels, roles, text.
import { randomBytes } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import { test as base, expect, request as playwrightRequest, type BrowserContext, type Page, type Response } from '@playwright/test'

export { expect }
export { decodeQuotedPrintable, parseEml, mailTo, latestVerificationLink, type Mail } from '../helpers/mail'

export const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '')
/** A strong passphrase (zxcvbn score 4) used for every account the specs create. */
export const PASSWORD = 'violet harbor quantum 58 teapot'
export const RECOVERY_CODE = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/

export interface ConsoleGuard {
  /** Tolerate console errors matching `pattern` (e.g. the browser's own "Failed to load resource:
   *  ... status of 422" line for a response the test expects). */
  allow(pattern: RegExp): void
}

/**
 * Collects, with JavaScript on, what the pages of `context` log as console errors or Vue hydration
 * warnings and the exceptions they do not catch; `unexpected()` is what no `allow` pattern covers.
 */
export function watchConsole(context: BrowserContext, javaScriptEnabled: boolean): ConsoleGuard & { unexpected(): string[] } {
  const problems: string[] = []
  const allowed: RegExp[] = []
  if (javaScriptEnabled) {
    context.on('console', (msg) => {
      const text = msg.text()
      if (msg.type() === 'error' || (msg.type() === 'warning' && /hydration/i.test(text))) {
        // The page it happened on too: a hydration mismatch names only the script that saw it.
        problems.push(`console.${msg.type()}: ${text} (${msg.location().url}, on ${msg.page()?.url() ?? 'no page'})`)
      }
    })
    context.on('weberror', (err) => problems.push(`uncaught: ${err.error().message}`))
  }
  return {
    allow: (pattern) => void allowed.push(pattern),
    unexpected: () => problems.filter((p) => !allowed.some((a) => a.test(p))),
  }
}

/**
 * The spec's `test`: in the js project it fails any test whose pages log a console error, throw
 * an uncaught exception, or log a Vue hydration warning. It is automatic, so every test is guarded;
 * ask for the `consoleGuard` fixture only to allow an expected line.
 */
export const test = base.extend<{ consoleGuard: ConsoleGuard }>({
  consoleGuard: [
    async ({ context, javaScriptEnabled }, use) => {
      const guard = watchConsole(context, javaScriptEnabled)
      await use({ allow: guard.allow })
      expect(guard.unexpected(), 'console errors, uncaught exceptions or hydration warnings').toEqual([])
    },
    { auto: true },
  ],
})

/** An address no other test, project or run uses. */
export function uniqueEmail(tag: string): string {
  const project = test.info().project.name.replace(/\W+/g, '')
  return `${tag}-${project}-${randomBytes(5).toString('hex')}@example.test`.toLowerCase()
}

/** page.goto, then (with JavaScript) waits until Vue has hydrated the page, so what follows
 *  exercises the enhanced forms rather than racing them. */
export async function open(page: Page, url: string): Promise<Response | null> {
  const res = await page.goto(url)
  await hydrated(page)
  return res
}

export async function hydrated(page: Page) {
  if (!test.info().project.use.javaScriptEnabled) return
  await page.waitForFunction(() => !!(document.getElementById('app') as { __vue_app__?: unknown } | null)?.__vue_app__)
}

/** Runs `action` (a click that submits a form) and returns the response to that POST: the
 *  document in the no-js project, the fetch in the js project. */
export async function submitAndWait(page: Page, pathname: string, action: () => Promise<void>): Promise<Response> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === pathname),
    action(),
  ])
  return res
}

/** Holds every POST to `url` in the browser until the returned `release` is called: a form on its way. */
export async function holdPosts(page: Page, url: string): Promise<() => void> {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  await page.route(url, async (route) => {
    if (route.request().method() === 'POST') await released
    await route.continue()
  })
  return release
}

/**
 * Clicks the submit button `label` of a form whose post is held back, and checks that it says
 * `pendingLabel`, is aria-busy and keeps its width (nothing moves). Returns it and its box before.
 */
export async function clickPending(page: Page, label: string, pendingLabel: string) {
  const button = page.getByRole('button', { name: label, exact: true })
  const before = (await button.boundingBox())!
  await button.click()
  const pending = page.getByRole('button', { name: pendingLabel })
  await expect(pending).toHaveAttribute('aria-busy', 'true')
  expect((await pending.boundingBox())!.width).toBe(before.width)
  return { pending, before }
}

export interface Account {
  name: string
  email: string
  password: string
}

export function newAccount(tag = 'user'): Account {
  return { name: `Ada ${tag}`, email: uniqueEmail(tag), password: PASSWORD }
}

/** Fills and submits the registration form (the page must be /register). */
export async function fillRegister(page: Page, a: { name: string; email: string; password: string; confirm?: string }) {
  await page.getByLabel('Name', { exact: true }).fill(a.name)
  await page.getByLabel('Email', { exact: true }).fill(a.email)
  await page.getByLabel('Master password', { exact: true }).fill(a.password)
  await page.getByLabel('Repeat master password', { exact: true }).fill(a.confirm ?? a.password)
  return submitAndWait(page, '/register', () => page.getByRole('button', { name: 'Create account' }).click())
}

/** Registers through the UI and confirms the recovery code; ends on the dashboard. */
export async function registerViaUi(page: Page, account: Account) {
  await open(page, '/register')
  await fillRegister(page, account)
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  await expect(page.getByTestId('recovery-code')).toHaveText(RECOVERY_CODE)
  await confirmRecoverySaved(page, 'Open my vault')
  await expect(page).toHaveURL(/\/dashboard$/)
}

/** Ticks "I have saved my recovery code" and presses the page's button to carry on. */
export async function confirmRecoverySaved(page: Page, button: 'Open my vault' | 'Done') {
  await page.getByLabel('I have saved my recovery code').check()
  await page.getByRole('button', { name: button }).click()
}

/** Fills and submits the login form (the page must be /login). */
export async function fillLogin(page: Page, email: string, password: string) {
  await page.getByLabel('Email', { exact: true }).fill(email)
  await page.getByLabel('Master password', { exact: true }).fill(password)
  return submitAndWait(page, '/login', () => page.getByRole('button', { name: 'Log in', exact: true }).click())
}

/** Logs out with the POST form of the header (public pages) or of the user menu (vault pages). */
export async function logOut(page: Page) {
  const menu = page.locator('details.user-menu')
  if (await menu.count()) {
    await menu.locator('summary').click({ timeout: 10_000 })
    await menu.getByRole('button', { name: 'Log out' }).click({ timeout: 10_000 })
  } else {
    await page.getByRole('button', { name: 'Log out' }).click()
  }
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByTestId('flash')).toHaveText(/You have been logged out\./)
}

/** The value of the `name="_csrf"` hidden field in a page's raw HTML. */
export function csrfFrom(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/)
  if (!m) throw new Error('no _csrf field in the page')
  return m[1]!
}

/**
 * Creates an account over HTTP (no browser), for tests that need one to exist. Uses its own
 * request context, so no cookie leaks into the page or the `request` fixture of the test.
 */
export async function registerViaHttp(account: Account) {
  const http = await playwrightRequest.newContext({ baseURL: BASE_URL })
  try {
    const html = await (await http.get('/register')).text()
    const res = await http.post('/register', {
      form: { _csrf: csrfFrom(html), name: account.name, email: account.email, password: account.password, password_confirm: account.password },
      headers: { Origin: BASE_URL },
      maxRedirects: 0,
    })
    expect(res.status(), await res.text()).toBe(303)
    expect(res.headers()['location']).toBe('/register/recovery-code')
  } finally {
    await http.dispose()
  }
}

// ---- Mail: the servers write each message as an .eml file under MAIL_DIR (no SMTP_URL). ----

/** The session id cookie of the page's context, or undefined for an anonymous visitor. */
export async function sessionId(page: Page): Promise<string | undefined> {
  return (await page.context().cookies(BASE_URL)).find((c) => c.name === 'nid.sid')?.value
}

/** axe on the page as it is, in both themes (the page is not reloaded: the theme is a media query). */
export async function checkBothThemes(page: Page, label: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
    const results = await new AxeBuilder({ page }).analyze()
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(serious.map((v) => `${label} ${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
  }
}
