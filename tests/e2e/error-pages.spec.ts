// Error pages offer what the visitor can do: a 404 offers the login form and home when logged out
// and the vault when logged in; the 429 after too many login attempts leads back to the login
// form, never to the vault. Runs with JavaScript off and on.
import { fillLogin, open } from './helpers'
import { addMember, expect, isJs, logIn, main, ownerWithFolder, seedUser, sidebar, test } from './vault-helpers'

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

test('an error page has a title of its own: "Not found · NucleusID", "You cannot do that · NucleusID"', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of (403|404)/)
  await open(page, '/no-such-page')
  await expect(page).toHaveTitle('Not found · NucleusID')
  // A view-only member opening the edit form of a shared item: 403, with its title.
  const { owner, folderId, routerId } = await ownerWithFolder(db)
  const member = await seedUser(db, 'viewonly403')
  await addMember(db, owner, member, folderId, 'view')
  await logIn(page, member)
  const res = await open(page, `/dashboard/items/${routerId}/edit`)
  expect(res?.status()).toBe(403)
  await expect(page).toHaveTitle('You cannot do that · NucleusID')
  // Logged in, the 403 keeps the vault frame: the sidebar with the member's folders.
  await expect(sidebar(page)).toBeVisible()
  await expect(sidebar(page).getByRole('link', { name: /Family/ })).toBeVisible()
})

test('a logged-in 404 is shown in the vault frame, with the sidebar, anywhere on the site', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 404/)
  const user = await seedUser(db, 'sidebar404')
  await logIn(page, user)
  for (const path of ['/no-such-page', '/dashboard/items/00000000-0000-4000-8000-000000000000']) {
    const res = await open(page, path)
    expect(res?.status()).toBe(404)
    await expect(page).toHaveTitle('Not found · NucleusID')
    await expect(sidebar(page)).toBeVisible()
    await expect(sidebar(page).getByRole('link', { name: /Personal/ })).toBeVisible()
    await expect(main(page).getByRole('link', { name: 'Go to your vault' })).toBeVisible()
  }
})
