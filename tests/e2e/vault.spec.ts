// The vault, end to end, as a user sees it: folders, items (with a generated password), search,
// edit, move, reveal, copy, delete, deleting a folder that holds items, empty states and pages.
// Every test runs with JavaScript off ('no-js': plain forms, full page loads) and on ('js':
// enhanced forms, client-side navigation, live search, copy buttons); see playwright.config.ts.
import type { Page } from '@playwright/test'
import { newAccount, open, registerViaUi, submitAndWait } from './helpers'
import { at, expect, expectFlash, fields, idFromUrl, isJs, itemIdsIn, itemList, logIn, main, newFolderField, rawItem, seedItems, seedUser, sidebar, test } from './vault-helpers'

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const FOLDER_URL = new RegExp(`/dashboard/folders/${UUID}$`)
const ITEM_URL = new RegExp(`/dashboard/items/${UUID}$`)

/** Adds a folder with the sidebar's "New folder" form; ends on the new folder's page. */
async function createFolder(page: Page, name: string): Promise<string> {
  await (await newFolderField(page)).fill(name)
  await sidebar(page).getByRole('button', { name: 'Add' }).click()
  await at(page, FOLDER_URL)
  await expectFlash(page, `Folder “${name}” created.`)
  await expect(main(page).getByRole('heading', { level: 1, name })).toBeVisible()
  return idFromUrl(page)
}

/** The sidebar link of a folder, e.g. "Work 3" (name, then its item count). */
const folderLink = (page: Page, name: string) => sidebar(page).getByRole('link', { name: new RegExp(`^${name}\\b`) })

test('create a folder, add an item with a generated password, find, edit, move, reveal, copy and delete it', async ({
  page,
  context,
  db,
}) => {
  if (isJs()) await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  const user = await seedUser(db, 'journey')
  // Something else in the vault, so that searching visibly filters.
  await seedItems(db, user, user.personalId, [fields({ name: 'Netflix', username: 'family@example.test', url: 'https://netflix.com' })])
  await logIn(page, user)

  // Two folders, through the sidebar's "New folder" form.
  const workId = await createFolder(page, 'Work')
  await expect(main(page).getByText('This folder is empty. Add a login to keep it here.')).toBeVisible()
  const archiveId = await createFolder(page, 'Archive')
  await expect(folderLink(page, 'Work')).toBeVisible()
  await expect(folderLink(page, 'Archive')).toHaveAttribute('aria-current', 'page')

  // Add an item to Work, from the empty folder's own "+ New item".
  await folderLink(page, 'Work').click()
  await at(page, new RegExp(`/dashboard/folders/${workId}$`))
  await main(page).getByRole('link', { name: '+ New item' }).click()
  await at(page, new RegExp(`/dashboard/items/new\\?folder=${workId}$`))
  await expect(page.getByRole('heading', { name: 'New login' })).toBeVisible()
  await expect(page.getByLabel('Folder', { exact: true })).toHaveValue(workId)
  await page.getByLabel('Name', { exact: true }).fill('GitHub')
  await page.getByLabel('Username or email').fill('octocat')
  await page.getByLabel('Website').fill('https://github.com/login')
  await page.getByLabel('Note').fill('The work account.')
  const passwordField = page.getByLabel('Password', { exact: true })
  await expect(passwordField).toHaveValue('')

  if (isJs()) {
    // The Generate button fills the field in place: no request, nothing reloads.
    const posts: string[] = []
    page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()))
    await page.getByRole('button', { name: 'Generate' }).click()
    await expect(passwordField).not.toHaveValue('')
    expect(posts).toEqual([])
    await expect(page).toHaveURL(new RegExp(`/dashboard/items/new\\?folder=${workId}$`))
  } else {
    // The Generate button submits the form; it comes back with a password and nothing lost.
    const res = await submitAndWait(page, '/dashboard/items', () => page.getByRole('button', { name: 'Generate' }).click())
    expect(res.status()).toBe(200)
    await expect(page.getByRole('heading', { name: 'New login' })).toBeVisible()
    await expect(passwordField).not.toHaveValue('')
    await expect(page.getByLabel('Folder', { exact: true })).toHaveValue(workId)
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('GitHub')
    await expect(page.getByLabel('Username or email')).toHaveValue('octocat')
    await expect(page.getByLabel('Website')).toHaveValue('https://github.com/login')
    await expect(page.getByLabel('Note')).toHaveValue('The work account.')
    expect(await itemIdsIn(db, workId)).toEqual([]) // generating saved nothing
  }
  // The generated password is shown (not masked) so the user can see what they are saving.
  await expect(passwordField).toHaveAttribute('type', 'text')
  const password = await passwordField.inputValue()
  expect(password.length).toBeGreaterThanOrEqual(16)

  await page.getByRole('button', { name: 'Save item' }).click()
  await at(page, ITEM_URL)
  const itemId = idFromUrl(page)
  await expectFlash(page, 'Item added to your vault.')
  await expect(main(page).getByRole('heading', { level: 1, name: 'GitHub' })).toBeVisible()
  await expect(main(page).getByText('In Work')).toBeVisible()
  await expect(main(page).getByText('octocat', { exact: true })).toBeVisible()
  await expect(main(page).getByRole('link', { name: 'https://github.com/login' })).toBeVisible()
  await expect(main(page).getByText('The work account.')).toBeVisible()
  expect((await rawItem(db, itemId))?.folderId).toBe(workId)
  expect((await db.services.vault.getItem(user.viewer, itemId)).fields.password).toBe(password)

  // Find it by searching from the header.
  await open(page, '/dashboard')
  await expect(itemList(page).getByRole('link')).toHaveCount(2)
  const search = page.getByRole('searchbox', { name: 'Search your vault' })
  if (isJs()) {
    // Typing filters the list in place and the URL follows; the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))
    await search.pressSequentially('octo')
    await expect(page).toHaveURL(/\/dashboard\?q=octo$/)
    await expect(itemList(page).getByRole('link')).toHaveCount(1)
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
  } else {
    // A plain GET form: Enter submits it.
    await search.fill('octo')
    await search.press('Enter')
    await expect(page).toHaveURL(/\/dashboard\?q=octo$/)
  }
  await expect(main(page).getByRole('status').filter({ hasText: '1 match for “octo”' })).toBeVisible()
  await expect(itemList(page).getByRole('link')).toHaveCount(1)
  await expect(itemList(page).getByRole('link', { name: /GitHub/ })).toContainText('github.com')
  await expect(search).toHaveValue('octo')
  await itemList(page).getByRole('link', { name: /GitHub/ }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}$`))

  // Edit.
  await main(page).getByRole('link', { name: 'Edit' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}/edit$`))
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('GitHub')
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue(password)
  await page.getByLabel('Username or email').fill('octocat-work')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}$`))
  await expectFlash(page, 'Changes saved.')
  await expect(main(page).getByText('octocat-work', { exact: true })).toBeVisible()

  // Move to Archive.
  await main(page).getByLabel('Move to').selectOption({ label: 'Archive' })
  await main(page).getByRole('button', { name: 'Move' }).click()
  await expectFlash(page, 'Moved to Archive.')
  await at(page, new RegExp(`/dashboard/items/${itemId}$`))
  await expect(main(page).getByText('In Archive')).toBeVisible()
  await expect(folderLink(page, 'Archive')).toContainText('1')
  await expect(folderLink(page, 'Work')).toContainText('0')
  expect((await rawItem(db, itemId))?.folderId).toBe(archiveId)

  // Reveal the password: a link to the same page with ?reveal=password (SPEC 3b: until then the
  // page does not hold it), and Hide back; the same with JavaScript, in place.
  const value = main(page).getByTestId('password-value')
  await expect(value).not.toContainText(password)
  expect(await page.content()).not.toContain(password)
  await main(page).getByRole('link', { name: 'Reveal password' }).click()
  await expect(page).toHaveURL(new RegExp(`/dashboard/items/${itemId}\\?reveal=password$`))
  await expect(value).toHaveText(password)
  await main(page).getByRole('link', { name: 'Hide password' }).click()
  await expect(page).toHaveURL(new RegExp(`/dashboard/items/${itemId}$`))
  await expect(value).not.toContainText(password)

  // Copy it while hidden (JavaScript only: without it there is no copy button at all): the value
  // is asked from the server at the click.
  const copy = main(page).getByRole('button', { name: 'Copy password' })
  if (isJs()) {
    await copy.click()
    await expect(copy).toContainText('Copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password)
  } else {
    await expect(copy).toHaveCount(0)
  }

  // Delete (to the trash, issue 21), on a confirmation page.
  await main(page).getByRole('link', { name: 'Move to trash…' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}/delete$`))
  await expect(main(page).getByRole('heading', { name: 'Move “GitHub” to the trash?' })).toBeVisible()
  await expect(main(page).getByText('It leaves Archive')).toBeVisible()
  expect((await rawItem(db, itemId))?.deletedAt).toBeNull() // the confirmation page changes nothing
  await main(page).getByRole('button', { name: 'Move to trash' }).click()
  await at(page, new RegExp(`/dashboard/folders/${archiveId}$`))
  await expectFlash(page, 'Item moved to the trash.')
  await expect(main(page).getByText('This folder is empty.')).toBeVisible()
  expect((await rawItem(db, itemId))?.deletedAt).toBeInstanceOf(Date)
})

test('rename a folder, then delete it: its items move to Personal', async ({ page, db }) => {
  const user = await seedUser(db, 'folders')
  const { id: travelId } = await db.services.vault.createFolder(user.viewer, 'Travel')
  const ids = await seedItems(db, user, travelId, [
    fields({ name: 'Airline', username: 'flyer-42' }),
    fields({ name: 'Hotel', username: 'sleeper-7' }),
  ])
  await logIn(page, user)

  await folderLink(page, 'Travel').click()
  await at(page, new RegExp(`/dashboard/folders/${travelId}$`))
  await expect(itemList(page).getByRole('link')).toHaveCount(2)

  // Rename, from the folder's settings.
  await main(page).getByText('Rename or delete').click()
  await main(page).getByLabel('Folder name').fill('Trips')
  await main(page).getByRole('button', { name: 'Rename' }).click()
  await expectFlash(page, 'Folder renamed to “Trips”.')
  await at(page, new RegExp(`/dashboard/folders/${travelId}$`))
  await expect(main(page).getByRole('heading', { level: 1, name: 'Trips' })).toBeVisible()
  await expect(folderLink(page, 'Trips')).toBeVisible()
  await expect(folderLink(page, 'Travel')).toHaveCount(0)

  // Delete: the confirmation page says where the items go. (With JavaScript the settings panel
  // is still open after the rename: the page was updated in place.)
  if (!(await main(page).getByRole('link', { name: 'Delete folder…' }).isVisible())) await main(page).getByText('Rename or delete').click()
  await main(page).getByRole('link', { name: 'Delete folder…' }).click()
  await at(page, new RegExp(`/dashboard/folders/${travelId}/delete$`))
  await expect(main(page).getByRole('heading', { name: 'Delete “Trips”?' })).toBeVisible()
  await expect(main(page)).toContainText('Its 2 items will be moved to your Personal folder, so nothing is lost.')
  expect((await itemIdsIn(db, travelId)).length).toBe(2) // the confirmation page changes nothing
  await main(page).getByRole('button', { name: 'Delete folder' }).click()
  await at(page, /\/dashboard$/)
  await expectFlash(page, 'Folder deleted. Its 2 items were moved to Personal.')
  await expect(folderLink(page, 'Trips')).toHaveCount(0)

  // The items are in Personal, readable.
  await folderLink(page, 'Personal').click()
  await at(page, new RegExp(`/dashboard/folders/${user.personalId}$`))
  await expect(itemList(page).getByRole('link')).toHaveCount(2)
  await expect(itemList(page).getByRole('link', { name: /Airline/ })).toContainText('flyer-42')
  // A folder page names its folder once, in the title, not on every row (issue 10).
  await expect(main(page).getByRole('heading', { level: 1, name: 'Personal' })).toBeVisible()
  await expect(itemList(page).getByRole('link', { name: /Hotel/ })).toContainText('sleeper-7')
  expect(await itemIdsIn(db, user.personalId)).toEqual([...ids].sort())
  expect(await db.models.Folder.findByPk(travelId)).toBeNull()
})

test('empty states: a new vault, an empty folder, a search without matches', async ({ page }) => {
  await registerViaUi(page, newAccount('empty'))
  await expect(main(page).getByText('Your vault is empty. Add your first login, or bring your passwords from another password manager.')).toBeVisible()
  await expect(main(page).getByRole('link', { name: '+ New item' }).last()).toHaveAttribute('href', '/dashboard/items/new')
  await expect(itemList(page)).toHaveCount(0)
  // Someone moving in finds the import from the empty vault, and from the sidebar on every page.
  await main(page).getByRole('link', { name: 'Import passwords' }).click()
  await at(page, /\/dashboard\/import$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Import passwords')
  await expect(sidebar(page).getByRole('link', { name: 'Import' })).toHaveAttribute('aria-current', 'page')
  await open(page, '/dashboard')

  await createFolder(page, 'Later')
  await expect(main(page).getByText('This folder is empty. Add a login to keep it here.')).toBeVisible()

  await open(page, '/dashboard?q=zebra')
  await expect(main(page).getByText('Nothing matches “zebra”. Try a shorter search, or search by website or username.')).toBeVisible()
  await expect(main(page).getByRole('status').filter({ hasText: '0 matches for “zebra”' })).toBeVisible()
  await main(page).getByRole('link', { name: 'Show all items' }).click()
  await at(page, /\/dashboard$/)
  await expect(main(page).getByText('Your vault is empty.')).toBeVisible()
})

test('more than 100 matches are split into pages of 100', async ({ page, db }) => {
  const user = await seedUser(db, 'pages')
  const many = Array.from({ length: 101 }, (_, i) => fields({ name: `Item ${String(i + 1).padStart(3, '0')}`, username: `user${i + 1}` }))
  await seedItems(db, user, user.personalId, [...many, fields({ name: 'Zeta other' }), fields({ name: 'Omega other' })])
  await logIn(page, user)

  // All items: 103 over two pages.
  await expect(main(page).getByTestId('vault-summary')).toContainText('103 items')
  await expect(itemList(page).getByRole('link')).toHaveCount(100)
  await expect(main(page).getByText('Page 1 of 2')).toBeVisible()
  await expect(itemList(page).getByRole('link').first()).toContainText('Item 001')
  await expect(itemList(page).getByRole('link').last()).toContainText('Item 100')
  await open(page, '/dashboard?page=2')
  await expect(main(page).getByText('Page 2 of 2')).toBeVisible()
  await expect(itemList(page).getByRole('link')).toHaveCount(3)
  await expect(itemList(page).getByRole('link').nth(0)).toContainText('Item 101')

  // A search with 101 matches: page 2 keeps the query.
  await open(page, '/dashboard?q=item')
  await expect(main(page).getByRole('status').filter({ hasText: '101 matches for “item”' })).toBeVisible()
  await expect(itemList(page).getByRole('link')).toHaveCount(100)
  await expect(main(page).getByRole('link', { name: 'Previous' })).toHaveCount(0)
  await main(page).getByRole('link', { name: 'Next ›' }).click()
  await at(page, /\/dashboard\?q=item&page=2$/)
  await expect(main(page).getByText('Page 2 of 2')).toBeVisible()
  await expect(itemList(page).getByRole('link')).toHaveCount(1)
  await expect(itemList(page).getByRole('link')).toContainText('Item 101')
  await expect(main(page).getByRole('link', { name: 'Next ›' })).toHaveCount(0)
  await main(page).getByRole('link', { name: '‹ Previous' }).click()
  await at(page, /\/dashboard\?q=item$/)
  await expect(itemList(page).getByRole('link')).toHaveCount(100)
})
