// Account recovery with the one-time code: a forgotten master password is replaced, and the
// recovery code is renewed. Runs with JavaScript off and on like every spec.
import { readFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { BASE_URL, open, newAccount, logOut, fillLogin, RECOVERY_CODE, submitAndWait, confirmRecoverySaved, csrfFrom, fillRegister, hydrated } from './helpers'
import { expect, test } from './vault-helpers'

test('a forgotten master password is replaced with the recovery code, which is then renewed', async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const account = newAccount('recover')
  await open(page, '/register')
  await page.getByLabel('Name', { exact: true }).fill(account.name)
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Master password', { exact: true }).fill(account.password)
  await page.getByLabel('Repeat master password', { exact: true }).fill(account.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  const code = (await page.getByTestId('recovery-code').textContent())!.trim()
  expect(code).toMatch(RECOVERY_CODE)
  await confirmRecoverySaved(page, 'Open my vault')
  await expect(page).toHaveURL(/\/dashboard$/)
  await logOut(page)

  await open(page, '/login')
  await page.getByRole('link', { name: 'Forgot your master password?' }).click()
  await expect(page).toHaveURL(/\/recover$/)
  const newPassword = 'amber lantern orbit 93 walrus'

  // A wrong code is refused next to the field, the email is kept, nothing changes.
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Recovery code').fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG')
  await page.getByLabel('New master password', { exact: true }).fill(newPassword)
  await page.getByLabel('Repeat new master password').fill(newPassword)
  const refused = await submitAndWait(page, '/recover', () => page.getByRole('button', { name: 'Reset master password' }).click())
  expect(refused.status()).toBe(422)
  await expect(page.getByText('Email or recovery code is incorrect.').first()).toBeVisible()
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(account.email)

  // The right code, typed in lower case without hyphens, works.
  await page.getByLabel('Recovery code').fill(code.toLowerCase().replace(/-/g, ''))
  await page.getByLabel('New master password', { exact: true }).fill(newPassword)
  await page.getByLabel('Repeat new master password').fill(newPassword)
  await page.getByRole('button', { name: 'Reset master password' }).click()
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  const renewed = (await page.getByTestId('recovery-code').textContent())!.trim()
  expect(renewed).toMatch(RECOVERY_CODE)
  expect(renewed).not.toBe(code)
  await confirmRecoverySaved(page, 'Open my vault')
  await expect(page).toHaveURL(/\/dashboard$/)
  await logOut(page)

  // The old password no longer works; the new one does.
  await open(page, '/login')
  const old = await fillLogin(page, account.email, account.password)
  expect(old.status()).toBe(422)
  await fillLogin(page, account.email, newPassword)
  await expect(page).toHaveURL(/\/dashboard$/)
})

/** Each group's line boxes: a group broken across lines has more than one. */
async function groupLines(page: Page) {
  return page.getByTestId('recovery-code').locator('.group').evaluateAll((spans) => spans.map((s) => [s.textContent, s.getClientRects().length]))
}

test('the recovery code on a phone: groups never break; Download and Print; the vault opens only once it is saved', async ({ page, javaScriptEnabled, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  await page.setViewportSize({ width: 390, height: 844 })
  const account = newAccount('phonecode')
  await open(page, '/register')
  await fillRegister(page, account)
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
  const code = (await page.getByTestId('recovery-code').textContent())!.trim()
  expect(code).toMatch(RECOVERY_CODE)
  // No way on to the vault but the confirmation (the header's "Open vault" included).
  await expect(page.getByRole('link', { name: 'Open vault' })).toHaveCount(0)

  // Seven groups, each on one line: the code wraps between groups only.
  const lines = await groupLines(page)
  expect(lines).toHaveLength(7)
  for (const [text, rects] of lines) expect(rects, `group ${text}`).toBe(1)
  await expect(page.getByTestId('recovery-code')).toHaveText(code)

  // Download: the code as a .txt attachment that no cache keeps.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .txt' }).click()])
  expect(download.suggestedFilename()).toMatch(/^nucleusid-recovery-code-\d{4}-\d{2}-\d{2}\.txt$/)
  const text = await readFile((await download.path())!, 'utf8')
  expect(text).toContain(code)
  expect(text).toContain(account.email)
  const res = await page.context().request.post('/dashboard/settings/recovery-code/download', {
    form: { _csrf: csrfFrom(await page.content()) },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  })
  expect(res.status()).toBe(200)
  expect(res.headers()['cache-control']).toBe('no-store')
  expect(res.headers()['content-disposition']).toMatch(/^attachment; filename="nucleusid-recovery-code-/)
  expect(res.headers()['set-cookie'] ?? '').not.toContain(code)

  // Print: a button with JavaScript; the browser's own print otherwise. Printed, only the code shows.
  if (javaScriptEnabled) {
    await hydrated(page)
    await page.evaluate(() => {
      ;(window as unknown as { printed: number }).printed = 0
      window.print = () => void (window as unknown as { printed: number }).printed++
    })
    await page.getByRole('button', { name: 'Print' }).click()
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1)
  } else {
    await expect(page.getByRole('button', { name: 'Print' })).toHaveCount(0)
  }
  await page.emulateMedia({ media: 'print' })
  await expect(page.locator('.public-header')).toBeHidden()
  await expect(page.getByRole('button', { name: 'Open my vault' })).toBeHidden()
  await expect(page.getByTestId('recovery-code')).toBeVisible()
  await page.emulateMedia({ media: 'screen' })

  // Not before the box is ticked: disabled with JavaScript, refused by the server without.
  const open_ = page.getByRole('button', { name: 'Open my vault' })
  if (javaScriptEnabled) {
    await expect(open_).toBeDisabled()
  } else {
    const refused = await submitAndWait(page, '/register/recovery-code', () => open_.click())
    expect(refused.status()).toBe(422)
    await expect(page.getByText('Tick the box once you have saved your recovery code').first()).toBeVisible()
    await expect(page.getByTestId('recovery-code')).toHaveText(code)
  }
  await confirmRecoverySaved(page, 'Open my vault')
  await expect(page).toHaveURL(/\/dashboard$/)
  // Shown once: the download has nothing left to give.
  const after = await page.context().request.post('/dashboard/settings/recovery-code/download', {
    form: { _csrf: csrfFrom(await (await page.context().request.get('/dashboard')).text()) },
    headers: { Origin: BASE_URL },
    maxRedirects: 0,
  })
  expect(after.status()).toBe(303)
  expect(await after.text()).not.toContain(code)
})
