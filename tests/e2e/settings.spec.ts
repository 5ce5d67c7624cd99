// Settings (issue 9 minus two-factor): master password, devices, recovery code, deletion, email
// change with re-verification and appearance, each with JavaScript off and on.
import { QueryTypes } from 'sequelize'
import type { Browser, Page } from '@playwright/test'
import { BASE_URL, confirmRecoverySaved, fillLogin, hydrated, latestVerificationLink, mailTo, open, submitAndWait, uniqueEmail } from './helpers'
import { addMember, at, expectFlash, fields, itemList, logIn, main, seedItems, seedUser, sidebar, test, expect, type Db, type Seeded } from './vault-helpers'

const NEW_PASSWORD = 'copper lantern orbit 91 meadow'
const SETTINGS = '/dashboard/settings'
const SECURITY = `${SETTINGS}/security`
const DEVICES = `${SETTINGS}/devices`
const DATA = `${SETTINGS}/data`
const APPEARANCE = `${SETTINGS}/appearance`
const form = (page: Page, name: string) => page.getByRole('form', { name })

/** A second browser (its own cookies) logged in as the same user. */
async function secondDevice(browser: Browser, u: { email: string; password: string }, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled })
  const page = await context.newPage()
  await logIn(page, u)
  return { context, page }
}

async function expectLoggedOut(page: Page) {
  await page.goto('/dashboard')
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/)
}

async function logOutHere(page: Page) {
  const menu = page.locator('details.user-menu')
  await menu.locator('summary').click()
  await menu.getByRole('button', { name: 'Log out' }).click()
  await expect(page).toHaveURL(/\/login$/)
}

async function rowsOf(db: Db, userId: string) {
  const count = async (sql: string) =>
    (await db.sequelize.query<{ n: number }>(sql, { replacements: { userId }, type: QueryTypes.SELECT }))[0]!.n
  return {
    users: await count('SELECT COUNT(*)::int AS n FROM users WHERE id = :userId'),
    devices: await count('SELECT COUNT(*)::int AS n FROM devices WHERE user_id = :userId'),
    folders: await count('SELECT COUNT(*)::int AS n FROM folders WHERE owner_id = :userId'),
    memberships: await count('SELECT COUNT(*)::int AS n FROM folder_memberships WHERE user_id = :userId'),
  }
}

test('change the master password: other devices logged out, items readable with the new one, the old one refused', async ({ page, browser, db, javaScriptEnabled, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const u = await seedUser(db, 'pwchange')
  await seedItems(db, u, u.personalId, [fields({ name: 'Bank of Example' }), fields({ name: 'Mail account' })])
  const other = await secondDevice(browser, u, javaScriptEnabled)
  await logIn(page, u)
  await open(page, SECURITY)

  // A wrong current password: the message is next to that field, nothing changes.
  const f = form(page, 'Change master password')
  await f.getByLabel('Current master password').fill('not my password at all')
  await f.getByLabel('New master password', { exact: true }).fill(NEW_PASSWORD)
  await f.getByLabel('Repeat new master password').fill(NEW_PASSWORD)
  const refused = await submitAndWait(page, `${SETTINGS}/password`, () => f.getByRole('button', { name: 'Change master password' }).click())
  expect(refused.status()).toBe(422)
  await expect(f.getByText('This is not your master password.').last()).toBeVisible()

  await f.getByLabel('Current master password').fill(u.password)
  await f.getByLabel('New master password', { exact: true }).fill(NEW_PASSWORD)
  await f.getByLabel('Repeat new master password').fill(NEW_PASSWORD)
  await submitAndWait(page, `${SETTINGS}/password`, () => f.getByRole('button', { name: 'Change master password' }).click())
  await at(page, /\/dashboard\/settings\/security$/)
  await expectFlash(page, 'Your master password was changed')

  await expectLoggedOut(other.page)
  await other.context.close()

  await logOutHere(page)
  await open(page, '/login')
  const old = await fillLogin(page, u.email, u.password)
  expect(old.status()).toBe(422)
  await expect(page.getByText('Email or password is incorrect.').first()).toBeVisible()
  await logIn(page, { email: u.email, password: NEW_PASSWORD })
  await expect(itemList(page).getByText('Bank of Example')).toBeVisible()
  await expect(itemList(page).getByText('Mail account')).toBeVisible()
})

test('log out all other devices, then revoke one device from the list', async ({ page, browser, db, javaScriptEnabled }) => {
  const u = await seedUser(db, 'devices')
  const a = await secondDevice(browser, u, javaScriptEnabled)
  await logIn(page, u)
  await open(page, DEVICES)
  await expect(main(page).getByTestId('this-device')).toContainText('This device')
  await expect(main(page).getByTestId('device')).toHaveCount(1)

  await form(page, 'Log out other devices').getByRole('button', { name: 'Log out all other devices' }).click()
  await at(page, /\/dashboard\/settings\/devices$/)
  await expectFlash(page, 'Logged out 1 other device.')
  await expectLoggedOut(a.page)
  await expect(main(page).getByTestId('device')).toHaveCount(0)
  await a.context.close()

  // One device revoked from its row: its next request lands on /login.
  const b = await secondDevice(browser, u, javaScriptEnabled)
  await open(page, DEVICES)
  const row = main(page).getByTestId('device')
  await expect(row).toHaveCount(1)
  await row.getByRole('button', { name: /^Log out/ }).click()
  await at(page, /\/dashboard\/settings\/devices$/)
  await expectFlash(page, 'was logged out.')
  await expectLoggedOut(b.page)
  await expect(main(page).getByTestId('device')).toHaveCount(0)
  await b.context.close()
  // This session is untouched.
  await open(page, '/dashboard')
  await expect(page).toHaveURL(/\/dashboard$/)
})

test('a new recovery code is shown once; the old one is refused at /recover', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const email = uniqueEmail('newcode')
  const { recoveryCode: oldCode } = await db.services.users.register({ name: 'Rae Code', email, password: NEW_PASSWORD })
  await logIn(page, { email, password: NEW_PASSWORD })
  await open(page, SECURITY)
  const f = form(page, 'New recovery code')
  await f.getByLabel('Master password').fill(NEW_PASSWORD)
  await f.getByRole('button', { name: 'Issue a new recovery code' }).click()
  await at(page, /\/dashboard\/settings\/recovery-code$/)
  const code = (await page.getByTestId('recovery-code').textContent())!.trim()
  expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/)
  expect(code).not.toBe(oldCode)
  await confirmRecoverySaved(page, 'Done')
  await at(page, /\/dashboard\/settings\/security$/)
  await expectFlash(page, 'Your new recovery code is in force')
  // Shown once.
  await page.goto(`${SETTINGS}/recovery-code`)
  await expect(page).toHaveURL(/\/dashboard\/settings\/security$/)

  await logOutHere(page)
  const recover = async (rc: string) => {
    await open(page, '/recover')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Recovery code').fill(rc)
    await page.getByLabel('New master password', { exact: true }).fill(NEW_PASSWORD + ' x')
    await page.getByLabel('Repeat new master password').fill(NEW_PASSWORD + ' x')
    return submitAndWait(page, '/recover', () => page.getByRole('button', { name: 'Reset master password' }).click())
  }
  expect((await recover(oldCode)).status()).toBe(422)
  await expect(page.getByText('Email or recovery code is incorrect.').first()).toBeVisible()
  await recover(code)
  await expect(page).toHaveURL(/\/register\/recovery-code$/)
})

test('delete the account: the confirmation names the shared folder, then every row is gone and the member lost it', async ({ page, browser, db, javaScriptEnabled, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const owner = await seedUser(db, 'deleter', 'Del Owner')
  const member = await seedUser(db, 'deletemember', 'Mem Ber')
  const theirs = await seedUser(db, 'otherowner', 'Oth Owner')
  const { id: family } = await db.services.vault.createFolder(owner.viewer, 'Family vault')
  await seedItems(db, owner, family, [fields({ name: 'Shared streaming' })])
  await addMember(db, owner, member, family, 'edit')
  // The owner is also a member of someone else's folder: they leave it, it stays with its owner.
  const { id: club } = await db.services.vault.createFolder(theirs.viewer, 'Book club')
  await addMember(db, theirs, owner, club, 'view')

  await logIn(page, owner)
  await open(page, DATA)
  const warning = main(page).getByTestId('delete-warning')
  await expect(warning).toContainText('Family vault')
  await expect(warning).toContainText('1 person will lose it')

  const f = form(page, 'Delete account')
  await f.getByLabel('Master password').fill('wrong password here')
  const refused = await submitAndWait(page, `${SETTINGS}/delete-account`, () => f.getByRole('button', { name: 'Delete my account' }).click())
  expect(refused.status()).toBe(422)
  await expect(f.getByText('This is not your master password.').last()).toBeVisible()
  expect((await rowsOf(db, owner.id)).users).toBe(1)

  await f.getByLabel('Master password').fill(owner.password)
  await f.getByRole('button', { name: 'Delete my account' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByTestId('flash')).toContainText('Your account and everything in it were deleted.')

  expect(await rowsOf(db, owner.id)).toEqual({ users: 0, devices: 0, folders: 0, memberships: 0 })
  const folderRows = await db.sequelize.query('SELECT id FROM folders WHERE id IN (:ids)', { replacements: { ids: [family, club] }, type: QueryTypes.SELECT })
  expect(folderRows).toEqual([{ id: club }])

  await open(page, '/login')
  expect((await fillLogin(page, owner.email, owner.password)).status()).toBe(422)

  const m = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled })
  const mp = await m.newPage()
  await logIn(mp, member)
  await expect(sidebar(mp).getByText('Family vault')).toHaveCount(0)
  await m.close()
})

test('change the email: the old one stays until the link sent to the new one is opened; a taken one is refused', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const u: Seeded = await seedUser(db, 'emailchange', 'Em Changer')
  const taken = await seedUser(db, 'emailtaken')
  await logIn(page, u)
  await open(page, SETTINGS)
  const f = form(page, 'Profile')

  // A new email needs the master password: without it, or with a wrong one, nothing changes.
  const newEmail = uniqueEmail('renamed')
  await f.getByLabel('Email').fill(newEmail)
  const noPassword = await submitAndWait(page, `${SETTINGS}/profile`, () => f.getByRole('button', { name: 'Save profile' }).click())
  expect(noPassword.status()).toBe(422)
  await expect(f.getByText('Enter your master password to change your email address.')).toBeVisible()
  await f.getByLabel('Email').fill(newEmail)
  await f.getByLabel('Master password').fill('not my password at all')
  const wrongPassword = await submitAndWait(page, `${SETTINGS}/profile`, () => f.getByRole('button', { name: 'Save profile' }).click())
  expect(wrongPassword.status()).toBe(422)
  await expect(f.getByText('This is not your master password.')).toBeVisible()
  expect(await mailTo(newEmail)).toHaveLength(0)

  await f.getByLabel('Email').fill(taken.email)
  await f.getByLabel('Master password').fill(u.password)
  const refused = await submitAndWait(page, `${SETTINGS}/profile`, () => f.getByRole('button', { name: 'Save profile' }).click())
  expect(refused.status()).toBe(422)
  await expect(f.getByText('This email address belongs to another account.')).toBeVisible()

  await open(page, SETTINGS)
  await f.getByLabel('Name').fill('Em Renamed')
  await f.getByLabel('Email').fill(newEmail)
  await f.getByLabel('Master password').fill(u.password)
  await f.getByRole('button', { name: 'Save profile' }).click()
  await at(page, /\/dashboard\/settings$/)
  await expectFlash(page, `We sent a verification link to ${newEmail}`)
  await expect(main(page).getByTestId('pending-email')).toContainText(newEmail)
  await expect(f.getByLabel('Email')).toHaveValue(u.email)
  await expect(page.locator('.user-name')).toHaveText('Em Renamed')
  expect((await db.models.User.findByPk(u.id))!.email).toBe(u.email)

  const link = await latestVerificationLink(newEmail)
  // Its own text, not the sign-up one; the old address is told of the request.
  const [confirmation] = await mailTo(newEmail)
  expect(confirmation!.subject).toBe('Confirm your new NucleusID email address')
  expect(confirmation!.body).toContain(`change the email of your NucleusID account from ${u.email} to this address`)
  await open(page, link)
  await expect(page).toHaveURL(/\/dashboard$/)
  await expect(page.getByTestId('flash')).toContainText('Your email address is verified.')
  await open(page, SETTINGS)
  await expect(f.getByLabel('Email')).toHaveValue(newEmail)
  await expect(main(page).getByTestId('pending-email')).toHaveCount(0)
  // Once done, the old address gets a last notice saying where the account went.
  await expect.poll(async () => (await mailTo(u.email)).map((m) => m.subject)).toContain('Your NucleusID email address was changed')
  const notice = (await mailTo(u.email)).find((m) => m.subject === 'Your NucleusID email address was changed')!
  expect(notice.body).toContain(`was changed to ${newEmail}`)
  expect(notice.body).toContain("If this wasn't you")

  await logOutHere(page)
  await open(page, '/login')
  expect((await fillLogin(page, u.email, u.password)).status()).toBe(422)
  await logIn(page, { email: newEmail, password: u.password })
})

/** Picks a theme: with JavaScript the choice alone applies and saves it; without, the Save button posts it. */
async function chooseTheme(page: Page, label: RegExp, javaScriptEnabled: boolean) {
  const f = form(page, 'Appearance')
  if (javaScriptEnabled) await hydrated(page)
  await f.getByLabel(label).check()
  if (!javaScriptEnabled) await f.getByRole('button', { name: 'Save appearance' }).click()
}

test('the appearance is remembered and rendered by the server (no JavaScript needed); with JavaScript it applies at once', async ({ page, db, javaScriptEnabled }) => {
  const u = await seedUser(db, 'theme')
  await logIn(page, u)
  await open(page, APPEARANCE)
  const f = form(page, 'Appearance')
  await chooseTheme(page, /^Dark/, javaScriptEnabled)
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await at(page, /\/dashboard\/settings\/appearance$/)
  await expectFlash(page, 'The appearance is dark now.')
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  // The raw HTML, as a browser without JavaScript receives it.
  const html = await (await page.context().request.get('/dashboard')).text()
  expect(html).toMatch(/<html[^>]*data-theme="dark"/)

  await expect(f.getByLabel(/^Dark/)).toBeChecked()
  await chooseTheme(page, /^System/, javaScriptEnabled)
  await expectFlash(page, 'The appearance follows your system now.')
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/)
  const again = await (await page.context().request.get('/dashboard')).text()
  expect(again).not.toMatch(/<html[^>]*data-theme=/)
})

test('settings are pages of their own: a refused form comes back on its page with the error in sight, a success redirects there', async ({ page, db, javaScriptEnabled, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const u = await seedUser(db, 'pages')
  await logIn(page, u)
  await open(page, SETTINGS)
  const nav = page.getByRole('navigation', { name: 'Settings' })
  await expect(nav.getByRole('link', { name: 'Account' })).toHaveAttribute('aria-current', 'page')
  await nav.getByRole('link', { name: 'Security' }).click()
  await at(page, /\/dashboard\/settings\/security$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible()
  await expect(nav.getByRole('link', { name: 'Security' })).toHaveAttribute('aria-current', 'page')
  // Only this section's forms: no profile, no export, no delete.
  await expect(form(page, 'Profile')).toHaveCount(0)
  await expect(form(page, 'Delete account')).toHaveCount(0)

  const f = form(page, 'New recovery code')
  await f.getByLabel('Master password').fill('not my password at all')
  const refused = await submitAndWait(page, `${SETTINGS}/recovery-code`, () => f.getByRole('button', { name: 'Issue a new recovery code' }).click())
  expect(refused.status()).toBe(422)
  const field = f.getByLabel('Master password')
  await expect(field).toHaveAttribute('aria-invalid', 'true')
  await expect(f.getByText('This is not your master password.').last()).toBeVisible()
  await expect(page.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible()
  if (javaScriptEnabled) {
    // In place, on the page's own URL, the field focused.
    await expect(page).toHaveURL(/\/dashboard\/settings\/security$/)
    await expect(field).toBeFocused()
  } else {
    // The Security page alone, its error summary on top, in sight, linking to the field.
    const summary = page.getByTestId('error-summary')
    await expect(summary).toBeInViewport()
    const link = summary.getByRole('link', { name: 'This is not your master password.' })
    await expect(link).toHaveAttribute('href', `#${await field.getAttribute('id')}`)
    await link.click()
    await expect(field).toBeFocused()
    await expect(field).toBeInViewport()
  }

  // A success redirects to the section's page (303), so reloading it re-posts nothing.
  await open(page, APPEARANCE)
  await chooseTheme(page, /^Light/, javaScriptEnabled)
  await at(page, /\/dashboard\/settings\/appearance$/)
  await expectFlash(page, 'The appearance is light now.')
  await page.reload()
  await expect(page).toHaveURL(/\/dashboard\/settings\/appearance$/)
  await expect(page.getByTestId('flash')).toHaveCount(0)
})

test('devices: a session that logged out is not offered a Log out; it is listed apart as ended', async ({ page, browser, db, javaScriptEnabled }) => {
  const u = await seedUser(db, 'ended')
  const gone = await secondDevice(browser, u, javaScriptEnabled)
  await logOutHere(gone.page)
  await gone.context.close()
  await logIn(page, u)
  await open(page, DEVICES)
  await expect(main(page).getByTestId('this-device')).toHaveCount(1)
  await expect(main(page).getByTestId('device')).toHaveCount(0)
  await expect(form(page, 'Log out other devices')).toHaveCount(0)
  const ended = page.getByRole('region', { name: 'Ended sessions' })
  await expect(ended.getByTestId('ended-device')).toHaveCount(1)
  await expect(ended.getByTestId('ended-device')).toContainText('Ended')
  await expect(ended.getByRole('button')).toHaveCount(0)
})
