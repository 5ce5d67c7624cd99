// The interface's second pass (issue 20), measured: flash messages that cover nothing, one
// "+ New item", a phone header of one row, list columns that use their width, the account menu's
// entries aligned, no room kept under a password field without a message, a styled file picker, an
// icon of its own for "Share", one card, and empty states that offer the next step. JavaScript off
// and on, at 1280 and 390 px.
import type { Locator, Page } from '@playwright/test'
import { open } from './helpers'
import { addMember, at, expect, isJs, itemList, logIn, main, seedItems, seedUser, fields, test, verifiedUser } from './vault-helpers'

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 800 }

type Box = { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox()
  expect(b, 'has a box').not.toBeNull()
  return b!
}
/** The boxes of every visible control of the page (links, buttons, fields, toggles). */
async function controls(page: Page, except: Locator) {
  const skip = await except.elementHandle()
  return page.locator('a, button, input:not([type=hidden]), select, textarea, summary').evaluateAll(
    (els, flash) =>
      els
        .filter((el) => !(flash as Element | null)?.contains(el) && el.checkVisibility({ visibilityProperty: true }))
        .map((el) => ({ what: `${el.tagName} ${el.textContent?.trim() || el.getAttribute('aria-label') || el.getAttribute('placeholder') || ''}`, ...el.getBoundingClientRect().toJSON() }))
        .filter((b) => b.width > 0 && b.height > 0),
    skip,
  )
}

test('a flash message covers no control, at 1280 and 390 px, and can be dismissed with JavaScript', async ({ page, db }) => {
  await page.setViewportSize(DESKTOP)
  const user = await seedUser(db, 'toast') // not verified: the page offers "Resend link"
  await seedItems(db, user, user.personalId, [fields({ name: 'GitHub', username: 'octocat', url: 'https://github.com' })])
  await logIn(page, user)
  await main(page).getByRole('button', { name: 'Resend link' }).click()
  const flash = page.getByTestId('flash')
  await expect(flash).toContainText('We sent a new verification link')
  // Announced politely, in the content (not over it).
  await expect(main(page).getByRole('status').filter({ has: flash })).toHaveCount(1)
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport)
    await page.evaluate(() => window.scrollTo(0, 0))
    const f = await box(flash)
    for (const c of await controls(page, flash)) {
      expect(overlaps(f, c), `${viewport.width} px: the message covers ${c.what}`).toBe(false)
    }
  }
  if (isJs()) {
    await flash.getByRole('button', { name: 'Dismiss message' }).click()
    await expect(flash).toHaveCount(0)
  } else {
    await expect(flash.getByRole('button')).toHaveCount(0) // nothing that could not work
  }
})

test('one "+ New item" on a list page, to the folder on screen', async ({ page, db }) => {
  await page.setViewportSize(DESKTOP)
  const user = await seedUser(db, 'onenew')
  const { id: work } = await db.services.vault.createFolder(user.viewer, 'Work')
  await seedItems(db, user, user.personalId, [fields({ name: 'GitHub', username: 'octocat', url: 'https://github.com' })])
  await seedItems(db, user, work, [fields({ name: 'Jira', username: 'me', url: 'https://jira.example' })])
  await logIn(page, user)
  await expect(page.getByRole('link', { name: '+ New item' })).toHaveCount(1)
  await expect(page.getByRole('link', { name: '+ New item' })).toHaveAttribute('href', '/dashboard/items/new')
  await open(page, `/dashboard/folders/${work}`)
  await expect(page.getByRole('link', { name: '+ New item' })).toHaveCount(1)
  await expect(page.getByRole('link', { name: '+ New item' })).toHaveAttribute('href', `/dashboard/items/new?folder=${work}`)
})

test('on a phone the header is one row: the content starts within 64 px, and the drawer opens from it', async ({ page, db }) => {
  await page.setViewportSize(PHONE)
  const user = await seedUser(db, 'phonehead')
  await seedItems(db, user, user.personalId, [fields({ name: 'GitHub', username: 'octocat', url: 'https://github.com' })])
  await logIn(page, user)
  const header = await box(page.getByRole('banner'))
  expect(header.height).toBeLessThanOrEqual(64)
  expect((await box(main(page))).y).toBeLessThanOrEqual(64) // was 160: a header of two rows, then the drawer's
  // Search, "+ New item", the account menu and the drawer's toggle, all in that row.
  const toggle = page.getByRole('navigation', { name: 'Vault' }).locator('summary.drawer-toggle')
  for (const control of [page.getByRole('searchbox'), page.getByRole('link', { name: '+ New item' }), page.locator('.user-menu summary'), toggle]) {
    const b = await box(control)
    expect(b.y).toBeGreaterThanOrEqual(0)
    expect(b.y + b.height).toBeLessThanOrEqual(header.height)
    expect(b.x + b.width).toBeLessThanOrEqual(PHONE.width)
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
  await toggle.click()
  const allItems = page.getByRole('navigation', { name: 'Vault' }).getByRole('link', { name: /^All items/ })
  await expect(allItems).toBeVisible()
  expect((await box(allItems)).y).toBeGreaterThanOrEqual(header.height - 1) // a sheet below the row
})

test('list columns use their width: a long username is shown to 160 px or more, cut at its column', async ({ page, db }) => {
  await page.setViewportSize(DESKTOP)
  const user = await seedUser(db, 'columns')
  const long = 'alexandra.fuller-longname@bigcorporation-example.com'
  await seedItems(db, user, user.personalId, [fields({ name: 'Jira', username: long, url: 'https://bigcorporation-example.atlassian.net' })])
  await logIn(page, user)
  const row = itemList(page).getByRole('listitem').first()
  const username = row.locator(':scope > a > span:nth-of-type(1)')
  const website = row.locator(':scope > a > span:nth-of-type(2)')
  const u = await box(username)
  expect(u.width).toBeGreaterThanOrEqual(160)
  expect(u.x + u.width).toBeLessThanOrEqual((await box(website)).x)
  expect(await username.evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis')).toBe(true)
  if (isJs()) {
    await username.hover()
    await expect(username).toHaveAttribute('title', long) // the whole value, where it is cut
  }
})

test("the account menu's entries line up: Log out like Settings", async ({ page, db }) => {
  await page.setViewportSize(DESKTOP)
  const user = await seedUser(db, 'menu')
  await logIn(page, user)
  await page.locator('.user-menu summary').click()
  const settings = await box(page.locator('.user-menu').getByRole('link', { name: 'Settings' }))
  const logout = page.locator('.user-menu').getByRole('button', { name: 'Log out' })
  const out = await box(logout)
  expect(Math.abs(out.x - settings.x)).toBeLessThanOrEqual(0.5)
  expect(Math.abs(out.width - settings.width)).toBeLessThanOrEqual(0.5)
  expect(Math.abs(out.height - settings.height)).toBeLessThanOrEqual(0.5)
  const textLeft = (l: Locator) => l.evaluate((el) => el.getBoundingClientRect().left + parseFloat(getComputedStyle(el).paddingLeft))
  expect(await textLeft(logout)).toBeCloseTo(await textLeft(page.locator('.user-menu').getByRole('link', { name: 'Settings' })), 0)
  const font = (l: Locator) => l.evaluate((el) => `${getComputedStyle(el).fontSize} ${getComputedStyle(el).fontWeight}`)
  expect(await font(logout)).toBe(await font(page.locator('.user-menu').getByRole('link', { name: 'Settings' })))
})

test('no room is kept under a password field without a strength message', async ({ page }) => {
  await open(page, '/register')
  const input = page.getByLabel('Master password', { exact: true })
  const hint = page.getByText('At least', { exact: false })
  const gap = (await box(hint)).y - ((await box(input)).y + (await box(input)).height)
  expect(gap).toBeLessThanOrEqual(5) // the field's own 4 px gap, no empty line
  if (isJs()) {
    await input.fill('correct horse battery staple')
    await expect(page.getByTestId('password-strength')).toContainText('Strength:')
    expect((await box(hint)).y - ((await box(input)).y + (await box(input)).height)).toBeGreaterThan(12)
  }
})

test('the file picker looks like the other fields', async ({ page, db }) => {
  await page.setViewportSize(DESKTOP)
  const user = await seedUser(db, 'picker')
  await logIn(page, user, '/dashboard/import')
  const file = page.getByLabel('CSV file')
  const select = page.getByLabel('Format')
  expect(Math.abs((await box(file)).height - (await box(select)).height)).toBeLessThanOrEqual(1)
  const button = await file.evaluate((el) => {
    const s = getComputedStyle(el, '::file-selector-button')
    return { radius: s.borderTopLeftRadius, font: s.fontFamily, background: s.backgroundColor }
  })
  expect(button.radius).toBe('6px')
  expect(button.font).toBe(await page.locator('body').evaluate((el) => getComputedStyle(el).fontFamily))
})

test('"Share" has its own icon, not the "shared" marker', async ({ page, db }) => {
  const user = await verifiedUser(db, 'shareicon', 'Sam Share')
  const { id } = await db.services.vault.createFolder(user.viewer, 'Travel')
  await logIn(page, user, `/dashboard/folders/${id}`)
  const share = main(page).locator('summary', { hasText: 'Share' })
  await expect(share.locator('svg')).toHaveCount(1)
  const marker = 'M4 8h15l-4-4M20 16H5l4 4' // IconShared.vue's arrows
  expect(await share.locator('svg').innerHTML()).not.toContain(marker)
})

test('one card: the login card and a confirmation share one width and padding', async ({ page, db }) => {
  await page.setViewportSize(DESKTOP)
  await open(page, '/login')
  const card = (l: Locator) => l.evaluate((el) => ({ width: el.getBoundingClientRect().width, padding: getComputedStyle(el).padding, radius: getComputedStyle(el).borderRadius }))
  const login = await card(main(page).locator('.panel').first())
  const user = await seedUser(db, 'cards')
  const [itemId] = await seedItems(db, user, user.personalId, [fields({ name: 'GitHub', username: 'octocat', url: '' })])
  await logIn(page, user, `/dashboard/items/${itemId}/delete`)
  const confirm = await card(main(page).locator('.panel').first())
  expect(confirm).toEqual(login)
})

test('empty states say what to do next and link to it', async ({ page, db }) => {
  const owner = await verifiedUser(db, 'emptyown', 'Olivia Owner')
  const member = await verifiedUser(db, 'emptymem', 'Mo Member')
  const { id: shared } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await addMember(db, owner, member, shared, 'view')
  await logIn(page, member)

  // An empty vault: add one, or import.
  await expect(main(page).getByRole('link', { name: '+ New item' })).toHaveAttribute('href', '/dashboard/items/new')
  await expect(main(page).getByRole('link', { name: 'Import passwords' })).toHaveAttribute('href', '/dashboard/import')
  // A search without matches: back to everything.
  await open(page, '/dashboard?q=nothing-like-this')
  await expect(main(page).getByRole('link', { name: 'Show all items' })).toHaveAttribute('href', '/dashboard')
  // An empty folder the user cannot add to: somewhere to go, not a dead end.
  await open(page, `/dashboard/folders/${shared}`)
  await expect(main(page).getByText('This folder is empty.')).toBeVisible()
  await expect(main(page).getByRole('link', { name: 'Show all items' })).toHaveAttribute('href', '/dashboard')
  // Nothing to fix: back to the list (here an empty vault: add an item).
  await open(page, '/dashboard/health')
  await expect(main(page).getByTestId('health-empty').getByRole('link', { name: '+ New item' })).toHaveAttribute('href', '/dashboard/items/new')

  // No shares, and no folder to share yet: the step is right there.
  const loner = await seedUser(db, 'emptyshares')
  await page.context().clearCookies()
  await logIn(page, loner, '/dashboard/shares')
  const form = main(page).getByRole('form', { name: 'Create a folder to share' })
  await form.getByLabel('Folder name').fill('Holidays')
  await form.getByRole('button', { name: 'Create folder' }).click()
  await at(page, /\/dashboard\/folders\/[0-9a-f-]{36}$/)
  await expect(main(page).getByRole('heading', { level: 1, name: 'Holidays' })).toBeVisible()
})
