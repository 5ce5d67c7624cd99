// The keyboard on vault pages: Enter in the item forms saves the item (never "Generate"), with
// the typed or the real password, and "/" focuses the search field unless the focus is in a field.
// Runs with JavaScript off and on.
import { open } from './helpers'
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
