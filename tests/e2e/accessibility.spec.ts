// Accessibility: every page light and dark (axe: no serious or critical violation; the list,
// health, sharing and item-form specs also check their pages in more states), the danger button's
// contrast in every state, page titles and descriptions, and a login error that is marked and
// described once. Runs with JavaScript off and on like every spec.
import AxeBuilder from '@axe-core/playwright'
import path from 'node:path'
import { checkBothThemes, fillLogin, fillRegister, newAccount, open } from './helpers'
import { addMember, at, expect, fields, logIn, main, seedItems, seedUser, test } from './vault-helpers'

function skipWithoutJs(javaScriptEnabled: boolean) {
  // axe runs as a script inside the page; the markup is the same with JavaScript off.
  test.skip(!javaScriptEnabled, 'axe needs JavaScript in the page')
  test.slow()
}


test('public pages: landing, login, registration, recovery code, recovery, verification, not found', async ({ page, consoleGuard, javaScriptEnabled }) => {
  skipWithoutJs(javaScriptEnabled)
  consoleGuard.allow(/status of (400|404)/) // the bad verification link and the unknown page
  for (const url of ['/', '/login', '/register', '/recover', '/verify?token=not-a-token', '/no-such-page']) {
    await open(page, url)
    await checkBothThemes(page, url)
  }
  await open(page, '/register')
  await fillRegister(page, newAccount('a11y'))
  await at(page, /\/register\/recovery-code$/)
  await checkBothThemes(page, 'recovery code')
})

test('vault pages: list, folder, item, edit, delete, new, health, import and its result, shares, settings', async ({ page, db, consoleGuard, javaScriptEnabled }) => {
  skipWithoutJs(javaScriptEnabled)
  consoleGuard.allow(/status of 404/)
  const u = await seedUser(db, 'a11y-vault')
  const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
  const [item] = await seedItems(db, u, work, [fields({ name: 'GitHub', username: 'octocat', password: 'Lantern-Quartz-9', url: 'github.com', note: 'a note' })])
  const owner = await seedUser(db, 'a11y-owner', 'Olive Owner')
  const { id: family } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await addMember(db, owner, u, family, 'view')
  await logIn(page, u)
  const pages = [
    '/dashboard',
    `/dashboard/folders/${work}`,
    `/dashboard/folders/${work}/delete`,
    `/dashboard/folders/${family}`,
    `/dashboard/items/${item}`,
    `/dashboard/items/${item}/edit`,
    `/dashboard/items/${item}/delete`,
    '/dashboard/items/new',
    '/dashboard/health',
    '/dashboard/shares',
    `/dashboard/shares/${family}/leave`,
    '/dashboard/settings',
    '/dashboard/settings/appearance',
    '/dashboard/settings/security',
    '/dashboard/settings/devices',
    '/dashboard/settings/data',
    '/dashboard/import',
    '/dashboard/items/00000000-0000-4000-8000-000000000000',
  ]
  for (const url of pages) {
    await open(page, url)
    await checkBothThemes(page, url)
  }
  await open(page, '/dashboard/import')
  await page.getByLabel('CSV file').setInputFiles(path.resolve('tests/fixtures/import/firefox.csv'))
  await page.getByRole('button', { name: 'Import' }).click()
  await at(page, /\/dashboard\/import\/result$/)
  await checkBothThemes(page, 'import result')
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

test('the recovery-code page has its own title and every page a meta description', async ({ page }) => {
  await open(page, '/login')
  await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /password manager/)
  await open(page, '/register')
  await fillRegister(page, newAccount('title'))
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  await expect(page).toHaveTitle('Save your recovery code · NucleusID')
})

test('a wrong login shows its message once, and the field is still marked and described', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const user = await seedUser(db, 'wrong-once')
  await open(page, '/login')
  const res = await fillLogin(page, user.email, 'not the password at all')
  expect(res.status()).toBe(422)
  const form = page.getByRole('form', { name: 'Log in' })
  await expect(form.getByRole('alert')).toHaveText('Email or password is incorrect.')
  await expect(form.getByText('Email or password is incorrect.')).toHaveCount(1)
  const password = page.getByLabel('Master password', { exact: true })
  await expect(password).toHaveAttribute('aria-invalid', 'true')
  await expect(password).toHaveAccessibleDescription('Email or password is incorrect.')
})
