// The trash as a user meets it (issue 21), JavaScript off and on: delete -> trash -> restore ->
// back in its folder; delete forever and empty trash, each confirmed first (on the trash page itself); a view
// member sees no trash; the purge after 30 days (the clock moved in the database); axe on the
// trash pages in both themes.
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { QueryTypes } from 'sequelize'
import { formatDay } from '../../shared/formatDate'
import { open } from './helpers'
import { addMember, at, expect, expectFlash, fields, itemList, logIn, main, rawItem, seedItems, seedUser, sidebar, test, verifiedUser } from './vault-helpers'

const trashList = (page: Page) => page.getByRole('list', { name: 'Items in the trash' })

test('delete -> trash -> restore: the item is back in its folder', async ({ page, db }) => {
  const u = await seedUser(db, 'trash-restore')
  const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
  const [itemId] = await seedItems(db, u, work, [fields({ name: 'GitHub', username: 'octocat' }), fields({ name: 'Stays' })])
  await logIn(page, u, `/dashboard/items/${itemId}`)

  await main(page).getByRole('link', { name: 'Move to trash…' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}/delete$`))
  await main(page).getByRole('button', { name: 'Move to trash' }).click()
  await at(page, new RegExp(`/dashboard/folders/${work}$`))
  await expectFlash(page, 'Item moved to the trash.')
  await expect(itemList(page).getByRole('link', { name: /GitHub/ })).toHaveCount(0)
  await expect(itemList(page).getByRole('link', { name: /Stays/ })).toHaveCount(1)

  await sidebar(page).getByRole('link', { name: 'Trash' }).click()
  await at(page, /\/dashboard\/trash$/)
  const row = trashList(page).getByRole('listitem')
  await expect(row).toHaveCount(1)
  const today = new Date()
  await expect(row).toContainText('GitHub')
  await expect(row).toContainText(`Work · deleted ${formatDay(today, 'UTC')}, removed on ${formatDay(new Date(today.getTime() + 30 * 86_400_000), 'UTC')}`)
  await expect(row).not.toContainText('octocat') // a name, not the item's fields

  await row.getByRole('button', { name: 'Restore GitHub' }).click()
  await at(page, /\/dashboard\/trash$/)
  await expectFlash(page, 'Item restored to Work.')
  await expect(main(page).getByText('Nothing in the trash.')).toBeVisible()
  expect((await rawItem(db, itemId!))?.deletedAt).toBeNull()

  await open(page, `/dashboard/folders/${work}`)
  await expect(itemList(page).getByRole('link', { name: /GitHub/ })).toHaveCount(1)
  await expect(itemList(page).getByRole('link', { name: /Stays/ })).toHaveCount(1)
})

test('an item whose folder was deleted is restored to Personal, saying so', async ({ page, db }) => {
  const u = await seedUser(db, 'trash-gone')
  const { id: travel } = await db.services.vault.createFolder(u.viewer, 'Travel')
  const [itemId] = await seedItems(db, u, travel, [fields({ name: 'Hotel' })])
  await db.services.vault.deleteItem(u.viewer, itemId!)
  await db.services.vault.deleteFolder(u.viewer, travel)
  await logIn(page, u, '/dashboard/trash')
  const row = trashList(page).getByRole('listitem')
  await expect(row).toContainText('Personal (its folder was deleted)')
  await row.getByRole('button', { name: 'Restore Hotel' }).click()
  await at(page, /\/dashboard\/trash$/)
  await expectFlash(page, 'Its folder was deleted, so it is back in Personal.')
  await open(page, `/dashboard/folders/${u.personalId}`)
  await expect(itemList(page).getByRole('link', { name: /Hotel/ })).toHaveCount(1)
})

test('delete forever and empty trash, each confirmed first', async ({ page, db }) => {
  const u = await seedUser(db, 'trash-purge')
  const ids = await seedItems(db, u, u.personalId, [fields({ name: 'First' }), fields({ name: 'Second' }), fields({ name: 'Third' })])
  for (const id of ids) await db.services.vault.deleteItem(u.viewer, id)
  await logIn(page, u, '/dashboard/trash')
  await expect(trashList(page).getByRole('listitem')).toHaveCount(3)

  await trashList(page).getByRole('link', { name: 'Delete forever… First' }).click()
  await at(page, new RegExp(`/dashboard/trash\\?purge=${ids[0]}$`))
  await expect(main(page).getByRole('heading', { name: 'Delete “First” forever?' })).toBeVisible()
  expect(await rawItem(db, ids[0]!)).not.toBeNull() // the confirmation page changes nothing
  await main(page).getByRole('link', { name: 'Cancel' }).click()
  await at(page, /\/dashboard\/trash$/)
  await trashList(page).getByRole('link', { name: 'Delete forever… First' }).click()
  await main(page).getByRole('button', { name: 'Delete forever' }).click()
  await at(page, /\/dashboard\/trash$/)
  await expectFlash(page, 'Item deleted for good.')
  expect(await rawItem(db, ids[0]!)).toBeNull()
  await expect(trashList(page).getByRole('listitem')).toHaveCount(2)

  await main(page).getByRole('link', { name: 'Empty trash…' }).click()
  await at(page, /\/dashboard\/trash\?confirm=empty$/)
  await expect(main(page).getByText('All 2 items in your trash will be deleted for good')).toBeVisible()
  await main(page).getByRole('button', { name: 'Empty trash' }).click()
  await at(page, /\/dashboard\/trash$/)
  await expectFlash(page, 'Trash emptied: 2 items deleted for good.')
  await expect(main(page).getByText('Nothing in the trash.')).toBeVisible()
  for (const id of ids) expect(await rawItem(db, id)).toBeNull()
})

test('a view member sees no trash; an edit member sees and restores it', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 404/)
  const owner = await verifiedUser(db, 'trash-owner', 'Olivia Owner')
  const viewer = await verifiedUser(db, 'trash-viewer', 'Vic Viewer')
  const editor = await verifiedUser(db, 'trash-editor', 'Eddie Editor')
  const { id: family } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await addMember(db, owner, viewer, family, 'view')
  await addMember(db, owner, editor, family, 'edit')
  const [routerId] = await seedItems(db, owner, family, [fields({ name: 'Router' })])
  await db.services.vault.deleteItem(owner.viewer, routerId!)

  await logIn(page, viewer, '/dashboard/trash')
  await expect(main(page).getByText('Nothing in the trash.')).toBeVisible()
  await expect(main(page).getByText('Router')).toHaveCount(0)
  const res = await page.goto(`/dashboard/trash?purge=${routerId}`)
  expect(res?.status()).toBe(404)

  await page.context().clearCookies()
  await logIn(page, editor, '/dashboard/trash')
  const row = trashList(page).getByRole('listitem')
  await expect(row).toContainText('Router')
  await expect(row).toContainText('Family')
  await row.getByRole('button', { name: 'Restore Router' }).click()
  await expectFlash(page, 'Item restored to Family.')
  expect((await rawItem(db, routerId!))?.deletedAt).toBeNull()
})

test('30 days later the purge removes the item from the trash', async ({ page, db }) => {
  const u = await seedUser(db, 'trash-expire')
  const [oldId, newId] = await seedItems(db, u, u.personalId, [fields({ name: 'Ancient' }), fields({ name: 'Recent' })])
  for (const id of [oldId!, newId!]) await db.services.vault.deleteItem(u.viewer, id)
  // The clock moved: one of them was trashed 31 days ago.
  await db.sequelize.query(`UPDATE items SET deleted_at = now() - interval '31 days' WHERE id = :id`, { replacements: { id: oldId }, type: QueryTypes.UPDATE })
  await logIn(page, u, '/dashboard/trash')
  await expect(trashList(page).getByRole('listitem')).toHaveCount(2)
  await db.services.trash.purgeExpired()
  await open(page, '/dashboard/trash')
  await expect(trashList(page).getByRole('listitem')).toHaveCount(1)
  await expect(trashList(page)).toContainText('Recent')
  expect(await rawItem(db, oldId!)).toBeNull()
})

test('axe: the trash page (full and empty) and its confirmation pages, light and dark', async ({ page, db, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'axe needs JavaScript in the page')
  test.slow()
  const u = await seedUser(db, 'trash-a11y')
  const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
  const ids = await seedItems(db, u, work, [fields({ name: 'GitHub' }), fields({ name: 'A rather long item name that has to fit on a phone screen somehow' })])
  for (const id of ids) await db.services.vault.deleteItem(u.viewer, id)
  await logIn(page, u, '/dashboard/trash')
  const check = async (label: string) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
      const results = await new AxeBuilder({ page }).analyze()
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(serious.map((v) => `${label} ${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
    }
  }
  await check('trash')
  if (process.env.TRASH_SCREENSHOTS) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 })
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme })
        await page.screenshot({ path: `${process.env.TRASH_SCREENSHOTS}/trash-${width}-${colorScheme}.png`, fullPage: true })
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 })
  }
  for (const url of [`/dashboard/trash?purge=${ids[0]}`, '/dashboard/trash?confirm=empty']) {
    await open(page, url)
    await check(url)
  }
  await db.services.trash.emptyTrash(u.viewer)
  await open(page, '/dashboard/trash')
  await check('empty trash')
  if (process.env.TRASH_SCREENSHOTS) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 })
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme })
        await page.screenshot({ path: `${process.env.TRASH_SCREENSHOTS}/trash-empty-${width}-${colorScheme}.png`, fullPage: true })
      }
    }
  }
})
