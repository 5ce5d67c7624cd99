// `next` after login (SPEC §3: a redirect target taken from the request is a path on the app's own
// origin or nothing). Crafted values end on the dashboard of this site, whether the form posts
// (no-js) or is sent by fetch and followed by a client-side navigation (js); a real path is kept.
import type { Page } from '@playwright/test'
import { BASE_URL, csrfFrom, expect, fillLogin, newAccount, open, registerViaHttp, test } from './helpers'

const CRAFTED = [
  '//evil.example/',
  '/\\evil.example',
  'https://evil.example/',
  '/%2f%2fevil.example',
  '/%5cevil.example',
  // The URL parser drops tab and newline: both would become //evil.example.
  '/\t/evil.example',
  '/\n/evil.example',
  'javascript:alert(1)',
]
const GOOD = '/dashboard?q=abc'

/** Every URL the page requests or navigates to outside BASE_URL. */
function offSite(page: Page): string[] {
  const seen: string[] = []
  const check = (url: string) => {
    if (/^https?:/.test(url) && new URL(url).origin !== BASE_URL) seen.push(url)
  }
  page.on('request', (r) => check(r.url()))
  page.on('framenavigated', (f) => check(f.url()))
  return seen
}

for (const next of CRAFTED) {
  test(`login with next=${JSON.stringify(next)} ends on this site's dashboard`, async ({ page }) => {
    const account = newAccount('next')
    await registerViaHttp(account)
    const visited = offSite(page)

    await open(page, `/login?next=${encodeURIComponent(next)}`)
    // The form carries the refused target as /dashboard, never the crafted value.
    await expect(page.getByRole('form', { name: 'Log in' })).toHaveAttribute('action', '/login?next=%2Fdashboard')
    await expect(page.locator('input[type="hidden"][name="next"]')).toHaveValue('/dashboard')
    const res = await fillLogin(page, account.email, account.password)
    expect(res.status()).toBeLessThan(400)

    await expect(page).toHaveURL(`${BASE_URL}/dashboard`)
    await expect(page.getByTestId('flash')).toContainText(`Welcome back, ${account.name}.`)
    expect(visited).toEqual([])
  })
}

test('login with a path of this site as next lands exactly there', async ({ page }) => {
  const account = newAccount('next-good')
  await registerViaHttp(account)
  await open(page, `/login?next=${encodeURIComponent(GOOD)}`)
  await fillLogin(page, account.email, account.password)
  await expect(page).toHaveURL(`${BASE_URL}${GOOD}`)
})

test('the enhanced form does not follow a redirect to another origin, whatever the server says', async ({ page }) => {
  test.skip(!test.info().project.use.javaScriptEnabled, 'the redirect of an enhanced (fetch) submit')
  const account = newAccount('next-client')
  await registerViaHttp(account)
  const visited = offSite(page)
  // The real login response, its redirect swapped for other origins' (as a tampering proxy or a
  // server bug would): AppForm must apply the same rule before navigating.
  for (const redirect of ['//evil.example/', '/\t/evil.example', 'https://evil.example/']) {
    await page.context().clearCookies()
    await page.route(
      (url) => url.pathname === '/login',
      async (route) => {
        if (route.request().method() !== 'POST') return route.continue()
        const response = await route.fetch()
        await route.fulfill({ response, json: { ...(await response.json()), redirect } })
      },
    )
    await open(page, '/login')
    await fillLogin(page, account.email, account.password)
    await expect(page).toHaveURL(`${BASE_URL}/dashboard`)
    await page.unroute((url) => url.pathname === '/login')
  }
  expect(visited).toEqual([])
})

test('POST /login answers a crafted next with /dashboard: 303 Location without JavaScript, JSON with it', async ({ playwright }) => {
  const account = newAccount('next-http')
  await registerViaHttp(account)
  const cases = [...CRAFTED.map((next) => ({ next, expected: '/dashboard' })), { next: GOOD, expected: GOOD }]
  for (const { next, expected } of cases) {
    for (const accept of ['text/html', 'application/json']) {
      // A fresh visitor each time: logged out, with the CSRF token of its own login page.
      const http = await playwright.request.newContext({ baseURL: BASE_URL })
      try {
        const _csrf = csrfFrom(await (await http.get('/login')).text())
        const res = await http.post('/login', {
          form: { _csrf, email: account.email, password: account.password, next },
          headers: { Origin: BASE_URL, Accept: accept },
          maxRedirects: 0,
        })
        const what = `${accept} next=${JSON.stringify(next)}`
        if (accept === 'application/json') {
          expect(res.status(), what).toBe(200)
          expect(await res.json(), what).toEqual({ ok: true, redirect: expected })
        } else {
          expect(res.status(), what).toBe(303)
          expect(res.headers()['location'], what).toBe(expected)
        }
      } finally {
        await http.dispose()
      }
    }
  }
})
