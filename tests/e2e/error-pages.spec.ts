// Error pages offer what the visitor can do: a 404 offers the login form and home when logged out
// and the vault when logged in; the 429 after too many login attempts leads back to the login
// form, never to the vault. Runs with JavaScript off and on.
import { fillLogin, open } from './helpers'
import { expect, isJs, logIn, main, seedUser, test } from './vault-helpers'

test('a logged-out 404 offers the login form and home, not the vault', async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 404/)
  const res = await open(page, '/no-such-page')
  expect(res?.status()).toBe(404)
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible()
  await expect(main(page).getByRole('link', { name: 'Log in' })).toHaveAttribute('href', '/login')
  await expect(main(page).getByRole('link', { name: 'Home' })).toHaveAttribute('href', '/')
  await expect(main(page).locator('a[href="/dashboard"]')).toHaveCount(0)
})

test('a logged-in 404 still offers the vault', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 404/)
  const user = await seedUser(db, 'notfound')
  await logIn(page, user)
  const res = await open(page, '/no-such-page')
  expect(res?.status()).toBe(404)
  await expect(main(page).getByRole('link', { name: 'Go to your vault' })).toHaveAttribute('href', '/dashboard')
})

test('after too many login attempts the 429 page leads back to the login form, not the vault', async ({ page, db, consoleGuard }) => {
  test.skip(isJs(), 'with JavaScript the login form shows the 429 message in place (auth.spec.ts)')
  consoleGuard.allow(/status of (422|429)/)
  const user = await seedUser(db, 'toomany')
  for (let i = 1; i <= 6; i++) {
    await open(page, '/login')
    await fillLogin(page, user.email, `wrong password number ${i}`)
  }
  await expect(page.getByRole('heading', { name: 'Too many attempts' })).toBeVisible()
  await expect(page.getByText(/Try again in \d+ (minutes?|seconds)\./)).toBeVisible()
  await expect(main(page).locator('a[href="/dashboard"]')).toHaveCount(0)
  await expect(main(page).getByRole('link', { name: 'Home' })).toHaveAttribute('href', '/')
  await main(page).getByRole('link', { name: 'Back to log in' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByLabel('Email', { exact: true })).toBeVisible()
})
