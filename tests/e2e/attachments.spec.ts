// Attachments as a user meets them (issue 23), JavaScript off and on: upload a file through the item
// page's form, see it listed with its size, download it byte for byte, delete it after confirming;
// an empty file refused with the message by the field; a view member sees Download only; axe on the
// item page with files, and on the confirmation, in both themes.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { checkBothThemes, open } from './helpers'
import { addMember, at, expect, expectFlash, fields, isJs, logIn, main, seedItems, seedUser, test, verifiedUser } from './vault-helpers'

const attachments = (page: Parameters<typeof main>[0]) => main(page).getByRole('region', { name: 'Attachments' })

test('upload, list with size, download byte for byte, delete', async ({ page, db }) => {
  const u = await seedUser(db, 'attach-flow')
  const [itemId] = await seedItems(db, u, u.personalId, [fields({ name: 'Router' })])
  await logIn(page, u, `/dashboard/items/${itemId}`)
  const section = attachments(page)
  await expect(section.getByTestId('attachments-empty')).toContainText('No files yet. Choose a file below and press Upload')
  await expect(section).toContainText('Up to 10 MB per file; 250 MB in all.')

  const bytes = randomBytes(150 * 1024)
  await section.getByLabel('Add a file').setInputFiles({ name: 'router backup.cfg', mimeType: 'application/octet-stream', buffer: bytes })
  await section.getByRole('button', { name: 'Upload' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}(#attachments)?$`))
  await expectFlash(page, 'File attached (150 KB).')
  const row = section.getByRole('listitem')
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('router backup.cfg')
  await expect(row).toContainText('150 KB')

  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download router backup.cfg' }).click()])
  expect(download.suggestedFilename()).toBe('router backup.cfg')
  expect((await readFile((await download.path())!)).equals(bytes)).toBe(true)

  await row.getByRole('link', { name: 'Delete… router backup.cfg' }).click()
  await expect(page).toHaveURL(/\?delete_attachment=/)
  const confirm = section.getByRole('group', { name: 'Delete router backup.cfg?' })
  await expect(confirm).toContainText('It is not kept in the trash')
  if (isJs()) await checkBothThemes(page, 'attachment delete confirmation') // axe needs JavaScript in the page
  await confirm.getByRole('button', { name: 'Delete file' }).click()
  await at(page, new RegExp(`/dashboard/items/${itemId}(#attachments)?$`))
  await expectFlash(page, 'Attachment deleted.')
  await expect(section.getByRole('listitem')).toHaveCount(0)
  await expect(section.getByTestId('attachments-empty')).toBeVisible()
})

test('an empty file is refused with the message next to the file field; nothing is stored', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/) // the refused upload itself
  const u = await seedUser(db, 'attach-empty')
  const [itemId] = await seedItems(db, u, u.personalId, [fields({ name: 'Empty' })])
  await logIn(page, u, `/dashboard/items/${itemId}`)
  const section = attachments(page)
  await section.getByLabel('Add a file').setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) })
  await section.getByRole('button', { name: 'Upload' }).click()
  await expect(section.getByRole('alert')).toHaveText('This file is empty (0 bytes), so it was not attached.')
  await expect(section.getByLabel('Add a file')).toHaveAttribute('aria-invalid', 'true')
  await expect(section.getByRole('listitem')).toHaveCount(0)
})

test('a view member downloads but is offered neither upload nor delete; axe in both themes with files listed', async ({ page, db }) => {
  const owner = await verifiedUser(db, 'attach-owner', 'Olive Owner')
  const viewer = await verifiedUser(db, 'attach-viewer', 'Vic Viewer')
  const { id: folderId } = await db.services.vault.createFolder(owner.viewer, 'Shared files')
  const [itemId] = await seedItems(db, owner, folderId, [fields({ name: 'Printer' })])
  await addMember(db, owner, viewer, folderId, 'view')
  const { attachments: service } = db.services
  const bytes = randomBytes(2048)
  for (const name of ['manual.pdf', 'licence key.txt']) {
    const { sealer } = await service.beginUpload(owner.viewer, itemId!)
    sealer.write(bytes)
    await service.finishUpload(owner.viewer, itemId!, sealer, name)
  }
  await logIn(page, viewer, `/dashboard/items/${itemId}`)
  const section = attachments(page)
  await expect(section.getByRole('listitem')).toHaveCount(2)
  await expect(section.getByRole('link', { name: /^Delete/ })).toHaveCount(0)
  await expect(section.getByLabel('Add a file')).toHaveCount(0)
  const [download] = await Promise.all([page.waitForEvent('download'), section.getByRole('link', { name: 'Download manual.pdf' }).click()])
  expect((await readFile((await download.path())!)).equals(bytes)).toBe(true)
  if (isJs()) await checkBothThemes(page, 'item page with attachments (view member)')

  // The owner's page, with the upload form.
  await page.context().clearCookies()
  await logIn(page, owner, `/dashboard/items/${itemId}`)
  await open(page, `/dashboard/items/${itemId}`)
  await expect(attachments(page).getByLabel('Add a file')).toBeVisible()
  if (isJs()) await checkBothThemes(page, 'item page with attachments (owner)')
})
