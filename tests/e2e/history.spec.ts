// Item history and rotation reminders (issue 21), as a user goes through them, JavaScript off and
// on: change a password twice, find both earlier versions on the history page, restore one; set a
// reminder, let it run out, find the item on the health page. Also axe on the history page in both
// themes, and screenshots of the history and item pages (light and dark, 1280 and 390 px).
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { decryptItem, encryptItem } from '../../server/services/itemCrypto.js'
import { rebuildListIndexes } from '../../server/services/listIndex.js'
import { at, expect, expectFlash, fields, folderKeyOf, logIn, main, revealPassword, seedUser, sidebar, test, type Db, type Seeded } from './vault-helpers'

const DAY_MS = 86_400_000

async function changePassword(page: Page, itemId: string, password: string) {
  await main(page).getByRole('link', { name: 'Edit' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}/edit$`))
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}$`))
  await expectFlash(page, 'Changes saved.')
}

/**
 * TEST HELPER, not a user action: moves the item's "password last changed" `days` into the past,
 * as if the password had been set that long ago. It rewrites the item's ciphertext directly (the
 * same plaintext with an older passwordChangedAt, under the folder key) and rebuilds the folder's
 * list index, as the services would after a write: there is no way to set the clock of a running
 * server from a test.
 */
async function backdatePasswordChange(db: Db, u: Seeded, itemId: string, days: number) {
  const key = await folderKeyOf(db, u, u.personalId)
  const item = await db.models.Item.findByPk(itemId)
  const plain = decryptItem(key, itemId, u.personalId, item!.ciphertext)!
  const ciphertext = encryptItem(key, itemId, u.personalId, { ...plain, passwordChangedAt: Date.now() - days * DAY_MS })
  await db.sequelize.transaction(async (transaction) => {
    await db.models.Item.update({ ciphertext }, { where: { id: itemId }, transaction })
    await rebuildListIndexes(db.deps, transaction, [{ folderId: u.personalId, key }])
  })
}

test('change a password twice: history shows both earlier versions, and restore brings one back', async ({ page, db }) => {
  const u = await seedUser(db, 'history')
  const { id } = await db.services.vault.createItem(u.viewer, { folderId: u.personalId, ...fields({ name: 'Mailbox', password: 'first-Lantern-Quartz-1' }) })
  await logIn(page, u)
  await page.goto(`/dashboard/items/${id}`)
  await at(page, new RegExp(`/dashboard/items/${id}$`))
  await expect(main(page).getByText('No earlier versions yet.')).toBeVisible()
  await expect(main(page).getByTestId('password-changed')).toContainText('Password last changed')

  await changePassword(page, id, 'second-Lantern-Quartz-2')
  await changePassword(page, id, 'third-Lantern-Quartz-3')
  await expect(main(page).getByTestId('item-versions').getByRole('listitem')).toHaveCount(2)
  await main(page).getByRole('link', { name: 'All earlier versions (2)' }).click()
  await at(page, new RegExp(`/dashboard/items/${id}/history$`))
  await expect(main(page).getByRole('heading', { name: 'History of Mailbox' })).toBeVisible()
  const versions = main(page).getByTestId('versions').getByRole('listitem')
  // The current version, then both earlier ones, each saying the password changed after it.
  await expect(versions).toHaveCount(3)
  await expect(versions.nth(1)).toContainText('Password changed')
  await expect(versions.nth(2)).toContainText('Password changed')

  // The oldest: its fields, the password behind a reveal.
  await versions.nth(2).getByRole('link').click()
  await expect(page).toHaveURL(/\?version=[0-9a-f-]{36}$/)
  await at(page, /\/history\?version=/)
  const version = main(page).getByTestId('version')
  await expect(version).toBeVisible()
  // Not in the page until revealed (SPEC 3b).
  await expect(version.getByTestId('version-password')).not.toContainText('first-Lantern-Quartz-1')
  expect(await page.content()).not.toContain('first-Lantern-Quartz-1')
  await version.getByRole('link', { name: 'Reveal password' }).click()
  await expect(page).toHaveURL(/\?version=[0-9a-f-]{36}&reveal=password$/)
  await expect(version.getByTestId('version-password')).toHaveText('first-Lantern-Quartz-1')

  await version.getByRole('button', { name: 'Restore this version' }).click()
  await at(page, new RegExp(`/dashboard/items/${id}$`))
  await expectFlash(page, 'Version restored.')
  await revealPassword(page)
  await expect(main(page).getByTestId('password-value')).toHaveText('first-Lantern-Quartz-1')
  // The restore is a save of its own: the password it replaced is an earlier version now.
  await expect(main(page).getByRole('link', { name: 'All earlier versions (3)' })).toBeVisible()
})

test('a rotation reminder that has run out: the item page says so and the health page lists it', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/) // the out-of-range custom period, refused on purpose
  const u = await seedUser(db, 'rotate')
  const { id } = await db.services.vault.createItem(u.viewer, { folderId: u.personalId, ...fields({ name: 'Bank', password: 'Lantern-Quartz-Harbor-9' }) })
  await logIn(page, u)
  await page.goto(`/dashboard/items/${id}/edit`)
  await at(page, new RegExp(`/dashboard/items/${id}/edit$`))
  // A custom period out of range: refused with a message next to the field.
  await page.getByLabel('Remind me to change the password').selectOption('custom')
  await page.getByRole('spinbutton', { name: /Custom: every/ }).fill('5000')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(main(page).getByText(/enter a number of days from 1 to 3,650/)).toBeVisible()
  await page.getByLabel('Remind me to change the password').selectOption('30')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await at(page, new RegExp(`/dashboard/items/${id}$`))
  await expectFlash(page, 'Changes saved.')
  await expect(main(page).getByTestId('password-changed')).toContainText('change every 30 days')

  await backdatePasswordChange(db, u, id, 45)
  await page.goto(`/dashboard/items/${id}`)
  await at(page, new RegExp(`/dashboard/items/${id}$`))
  await expect(main(page).getByTestId('item-overdue')).toContainText(/Password is due for a change \(every 30 days; last changed \d{1,2} \w{3} \d{4}\)/)

  await page.goto('/dashboard/health')
  await at(page, /\/dashboard\/health$/)
  const overdue = main(page).getByTestId('health-overdue')
  await expect(overdue.getByRole('heading', { name: /Due for a change/ })).toContainText('1')
  await expect(overdue.getByRole('link', { name: /Bank/ })).toContainText('every 30 days')
  await expect(sidebar(page).getByRole('link', { name: /Health/ })).toContainText('1')

  // The list sorts by password age: the date shown is the password's.
  await page.goto('/dashboard?sort=password')
  await at(page, /sort=password/)
  await expect(main(page).getByRole('columnheader', { name: /^Password/ })).toHaveAttribute('aria-sort', 'ascending')
})

test('history page: axe in both themes; screenshots of it and the item page', async ({ page, db, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'axe needs JavaScript in the page')
  test.slow()
  const u = await seedUser(db, 'history-looks')
  const { id } = await db.services.vault.createItem(u.viewer, { folderId: u.personalId, ...fields({ name: 'Cloud console', password: 'Lantern-Quartz-1' }) })
  await db.services.vault.updateItem(u.viewer, id, { ...fields({ name: 'Cloud console', password: 'Lantern-Quartz-2' }), rotateDays: 90 })
  await db.services.vault.updateItem(u.viewer, id, { ...fields({ name: 'Cloud console', password: 'Lantern-Quartz-2', note: 'MFA on' }), rotateDays: 90 })
  const { versions } = await db.services.vault.listVersions(u.viewer, id)
  await logIn(page, u)
  const shots = test.info().outputPath()
  for (const [label, url] of [
    ['history', `/dashboard/items/${id}/history`],
    ['version', `/dashboard/items/${id}/history?version=${versions[1]!.id}`],
    ['item', `/dashboard/items/${id}`],
  ] as const) {
    await page.goto(url)
    await at(page, /\/dashboard\/items\//)
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
      if (label !== 'item') {
        const results = await new AxeBuilder({ page }).analyze()
        const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        expect(serious.map((v) => `${label} ${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
      }
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 })
        await page.screenshot({ path: `${shots}/${label}-${colorScheme}-${width}.png`, fullPage: true })
      }
    }
  }
  // The empty state of an item never changed.
  const fresh = await db.services.vault.createItem(u.viewer, { folderId: u.personalId, ...fields({ name: 'Fresh' }) })
  await page.goto(`/dashboard/items/${fresh.id}/history`)
  await expect(main(page).getByTestId('history-empty')).toHaveText(
    'No earlier versions yet. Each time you save a change, the previous version is kept here (the last 20).',
  )
})
