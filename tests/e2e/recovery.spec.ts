// Account recovery with the one-time code: a forgotten master password is replaced, and the
// recovery code is renewed. Runs with JavaScript off and on like every spec.
import { open, newAccount, logOut, fillLogin, RECOVERY_CODE, submitAndWait } from './helpers'
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
  await page.getByRole('button', { name: 'I have saved it' }).click()
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
  await page.getByRole('button', { name: 'I have saved it' }).click()
  await expect(page).toHaveURL(/\/dashboard$/)
  await logOut(page)

  // The old password no longer works; the new one does.
  await open(page, '/login')
  const old = await fillLogin(page, account.email, account.password)
  expect(old.status()).toBe(422)
  await fillLogin(page, account.email, newPassword)
  await expect(page).toHaveURL(/\/dashboard$/)
})
