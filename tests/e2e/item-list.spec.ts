// The item list made for scanning: columns on one grid, a header that sorts (links, so
// without JavaScript too), counts that lead to the filtered list, tiles coloured by name, a phone
// layout that keeps names readable, one "+ New item" on an empty vault, and the sidebar marking an
// item's folder. JavaScript off and on.
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { newAccount, open, registerViaUi } from './helpers'
import { at, expect, isJs, itemList, logIn, main, seedUser, sidebar, test, type Db } from './vault-helpers'

const PHONE = { width: 390, height: 844 }
const STRONG = 'quartz lantern mosaic orbit velvet'
const REUSED = 'reused lantern mosaic orbit velvet'

/**
 * A vault of three folders, created one item at a time (so "last change" follows this order):
 * long and short names and usernames, missing ones, weak and reused passwords.
 */
async function seedVault(db: Db, tag: string) {
  const user = await seedUser(db, tag)
  const work = (await db.services.vault.createFolder(user.viewer, 'Work')).id
  const family = (await db.services.vault.createFolder(user.viewer, 'Family')).id
  const rows: [name: string, username: string, url: string, password: string, folderId: string][] = [
    ['GitHub', 'octocat', 'https://github.com/login', REUSED, work],
    ['Netflix', 'family@example.com', 'https://www.netflix.com', 'qwerty', family],
    ['Bank of Example', 'me', 'https://bank.example', `${STRONG} 1`, user.personalId],
    ['Amazon Web Services console', 'root-account-administrator@example-company.com', 'https://console.aws.amazon.com/', REUSED, work],
    ['Zoom', '', 'https://zoom.us', `${STRONG} 2`, work],
    ['Mail', 'me@example.com', '', 'password123', user.personalId],
  ]
  for (const [name, username, url, password, folderId] of rows) {
    await db.services.vault.createItem(user.viewer, { folderId, name, username, url, password, note: '' })
  }
  return { user, work, family }
}

const rowNames = (page: Page) => itemList(page).locator('li b').allTextContents()
/** A row's cells (components/VaultRows.vue tells them apart by element and order, not by class). */
const CELLS = {
  tile: ':scope > a > i',
  name: ':scope > a > b',
  user: ':scope > a > span:nth-of-type(1)',
  host: ':scope > a > span:nth-of-type(2)',
  folder: ':scope > a > span:nth-of-type(3)',
  changed: ':scope > a > time',
  flags: ':scope > a > span:has(> em)',
  star: ':scope > button[name]',
  copy: ':scope > button[type]',
}
const header = (page: Page, name: string) => main(page).getByRole('columnheader', { name, exact: true })

test('columns line up: every row and the header start each column at the same x', async ({ page, db }) => {
  await page.setViewportSize({ width: 1280, height: 900 })
  const { user } = await seedVault(db, 'listgrid')
  await logIn(page, user)
  await expect(itemList(page).getByRole('listitem')).toHaveCount(6)

  const lefts = await main(page).evaluate(
    (root, cells) => {
      const x = (el: Element | null) => (el ? Math.round(el.getBoundingClientRect().left * 10) / 10 : null)
      const rows = [...root.querySelectorAll('ul[aria-label="Items"] > li')].map((li) => Object.fromEntries(Object.entries(cells).map(([c, sel]) => [c, x(li.querySelector(sel))])))
      const head = Object.fromEntries(['name', 'user', 'host', 'folder', 'changed'].map((c) => [c, x(root.querySelector(`[role=columnheader].col-${c}`))]))
      return { rows, head }
    },
    CELLS,
  )
  for (const col of ['tile', 'name', 'user', 'host', 'folder', 'changed', 'flags', 'star', 'copy'] as const) {
    const xs = lefts.rows.map((r) => r[col]).filter((v): v is number => v !== null)
    expect(xs.length, `${col} cells`).toBeGreaterThan(3)
    expect(Math.max(...xs) - Math.min(...xs), `${col}: ${xs.join(', ')}`).toBeLessThanOrEqual(1)
  }
  // The header's columns start where the rows' do ("Name" heads the tile and the name together).
  expect(Math.abs(lefts.head.name! - lefts.rows[0]!.tile!)).toBeLessThanOrEqual(1)
  for (const col of ['user', 'host', 'folder', 'changed'] as const) {
    expect(Math.abs(lefts.head[col]! - lefts.rows[0]![col]!), col).toBeLessThanOrEqual(1)
  }

  // Each row is one link to its item, whose text holds the row.
  const bank = itemList(page).getByRole('link', { name: /Bank of Example/ })
  await expect(bank).toContainText('bank.example')
  await expect(bank).toContainText('Personal')
  await bank.click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
})

test('the header sorts by name, folder and last change through links, with aria-sort', async ({ page, db }) => {
  const { user } = await seedVault(db, 'listsort')
  await logIn(page, user)
  const byName = ['Amazon Web Services console', 'Bank of Example', 'GitHub', 'Mail', 'Netflix', 'Zoom']
  await expect.poll(() => rowNames(page)).toEqual(byName)
  await expect(header(page, 'Name')).toHaveAttribute('aria-sort', 'ascending')
  await expect(header(page, 'Folder')).not.toHaveAttribute('aria-sort')

  // Name again: Z to A.
  await header(page, 'Name').getByRole('link').click()
  await at(page, /\/dashboard\?dir=desc$/)
  await expect.poll(() => rowNames(page)).toEqual([...byName].reverse())
  await expect(header(page, 'Name')).toHaveAttribute('aria-sort', 'descending')

  // Folder: Personal first (the sidebar's order), then by name within each folder.
  await header(page, 'Folder').getByRole('link').click()
  await at(page, /\/dashboard\?sort=folder$/)
  await expect.poll(() => rowNames(page)).toEqual(['Bank of Example', 'Mail', 'Netflix', 'Amazon Web Services console', 'GitHub', 'Zoom'])
  await expect(header(page, 'Folder')).toHaveAttribute('aria-sort', 'ascending')
  await expect(header(page, 'Name')).not.toHaveAttribute('aria-sort')

  // Last change: newest first.
  await header(page, 'Last change').getByRole('link').click()
  await at(page, /\/dashboard\?sort=changed$/)
  await expect.poll(() => rowNames(page)).toEqual(['Mail', 'Zoom', 'Amazon Web Services console', 'Bank of Example', 'Netflix', 'GitHub'])
  await expect(header(page, 'Last change')).toHaveAttribute('aria-sort', 'descending')
  await header(page, 'Last change').getByRole('link').click()
  await at(page, /\/dashboard\?sort=changed&dir=asc$/)
  await expect.poll(() => rowNames(page)).toEqual(['GitHub', 'Netflix', 'Bank of Example', 'Amazon Web Services console', 'Zoom', 'Mail'])

  // A search keeps the order (the GET form without JavaScript, live search with it).
  const search = page.getByRole('searchbox', { name: 'Search your vault' })
  await search.fill('example')
  if (!isJs()) await search.press('Enter')
  await expect(page).toHaveURL(/[?&]q=example(&|$)/)
  await expect(page).toHaveURL(/[?&]sort=changed(&|$)/)
  await expect(page).toHaveURL(/[?&]dir=asc(&|$)/)
  await expect.poll(() => rowNames(page)).toEqual(['Netflix', 'Bank of Example', 'Amazon Web Services console', 'Mail'])
  // A header link keeps the search, and starts again at page 1.
  await header(page, 'Name').getByRole('link').click()
  await at(page, /\/dashboard\?q=example$/)
  await expect.poll(() => rowNames(page)).toEqual(['Amazon Web Services console', 'Bank of Example', 'Mail', 'Netflix'])

  // Nonsense parameters fall back to the name order, never an error.
  const res = await open(page, '/dashboard?sort=%3Cx%3E&dir=sideways&filter=everything')
  expect(res!.status()).toBe(200)
  await expect.poll(() => rowNames(page)).toEqual(byName)
})

test('a folder page has no folder column and no folder order; its header sorts its own rows', async ({ page, db }) => {
  const { user, work } = await seedVault(db, 'listfolder')
  await logIn(page, user, `/dashboard/folders/${work}`)
  await expect.poll(() => rowNames(page)).toEqual(['Amazon Web Services console', 'GitHub', 'Zoom'])
  await expect(header(page, 'Folder')).toHaveCount(0)
  await expect(itemList(page).getByText('Work', { exact: true })).toHaveCount(0)
  await header(page, 'Last change').getByRole('link').click()
  await at(page, new RegExp(`/dashboard/folders/${work}\\?sort=changed$`))
  await expect.poll(() => rowNames(page)).toEqual(['Zoom', 'Amazon Web Services console', 'GitHub'])
  // ?sort=folder on a folder page is the name order.
  await open(page, `/dashboard/folders/${work}?sort=folder&dir=desc`)
  await expect.poll(() => rowNames(page)).toEqual(['Zoom', 'GitHub', 'Amazon Web Services console'])
  await expect(header(page, 'Name')).toHaveAttribute('aria-sort', 'descending')
})

test('weak and reused counts link to the filtered list, on the dashboard and on a folder page', async ({ page, db }) => {
  const { user, work } = await seedVault(db, 'listfilter')
  await logIn(page, user)
  const summary = main(page).getByTestId('vault-summary')
  await expect(summary).toContainText('6 items · 3 folders · 2 weak · 2 reused')

  await summary.getByRole('link', { name: '2 weak' }).click()
  await at(page, /\/dashboard\?filter=weak$/)
  await expect.poll(() => rowNames(page)).toEqual(['Mail', 'Netflix'])
  const status = main(page).getByRole('status').filter({ hasText: 'with a weak password' })
  await expect(status).toContainText('2 items with a weak password')
  await expect(summary.getByRole('link', { name: '2 weak' })).toHaveAttribute('aria-current', 'true')

  // Sorting keeps the filter; "Show all" drops it and keeps the order.
  await header(page, 'Last change').getByRole('link').click()
  await at(page, /\/dashboard\?filter=weak&sort=changed$/)
  await expect.poll(() => rowNames(page)).toEqual(['Mail', 'Netflix'])
  await status.getByRole('link', { name: 'Show all' }).click()
  await at(page, /\/dashboard\?sort=changed$/)
  await expect(itemList(page).getByRole('listitem')).toHaveCount(6)

  await summary.getByRole('link', { name: '2 reused' }).click()
  await at(page, /\/dashboard\?filter=reused&sort=changed$/)
  await expect.poll(() => rowNames(page)).toEqual(['Amazon Web Services console', 'GitHub'])

  // A folder page's counts are its own, and lead to its own filtered rows.
  await open(page, `/dashboard/folders/${work}`)
  await expect(summary).toContainText('3 items · 0 weak · 2 reused')
  await expect(summary.getByRole('link', { name: '0 weak' })).toHaveCount(0) // nothing to show
  await summary.getByRole('link', { name: '2 reused' }).click()
  await at(page, new RegExp(`/dashboard/folders/${work}\\?filter=reused$`))
  await expect.poll(() => rowNames(page)).toEqual(['Amazon Web Services console', 'GitHub'])

  // A filter with nothing in it says so and offers the whole list.
  await open(page, `/dashboard/folders/${work}?filter=weak`)
  await expect(main(page).getByText('No items with a weak password here.')).toBeVisible()
  await main(page).getByRole('link', { name: 'Show all items' }).click()
  await at(page, new RegExp(`/dashboard/folders/${work}$`))
  await expect(itemList(page).getByRole('listitem')).toHaveCount(3)
})

test('tiles take a colour from the name: the same on every page, several across a list', async ({ page, db }) => {
  const { user, work } = await seedVault(db, 'listtiles')
  await logIn(page, user)
  const tileColours = () =>
    itemList(page).evaluate((ul) =>
      Object.fromEntries([...ul.querySelectorAll('li')].map((li) => [li.querySelector('b')!.textContent, getComputedStyle(li.querySelector('a > i')!).backgroundColor])),
    )
  const all = await tileColours()
  expect(new Set(Object.values(all)).size).toBeGreaterThanOrEqual(3)
  await open(page, `/dashboard/folders/${work}`)
  const inWork = await tileColours()
  for (const [name, colour] of Object.entries(inWork)) expect(colour, name).toBe(all[name])
})

test('on a phone the name keeps the row: badges become a dot, the copy button an icon; the drawer toggle opens', async ({ page, db }) => {
  await page.setViewportSize(PHONE)
  const { user } = await seedVault(db, 'listphone')
  await db.services.vault.createItem(user.viewer, { folderId: user.personalId, name: 'Photographer', username: 'shutterbug', url: '', password: 'letmein', note: '' })
  await logIn(page, user)

  for (const name of ['Photographer', 'Netflix', 'Amazon Web Services console']) {
    const row = itemList(page).getByRole('listitem').filter({ has: page.getByText(name, { exact: true }) })
    const box = await row.boundingBox()
    const nameEl = row.locator('b')
    const nameBox = await nameEl.boundingBox()
    const cut = await nameEl.evaluate((el) => el.scrollWidth > el.clientWidth)
    expect(nameBox!.width / box!.width, `${name}: ${nameBox!.width}px of ${box!.width}px`).toBeGreaterThanOrEqual(0.4)
    // A 12-letter name, with its weak badge and copy button, is shown whole.
    if (name.length <= 12) expect(cut, `${name} is cut`).toBe(false)
  }
  const photographer = itemList(page).getByRole('listitem').filter({ hasText: 'Photographer' })
  // The badge is drawn as a dot on the tile; its word stays in the link for screen readers.
  const badge = photographer.getByText('Weak', { exact: true })
  const dot = (await badge.boundingBox())!
  const tile = (await photographer.locator('a > i').boundingBox())!
  expect(dot.width).toBeLessThanOrEqual(12)
  expect(dot.height).toBeLessThanOrEqual(12)
  expect(dot.x).toBeGreaterThan(tile.x)
  expect(dot.x).toBeLessThan(tile.x + tile.width)
  expect(await badge.evaluate((el) => el.scrollWidth > el.clientWidth || getComputedStyle(el).textIndent !== '0px')).toBe(true)
  await expect(photographer.getByRole('link')).toContainText('Weak')
  if (isJs()) await expect(photographer.getByRole('button', { name: 'Copy username for Photographer' })).toBeVisible()

  // The drawer: closed, a toggle that opens it and shows that it is open.
  const toggle = sidebar(page).locator('summary', { hasText: 'Folders and views' })
  await expect(toggle).toBeVisible()
  await expect(sidebar(page).getByRole('link', { name: /^All items/ })).toBeHidden()
  const chevronBefore = await toggle.locator('.chevron').evaluate((el) => getComputedStyle(el).transform)
  await toggle.click()
  await expect(sidebar(page).getByRole('link', { name: /^All items/ })).toBeVisible()
  await expect(sidebar(page).locator('details.drawer')).toHaveAttribute('open', '')
  await page.waitForTimeout(200) // the 150 ms turn
  expect(await toggle.locator('.chevron').evaluate((el) => getComputedStyle(el).transform)).not.toBe(chevronBefore)
  await sidebar(page).getByRole('link', { name: /^Family/ }).click()
  await at(page, /\/dashboard\/folders\/[0-9a-f-]{36}$/)
  await expect(main(page).getByRole('heading', { level: 1, name: 'Family' })).toBeVisible()
})

test('an empty vault shows one "+ New item"', async ({ page }) => {
  await registerViaUi(page, newAccount('listempty'))
  await expect(main(page).getByText('Your vault is empty.')).toBeVisible()
  await expect(page.getByRole('link', { name: '+ New item' })).toHaveCount(1)
  await page.getByRole('link', { name: '+ New item' }).click()
  await at(page, /\/dashboard\/items\/new$/)
  // With an item, the header's own "+ New item" is back.
  await page.getByLabel('Name', { exact: true }).fill('First')
  await page.getByRole('button', { name: 'Save item' }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
  await expect(page.getByRole('banner').getByRole('link', { name: '+ New item' })).toHaveCount(1)
})

test("the sidebar marks the folder of the item on screen: its page, edit and delete pages", async ({ page, db }) => {
  const { user, work } = await seedVault(db, 'listmark')
  await logIn(page, user)
  const workLink = sidebar(page).getByRole('link', { name: /^Work/ })
  await expect(workLink).not.toHaveAttribute('aria-current')
  await itemList(page).getByRole('link', { name: /GitHub/ }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
  const itemPath = new URL(page.url()).pathname
  await expect(workLink).toHaveAttribute('aria-current', 'location')
  await expect(sidebar(page).getByRole('link', { name: /^Personal/ })).not.toHaveAttribute('aria-current')
  for (const path of [`${itemPath}/edit`, `${itemPath}/delete`]) {
    await open(page, path)
    await expect(workLink, path).toHaveAttribute('aria-current', 'location')
  }
  // Back on the list, the folder page itself is the current page; elsewhere nothing is marked.
  await open(page, `/dashboard/folders/${work}`)
  await expect(workLink).toHaveAttribute('aria-current', 'page')
  await open(page, '/dashboard')
  await expect(workLink).not.toHaveAttribute('aria-current')
})

test('the list has no serious or critical accessibility violation, light and dark, at both widths', async ({ page, db, javaScriptEnabled }) => {
  // axe runs as a script inside the page; the markup is the same with JavaScript off.
  test.skip(!javaScriptEnabled, 'axe needs JavaScript in the page')
  test.setTimeout(180_000) // eight axe runs on a shared machine
  const { user, work } = await seedVault(db, 'listaxe')
  await logIn(page, user)
  const views: [string, { width: number; height: number }][] = [
    ['/dashboard', { width: 1280, height: 800 }],
    ['/dashboard?filter=weak&sort=changed', { width: 1280, height: 800 }],
    ['/dashboard', PHONE],
    [`/dashboard/folders/${work}?sort=changed`, PHONE],
  ]
  for (const [path, viewport] of views) {
    await page.setViewportSize(viewport)
    await open(page, path)
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await page.waitForTimeout(200)
      const results = await new AxeBuilder({ page }).analyze()
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(serious.map((v) => `${path} ${viewport.width} ${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
    }
  }
})

test('copy a username from the list (one delegated handler); without JavaScript no copy button shows', async ({ page, db, context }) => {
  await page.setViewportSize({ width: 1280, height: 900 })
  const { user } = await seedVault(db, 'listcopy')
  if (isJs()) await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await logIn(page, user)
  const copy = itemList(page).getByRole('button', { name: 'Copy username for Netflix' })
  // Zoom has no username: nothing to copy, no button.
  await expect(itemList(page).getByRole('button', { name: /^Copy username .*Zoom/ })).toHaveCount(0)
  if (!isJs()) {
    await expect(copy).toBeHidden()
    return
  }
  await expect(copy).toBeVisible()
  const before = (await copy.boundingBox())!
  await copy.click()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('family@example.com')
  await expect(main(page).getByRole('status').filter({ hasText: 'Copied the username of Netflix' })).toHaveCount(1)
  // Live, the button is an icon (ADR 030): a tick replaces the copy icon for a moment.
  await expect(copy).toHaveClass(/copied/)
  expect((await copy.boundingBox())!.width).toBe(before.width)
  // Another row copies its own username, not the first one's.
  await itemList(page).getByRole('button', { name: 'Copy username for GitHub' }).click()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('octocat')
  // The click did not follow the row's link.
  await expect(page).toHaveURL(/\/dashboard$/)
  // After a sort (a client navigation with JavaScript), the rows' buttons still copy their own.
  await header(page, 'Last change').getByRole('link').click()
  await at(page, /\/dashboard\?sort=changed$/)
  await itemList(page).getByRole('button', { name: 'Copy username for Bank of Example' }).click()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('me')
  await expect(copy).toHaveAccessibleName('Copy username for Netflix')
})

test('both badges fit their column, whole, beside the copy button', async ({ page, db }) => {
  await page.setViewportSize({ width: 1280, height: 900 })
  const user = await seedUser(db, 'listbadges')
  for (const name of ['Forum', 'Shop']) {
    await db.services.vault.createItem(user.viewer, { folderId: user.personalId, name, username: `${name.toLowerCase()}@example.com`, url: '', password: 'qwerty', note: '' })
  }
  await logIn(page, user)
  for (const name of ['Forum', 'Shop']) {
    const row = itemList(page).getByRole('listitem').filter({ hasText: name })
    await expect(row.getByText('Weak', { exact: true })).toBeVisible()
    await expect(row.getByText('Reused', { exact: true })).toBeVisible()
    const fits = await row.evaluate((li) => {
      const badges = li.querySelector(':scope > a > time + span')!
      const reused = [...badges.querySelectorAll('em')].at(-1)!.getBoundingClientRect()
      const copy = li.querySelector(':scope > button')?.getBoundingClientRect()
      return { cut: badges.scrollWidth > badges.clientWidth, right: reused.right, copyLeft: copy?.left ?? Infinity }
    })
    expect(fits.cut, `${name}: badges cut`).toBe(false)
    expect(fits.right, `${name}: badges run into the copy button`).toBeLessThanOrEqual(fits.copyLeft)
  }
})
