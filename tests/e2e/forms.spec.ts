// Forms: the strength meter (as you type with JavaScript, after
// submitting without), the generator's options without JavaScript and its passphrases, the item
// page's weak and reused warnings, the Website check, and feedback while a form is on its way.
// Runs with JavaScript off and on.
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { passwordScore } from '../../shared/passwordStrength'
import { STRENGTH_WORDS, itemPasswordInputs, masterPasswordInputs } from '../../shared/strengthInputs'
import { PASSPHRASE_WORDS } from '../../shared/passphraseWords'
import { CHARACTER_SETS } from '../../shared/generatePassword'
import { clickPending, holdPosts, newAccount, open, submitAndWait } from './helpers'
import { addMember, at, expect, fields, isJs, itemIdsIn, logIn, main, ownerWithFolder, rawItem, seedItems, seedUser, test, type Db } from './vault-helpers'

/** What the meter says for a password, computed with the server's own scorer. */
function strengthText(password: string, userInputs: string[]) {
  const score = passwordScore(password, userInputs)
  return `Strength: ${STRENGTH_WORDS[score]} (${score} of 4)`
}

/** A new user, logged in, on the new item form of their Personal folder. */
async function onNewItemForm(page: Page, db: Db, tag: string) {
  const user = await seedUser(db, tag)
  await logIn(page, user)
  await open(page, `/dashboard/items/new?folder=${user.personalId}`)
}

/** Types a password, or (without JavaScript) submits the form and expects it back as a 422. */
async function typeOrSubmit(page: Page, field: string, password: string, submit: { path: string; button: string }) {
  await page.getByLabel(field, { exact: true }).fill(password)
  if (isJs()) return
  const res = await submitAndWait(page, submit.path, () => page.getByRole('button', { name: submit.button, exact: true }).click())
  expect(res.status()).toBe(422)
}

test('registration: the master password strength, as the server scores it', async ({ page, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const a = newAccount('meter')
  await open(page, '/register')
  const meter = page.getByTestId('password-strength')
  await expect(meter).toHaveAttribute('aria-live', 'polite')
  await expect(meter).toHaveText('')
  await page.getByLabel('Name', { exact: true }).fill(a.name)
  await page.getByLabel('Email', { exact: true }).fill(a.email)
  const weak = 'password1234'
  // A complete form: the server scores a registration's password only once the rest of it is
  // valid and it spent its point of the per-IP limit (an invalid one comes back without a meter).
  await page.getByLabel('Repeat master password', { exact: true }).fill(weak)
  await typeOrSubmit(page, 'Master password', weak, { path: '/register', button: 'Create account' })
  await expect(meter).toHaveText(strengthText(weak, masterPasswordInputs(a.name, a.email)))
  await expect(meter).toContainText(/Strength: (very )?weak/)
  await expect(page.getByLabel('Master password', { exact: true })).toHaveAccessibleDescription(/Strength: (very )?weak/)
  if (isJs()) {
    // It follows the typing, up to the strongest.
    await page.getByLabel('Master password', { exact: true }).fill(a.password)
    await expect(meter).toHaveText('Strength: strong (4 of 4)')
  } else {
    // Never sent back: the field is empty, the meter speaks of what was submitted.
    await expect(page.getByLabel('Master password', { exact: true })).toHaveValue('')
    await expect(page.getByLabel('Email', { exact: true })).toHaveValue(a.email)
  }
})

test('settings: the new master password strength', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const user = await seedUser(db, 'meter-settings')
  await logIn(page, user)
  await open(page, '/dashboard/settings/security')
  await page.getByLabel('Current master password').fill(user.password)
  const weak = 'password1234'
  await page.getByLabel('Repeat new master password').fill(weak)
  await typeOrSubmit(page, 'New master password', weak, { path: '/dashboard/settings/password', button: 'Change master password' })
  const meter = main(page).locator('#password').getByTestId('password-strength')
  await expect(meter).toHaveText(strengthText(weak, masterPasswordInputs(user.name, user.email)))
  await expect(meter).toContainText(/Strength: (very )?weak/)
})

test('item form: the password strength, kept with the password after a refused save', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  await onNewItemForm(page, db, 'meter-item')
  await page.getByLabel('Username or email').fill('sam')
  // No name: the save is refused, the password and its strength come back.
  await typeOrSubmit(page, 'Password', 'sam12345', { path: '/dashboard/items', button: 'Save item' })
  const meter = main(page).getByTestId('password-strength')
  await expect(meter).toHaveText(strengthText('sam12345', itemPasswordInputs('', 'sam')))
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('sam12345')
})

test('generator: length and character classes, passphrases of chosen words, with their strength', async ({ page, db }) => {
  await onNewItemForm(page, db, 'generator')
  await page.getByLabel('Name', { exact: true }).fill('Generated')
  await page.getByLabel('Note').fill('kept while generating')
  const password = page.getByLabel('Password', { exact: true })
  const generate = async () => {
    const button = page.getByRole('button', { name: 'Generate', exact: true })
    if (isJs()) await button.click()
    else expect((await submitAndWait(page, '/dashboard/items', () => button.click())).status()).toBe(200)
  }

  await page.getByLabel('Length').fill('32')
  await page.getByLabel('Symbols').uncheck()
  await generate()
  await expect(password).toHaveValue(/^[A-Za-z0-9]{32}$/)
  const made = await password.inputValue()
  for (const c of CHARACTER_SETS.symbols) expect(made).not.toContain(c)
  await expect(main(page).getByTestId('password-strength')).toHaveText(strengthText(made, itemPasswordInputs('Generated', '')))
  // The options and everything typed stay as they were.
  await expect(page.getByLabel('Length')).toHaveValue('32')
  await expect(page.getByLabel('Symbols')).not.toBeChecked()
  await expect(page.getByLabel('Digits')).toBeChecked()
  await expect(page.getByLabel('Note')).toHaveValue('kept while generating')

  await page.getByLabel('Passphrase (words)').check()
  await expect(page.getByLabel('Length')).toBeHidden()
  await page.getByLabel('Number of words').fill('5')
  await page.getByLabel('Separator').selectOption({ label: 'Space' })
  await generate()
  await expect(password).toHaveValue(/^\S+( \S+){4}$/)
  const phrase = await password.inputValue()
  for (const word of phrase.split(' ')) expect(PASSPHRASE_WORDS).toContain(word)
  await expect(main(page).getByTestId('password-strength')).toHaveText(strengthText(phrase, itemPasswordInputs('Generated', '')))
  await expect(page.getByLabel('Passphrase (words)')).toBeChecked()

  await page.getByRole('button', { name: 'Save item', exact: true }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
})

test('generator without JavaScript: an option out of range is refused next to it, the rest kept', async ({ page, db, consoleGuard }) => {
  test.skip(isJs(), 'with JavaScript the options are used in place (out-of-range lengths are clamped)')
  consoleGuard.allow(/status of 422/)
  await onNewItemForm(page, db, 'generator-422')
  await page.getByLabel('Name', { exact: true }).fill('Too long')
  await page.getByLabel('Length').fill('500')
  const res = await submitAndWait(page, '/dashboard/items', () => page.getByRole('button', { name: 'Generate', exact: true }).click())
  expect(res.status()).toBe(422)
  await expect(main(page).getByText('Choose a length from 8 to 128.')).toBeVisible()
  await expect(page.getByLabel('Length')).toHaveValue('500')
  await expect(page.getByLabel('Length')).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Too long')
})

test('the item page warns of a weak password and of one used by other items, and says what to do', async ({ page, db }) => {
  const user = await seedUser(db, 'item-health')
  const shared = 'quartz lantern mosaic orbit velvet'
  // Through the service, which scores each password as it is saved (seedItems marks every one strong).
  const folder = await db.services.vault.createFolder(user.viewer, 'Work')
  const add = async (folderId: string, name: string, password: string) =>
    (await db.services.vault.createItem(user.viewer, { folderId, ...fields({ name, password }) })).id
  const weakId = await add(user.personalId, 'Weak one', 'hunter2')
  const reusedId = await add(user.personalId, 'Reused A', shared)
  await add(user.personalId, 'Reused B', shared)
  await add(folder.id, 'Reused C', shared)
  const fineId = await add(user.personalId, 'Fine', 'cobalt meadow tundra 7 ferret')
  await logIn(page, user)

  await open(page, `/dashboard/items/${weakId}`)
  const warning = main(page).getByTestId('item-health')
  await expect(warning).toContainText('This password is weak.')
  await expect(warning).not.toContainText('other item')
  await expect(warning.getByRole('link', { name: 'edit this item' })).toHaveAttribute('href', `/dashboard/items/${weakId}/edit`)
  await expect(warning).toContainText('Generate')

  // Reuse counts over the whole vault, other folders included.
  await open(page, `/dashboard/items/${reusedId}`)
  await expect(warning).toContainText('This password is used by 2 other items.')
  await expect(warning).not.toContainText('weak')

  await open(page, `/dashboard/items/${fineId}`)
  await expect(main(page).getByRole('heading', { level: 1, name: 'Fine' })).toBeVisible()
  await expect(warning).toHaveCount(0)
})

test('the Website field refuses "not a url" with a message next to it and keeps what was typed', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  await onNewItemForm(page, db, 'website')
  await page.getByLabel('Name', { exact: true }).fill('Bad address')
  await page.getByLabel('Username or email').fill('kept-user')
  await page.getByLabel('Password', { exact: true }).fill('kept password 42')
  const website = page.getByLabel('Website')
  await website.fill('not a url')
  const res = await submitAndWait(page, '/dashboard/items', () => page.getByRole('button', { name: 'Save item', exact: true }).click())
  expect(res.status()).toBe(422)
  await expect(website).toHaveAttribute('aria-invalid', 'true')
  await expect(website).toHaveAccessibleDescription(/Enter a web address like example\.com/)
  if (isJs()) await expect(website).toBeFocused()
  await expect(website).toHaveValue('not a url')
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Bad address')
  await expect(page.getByLabel('Username or email')).toHaveValue('kept-user')
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('kept password 42')

  // A bare host is a website.
  await website.fill('example.com/login')
  await page.getByRole('button', { name: 'Save item', exact: true }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
  await expect(main(page).getByRole('link', { name: 'example.com/login' })).toHaveAttribute('href', 'https://example.com/login')
})

test('a slow login says "Unlocking your vault…", holds the fields read-only and keeps the button size', async ({ page, db }) => {
  test.skip(!isJs(), 'the pending state is JavaScript feedback: without it the browser shows its own loading')
  const user = await seedUser(db, 'slow-login')
  await open(page, '/login')
  const release = await holdPosts(page, '**/login')
  await page.getByLabel('Email', { exact: true }).fill(user.email)
  await page.getByLabel('Master password', { exact: true }).fill(user.password)
  const { pending, before } = await clickPending(page, 'Log in', 'Unlocking your vault…')

  await expect(pending).toBeVisible()
  await expect(page.getByLabel('Email', { exact: true })).not.toBeEditable()
  await expect(page.getByLabel('Master password', { exact: true })).not.toBeEditable()
  expect((await pending.boundingBox())!.height).toBe(before.height)

  release()
  await expect(page).toHaveURL(/\/dashboard$/)
})

test('a network error on the long item form: the message gets the focus and is scrolled into view', async ({ page, db, consoleGuard }) => {
  test.skip(!isJs(), 'without JavaScript the browser shows its own error page for a lost connection')
  consoleGuard.allow(/ERR_INTERNET_DISCONNECTED|Failed to fetch/)
  await page.setViewportSize({ width: 390, height: 700 })
  await onNewItemForm(page, db, 'offline-save')
  await page.getByLabel('Name', { exact: true }).fill('Offline')
  await page.route('**/dashboard/items', (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue()))
  const save = page.getByRole('button', { name: 'Save item', exact: true })
  await save.scrollIntoViewIfNeeded()
  await save.click()
  const message = page.getByRole('alert').filter({ hasText: 'Could not reach the server' })
  await expect(message).toBeFocused()
  await expect(message).toBeInViewport()
  // Nothing typed was lost, and the button is back.
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Offline')
  await expect(save).toBeEnabled()
})

test('the edit form moves the item to another folder it may edit, re-encrypted, with the same breadcrumbs as the item page', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 403/)
  const user = await seedUser(db, 'edit-move')
  const { id: workId } = await db.services.vault.createFolder(user.viewer, 'Work')
  const [id] = await seedItems(db, user, user.personalId, [fields({ name: 'Printer', username: 'printer-admin' })])
  // Someone else's folder, shared with this user as view only: never a destination.
  const { owner, folderId: familyId } = await ownerWithFolder(db)
  await addMember(db, owner, user, familyId, 'view')
  await logIn(page, user)

  // The item page and its edit page: Folder › Item (› Edit).
  await open(page, `/dashboard/items/${id}`)
  const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' })
  await expect(crumbs).toHaveText('Personal › Printer')
  await expect(crumbs.getByRole('link', { name: 'Personal' })).toHaveAttribute('href', `/dashboard/folders/${user.personalId}`)
  await main(page).getByRole('link', { name: 'Edit', exact: true }).click()
  await at(page, new RegExp(`/dashboard/items/${id}/edit$`))
  await expect(crumbs).toHaveText('Personal › Printer › Edit')
  await expect(crumbs.getByRole('link', { name: 'Printer' })).toHaveAttribute('href', `/dashboard/items/${id}`)

  const folder = main(page).getByLabel('Folder', { exact: true })
  await expect(folder).toHaveValue(user.personalId)
  await expect(folder.locator('option')).toHaveText(['Personal', 'Work'])
  await folder.selectOption({ label: 'Work' })
  await main(page).getByLabel('Username or email').fill('printer-root')
  await main(page).getByRole('button', { name: 'Save changes', exact: true }).click()
  await at(page, new RegExp(`/dashboard/items/${id}$`))
  await expect(crumbs).toHaveText('Work › Printer')
  await expect(main(page).getByText('printer-root')).toBeVisible()
  // Stored in Work, under Work's key (the page above could decrypt it); Personal no longer holds it.
  expect((await rawItem(db, id!))!.folderId).toBe(workId)
  expect(await itemIdsIn(db, user.personalId)).not.toContain(id)

  // A view-only folder sent anyway (a crafted form) is refused and nothing moves.
  const token = await main(page).locator('input[name="_csrf"]').first().inputValue()
  const crafted = await page.request.post(`/dashboard/items/${id}`, {
    form: { _csrf: token, folder_id: familyId, name: 'Printer', username: 'x', password: '', url: '', note: '' },
    headers: { Origin: new URL(page.url()).origin },
    maxRedirects: 0,
  })
  expect(crafted.status()).toBe(403)
  expect((await rawItem(db, id!))!.folderId).toBe(workId)
})

test('a slow item save says "Saving…" without moving anything', async ({ page, db }) => {
  test.skip(!isJs(), 'JavaScript feedback')
  await onNewItemForm(page, db, 'slow-save')
  await page.getByLabel('Name', { exact: true }).fill('Slow')
  const release = await holdPosts(page, '**/dashboard/items')
  await clickPending(page, 'Save item', 'Saving…')
  await expect(page.getByLabel('Name', { exact: true })).not.toBeEditable()
  release()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
})

test('"Copied" does not widen the copy button', async ({ page, db, context }) => {
  test.skip(!isJs(), 'copy buttons need JavaScript')
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  const user = await seedUser(db, 'copied')
  const [id] = await seedItems(db, user, user.personalId, [fields({ name: 'Copy me' })])
  await logIn(page, user)
  await open(page, `/dashboard/items/${id}`)
  for (const name of ['Copy username', 'Copy password']) {
    const copy = main(page).getByRole('button', { name })
    const before = (await copy.boundingBox())!
    await copy.click()
    await expect(copy).toContainText('Copied')
    const after = (await copy.boundingBox())!
    expect([after.width, after.height]).toEqual([before.width, before.height])
  }
})

test('axe: the meter, the generator, the item warning and the pending button, light and dark', async ({ page, db }) => {
  // axe runs as a script inside the page; the markup is the same with JavaScript off.
  test.skip(!isJs(), 'axe needs JavaScript in the page')
  test.slow() // ten axe runs: over a minute on a loaded machine
  const user = await seedUser(db, 'axe-forms')
  const weakId = (await db.services.vault.createItem(user.viewer, { folderId: user.personalId, ...fields({ name: 'Weak', password: 'hunter2' }) })).id
  await logIn(page, user)
  const check = async (what: string) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      // Reduced motion switches off the 120 ms colour transitions axe would otherwise catch midway.
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
      const results = await new AxeBuilder({ page }).analyze()
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(serious.map((v) => `${what} (${colorScheme}) ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
    }
  }
  await open(page, `/dashboard/items/new?folder=${user.personalId}`)
  await page.getByLabel('Password', { exact: true }).fill('hunter2')
  await expect(main(page).getByTestId('password-strength')).toContainText('Strength')
  await check('item form, weak password')
  await page.getByLabel('Passphrase (words)').check()
  await page.getByRole('button', { name: 'Generate', exact: true }).click()
  await expect(main(page).getByTestId('password-strength')).toContainText('strong')
  await check('item form, passphrase')
  await open(page, `/dashboard/items/${weakId}`)
  await check('item page with its warning')
  await open(page, '/dashboard/settings/security')
  await page.getByLabel('New master password', { exact: true }).fill('password1234')
  await check('settings, new password meter')
  // A save that never answers: the pending button as it stays.
  await open(page, `/dashboard/items/new?folder=${user.personalId}`)
  await page.getByLabel('Name', { exact: true }).fill('Pending')
  await page.route('**/dashboard/items', () => {})
  await page.getByRole('button', { name: 'Save item', exact: true }).click()
  await expect(page.getByRole('button', { name: 'Saving…' })).toBeVisible()
  await check('item form, saving')
})
