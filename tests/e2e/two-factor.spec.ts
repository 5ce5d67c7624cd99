// Two-factor authentication end to end, JavaScript off and on (issue 9): turn it on from the
// displayed secret, log in with a code (a half-logged-in session reaches nothing else), a reused
// code is refused, turn it off with the password; recovery turns it off too.
import * as OTPAuth from 'otpauth'
import type { Page } from '@playwright/test'
import { BASE_URL, PASSWORD, confirmRecoverySaved, fillLogin, hydrated, logOut, open, submitAndWait, uniqueEmail } from './helpers'
import { expect, expectFlash, logIn, seedUser, test, type Db } from './vault-helpers'

const PERIOD_MS = 30_000
const WRONG_CODE = 'That code is not right, or it was already used. Enter the code your authenticator app shows now.'

/**
 * The test's authenticator app: codes from the secret the page shows. Each code it hands out is
 * of a later step than the one before (the server accepts a step once), and within the server's
 * window (previous, current, next step) at the time it is used.
 */
class Authenticator {
  private last = Number.NEGATIVE_INFINITY
  readonly totp: OTPAuth.TOTP
  constructor(secretText: string) {
    this.totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretText.replace(/\s+/g, '')), period: 30, digits: 6, algorithm: 'SHA1' })
  }

  async nextCode(page: Page): Promise<string> {
    // Not in the last seconds of a step: the previous step must still be in the window on arrival.
    const intoStep = Date.now() % PERIOD_MS
    if (intoStep > PERIOD_MS - 4000) await page.waitForTimeout(PERIOD_MS - intoStep + 100)
    const current = Math.floor(Date.now() / PERIOD_MS)
    const step = Math.max(this.last + 1, current - 1)
    expect(step, 'the test used codes faster than the window allows').toBeLessThanOrEqual(current + 1)
    this.last = step
    return this.codeOf(step)
  }

  codeOf(step: number) {
    return this.totp.generate({ timestamp: step * PERIOD_MS + 1 })
  }

  /** A code none of the steps in the server's window produce. */
  wrongCode() {
    const current = Math.floor(Date.now() / PERIOD_MS)
    const taken = new Set([current - 1, current, current + 1, current + 2].map((s) => this.codeOf(s)))
    return ['000000', '111111', '222222', '333333', '444444'].find((c) => !taken.has(c))!
  }

  lastCode() {
    return this.codeOf(this.last)
  }
}

/** Turns two-factor on through the service (with the previous step's code) for a seeded user. */
async function enableForTest(db: Db, viewer: { userId: string; vaultKey: Buffer }) {
  const secret = new OTPAuth.Secret({ size: 20 }).base32
  const earlier = Date.now() - PERIOD_MS
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), period: 30, digits: 6, algorithm: 'SHA1' })
  await db.services.twoFactor.enable(viewer, { secret, code: totp.generate({ timestamp: earlier }), password: PASSWORD }, earlier)
}

const codeField = (page: Page) => page.getByLabel('Authentication code')

async function submitCode(page: Page, code: string) {
  await codeField(page).fill(code)
  return submitAndWait(page, '/login/2fa', () => page.getByRole('button', { name: 'Verify and log in' }).click())
}

async function passwordStep(page: Page, u: { email: string; password: string }, next?: string) {
  await open(page, next ? `/login?next=${encodeURIComponent(next)}` : '/login')
  await fillLogin(page, u.email, u.password)
  await expect(page).toHaveURL(/\/login\/2fa$/)
  await expect(page.getByRole('heading', { name: 'Enter your two-factor code' })).toBeVisible()
  await hydrated(page)
}

test('turn on from the displayed secret, log in with a code once, turn off with the password', async ({ page, db, consoleGuard, javaScriptEnabled }) => {
  consoleGuard.allow(/status of 422/)
  const u = await seedUser(db, '2fa')
  await logIn(page, u)

  // Set up: the QR code (an image of the server's SVG) and the secret as text.
  await open(page, '/dashboard/settings/security')
  const section = page.getByTestId('two-factor')
  await expect(section.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible()
  await expect(section.getByRole('img', { name: /QR code/ })).toBeVisible()
  const secretText = (await section.getByTestId('totp-secret').textContent())!.trim()
  expect(secretText.replace(/\s+/g, '')).toMatch(/^[A-Z2-7]{32}$/)
  const app = new Authenticator(secretText)

  // A wrong code is refused next to the field; the same secret stays on the page.
  const codeInput = section.getByLabel('Code from the app')
  const passwordInput = section.getByLabel('Master password')
  // The master password is asked too (a stolen session must not turn it on); a wrong one is refused.
  // (The password is checked first, so the code sent here is never weighed: no step is spent.)
  await codeInput.fill(app.wrongCode())
  await passwordInput.fill('not my master password')
  const wrongPassword = await submitAndWait(page, '/dashboard/settings/2fa/enable', () => section.getByRole('button', { name: 'Turn on two-factor' }).click())
  expect(wrongPassword.status()).toBe(422)
  await expect(section.getByText('This is not your master password.')).toBeVisible()
  await expect(passwordInput).toHaveAttribute('aria-invalid', 'true')
  await expect(section.getByText('Off', { exact: true })).toBeVisible()

  await codeInput.fill(app.wrongCode())
  await passwordInput.fill(u.password)
  const refused = await submitAndWait(page, '/dashboard/settings/2fa/enable', () => section.getByRole('button', { name: 'Turn on two-factor' }).click())
  expect(refused.status()).toBe(422)
  await expect(section.getByText('That code is not right.')).toBeVisible()
  await expect(codeInput).toHaveAttribute('aria-invalid', 'true')
  await expect(section.getByTestId('totp-secret')).toHaveText(secretText)
  if (!javaScriptEnabled) {
    // Re-rendered without JavaScript: the Security page alone, its error summary on top linking to the field.
    const link = page.getByTestId('error-summary').getByRole('link', { name: /That code is not right/ })
    await expect(link).toHaveAttribute('href', `#${await codeInput.getAttribute('id')}`)
    await link.click()
    await expect(codeInput).toBeFocused()
  }

  await codeInput.fill(await app.nextCode(page))
  await passwordInput.fill(u.password)
  await section.getByRole('button', { name: 'Turn on two-factor' }).click()
  await expect(page).toHaveURL(/\/dashboard\/settings\/security$/)
  await expectFlash(page, 'Two-factor authentication is on.')
  await expect(section.getByText('On', { exact: true })).toBeVisible()
  await expect(section.getByTestId('totp-secret')).toHaveCount(0)
  await logOut(page)

  // The password alone is half a login: every other page sends back to the second step.
  await passwordStep(page, u, '/dashboard/shares')
  for (const path of ['/dashboard', '/dashboard/settings/security', '/dashboard/items/new']) {
    await open(page, path)
    await expect(page).toHaveURL(/\/login\/2fa$/)
  }
  await open(page, '/login/2fa')
  await expect(page.getByRole('heading', { name: 'Enter your two-factor code' })).toBeVisible()
  await expect(codeField(page)).toHaveAttribute('autocomplete', 'one-time-code')
  await expect(codeField(page)).toHaveAttribute('inputmode', 'numeric')

  // A wrong code: the message next to the field.
  const wrong = await submitCode(page, '12345x')
  expect(wrong.status()).toBe(422)
  await expect(page.getByText('Enter the 6-digit code from your authenticator app.').first()).toBeVisible()
  await expect(codeField(page)).toHaveAttribute('aria-invalid', 'true')

  // The right code: logged in, to where the login was going.
  const ok = await submitCode(page, await app.nextCode(page))
  expect(ok.status()).toBeLessThan(400)
  await expect(page).toHaveURL(/\/dashboard\/shares$/)
  await expectFlash(page, `Welcome back, ${u.name}.`)
  await logOut(page)

  // The same code again (same step) on a second login is refused; the next one works.
  await passwordStep(page, u)
  const replay = await submitCode(page, app.lastCode())
  expect(replay.status()).toBe(422)
  await expect(page.getByText(WRONG_CODE).first()).toBeVisible()
  await expect(page).toHaveURL(/\/login\/2fa$/)
  await submitCode(page, await app.nextCode(page))
  await expect(page).toHaveURL(/\/dashboard$/)
  await hydrated(page)

  // Off, with the master password (a wrong one is refused next to the field).
  await open(page, '/dashboard/settings/security')
  const password = section.getByLabel('Master password')
  await password.fill('not my master password')
  const bad = await submitAndWait(page, '/dashboard/settings/2fa/disable', () => section.getByRole('button', { name: 'Turn off two-factor' }).click())
  expect(bad.status()).toBe(422)
  await expect(section.getByText('This is not your master password.')).toBeVisible()
  await password.fill(u.password)
  await section.getByRole('button', { name: 'Turn off two-factor' }).click()
  await expectFlash(page, 'Two-factor authentication is off.')
  await expect(section.getByRole('img', { name: /QR code/ })).toBeVisible()
  await logOut(page)

  // A password login is a whole login again.
  await logIn(page, u)
})

test('a half-logged-in session can cancel: back to the login page, nothing open', async ({ page, db }) => {
  const u = await seedUser(db, '2fa-cancel')
  await enableForTest(db, u.viewer)

  await passwordStep(page, u)
  await page.getByRole('button', { name: 'Cancel and log out' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await open(page, '/login/2fa')
  await expect(page).toHaveURL(/\/login$/)
  await open(page, '/dashboard')
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/)
})

test('the recovery code also turns two-factor off', async ({ page, db }) => {
  // Registered through the service to know its recovery code (seedUser does not keep it).
  const registered = await db.services.users.register({ name: 'Rae Recover', email: uniqueEmail('2fa-recover'), password: PASSWORD })
  await enableForTest(db, { userId: registered.user.id, vaultKey: registered.vaultKey })
  const account = { email: registered.user.email, password: PASSWORD }

  // Two-factor is on: the password alone does not log in.
  await passwordStep(page, account)
  await page.getByRole('button', { name: 'Cancel and log out' }).click()
  await expect(page).toHaveURL(/\/login$/)

  const newPassword = 'amber lantern orbit 93 walrus'
  await open(page, '/recover')
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Recovery code').fill(registered.recoveryCode)
  await page.getByLabel('New master password', { exact: true }).fill(newPassword)
  await page.getByLabel('Repeat new master password').fill(newPassword)
  await page.getByRole('button', { name: 'Reset master password' }).click()
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  await confirmRecoverySaved(page, 'Open my vault')
  await expect(page).toHaveURL(/\/dashboard$/)
  await hydrated(page)
  await open(page, '/dashboard/settings/security')
  await expect(page.getByTestId('two-factor').getByText('Off', { exact: true })).toBeVisible()
  await logOut(page)

  // The new password logs in with no code.
  await logIn(page, { email: account.email, password: newPassword })
})

test('the theme chosen in settings applies at every login: password, two-factor and recovery', async ({ page, db, browser, javaScriptEnabled }) => {
  const registered = await db.services.users.register({ name: 'Theo Theme', email: uniqueEmail('theme-logins'), password: PASSWORD })
  const account = { email: registered.user.email, password: PASSWORD }
  const dark = async (p: Page) => {
    await expect(p.locator('html')).toHaveAttribute('data-theme', 'dark')
    expect(await (await p.context().request.get('/dashboard')).text()).toMatch(/<html[^>]*data-theme="dark"/)
  }
  await logIn(page, account)
  await open(page, '/dashboard/settings/appearance')
  await page.getByLabel(/^Dark/).check()
  if (!javaScriptEnabled) await page.getByRole('button', { name: 'Save appearance' }).click()
  await expectFlash(page, 'The appearance is dark now.')
  await dark(page)
  await logOut(page)

  // A password login, here and on another device.
  await logIn(page, account)
  await dark(page)
  const other = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled })
  const otherPage = await other.newPage()
  await logIn(otherPage, account)
  await dark(otherPage)
  await other.close()
  await logOut(page)

  // A login with two-factor.
  const secret = new OTPAuth.Secret({ size: 20 }).base32
  const app = new Authenticator(secret)
  // Turned on with the app's first code, so the login's code is of a later step.
  await db.services.twoFactor.enable({ userId: registered.user.id, vaultKey: registered.vaultKey }, { secret, code: await app.nextCode(page), password: PASSWORD })
  await passwordStep(page, account)
  await submitCode(page, await app.nextCode(page))
  await expect(page).toHaveURL(/\/dashboard$/)
  await dark(page)
  await logOut(page)

  // Recovery with the code: the page that shows the new code, and the vault after it.
  await open(page, '/recover')
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Recovery code').fill(registered.recoveryCode)
  await page.getByLabel('New master password', { exact: true }).fill('amber lantern orbit 93 walrus')
  await page.getByLabel('Repeat new master password').fill('amber lantern orbit 93 walrus')
  await page.getByRole('button', { name: 'Reset master password' }).click()
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await confirmRecoverySaved(page, 'Open my vault')
  await expect(page).toHaveURL(/\/dashboard$/)
  await dark(page)
})
