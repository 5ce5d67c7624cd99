// The help center and the public pages in a browser (issue 22), JavaScript off and on: every
// article renders with its contents and neighbours, the search answers a plain GET and (with
// JavaScript) filters as the visitor types, an unknown article leads back to the index, the
// footer and the user menu lead here, and every page is axe-clean in both themes at both widths.
import { checkBothThemes, open } from './helpers'
import { at, expect, logIn, main, seedUser, test } from './vault-helpers'
import { createHelpCenter } from '../../server/services/helpCenter'

const help = createHelpCenter()
const articles = help.articles()

test('every article renders with its title, contents and neighbours', async ({ page }) => {
  test.slow()
  for (const [i, article] of articles.entries()) {
    await open(page, `/support/${article.slug}`)
    await expect(page).toHaveTitle(`${article.title} · NucleusID help`)
    await expect(main(page).getByRole('heading', { level: 1 })).toHaveText(article.title)
    const toc = main(page).getByRole('navigation', { name: 'On this page' })
    if (article.toc.length >= 3) {
      await expect(toc.getByRole('link')).toHaveCount(article.toc.length)
      // A contents link lands on its heading.
      const last = article.toc.at(-1)!
      await toc.getByRole('link', { name: last.text, exact: true }).click()
      await expect(page).toHaveURL(new RegExp(`#${last.id}$`))
      await expect(page.locator(`[id="${last.id}"]`)).toBeInViewport()
    } else {
      await expect(toc).toHaveCount(0)
    }
    const pager = main(page).getByRole('navigation', { name: 'More articles' })
    if (i > 0) await expect(pager.getByRole('link', { name: `Previous ${articles[i - 1]!.title}` })).toBeVisible()
    if (i < articles.length - 1) await expect(pager.getByRole('link', { name: `Next ${articles[i + 1]!.title}` })).toBeVisible()
  }
  for (const pageOf of help.pages()) {
    await open(page, `/${pageOf.name}`)
    await expect(main(page).getByRole('heading', { level: 1 })).toHaveText(pageOf.title)
  }
})

test('the index lists every article by section, and following one opens it', async ({ page }) => {
  await open(page, '/support')
  for (const section of help.index()) {
    const region = main(page).getByRole('region', { name: section.section })
    await expect(region.getByRole('link')).toHaveText(section.articles.map((a) => a.title))
  }
  await main(page).getByRole('link', { name: 'Sharing a folder' }).click()
  await at(page, /\/support\/sharing-folders$/)
  await page.getByRole('link', { name: 'Help center' }).click()
  await at(page, /\/support$/)
})

test('search finds an article by a word from its body, and nothing for nonsense', async ({ page, javaScriptEnabled }) => {
  await open(page, '/support')
  const field = page.getByRole('searchbox', { name: 'Search help' })
  if (javaScriptEnabled) {
    // Filters as the visitor types: no Enter needed.
    await field.pressSequentially('pg_dump', { delay: 20 })
  } else {
    await field.fill('pg_dump')
    await field.press('Enter')
  }
  await expect(page).toHaveURL(/\/support\?q=pg_dump$/)
  const results = main(page).getByRole('region', { name: /match/ })
  await expect(results.getByRole('heading')).toHaveText(/articles? match(es)? “pg_dump”/)
  await expect(results.getByRole('link', { name: 'Running your own NucleusID server' })).toBeVisible()
  await expect(results.locator('mark').first()).toHaveText('pg_dump')
  await results.getByRole('link', { name: 'Running your own NucleusID server' }).click()
  await at(page, /\/support\/self-hosting/)

  await open(page, '/support?q=zqxjvbnonsense')
  await expect(main(page).getByRole('heading', { name: 'No article matches “zqxjvbnonsense”' })).toBeVisible()
  await expect(page.getByRole('searchbox', { name: 'Search help' })).toHaveValue('zqxjvbnonsense')
  await main(page).getByRole('link', { name: 'Clear the search' }).click()
  await at(page, /\/support$/)
  await expect(main(page).getByRole('region', { name: 'Getting started' })).toBeVisible()
})

test('an unknown article is a 404 with a way back to the index', async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 404/)
  const res = await page.goto('/support/no-such-article')
  expect(res?.status()).toBe(404)
  await expect(main(page).getByRole('heading', { name: 'Not found' })).toBeVisible()
  await main(page).getByRole('link', { name: 'Back to help' }).click()
  await at(page, /\/support$/)
})

test('the footer of every page and the user menu lead to help and the public pages', async ({ page, db }) => {
  await open(page, '/login')
  const footer = page.getByRole('contentinfo')
  await expect(footer.getByRole('link')).toHaveText(['Help', 'About', 'Privacy', 'Terms'])
  await footer.getByRole('link', { name: 'Privacy' }).click()
  await at(page, /\/privacy$/)
  await expect(main(page).getByRole('heading', { level: 1 })).toHaveText(help.page('privacy').title)
  const u = await seedUser(db, 'help-menu')
  await logIn(page, u)
  await expect(page.getByRole('contentinfo').getByRole('link', { name: 'Terms' })).toBeVisible()
  await page.locator('.user-menu summary').click()
  await page.locator('.user-menu').getByRole('link', { name: 'Help' }).click()
  await at(page, /\/support$/)
  // Logged in, the help pages say so: the vault is one click away.
  await expect(page.getByRole('link', { name: 'Open vault' })).toBeVisible()
})

test('the landing page shows the dashboard in the page’s theme', async ({ page }) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await open(page, '/')
    const shot = main(page).getByRole('img', { name: /The NucleusID dashboard/ })
    await expect(shot).toHaveCount(1)
    await expect(shot).toHaveAttribute('src', new RegExp(`dashboard-${colorScheme}`))
    await expect.poll(() => shot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1200)
  }
})


// One test per page: axe in both themes at two widths is slow on a busy machine, and the pages
// together once outran a single test's time.
const helpPaths = ['/', '/support', '/support?q=recovery', '/support/security-model', '/support/self-hosting', '/support/import-keepassxc', '/about', '/privacy', '/terms']
for (const path of helpPaths) {
  test(`help page ${path} is axe-clean in both themes, at 1280 and 390 px`, async ({ page, javaScriptEnabled }) => {
    test.skip(!javaScriptEnabled, 'axe runs as a script in the page')
    test.slow() // four axe runs
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 })
      await open(page, path)
      await checkBothThemes(page, `${path} at ${width}`)
      // Nothing wider than the screen: long code and tables scroll in their own box.
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} at ${width}`).toBeLessThanOrEqual(width)
    }
  })
}
