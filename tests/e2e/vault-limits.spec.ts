// Limits, as the user meets them: the 101st folder, and item fields over their maximum length.
// The message appears next to the field (its accessible description) and what was typed stays.
import { open, submitAndWait } from './helpers'
import { at, expect, expectFlash, isJs, itemIdsIn, logIn, main, newFolderField, seedUser, sidebar, test } from './vault-helpers'

test('a user has at most 100 folders, Personal included', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const user = await seedUser(db, 'folders100')
  // Personal + 98 = 99 folders.
  for (let i = 1; i <= 98; i++) await db.services.vault.createFolder(user.viewer, `Folder ${String(i).padStart(3, '0')}`)
  await logIn(page, user)

  await (await newFolderField(page)).fill('Number 100')
  await sidebar(page).getByRole('button', { name: 'Add' }).click()
  await at(page, /\/dashboard\/folders\/[0-9a-f-]{36}$/)
  await expectFlash(page, 'Folder “Number 100” created.')
  expect(await db.models.Folder.count({ where: { ownerId: user.id } })).toBe(100)

  // With JavaScript the form closed and emptied itself after the folder was added.
  const field = await newFolderField(page)
  await expect(field).toHaveValue('')
  await field.fill('Number 101')
  const res = await submitAndWait(page, '/dashboard/folders', () => sidebar(page).getByRole('button', { name: 'Add' }).click())
  expect(res.status()).toBe(422)
  await expect(field).toHaveAccessibleDescription('You can have at most 100 folders.')
  await expect(sidebar(page).getByText('You can have at most 100 folders.')).toBeVisible()
  await expect(field).toHaveAttribute('aria-invalid', 'true')
  await expect(field).toHaveValue('Number 101')
  await expect(sidebar(page).getByRole('link', { name: /^Number 101/ })).toHaveCount(0)
  expect(await db.models.Folder.count({ where: { ownerId: user.id } })).toBe(100)
})

test('over-long item fields are refused next to the field, keeping what was typed', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const user = await seedUser(db, 'toolong')
  await logIn(page, user)
  await open(page, '/dashboard/items/new')

  const name = page.getByLabel('Name', { exact: true })
  const note = page.getByLabel('Note')
  // The fields carry maxlength, so a browser never sends more; a client that ignores it (or an
  // edited page) reaches the server's own check, which is what this exercises.
  await name.evaluate((el) => el.removeAttribute('maxlength'))
  await note.evaluate((el) => el.removeAttribute('maxlength'))
  const longName = 'N'.repeat(201)
  await name.fill(longName)
  await page.getByLabel('Username or email').fill('kept-user')
  await page.getByLabel('Password', { exact: true }).fill('kept password 123')
  await page.getByLabel('Website').fill('https://kept.example')
  await note.fill('A note that stays.')

  let res = await submitAndWait(page, '/dashboard/items', () => page.getByRole('button', { name: 'Save item' }).click())
  expect(res.status()).toBe(422)
  await expect(name).toHaveAccessibleDescription(/Names are at most 200 characters\./)
  await expect(name).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByText('Please correct the highlighted fields.')).toBeVisible()
  await expect(page.getByLabel('Username or email')).toHaveValue('kept-user')
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('kept password 123')
  await expect(page.getByLabel('Website')).toHaveValue('https://kept.example')
  await expect(note).toHaveValue('A note that stays.')
  if (isJs()) await expect(name).toHaveValue(longName) // the page was not replaced
  expect(await itemIdsIn(db, user.personalId)).toEqual([])

  // The name fixed, the note too long now.
  await name.fill('Right length')
  await note.evaluate((el) => el.removeAttribute('maxlength'))
  await note.fill('x'.repeat(10_001))
  res = await submitAndWait(page, '/dashboard/items', () => page.getByRole('button', { name: 'Save item' }).click())
  expect(res.status()).toBe(422)
  await expect(note).toHaveAccessibleDescription('Notes are at most 10,000 characters.')
  await expect(name).not.toHaveAttribute('aria-invalid', 'true')
  await expect(name).toHaveValue('Right length')
  await expect(page.getByLabel('Username or email')).toHaveValue('kept-user')
  await expect(page.getByLabel('Website')).toHaveValue('https://kept.example')
  expect(await itemIdsIn(db, user.personalId)).toEqual([])

  // Fixed: saved.
  await note.fill('Short again.')
  await page.getByRole('button', { name: 'Save item' }).click()
  await at(page, /\/dashboard\/items\/[0-9a-f-]{36}$/)
  await expectFlash(page, 'Item added to your vault.')
  await expect(main(page).getByText('kept-user', { exact: true })).toBeVisible()
  await expect(main(page).getByText('Short again.')).toBeVisible()
  expect(await itemIdsIn(db, user.personalId)).toHaveLength(1)
})
