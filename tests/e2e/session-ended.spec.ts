// A session that ended elsewhere (logged out on another device, expired) while a form was being
// filled in: the next POST says "You were logged out", not "This form has expired or was sent from
// another site". With JavaScript a small dialog logs in again in place and the form is sent again
// with what was typed; without it the login page leads back to the form's page.
// Runs with JavaScript off and on.
import { Redis } from 'ioredis'
import { redisEnv } from '../helpers/redis'
import { fillLogin, sessionId } from './helpers'
import { at, expect, expectFlash, fields, isJs, logIn, main, seedItems, seedUser, test } from './vault-helpers'

const CSRF_MESSAGE = /This form has expired or was sent from another site/

test('a form sent after the session ended elsewhere: "You were logged out", then saved after logging in again', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 401/)
  const user = await seedUser(db, 'ended')
  const [id] = await seedItems(db, user, user.personalId, [fields({ name: 'Mailbox' })])
  await logIn(page, user)
  await page.goto(`/dashboard/items/${id}/edit`)
  await at(page, /\/edit$/)
  await main(page).getByLabel('Name', { exact: true }).fill('Mailbox at work')
  await main(page).getByLabel('Username or email', { exact: true }).fill('typed-before@example.test')

  // Logged out on another device: the session is gone from the store.
  const { redisUrl, prefix } = redisEnv()
  const redis = new Redis(redisUrl)
  try {
    expect(await redis.del(`${prefix}sess:${await sessionId(page)}`)).toBe(1)
  } finally {
    redis.disconnect()
  }
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
