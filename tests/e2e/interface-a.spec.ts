// Issue 10, what a new user tripped over: Enter saves the item form (never "Generate"), error
// pages offer what the visitor can do, and the smaller fixes. Runs with JavaScript off and on.
import { fillLogin, fillRegister, newAccount, open } from './helpers'
import { at, expect, expectFlash, fields, idFromUrl, isJs, logIn, main, seedItems, seedUser, test } from './vault-helpers'

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const ITEM_URL = new RegExp(`/dashboard/items/${UUID}$`)

test('Enter in the new-item form saves the item with the typed password (not "Generate")', async ({ page, db }) => {
  const user = await seedUser(db, 'enter-new')
  await logIn(page, user)
  await open(page, `/dashboard/items/new?folder=${user.personalId}`)
  await page.getByLabel('Password', { exact: true }).fill('typed by hand 123')
  await page.getByLabel('Name', { exact: true }).fill('Typed')
  await page.getByLabel('Name', { exact: true }).press('Enter')
  await at(page, ITEM_URL)
  await expectFlash(page, 'Item added to your vault.')
  const item = await db.services.vault.getItem(user.viewer, idFromUrl(page))
  expect(item.fields.name).toBe('Typed')
  expect(item.fields.password).toBe('typed by hand 123')
})

test('Enter in the edit-item form saves the changes and keeps the real password', async ({ page, db }) => {
  const user = await seedUser(db, 'enter-edit')
  const [id] = await seedItems(db, user, user.personalId, [fields({ name: 'Bank', password: 'the real one 456' })])
  await logIn(page, user)
  await open(page, `/dashboard/items/${id}/edit`)
  await page.getByLabel('Name', { exact: true }).fill('Bank of Example')
  await page.getByLabel('Name', { exact: true }).press('Enter')
  await at(page, new RegExp(`/dashboard/items/${id}$`))
  await expectFlash(page, 'Changes saved.')
  const item = await db.services.vault.getItem(user.viewer, id!)
  expect(item.fields.name).toBe('Bank of Example')
  expect(item.fields.password).toBe('the real one 456')
  await expect(main(page).getByRole('heading', { level: 1, name: 'Bank of Example' })).toBeVisible()
})

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

test('the recovery-code page has its own title and every page a meta description', async ({ page }) => {
  await open(page, '/login')
  await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /password manager/)
  await open(page, '/register')
  await fillRegister(page, newAccount('title'))
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  await expect(page).toHaveTitle('Save your recovery code · NucleusID')
})

test('a wrong login shows its message once, and the field is still marked and described', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const user = await seedUser(db, 'wrong-once')
  await open(page, '/login')
  const res = await fillLogin(page, user.email, 'not the password at all')
  expect(res.status()).toBe(422)
  const form = page.getByRole('form', { name: 'Log in' })
  await expect(form.getByRole('alert')).toHaveText('Email or password is incorrect.')
  await expect(form.getByText('Email or password is incorrect.')).toHaveCount(1)
  const password = page.getByLabel('Master password', { exact: true })
  await expect(password).toHaveAttribute('aria-invalid', 'true')
  await expect(password).toHaveAccessibleDescription('Email or password is incorrect.')
})

test('"/" focuses the search field on vault pages, but not while typing in a field', async ({ page, db }) => {
  test.skip(!isJs(), 'a keyboard shortcut needs JavaScript')
  const user = await seedUser(db, 'slash')
  await logIn(page, user)
  const search = page.getByRole('searchbox', { name: 'Search your vault' })
  await page.locator('body').press('/')
  await expect(search).toBeFocused()
  await expect(search).toHaveValue('')
  await open(page, `/dashboard/items/new?folder=${user.personalId}`)
  const name = page.getByLabel('Name', { exact: true })
  await name.fill('a')
  await name.press('/')
  await expect(name).toHaveValue('a/')
  await expect(name).toBeFocused()
})
