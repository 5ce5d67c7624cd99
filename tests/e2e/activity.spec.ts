// The activity log as a user meets it (issue 25, ADR 037), JavaScript off and on: Activity from the
// sidebar, the events listed newest first with their details, the filter (a GET form), the CSV
// download, a folder's log from the folder page (its owner only), and axe in both themes. Events are
// seeded through the real service, and the last test reads what the app itself recorded.
import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import type { Page } from '@playwright/test'
import { checkBothThemes, open } from './helpers'
import { at, expect, fields, isJs, logIn, main, seedUser, sidebar, test, verifiedUser } from './vault-helpers'
import { deviceName } from '../../server/services/devices'

const events = (page: Page) => main(page).getByRole('list', { name: 'Events, newest first' })
const MINUTE = 60_000

test('Activity from the sidebar: events, the filter, the CSV download; axe-clean in both themes', async ({ page, db }) => {
  const u = await seedUser(db, 'activity')
  const ago = (m: number) => new Date(Date.now() - m * MINUTE)
  await db.services.activity.record([
    { readerId: u.id, kind: 'device_new', details: { device: 'Chrome on Android', ip: '198.51.100.23' }, at: ago(50) },
    { readerId: u.id, kind: 'two_factor_on', details: { device: 'Firefox on Linux', ip: '203.0.113.9' }, at: ago(40) },
    { readerId: u.id, kind: 'item_revealed', folderId: u.personalId, details: { itemName: 'Bank of Example', folderName: 'Personal' }, at: ago(30) },
  ])
  for (let i = 0; i < 12; i++) {
    await db.services.activity.recordBounded({ readerId: u.id, kind: 'signin_failed_password', details: { ip: '192.0.2.66', device: 'curl' } }, { threshold: 0 })
  }
  await logIn(page, u)

  await sidebar(page).getByRole('link', { name: 'Activity' }).click()
  await at(page, /\/dashboard\/activity$/)
  await expect(main(page).getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible()
  await expect(sidebar(page).getByRole('link', { name: 'Activity' })).toHaveAttribute('aria-current', 'page')
  const list = events(page)
  // Newest first; a counter row says how many attempts it stands for.
  await expect(list.getByRole('listitem').filter({ hasText: 'Sign-in failed: wrong password ×12' })).toHaveCount(1)
  // (Logging in adds a sign-in and a new device of its own, newest: the seeded rows, older, are the last of their label.)
  const labels = list.locator('> li .label')
  const mine = ['Sign-in failed: wrong password ×12', 'Secret revealed', 'Two-factor turned on', 'New device']
  const texts = await labels.allTextContents()
  expect(mine.map((l) => texts.lastIndexOf(l))).toEqual([...mine.map((l) => texts.lastIndexOf(l))].sort((a, b) => a - b))
  const revealed = list.locator('> li').filter({ hasText: 'Secret revealed' })
  await expect(revealed).toContainText('Bank of Example')
  await expect(revealed).toContainText('Personal')
  const device = list.locator('> li').filter({ hasText: '198.51.100.23' })
  await expect(device).toContainText('New device')
  await expect(device).toContainText('Chrome on Android')

  if (isJs()) await checkBothThemes(page, 'activity')

  // The filter: a GET form, the same with JavaScript or without.
  await main(page).getByLabel('Show').selectOption('account')
  await main(page).getByRole('button', { name: 'Apply' }).click()
  await at(page, /\/dashboard\/activity\?kind=account$/)
  await expect(events(page).locator('> li .label')).toHaveText(['Two-factor turned on'])
  await expect(main(page).getByLabel('Show')).toHaveValue('account')

  // The CSV of that filter: a download, named by the day.
  const link = main(page).getByRole('link', { name: 'Download CSV' })
  await expect(link).toHaveAttribute('href', '/dashboard/activity.csv?kind=account')
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
  expect(download.suggestedFilename()).toBe(`nucleusid-activity-${new Date().toISOString().slice(0, 10)}.csv`)
  const [header, ...rows] = parse(await readFile((await download.path())!, 'utf8')) as string[][]
  expect(header).toEqual(['time', 'event', 'count', 'device', 'ip', 'item', 'folder', 'who', 'detail'])
  expect(rows.map((r) => r[1])).toEqual(['Two-factor turned on'])
  expect(rows[0]).toContain('203.0.113.9')
  // The page stays where it was.
  await expect(page).toHaveURL(/\/dashboard\/activity\?kind=account$/)

  // Settings' devices lead to the sign-ins.
  await open(page, '/dashboard/settings/devices')
  await main(page).getByRole('link', { name: 'activity log' }).click()
  await at(page, /\/dashboard\/activity\?kind=signins$/)
  await expect(events(page).locator('> li .label').first()).toHaveText('Signed in')
  await expect(events(page).locator('> li .label').filter({ hasText: 'Two-factor' })).toHaveCount(0)
})

test('a folder’s activity from its page, for its owner only', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 404/)
  const owner = await verifiedUser(db, 'activity-owner', 'Olive Owner')
  const member = await verifiedUser(db, 'activity-member', 'Ada Member')
  const { id: family } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await db.services.sharing.invite(owner.viewer, family, { email: member.email, permission: 'view' })
  await db.services.sharing.accept(member.viewer, family)
  await db.services.activity.record([
    { readerId: owner.id, kind: 'item_copied', folderId: family, details: { itemName: 'Netflix', folderName: 'Family', actorName: 'Ada Member', actorEmail: member.email } },
    { readerId: owner.id, kind: 'export', details: { ip: '192.0.2.1' } },
  ])
  await logIn(page, owner, `/dashboard/folders/${family}`)
  await main(page).getByRole('link', { name: 'Activity' }).click()
  await at(page, new RegExp(`/dashboard/folders/${family}/activity$`))
  await expect(main(page).getByRole('heading', { level: 1 })).toHaveText('Activity of “Family”')
  // The sidebar shows where the page is: inside the folder.
  await expect(sidebar(page).getByRole('link', { name: /^Family/ }).first()).toHaveAttribute('aria-current', 'location')
  // The folder's events only: not the owner's export.
  await expect(events(page)).not.toContainText('Vault exported')
  const row = events(page).locator('> li').filter({ hasText: 'Secret copied' })
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('Netflix')
  await expect(row).toContainText(`Ada Member (${member.email})`)
  if (isJs()) await checkBothThemes(page, 'folder activity')
  await main(page).getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Family' }).click()
  await at(page, new RegExp(`/dashboard/folders/${family}$`))

  // The member sees the folder, but no activity link, and the address is a 404.
  await page.context().clearCookies()
  await logIn(page, member, `/dashboard/folders/${family}`)
  await expect(main(page).getByRole('link', { name: 'Activity', exact: true })).toHaveCount(0)
  const res = await open(page, `/dashboard/folders/${family}/activity`)
  expect(res?.status()).toBe(404)
})

test('what the app records shows up: this browser’s sign-in and device, a reveal, and a member’s copy in the owner’s folder log', async ({ page, db, browser, javaScriptEnabled }) => {
  const owner = await verifiedUser(db, 'activity-real-owner', 'Rhea Owner')
  const member = await verifiedUser(db, 'activity-real-member', 'Milo Member')
  const { id: folderId } = await db.services.vault.createFolder(owner.viewer, 'Household')
  const { id: itemId } = await db.services.vault.createItem(owner.viewer, { folderId, ...fields({ name: 'Router admin' }) })
  await db.services.sharing.invite(owner.viewer, folderId, { email: member.email, permission: 'view' })
  await db.services.sharing.accept(member.viewer, folderId)

  // The member reveals the password in their own browser.
  const other = await browser.newContext({ javaScriptEnabled })
  const memberPage = await other.newPage()
  await logIn(memberPage, member, `/dashboard/items/${itemId}`)
  await main(memberPage).getByRole('link', { name: 'Reveal password' }).click()
  await at(memberPage, new RegExp(`/dashboard/items/${itemId}\\?reveal=password$`))
  await other.close()

  // The owner's own log: this browser's sign-in, named as its devices list names it.
  await logIn(page, owner)
  const device = deviceName(await page.evaluate(() => navigator.userAgent))
  await sidebar(page).getByRole('link', { name: 'Activity' }).click()
  await at(page, /\/dashboard\/activity$/)
  const signedIn = events(page).locator('> li').filter({ hasText: 'Signed in' }).first()
  await expect(signedIn).toContainText(device)
  await expect(events(page).locator('> li').filter({ hasText: 'New device' }).first()).toContainText(device)

  // The folder's log: who revealed which item.
  await open(page, `/dashboard/folders/${folderId}/activity`)
  const revealed = events(page).locator('> li').filter({ hasText: 'Secret revealed' })
  await expect(revealed).toHaveCount(1)
  await expect(revealed).toContainText('Router admin')
  await expect(revealed).toContainText('Milo Member')
})
