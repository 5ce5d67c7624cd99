// Favourites and bulk actions (issue 21), as a user, JavaScript off and on: star and unstar from a
// row and from the item page, the Favourites view in the sidebar with its count, and the list's
// bulk bar (move, trash, star) across two folders, an item of a folder shared view-only refused and
// reported. axe on the list with the new controls in both themes, and screenshots of the list
// (light and dark, 1280 and 390 px) for a person to look at.
import AxeBuilder from '@axe-core/playwright'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { addMember, at, expect, expectFlash, fields, isJs, itemList, logIn, main, seedItems, seedUser, sidebar, test } from './vault-helpers'

const favouritesLink = (page: Page) => sidebar(page).getByRole('link', { name: /^Favourites/ })
const row = (page: Page, name: string) => itemList(page).getByRole('listitem').filter({ has: page.getByText(name, { exact: true }) })

/** Ticks "Select all on this page": a real checkbox with JavaScript, a link that renders the page ticked without. */
async function selectAll(page: Page) {
  const bar = page.getByRole('group', { name: 'Selected items' })
  if (isJs()) await bar.getByRole('checkbox', { name: 'Select all on this page' }).check()
  else {
    await bar.getByRole('link', { name: 'Select all on this page' }).click()
    await at(page, /select=all/)
  }
  for (const box of await itemList(page).getByRole('checkbox').all()) await expect(box).toBeChecked()
}

test('star and unstar from a row and from the item page; the Favourites view and its count', async ({ page, db }) => {
  const u = await seedUser(db, 'stars')
  await seedItems(db, u, u.personalId, [fields({ name: 'Alpha' }), fields({ name: 'Beta' })])
  await logIn(page, u)
  await expect(favouritesLink(page)).toContainText('0')

  // A row's star: back to the same list, the star pressed.
  await itemList(page).getByRole('button', { name: 'Star Alpha' }).click()
  await at(page, /\/dashboard$/)
  await expectFlash(page, 'Added to favourites.')
  const unstarAlpha = itemList(page).getByRole('button', { name: 'Unstar Alpha' })
  await expect(unstarAlpha).toHaveAttribute('aria-pressed', 'true')
  await expect(itemList(page).getByRole('button', { name: 'Star Beta' })).toHaveAttribute('aria-pressed', 'false')
  await expect(favouritesLink(page)).toContainText('1')

  // The item page's star.
  await row(page, 'Beta').getByRole('link').click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
  await main(page).getByRole('button', { name: 'Star Beta' }).click()
  await expectFlash(page, 'Added to favourites.')
  await expect(main(page).getByRole('button', { name: 'Unstar Beta' })).toHaveAttribute('aria-pressed', 'true')
  await expect(favouritesLink(page)).toContainText('2')
  await main(page).getByRole('button', { name: 'Unstar Beta' }).click()
  await expectFlash(page, 'Removed from favourites.')
  await expect(main(page).getByRole('button', { name: 'Star Beta' })).toHaveAttribute('aria-pressed', 'false')
  await expect(favouritesLink(page)).toContainText('1')

  // The Favourites view: only the starred; unstarring there leaves it empty, saying what to do.
  await favouritesLink(page).click()
  await at(page, /\/dashboard\?filter=favourites$/)
  await expect(itemList(page).getByRole('listitem')).toHaveCount(1)
  await expect(row(page, 'Alpha')).toBeVisible()
  await itemList(page).getByRole('button', { name: 'Unstar Alpha' }).click()
  await at(page, /\/dashboard\?filter=favourites$/)
  await expectFlash(page, 'Removed from favourites.')
  await expect(main(page).getByText('No favourites here.')).toBeVisible()
  await expect(favouritesLink(page)).toContainText('0')
})

test('bulk move, trash and star across two folders; the view-only item is refused and reported', async ({ page, db }) => {
  const owner = await seedUser(db, 'bulk-owner', 'Olivia Owner')
  const { id: family } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await seedItems(db, owner, family, [fields({ name: 'Router' })])
  const u = await seedUser(db, 'bulk')
  const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
  await db.services.vault.createFolder(u.viewer, 'Archive')
  await seedItems(db, u, u.personalId, [fields({ name: 'One' }), fields({ name: 'Two' })])
  await seedItems(db, u, work, [fields({ name: 'Three' })])
  await addMember(db, owner, u, family, 'view')
  await logIn(page, u)
  const bar = page.getByRole('group', { name: 'Selected items' })
  // The everyday list has no checkboxes: "Select items" turns them on (?select=1).
  await expect(itemList(page).getByRole('checkbox')).toHaveCount(0)
  await expect(bar).toHaveCount(0)
  await main(page).getByRole('link', { name: 'Select items' }).click()
  await at(page, /\/dashboard\?select=1$/)

  // Move: One (Personal), Three (Work) and Router (Family, view only) to Archive.
  for (const name of ['One', 'Three', 'Router']) await itemList(page).getByRole('checkbox', { name: `Select ${name}` }).check()
  await bar.getByLabel('Move to').selectOption({ label: 'Archive' })
  await bar.getByRole('button', { name: 'Move', exact: true }).click()
  // Back to the list, still selecting, no box ticked.
  await at(page, /\/dashboard\?select=1$/)
  await expectFlash(page, '2 items moved to Archive. 1 was not: you can only view it.')
  await expect(row(page, 'One')).toContainText('Archive')
  await expect(row(page, 'Three')).toContainText('Archive')
  await expect(row(page, 'Router')).toContainText('Family')

  // Star: the whole page (a star is the viewer's own: view-only items too).
  await selectAll(page)
  await bar.getByRole('button', { name: 'Star', exact: true }).click()
  // Back to the list, still selecting, no box ticked.
  await at(page, /\/dashboard\?select=1$/)
  await expectFlash(page, '4 items starred.')
  await expect(favouritesLink(page)).toContainText('4')
  await expect(itemList(page).getByRole('button', { name: /^Unstar / })).toHaveCount(4)

  // Trash: Two and Router; Router is view only.
  for (const name of ['Two', 'Router']) await itemList(page).getByRole('checkbox', { name: `Select ${name}` }).check()
  await bar.getByRole('button', { name: 'Move to trash' }).click()
  // Back to the list, still selecting, no box ticked.
  await at(page, /\/dashboard\?select=1$/)
  await expectFlash(page, '1 item moved to the trash. 1 was not: you can only view it.')
  await expect(row(page, 'Two')).toHaveCount(0)
  await expect(row(page, 'Router')).toBeVisible()
  await expect(favouritesLink(page)).toContainText('3')
})

test('the list with stars and, selecting, checkboxes: axe in both themes, and screenshots at 1280 and 390 px', async ({ page, db, javaScriptEnabled }) => {
  test.slow()
  const u = await seedUser(db, 'stars-look')
  const owner = await seedUser(db, 'stars-look-owner', 'Olive Owner')
  const { id: family } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await seedItems(db, owner, family, [fields({ name: 'Streaming', username: 'family@example.test', url: 'https://tv.example' })])
  await addMember(db, owner, u, family, 'view')
  const ids = await seedItems(db, u, u.personalId, [
    fields({ name: 'GitHub', username: 'octocat', url: 'https://github.com' }),
    fields({ name: 'Bank of Example', username: 'me@example.test', url: 'https://bank.example' }),
    fields({ name: 'A very long item name that needs to be cut somewhere on a phone', username: 'someone-with-a-long-name@example.test', url: 'https://login.example.com' }),
  ])
  await db.services.vault.setFavourite(u.viewer, ids[0]!, true)
  await logIn(page, u)
  // Selection mode: the rows with their checkboxes and the bulk bar.
  await main(page).getByRole('link', { name: 'Select items' }).click()
  await at(page, /\/dashboard\?select=1$/)
  if (javaScriptEnabled) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
      const results = await new AxeBuilder({ page }).analyze()
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(serious.map((v) => `${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
    }
  }
  const dir = path.join('test-results', 'screenshots', 'favourites-bulk')
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 })
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
      await page.screenshot({ path: path.join(dir, `list-${width}-${colorScheme}-${javaScriptEnabled ? 'js' : 'nojs'}.png`), fullPage: true })
    }
  }
})
