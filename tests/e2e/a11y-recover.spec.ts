// Accessibility of every page, light and dark (axe: no serious or critical violation; the list,
// health, sharing and item-form specs also check their pages in more states), and account
// recovery with the one-time code. Runs with JavaScript off and on like every spec.
import AxeBuilder from '@axe-core/playwright'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { open, newAccount, logOut, fillLogin, fillRegister, RECOVERY_CODE, submitAndWait } from './helpers'
import { addMember, at, expect, fields, logIn, seedItems, seedUser, test } from './vault-helpers'

function skipWithoutJs(javaScriptEnabled: boolean) {
  // axe runs as a script inside the page; the markup is the same with JavaScript off.
  test.skip(!javaScriptEnabled, 'axe needs JavaScript in the page')
  test.slow()
}

/** axe on the page as it is, in both themes (the page is not reloaded: the theme is a media query). */
async function checkBothThemes(page: Page, label: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
    const results = await new AxeBuilder({ page }).analyze()
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(serious.map((v) => `${label} ${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
  }
}

test('public pages: landing, login, registration, recovery code, recovery, verification, not found', async ({ page, consoleGuard, javaScriptEnabled }) => {
  skipWithoutJs(javaScriptEnabled)
  consoleGuard.allow(/status of (400|404)/) // the bad verification link and the unknown page
  for (const url of ['/', '/login', '/register', '/recover', '/verify?token=not-a-token', '/no-such-page']) {
    await open(page, url)
    await checkBothThemes(page, url)
  }
  await open(page, '/register')
  await fillRegister(page, newAccount('a11y'))
  await at(page, /\/register\/recovery-code$/)
  await checkBothThemes(page, 'recovery code')
})

test('vault pages: list, folder, item, edit, delete, new, health, import and its result, shares, settings', async ({ page, db, consoleGuard, javaScriptEnabled }) => {
  skipWithoutJs(javaScriptEnabled)
  consoleGuard.allow(/status of 404/)
  const u = await seedUser(db, 'a11y-vault')
  const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
  const [item] = await seedItems(db, u, work, [fields({ name: 'GitHub', username: 'octocat', password: 'Lantern-Quartz-9', url: 'github.com', note: 'a note' })])
  const owner = await seedUser(db, 'a11y-owner', 'Olive Owner')
  const { id: family } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await addMember(db, owner, u, family, 'view')
  await logIn(page, u)
  const pages = [
    '/dashboard',
    `/dashboard/folders/${work}`,
    `/dashboard/folders/${work}/delete`,
    `/dashboard/folders/${family}`,
    `/dashboard/items/${item}`,
    `/dashboard/items/${item}/edit`,
    `/dashboard/items/${item}/delete`,
    '/dashboard/items/new',
    '/dashboard/health',
    '/dashboard/shares',
    `/dashboard/shares/${family}/leave`,
    '/dashboard/settings',
    '/dashboard/settings/two-factor',
    '/dashboard/import',
    '/dashboard/items/00000000-0000-4000-8000-000000000000',
  ]
  for (const url of pages) {
    await open(page, url)
    await checkBothThemes(page, url)
  }
  await open(page, '/dashboard/import')
  await page.getByLabel('CSV file').setInputFiles(path.resolve('tests/fixtures/import/firefox.csv'))
  await page.getByRole('button', { name: 'Import' }).click()
  await at(page, /\/dashboard\/import\/result$/)
  await checkBothThemes(page, 'import result')
})

test('a forgotten master password is replaced with the recovery code, which is then renewed', async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const account = newAccount('recover')
  await open(page, '/register')
  await page.getByLabel('Name', { exact: true }).fill(account.name)
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Master password', { exact: true }).fill(account.password)
  await page.getByLabel('Repeat master password', { exact: true }).fill(account.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  const code = (await page.getByTestId('recovery-code').textContent())!.trim()
  expect(code).toMatch(RECOVERY_CODE)
  await page.getByRole('button', { name: 'I have saved it' }).click()
  await expect(page).toHaveURL(/\/dashboard$/)
  await logOut(page)

  await open(page, '/login')
  await page.getByRole('link', { name: 'Forgot your master password?' }).click()
  await expect(page).toHaveURL(/\/recover$/)
  const newPassword = 'amber lantern orbit 93 walrus'

  // A wrong code is refused next to the field, the email is kept, nothing changes.
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Recovery code').fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG')
  await page.getByLabel('New master password', { exact: true }).fill(newPassword)
  await page.getByLabel('Repeat new master password').fill(newPassword)
  const refused = await submitAndWait(page, '/recover', () => page.getByRole('button', { name: 'Reset master password' }).click())
  expect(refused.status()).toBe(422)
  await expect(page.getByText('Email or recovery code is incorrect.').first()).toBeVisible()
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(account.email)

  // The right code, typed in lower case without hyphens, works.
  await page.getByLabel('Recovery code').fill(code.toLowerCase().replace(/-/g, ''))
  await page.getByLabel('New master password', { exact: true }).fill(newPassword)
  await page.getByLabel('Repeat new master password').fill(newPassword)
  await page.getByRole('button', { name: 'Reset master password' }).click()
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  const renewed = (await page.getByTestId('recovery-code').textContent())!.trim()
  expect(renewed).toMatch(RECOVERY_CODE)
  expect(renewed).not.toBe(code)
  await page.getByRole('button', { name: 'I have saved it' }).click()
  await expect(page).toHaveURL(/\/dashboard$/)
  await logOut(page)

  // The old password no longer works; the new one does.
  await open(page, '/login')
  const old = await fillLogin(page, account.email, account.password)
  expect(old.status()).toBe(422)
  await fillLogin(page, account.email, newPassword)
  await expect(page).toHaveURL(/\/dashboard$/)
})
