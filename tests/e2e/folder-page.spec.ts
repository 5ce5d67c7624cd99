// The folder page as a new user meets it: on a phone its panels (share, rename or delete) open
// inside the viewport and rename works; it counts its own items and does not repeat its name on
// every row. JavaScript off and on.
import type { Page } from '@playwright/test'
import { at, expect, expectFlash, fields, itemList, logIn, main, seedItems, seedUser, sidebar, test } from './vault-helpers'

const PHONE = { width: 390, height: 844 }

async function expectInViewport(page: Page, selector: string) {
  const box = await page.locator(selector).boundingBox()
  expect(box, `${selector} has a box`).not.toBeNull()
  expect(box!.x).toBeGreaterThanOrEqual(0)
  expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width)
}

test('on a phone the folder page panels open inside the viewport and rename works', async ({ page, db }) => {
  await page.setViewportSize(PHONE)
  const user = await seedUser(db, 'phonepanel')
  const { id: folderId } = await db.services.vault.createFolder(user.viewer, 'Travel')
  await logIn(page, user, `/dashboard/folders/${folderId}`)

  // Share panel (the owner can share a folder they own).
  await main(page).locator('summary', { hasText: 'Share' }).click()
  const share = main(page).locator('.share-panel')
  await expect(share).toBeVisible()
  await expectInViewport(page, '.share-panel')
  await expect(share.getByLabel('Email address')).toBeVisible()
  await main(page).locator('summary', { hasText: 'Share' }).click()

  // Rename or delete.
  await main(page).getByText('Rename or delete').click()
  const settings = main(page).locator('.folder-panel:not(.share-panel)')
  await expect(settings).toBeVisible()
  await expectInViewport(page, '.folder-panel:not(.share-panel)')
  await expect(settings.getByRole('link', { name: 'Delete folder…' })).toBeInViewport()
  await settings.getByLabel('Folder name').fill('Trips')
  await settings.getByRole('button', { name: 'Rename' }).click()
  await expectFlash(page, 'Folder renamed to “Trips”.')
  await at(page, new RegExp(`/dashboard/folders/${folderId}$`))
  await expect(main(page).getByRole('heading', { level: 1, name: 'Trips' })).toBeVisible()
  expect((await db.services.vault.listFolders(user.viewer)).folders.find((f) => f.id === folderId)!.name).toBe('Trips')
})

test('a folder page counts its own items and does not repeat its name on every row', async ({ page, db }) => {
  const user = await seedUser(db, 'foldercounts')
  const { id: folderId } = await db.services.vault.createFolder(user.viewer, 'Work')
  await seedItems(db, user, folderId, [fields({ name: 'Jira', username: 'dev' }), fields({ name: 'Slack', username: 'dev' })])
  await seedItems(db, user, user.personalId, [fields({ name: 'Bank' }), fields({ name: 'Mail' }), fields({ name: 'Shop' })])
  await logIn(page, user)

  // The dashboard counts the whole vault.
  await expect(main(page).getByTestId('vault-summary')).toContainText('5 items')
  await expect(main(page).getByTestId('vault-summary')).toContainText('2 folders')

  await sidebar(page).getByRole('link', { name: /^Work/ }).click()
  await at(page, new RegExp(`/dashboard/folders/${folderId}$`))
  const summary = main(page).getByTestId('vault-summary')
  await expect(summary).toContainText('2 items')
  await expect(summary).not.toContainText('5 items')
  await expect(summary).not.toContainText('folder')
  await expect(itemList(page).getByRole('link')).toHaveCount(2)
  // The folder's name is the title, once, not on each row.
  await expect(itemList(page).getByText('Work', { exact: true })).toHaveCount(0)
})
