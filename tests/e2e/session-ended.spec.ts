// A session that ended elsewhere (logged out on another device, expired) while a form was being
// filled in: the next POST says "You were logged out", not "This form has expired or was sent from
// another site". With JavaScript a small dialog logs in again in place and the form is sent again
// with what was typed; without it the login page leads back to the form's page.
// Runs with JavaScript off and on.
import * as OTPAuth from 'otpauth'
import type { Page } from '@playwright/test'
import { Redis } from 'ioredis'
import { redisEnv } from '../helpers/redis'
import { PASSWORD, fillLogin, hydrated, sessionId, submitAndWait } from './helpers'
import { at, expect, expectFlash, fields, isJs, logIn, main, seedItems, seedUser, test } from './vault-helpers'

const CSRF_MESSAGE = /This form has expired or was sent from another site/

/** Logged out on another device: the page's session is gone from the store. */
async function endSessionElsewhere(page: Page) {
  const { redisUrl, prefix } = redisEnv()
  const redis = new Redis(redisUrl)
  try {
    expect(await redis.del(`${prefix}sess:${await sessionId(page)}`)).toBe(1)
  } finally {
    redis.disconnect()
  }
}

test('a form sent after the session ended elsewhere: "You were logged out", then saved after logging in again', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 401/)
  const user = await seedUser(db, 'ended')
  const [id] = await seedItems(db, user, user.personalId, [fields({ name: 'Mailbox' })])
  await logIn(page, user)
  await page.goto(`/dashboard/items/${id}/edit`)
  await at(page, /\/edit$/)
  await main(page).getByLabel('Name', { exact: true }).fill('Mailbox at work')
  await main(page).getByLabel('Username or email', { exact: true }).fill('typed-before@example.test')

  await endSessionElsewhere(page)
  await main(page).getByRole('button', { name: 'Save changes', exact: true }).click()

  if (isJs()) {
    // In place: the dialog logs in again, and the same form (with what was typed) is sent again.
    const dialog = page.getByRole('dialog', { name: 'You were logged out' })
    await expect(dialog).toBeVisible()
    await expect(page.getByText(CSRF_MESSAGE)).toHaveCount(0)
    await expect(dialog.getByLabel('Email')).toHaveValue(user.email)
    await expect(dialog.getByLabel('Master password')).toBeFocused()
    await dialog.getByLabel('Master password').fill(user.password)
    await dialog.getByRole('button', { name: 'Log in' }).click()
    await at(page, new RegExp(`/dashboard/items/${id}$`))
    await expectFlash(page, 'Changes saved.')
  } else {
    // Without JavaScript: to the login page, which says why and leads back to the form's page.
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent(`/dashboard/items/${id}/edit`)}`)
    await expect(page.getByTestId('flash')).toContainText('You were logged out')
    await expect(page.getByText(CSRF_MESSAGE)).toHaveCount(0)
    await fillLogin(page, user.email, user.password)
    await at(page, new RegExp(`/dashboard/items/${id}/edit$`))
    await main(page).getByLabel('Name', { exact: true }).fill('Mailbox at work')
    await main(page).getByLabel('Username or email', { exact: true }).fill('typed-before@example.test')
    await main(page).getByRole('button', { name: 'Save changes', exact: true }).click()
    await at(page, new RegExp(`/dashboard/items/${id}$`))
  }
  await expect(main(page).getByRole('heading', { level: 1 })).toHaveText('Mailbox at work')
  await expect(main(page).getByText('typed-before@example.test')).toBeVisible()
})

test('with two-factor on, logging in again asks for the code too, then the form is saved', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 401/)
  const user = await seedUser(db, 'ended2fa')
  const secret = new OTPAuth.Secret({ size: 20 }).base32
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), period: 30, digits: 6, algorithm: 'SHA1' })
  // Each code is accepted once: enabling, the first login and the second use three different steps.
  const now = Date.now()
  await db.services.twoFactor.enable(user.viewer, { secret, code: totp.generate({ timestamp: now - 30_000 }), password: PASSWORD }, now - 30_000)
  await page.goto('/login')
  await hydrated(page)
  await fillLogin(page, user.email, user.password)
  await at(page, /\/login\/2fa$/)
  await page.getByLabel('Authentication code').fill(totp.generate({ timestamp: now }))
  await submitAndWait(page, '/login/2fa', () => page.getByRole('button', { name: 'Verify and log in' }).click())
  await at(page, /\/dashboard$/)

  await page.goto('/dashboard/items/new')
  await at(page, /\/dashboard\/items\/new$/)
  await main(page).getByLabel('Name', { exact: true }).fill('Typed while away')
  await endSessionElsewhere(page)
  await main(page).getByRole('button', { name: 'Save item', exact: true }).click()
  const nextCode = totp.generate({ timestamp: now + 30_000 })
  if (isJs()) {
    const dialog = page.getByRole('dialog', { name: 'You were logged out' })
    await dialog.getByLabel('Master password').fill(user.password)
    await expect(dialog.getByLabel('Authentication code')).toHaveCount(0)
    await dialog.getByRole('button', { name: 'Log in' }).click()
    await expect(dialog.getByLabel('Authentication code')).toBeFocused()
    await dialog.getByLabel('Authentication code').fill(nextCode)
    await dialog.getByRole('button', { name: 'Log in' }).click()
    await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
    await expectFlash(page, 'Item added to your vault.')
    await expect(main(page).getByRole('heading', { level: 1 })).toHaveText('Typed while away')
  } else {
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent('/dashboard/items/new')}`)
    await fillLogin(page, user.email, user.password)
    await at(page, /\/login\/2fa$/)
    await page.getByLabel('Authentication code').fill(nextCode)
    await page.getByRole('button', { name: 'Verify and log in' }).click()
    await at(page, /\/dashboard\/items\/new$/)
  }
})
