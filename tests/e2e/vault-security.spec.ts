// What the vault shows when it must not trust or must not allow: a folder shared view-only,
// item contents that look like HTML, and a ciphertext that does not belong to its row. Both
// projects (JavaScript off and on). The server-side refusals are in tests/integration/http-vault.test.ts.
import { QueryTypes } from 'sequelize'
import { open } from './helpers'
import { addMember, at, expect, expectFlash, fields, isJs, itemList, logIn, main, ownerWithFolder, rawItem, revealPassword, seedItems, seedUser, sidebar, test } from './vault-helpers'

test('a folder shared view-only: readable and copyable, but no way to change it', async ({ page, context, db, consoleGuard }) => {
  if (isJs()) await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  const { owner, folderId: familyId, tvId } = await ownerWithFolder(db)
  const viewer = await seedUser(db, 'viewer', 'Victor Viewer')
  await addMember(db, owner, viewer, familyId, 'view')
  await logIn(page, viewer)

  // The shared folder is in the sidebar, marked shared, with the owner's name.
  const link = sidebar(page).getByRole('link', { name: /^Family/ })
  await expect(link).toContainText('shared with you')
  await expect(link).toHaveAttribute('title', 'Shared by Olivia Owner')
  await link.click()
  await at(page, new RegExp(`/dashboard/folders/${familyId}$`))
  await expect(main(page).getByRole('heading', { level: 1, name: 'Family' })).toBeVisible()
  await expect(itemList(page).getByRole('link')).toHaveCount(2)
  // No "+ New item" for this folder (the header's neither) and no folder settings.
  await expect(page.getByRole('link', { name: '+ New item' })).toHaveCount(0)
  await expect(main(page).getByText('Rename or delete')).toHaveCount(0)

  // The item: readable, view only, nothing to edit, move or delete.
  await itemList(page).getByRole('link', { name: /Streaming/ }).click()
  await at(page, new RegExp(`/dashboard/items/${tvId}$`))
  await expect(main(page).getByRole('heading', { level: 1, name: 'Streaming' })).toBeVisible()
  await expect(main(page).getByText(/In Family · updated .* · view only/)).toBeVisible()
  await expect(main(page).getByRole('link', { name: 'Edit' })).toHaveCount(0)
  await expect(main(page).getByRole('link', { name: /Delete/ })).toHaveCount(0)
  await expect(main(page).getByLabel('Move to')).toHaveCount(0)
  await expect(main(page).getByRole('button', { name: 'Move' })).toHaveCount(0)
  await revealPassword(page)
  await expect(main(page).getByTestId('password-value')).toHaveText('shared-tv-password-93')
  if (isJs()) {
    await main(page).getByRole('button', { name: 'Copy password' }).click()
    await expect(main(page).getByRole('button', { name: 'Copy password' })).toContainText('Copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('shared-tv-password-93')
  }

  // The new item form does not offer the view-only folder, even when asked for it.
  await open(page, `/dashboard/items/new?folder=${familyId}`)
  const options = await page.getByLabel('Folder', { exact: true }).locator('option').allTextContents()
  expect(options).toEqual(['Personal'])

  // Typing the edit or delete address shows a refusal, not a form.
  consoleGuard.allow(/status of 403/)
  for (const path of [`/dashboard/items/${tvId}/edit`, `/dashboard/items/${tvId}/delete`, `/dashboard/folders/${familyId}/delete`]) {
    const res = await page.goto(path)
    expect(res?.status(), path).toBe(403)
    await expect(main(page).getByRole('heading', { name: 'You cannot do that' })).toBeVisible()
    await expect(main(page).getByRole('button')).toHaveCount(0)
  }
  expect((await db.services.vault.getItem(owner.viewer, tvId)).fields.name).toBe('Streaming')
})

test('an item whose fields look like HTML is shown as text', async ({ page, db }) => {
  const dialogs: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  const user = await seedUser(db, 'xss')
  await logIn(page, user)

  const name = '<img src=x onerror=alert(1)>'
  const username = '"></script><script>alert(2)</script>'
  await open(page, '/dashboard/items/new')
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Username or email').fill(username)
  await page.getByLabel('Password', { exact: true }).fill('<b>bold</b>')
  await page.getByLabel('Website').fill('javascript:alert(3)')
  await page.getByLabel('Note').fill('<iframe src="javascript:alert(4)"></iframe>')
  await page.getByRole('button', { name: 'Save item' }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
  const itemPath = new URL(page.url()).pathname
  await expectFlash(page, 'Item added to your vault.')

  // The item page: every field as text; the javascript: address is not a link.
  await expect(main(page).getByRole('heading', { level: 1, name })).toBeVisible()
  await expect(main(page).getByText(username, { exact: true })).toBeVisible()
  await expect(main(page).getByText('javascript:alert(3)', { exact: true })).toBeVisible()
  await expect(main(page).getByRole('link', { name: 'javascript:alert(3)' })).toHaveCount(0)
  await expect(main(page).getByText('<iframe src="javascript:alert(4)"></iframe>')).toBeVisible()
  await expect(page.locator('main img, main iframe, main b')).toHaveCount(0)

  // The list (and the search status, which repeats the query).
  await open(page, `/dashboard?q=${encodeURIComponent('<img')}`)
  await expect(itemList(page).getByRole('link', { name: /<img src=x onerror=alert\(1\)>/ })).toBeVisible()
  await expect(main(page).getByRole('status').filter({ hasText: 'match' })).toContainText('1 match for “<img”')
  await expect(page.locator('main img')).toHaveCount(0)

  // The HTML as the server sends it: escaped text, no element, no way out of the data script.
  for (const path of ['/dashboard', itemPath, `${itemPath}/edit`]) {
    const html = await (await page.request.get(path)).text()
    expect(html, path).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html, path).not.toMatch(/<img[\s>]/i)
    expect(html, path).not.toContain('<script>alert(2)')
    expect(html, path).not.toMatch(/<iframe/i)
    expect(html, path).not.toMatch(/href="javascript:/i)
  }
  expect(dialogs).toEqual([])
})

test('an item whose ciphertext was copied from another row cannot be opened; the rest of the vault can', async ({ page, db, consoleGuard }) => {
  const user = await seedUser(db, 'tamper')
  const [alphaId, bravoId] = await seedItems(db, user, user.personalId, [
    fields({ name: 'Alpha', username: 'alpha-user' }),
    fields({ name: 'Bravo', username: 'bravo-user' }),
    fields({ name: 'Charlie', username: 'charlie-user' }),
  ])
  // Someone with database access pastes Alpha's (valid) ciphertext onto Bravo's row.
  await db.sequelize.query('UPDATE items SET ciphertext = (SELECT ciphertext FROM items WHERE id = :from) WHERE id = :to', {
    replacements: { from: alphaId, to: bravoId },
    type: QueryTypes.UPDATE,
  })
  await logIn(page, user)

  // The dashboard lists the others and marks that one as unreadable.
  await expect(main(page).getByTestId('vault-summary')).toContainText('3 items')
  await expect(main(page).getByTestId('vault-summary')).toContainText('1 unreadable')
  await expect(itemList(page).getByRole('link')).toHaveCount(3)
  await expect(itemList(page).getByRole('link', { name: /Alpha/ })).toContainText('alpha-user')
  await expect(itemList(page).getByRole('link', { name: /Charlie/ })).toContainText('charlie-user')
  const broken = itemList(page).getByRole('link', { name: /Unreadable item/ })
  await expect(broken).toContainText('This item could not be decrypted.')
  await expect(itemList(page).getByText('Alpha', { exact: true })).toHaveCount(1) // Alpha's data is not shown twice
  await expect(broken).toHaveAttribute('href', `/dashboard/items/${bravoId}`)

  // Its page says so, with nothing of Alpha in it, and offers only deletion.
  await broken.click()
  await at(page, new RegExp(`/dashboard/items/${bravoId}$`))
  await expect(main(page).getByRole('alert')).toContainText('This item could not be decrypted')
  await expect(main(page).getByRole('heading', { name: 'This item could not be decrypted' })).toBeVisible()
  await expect(main(page).getByText('alpha-user')).toHaveCount(0)
  await expect(main(page).getByRole('link', { name: 'Edit' })).toHaveCount(0)
  await expect(main(page).getByLabel('Move to')).toHaveCount(0)
  consoleGuard.allow(/status of 403/)
  const edit = await page.goto(`/dashboard/items/${bravoId}/edit`)
  expect(edit?.status()).toBe(403)
  await open(page, `/dashboard/items/${bravoId}`)

  await main(page).getByRole('link', { name: 'Move to trash…' }).click()
  await at(page, new RegExp(`/dashboard/items/${bravoId}/delete$`))
  await expect(main(page).getByRole('heading', { name: 'Move “Unreadable item” to the trash?' })).toBeVisible()
  await main(page).getByRole('button', { name: 'Move to trash' }).click()
  await at(page, new RegExp(`/dashboard/folders/${user.personalId}$`))
  await expectFlash(page, 'Item moved to the trash.')
  await expect(itemList(page).getByRole('link')).toHaveCount(2)
  await expect(main(page).getByTestId('vault-summary')).not.toContainText('unreadable')
  expect((await rawItem(db, bravoId))?.deletedAt).toBeInstanceOf(Date) // in the trash (issue 21)
  expect((await rawItem(db, alphaId))?.deletedAt).toBeNull()
})

test("another user's item and folder addresses show Not found", async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 404/)
  const owner = await seedUser(db, 'stranger')
  const { id: folderId } = await db.services.vault.createFolder(owner.viewer, 'Not Yours')
  const [itemId] = await seedItems(db, owner, folderId, [fields({ name: 'Hidden Thing', username: 'hidden-user' })])
  const user = await seedUser(db, 'curious')
  await logIn(page, user)

  for (const path of [
    `/dashboard/items/${itemId}`,
    `/dashboard/items/${itemId}/edit`,
    `/dashboard/items/${itemId}/delete`,
    `/dashboard/folders/${folderId}`,
    `/dashboard/folders/${folderId}/delete`,
  ]) {
    const res = await page.goto(path)
    expect(res?.status(), path).toBe(404)
    await expect(main(page).getByRole('heading', { name: 'Not found' })).toBeVisible()
    await expect(page.locator('body')).not.toContainText('Hidden Thing')
    await expect(page.locator('body')).not.toContainText('Not Yours') // (case-sensitive: the message says "not yours")
  }
  expect(await rawItem(db, itemId)).not.toBeNull()
})
