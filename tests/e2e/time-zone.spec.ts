// Dates in the viewer's time zone, on the server-rendered page too: detected by the browser at login
// (JavaScript), or chosen on the Appearance settings page (POST /dashboard/settings/time-zone).
// The browser here is in New York; the item was changed at 02:30 UTC on 6 Dec 2026, which is
// 21:30 on the 5th there. Runs with JavaScript off and on.
import { QueryTypes } from 'sequelize'
import { expect, fields, isJs, itemList, logIn, main, seedItems, seedUser, test } from './vault-helpers'
import { open } from './helpers'

test.use({ timezoneId: 'America/New_York' })

test("an item's time and the list's day are in the viewer's zone", async ({ page, db }) => {
  const user = await seedUser(db, 'zone')
  const [id] = await seedItems(db, user, user.personalId, [fields({ name: 'Night change' })])
  await db.sequelize.query("UPDATE items SET updated_at = '2026-12-06T02:30:00Z' WHERE id = :id", { replacements: { id }, type: QueryTypes.UPDATE })
  await logIn(page, user)

  if (!isJs()) {
    // Nothing could detect the zone: UTC, named, until the user chooses one.
    await open(page, `/dashboard/items/${id}`)
    await expect(main(page).getByText('updated 6 Dec 2026, 02:30 UTC')).toBeVisible()
    // The user chooses it on the Appearance settings page.
    await open(page, '/dashboard/settings/appearance')
    await main(page).getByRole('combobox', { name: 'Time zone' }).selectOption('America/New_York')
    await main(page).getByRole('button', { name: 'Save time zone' }).click()
    await expect(page).toHaveURL(/\/dashboard\/settings\/appearance$/)
    await expect(page.getByText('Dates are now shown in America/New_York time.')).toBeVisible()
  }
  const [row] = await db.sequelize.query<{ timeZone: string }>('SELECT time_zone AS "timeZone" FROM users WHERE id = :id', { replacements: { id: user.id }, type: QueryTypes.SELECT })
  expect(row!.timeZone).toBe('America/New_York')

  await open(page, `/dashboard/items/${id}`)
  await expect(main(page).getByText('updated 5 Dec 2026, 21:30 America/New_York')).toBeVisible()
  // The raw HTML says the same (server-rendered, not fixed up by the browser).
  const html = await (await page.request.get(`/dashboard/items/${id}`)).text()
  expect(html).toContain('5 Dec 2026, 21:30 America/New_York')
  await open(page, '/dashboard')
  await expect(itemList(page).getByRole('listitem').filter({ hasText: 'Night change' })).toContainText('5 Dec 2026')
})
