// Authenticator codes, copy from the list and clone (issue 21, ADR 030), as a user would, with
// JavaScript off and on: add a key in the item form and see the code this test computes for that
// moment; clone the item; with JavaScript copy the username, password and code from the list.
// axe on the item page with a code in both themes; screenshots of the page and the list rows.
import AxeBuilder from '@axe-core/playwright'
import * as OTPAuth from 'otpauth'
import type { Page } from '@playwright/test'
import { open } from './helpers'
import { at, expect, expectFlash, isJs, itemList, logIn, main, seedUser, test } from './vault-helpers'

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
const PASSWORD_OF_ITEM = 'Totp-Harbor-Quartz-83!'

/** The codes of this key a period either side of now (the page may have been rendered just before a period ended). */
function codesNow() {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET) })
  const now = Date.now()
  return [now - 30_000, now, now + 30_000].map((timestamp) => totp.generate({ timestamp }))
}

const codeOnPage = async (page: Page) => ((await page.getByTestId('totp-code').textContent()) ?? '').replace(/\s/g, '')

async function addItemWithKey(page: Page, name: string) {
  await open(page, '/dashboard/items/new')
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Username or email').fill('totp-user@example.test')
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD_OF_ITEM)
  // As sites show it: lower case, in groups of four.
  await page.getByLabel('Authenticator key (TOTP)').fill(SECRET.toLowerCase().replace(/(.{4})(?!$)/g, '$1 '))
  await page.getByRole('button', { name: 'Save item' }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
}

test('an authenticator key shows the current code; an invalid one is refused beside the field; clone copies the item', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/) // the invalid key, refused on purpose
  const user = await seedUser(db, 'totp')
  await logIn(page, user)

  // An invalid key: 422, the message next to the field.
  await open(page, '/dashboard/items/new')
  await page.getByLabel('Name', { exact: true }).fill('Broken key')
  await page.getByLabel('Authenticator key (TOTP)').fill('not a key 0189')
  await page.getByRole('button', { name: 'Save item' }).click()
  await expect(main(page).locator('#item-totp-error')).toContainText('base32 secret')

  await addItemWithKey(page, 'Code site')
  expect(codesNow()).toContain(await codeOnPage(page))
  await expect(page.getByTestId('totp-left')).toHaveText(/^\d+ s left$/)
  // "New code" loads the page again (a plain link): still a right code.
  await main(page).getByRole('link', { name: 'New code' }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
  expect(codesNow()).toContain(await codeOnPage(page))

  await main(page).getByRole('button', { name: 'Clone' }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}\/edit$/)
  await expectFlash(page, 'Item cloned')
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Copy of Code site')
  await expect(page.getByLabel('Authenticator key (TOTP)')).toHaveValue(SECRET)
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue(PASSWORD_OF_ITEM)
})

test('copy the username, password and code from the list (JavaScript); without it no copy buttons show', async ({ page, db, context, consoleGuard }) => {
  consoleGuard.allow(/status of 422/) // "Copy code" of the item without a key, refused on purpose
  await page.setViewportSize({ width: 1280, height: 900 })
  const user = await seedUser(db, 'totpcopy')
  await db.services.vault.createItem(user.viewer, { folderId: user.personalId, name: 'Copy site', username: 'copy-user', password: PASSWORD_OF_ITEM, url: 'https://copy.example', note: '', totp: SECRET })
  await db.services.vault.createItem(user.viewer, { folderId: user.personalId, name: 'Keyless site', username: 'keyless', password: 'Keyless-Password-55', url: '', note: '' })
  if (isJs()) await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await logIn(page, user)
  const list = itemList(page)
  if (!isJs()) {
    await expect(list.getByRole('button', { name: 'Copy password for Copy site' })).toHaveCount(0)
    await expect(list.getByRole('button', { name: 'Copy username for Copy site' })).toBeHidden()
    await expect(list.getByRole('link', { name: /Copy site/ })).toBeVisible()
    return
  }
  const clip = () => page.evaluate(() => navigator.clipboard.readText())
  // The password and code buttons are on the row under the pointer or holding the focus only: one row.
  await list.getByRole('link', { name: /Copy site/ }).hover()
  await expect(list.getByRole('button', { name: /^Copy password for / })).toHaveCount(1)
  await expect(list.getByRole('button', { name: /^Copy authenticator code for / })).toHaveCount(1)
  await expect(list.getByRole('button', { name: 'Copy password for Copy site' })).toBeVisible()
  await list.getByRole('button', { name: 'Copy username for Copy site' }).click()
  expect(await clip()).toBe('copy-user')
  await list.getByRole('button', { name: 'Copy password for Copy site' }).click()
  await expect(main(page).getByRole('status').filter({ hasText: 'Copied the password of Copy site' })).toHaveCount(1)
  expect(await clip()).toBe(PASSWORD_OF_ITEM)
  await list.getByRole('button', { name: 'Copy authenticator code for Copy site' }).click()
  await expect(main(page).getByRole('status').filter({ hasText: 'Copied the code of Copy site' })).toHaveCount(1)
  expect(codesNow()).toContain(await clip())
  await expect(page).toHaveURL(/\/dashboard$/)
  // No key: said, visibly, and nothing copied. The row reached with the keyboard gets its buttons
  // too (the pointer out of the list first: the row under it would have them).
  await page.mouse.move(0, 0)
  await list.getByRole('button', { name: 'Copy username for Keyless site' }).focus()
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  await expect(list.getByRole('button', { name: 'Copy authenticator code for Keyless site' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(main(page).getByRole('status').filter({ hasText: 'no authenticator key' })).toBeVisible()
  expect(codesNow()).toContain(await clip())

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 })
      await page.emulateMedia({ colorScheme })
      await page.screenshot({ path: test.info().outputPath(`list-copy-${colorScheme}-${width}.png`) })
    }
  }
})

test('the item page with a code passes axe in both themes', async ({ page, db }) => {
  test.skip(!isJs(), 'axe needs JavaScript in the page')
  const user = await seedUser(db, 'totpaxe')
  const { id } = await db.services.vault.createItem(user.viewer, { folderId: user.personalId, name: 'Axe site', username: 'axe', password: PASSWORD_OF_ITEM, url: 'https://axe.example', note: '', totp: SECRET })
  await logIn(page, user)
  await open(page, `/dashboard/items/${id}`)
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
    const results = await new AxeBuilder({ page }).analyze()
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(serious.map((v) => `${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 })
      await page.screenshot({ path: test.info().outputPath(`item-totp-${colorScheme}-${width}.png`), fullPage: true })
    }
  }
})
