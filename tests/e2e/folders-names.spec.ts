// Folder names and the sidebar (issue 20): one folder per name (case aside) refused next to the
// field on create and rename, the new-folder field behind the "+" (empty again after a folder is
// added), icons and a sidebar that stays in view; natural order, Unicode hosts and search that
// ignores accents; "Move to" showing the item's own folder; removing a member through a
// confirmation page.
import type { Page } from '@playwright/test'
import { open, submitAndWait } from './helpers'
import {
  at,
  expect,
  expectFlash,
  fields,
  itemList,
  logIn,
  main,
  newFolderField,
  seedItems,
  seedUser,
  sidebar,
  test,
  verifiedUser,
  addMember,
} from './vault-helpers'

const folderLinks = (page: Page) => sidebar(page).getByTestId('folder-list').getByRole('link')

test('a folder name is taken once, whatever its case: create and rename are refused next to the field', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const user = await seedUser(db, 'uniquenames')
  const { id: travelId } = await db.services.vault.createFolder(user.viewer, 'Travel')
  await logIn(page, user)

  // The field hides behind the "+" beside the heading until asked for.
  await expect(sidebar(page).getByRole('textbox', { name: 'New folder' })).toBeHidden()
  let field = await newFolderField(page)
  await field.fill('Banking')
  await sidebar(page).getByRole('button', { name: 'Add' }).click()
  await at(page, /\/dashboard\/folders\/[0-9a-f-]{36}$/)
  await expectFlash(page, 'Folder “Banking” created.')

  // Added with JavaScript, the form closed and came back empty: Enter again makes nothing.
  field = await newFolderField(page)
  await expect(field).toHaveValue('')
  await field.fill(' BANKING ')
  const res = await submitAndWait(page, '/dashboard/folders', () => field.press('Enter'))
  expect(res.status()).toBe(422)
  field = sidebar(page).getByRole('textbox', { name: 'New folder' })
  await expect(field).toBeVisible()
  await expect(field).toHaveAccessibleDescription('You already have a folder named “BANKING”. Choose another name.')
  await expect(field).toHaveAttribute('aria-invalid', 'true')
  await expect(field).toHaveValue(' BANKING ')
  await expect(folderLinks(page).filter({ hasText: /banking/i })).toHaveCount(1)

  // Renaming to a name the owner has is refused too; the folder keeps its name.
  await open(page, `/dashboard/folders/${travelId}`)
  await main(page).getByText('Rename or delete').click()
  const nameField = main(page).getByLabel('Folder name')
  await nameField.fill('banking')
  const rename = await submitAndWait(page, `/dashboard/folders/${travelId}`, () => main(page).getByRole('button', { name: 'Rename' }).click())
  expect(rename.status()).toBe(422)
  await expect(main(page).getByLabel('Folder name')).toHaveAccessibleDescription('You already have a folder named “banking”. Choose another name.')
  const names = await db.models.Folder.findAll({ where: { ownerId: user.id }, order: [['name', 'ASC']] })
  expect(names.map((f) => f.name)).toEqual(['Banking', 'Personal', 'Travel'])
})

test('natural order of items and folders, hosts in Unicode, search without accents or case', async ({ page, db }) => {
  const user = await seedUser(db, 'natural')
  for (const name of ['F10', 'F2', 'F1']) await db.services.vault.createFolder(user.viewer, name)
  await seedItems(db, user, user.personalId, [
    fields({ name: 'site 112' }),
    fields({ name: 'site 16' }),
    fields({ name: 'site 0' }),
    fields({ name: 'Café de Flore', url: 'https://xn--caf-dma.example/login' }),
    fields({ name: 'Zeta', url: 'https://bücher.example' }),
  ])
  await logIn(page, user)

  await expect(folderLinks(page).locator('.folder-name')).toHaveText(['Personal', 'F1', 'F2', 'F10'])
  await expect(itemList(page).locator('a > b')).toHaveText(['Café de Flore', 'site 0', 'site 16', 'site 112', 'Zeta'])
  const rows = itemList(page).getByRole('link')
  await expect(rows.first()).toContainText('café.example')
  await expect(rows.last()).toContainText('bücher.example')
  await expect(itemList(page)).not.toContainText('xn--')

  for (const q of ['cafe', 'CAFÉ', 'buch']) {
    await open(page, `/dashboard?q=${encodeURIComponent(q)}`)
    await expect(itemList(page).getByRole('link'), q).toHaveCount(1)
  }
})

test('"Move to" shows the item’s own folder as chosen, not another', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const user = await seedUser(db, 'moveto')
  const { id: archive } = await db.services.vault.createFolder(user.viewer, 'Archive')
  await db.services.vault.createFolder(user.viewer, 'Work')
  const [itemId] = await seedItems(db, user, user.personalId, [fields({ name: 'Router' })])
  await logIn(page, user, `/dashboard/items/${itemId}`)
  const select = main(page).getByLabel('Move to')
  await expect(select).toHaveValue(user.personalId)
  await expect(select.locator('option:checked')).toHaveText('Personal (current)')
  // Sent unchanged, nothing moves.
  const res = await submitAndWait(page, `/dashboard/items/${itemId}/move`, () => main(page).getByRole('button', { name: 'Move' }).click())
  expect(res.status()).toBe(422)
  await expect(main(page).getByText('Choose a folder.')).toBeVisible()
  await open(page, `/dashboard/items/${itemId}`)
  await main(page).getByLabel('Move to').selectOption({ label: 'Archive' })
  await main(page).getByRole('button', { name: 'Move' }).click()
  await expectFlash(page, 'Moved to Archive.')
  await expect(main(page).getByLabel('Move to')).toHaveValue(archive)
})

test('the sidebar: icons, a "+" that opens with the keyboard, in view on a long page', async ({ page, db }) => {
  const user = await seedUser(db, 'sidebar')
  await seedItems(db, user, user.personalId, Array.from({ length: 60 }, (_, i) => fields({ name: `Login ${i}` })))
  await page.setViewportSize({ width: 1280, height: 720 })
  await logIn(page, user)
  // Each entry has its icon (hidden from assistive technology).
  for (const name of [/^All items/, /^Shares/, /^Health/, /^Personal/, /^Import/, /^Settings/]) {
    await expect(sidebar(page).getByRole('link', { name }).locator('svg[aria-hidden="true"]')).toHaveCount(1)
  }
  // The "+" is reached with Tab and opened with Enter.
  const toggle = sidebar(page).locator('summary', { hasText: 'New folder' })
  await toggle.focus()
  await page.keyboard.press('Enter')
  const field = sidebar(page).getByRole('textbox', { name: 'New folder' })
  await expect(field).toBeVisible()
  // Scrolled to the bottom of a long list, the sidebar is still on screen.
  await page.mouse.wheel(0, 5000)
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(500)
  await expect(sidebar(page).getByRole('link', { name: /^All items/ })).toBeInViewport()
})

test('removing a member or cancelling an invitation asks on a page first; others get 403 or 404', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 40[34]/)
  const owner = await verifiedUser(db, 'rmowner', 'Olivia Owner')
  const member = await verifiedUser(db, 'rmmember', 'Max Member')
  const { id: folderId } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await addMember(db, owner, member, folderId, 'view')
  const confirmPath = `/dashboard/folders/${folderId}/members/${member.id}/remove`

  // A member may not open the owner's confirmation page; nobody may remove the owner or a stranger.
  await logIn(page, member)
  expect((await page.goto(confirmPath))?.status()).toBe(403)
  await page.context().clearCookies()
  await logIn(page, owner)
  expect((await page.goto(`/dashboard/folders/${folderId}/members/${owner.id}/remove`))?.status()).toBe(404)
  expect((await page.goto(`/dashboard/folders/${folderId}/members/${folderId}/remove`))?.status()).toBe(404)
  expect((await page.goto(`/dashboard/folders/not-an-id/members/${member.id}/remove`))?.status()).toBe(404)

  await open(page, `/dashboard/folders/${folderId}`)
  await main(page).getByRole('link', { name: 'Remove Max Member' }).click()
  await at(page, new RegExp(`${confirmPath}$`))
  // Nothing happened yet.
  expect(await db.models.FolderMembership.count({ where: { folderId, userId: member.id } })).toBe(1)
  await main(page).getByRole('button', { name: 'Remove Max Member' }).click()
  await at(page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expectFlash(page, 'Max Member no longer has this folder.')
  expect(await db.models.FolderMembership.count({ where: { folderId, userId: member.id } })).toBe(0)
})
