// Issue 10, the interface as a new user meets it: the folder page's panels on a phone, a folder
// page's own counts, and the danger button's contrast in both themes. JavaScript off and on.
import AxeBuilder from '@axe-core/playwright'
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

/** WCAG contrast ratio of two CSS colours (rgb()/rgba() as computed), alpha composited over `under`. */
function contrast(fg: string, bg: string): number {
  const parse = (c: string) => c.match(/[\d.]+/g)!.map(Number)
  const lum = ([r, g, b]: number[]) => {
    const ch = (v: number) => {
      const s = v / 255
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
    }
    return 0.2126 * ch(r!) + 0.7152 * ch(g!) + 0.0722 * ch(b!)
  }
  const [l1, l2] = [lum(parse(fg)), lum(parse(bg))]
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the danger button reads at AA in the ${colorScheme} theme, at rest, hovered, focused and disabled`, async ({ page, db, javaScriptEnabled }) => {
    await page.emulateMedia({ colorScheme })
    const user = await seedUser(db, `danger${colorScheme}`)
    const { id: folderId } = await db.services.vault.createFolder(user.viewer, 'Old')
    await logIn(page, user, `/dashboard/folders/${folderId}/delete`)
    const button = main(page).getByRole('button', { name: 'Delete folder' })
    await expect(button).toHaveClass(/btn-danger/)

    // The button's effective colours: opacity (disabled, pending) fades the whole button over the
    // panel, so blend both colours with what is behind it.
    const measure = () =>
      button.evaluate((el) => {
        const s = getComputedStyle(el)
        const parse = (c: string) => c.match(/[\d.]+/g)!.map(Number)
        let under = 'rgb(255, 255, 255)'
        for (let p = el.parentElement; p; p = p.parentElement) {
          const b = getComputedStyle(p).backgroundColor
          if (parse(b)[3] !== 0) {
            under = b
            break
          }
        }
        const o = Number(s.opacity)
        const blend = (c: string) => {
          const [r, g, b] = parse(c)
          const [ur, ug, ub] = parse(under)
          return `rgb(${r! * o + ur! * (1 - o)}, ${g! * o + ug! * (1 - o)}, ${b! * o + ub! * (1 - o)})`
        }
        return { fg: blend(s.color), bg: blend(s.backgroundColor) }
      })
    const states: Record<string, number> = {}
    let c = await measure()
    states.rest = contrast(c.fg, c.bg)
    await button.hover()
    await page.waitForTimeout(200) // the 120 ms colour transition
    c = await measure()
    states.hover = contrast(c.fg, c.bg)
    await page.mouse.move(0, 0)
    await button.focus()
    await page.waitForTimeout(200)
    c = await measure()
    states.focus = contrast(c.fg, c.bg)
    await button.evaluate((el) => ((el as HTMLButtonElement).disabled = true))
    await page.waitForTimeout(200)
    c = await measure()
    states.disabled = contrast(c.fg, c.bg)
    for (const [state, ratio] of Object.entries(states)) expect(ratio, `${colorScheme} ${state}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5)

    // axe agrees (it runs inside the page, so only with JavaScript).
    if (javaScriptEnabled) {
      await button.evaluate((el) => ((el as HTMLButtonElement).disabled = false))
      const results = await new AxeBuilder({ page }).withRules(['color-contrast']).analyze()
      expect(results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`))).toEqual([])
    }
  })
}
