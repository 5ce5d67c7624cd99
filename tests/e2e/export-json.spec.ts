// Issue 23 (ADR 034), as a user meets it, with JavaScript off and on: a vault of every item type
// exported as Bitwarden JSON from the Data settings page, then imported from the import page into
// another account: every type's item is there with every field, its folder and its star. (The item
// pages of the types are another part of issue 23: the fields are compared through the second
// account's own export, field by field.)
import type { Page } from '@playwright/test'
import { open, submitAndWait } from './helpers'
import { expect, logIn, main, seedUser, test, type Db, type Seeded } from './vault-helpers'
import type { ItemInput } from '../../shared/contract'
import { generateSshKey } from '../../server/services/sshKeys'

async function seedEveryType(db: Db, u: Seeded) {
  const { id: trips } = await db.services.vault.createFolder(u.viewer, 'Trips, "2026"')
  const items: (ItemInput & { folderId: string })[] = [
    {
      folderId: trips,
      type: 'login',
      name: 'Bank, "main"',
      username: ' ada ',
      password: 'bank pass, "1"',
      url: 'https://bank.example/login',
      moreUrls: ['https://m.bank.example'],
      note: 'first line\nsecond line',
      totp: 'JBSWY3DPEHPK3PXP',
      fields: [
        { name: 'PIN', value: '4821', kind: 'hidden' },
        { name: 'Paper statements', value: 'false', kind: 'checkbox' },
      ],
    },
    { folderId: u.personalId, type: 'note', name: 'Door codes ✓', username: '', password: '', url: '', note: 'Front: 1234\nBack: 5678' },
    {
      folderId: trips,
      type: 'card',
      name: 'Travel card',
      username: '',
      password: '',
      url: '',
      note: '',
      card: { cardholder: 'Zoë O’Neil', number: '4111111111111111', brand: 'Visa', expMonth: '3', expYear: '2029', code: '123' },
    },
    {
      folderId: u.personalId,
      type: 'identity',
      name: 'Me',
      username: '',
      password: '',
      url: '',
      note: '',
      identity: { title: 'Dr', firstName: 'Ada', middleName: '', lastName: 'Lovelace', company: '', email: 'ada@example.com', phone: '', address1: '12 Square', address2: '', address3: '', city: 'London', region: '', postalCode: 'SW1', country: 'GB', username: '', passport: 'P123', licence: '', nationalId: 'QQ123' },
    },
    {
      folderId: trips,
      type: 'ssh',
      name: 'Build key',
      username: '',
      password: '',
      url: '',
      note: '',
      // A real key: the service checks it and computes its fingerprint (ADR 035).
      ssh: generateSshKey('build@ci'),
    },
  ]
  const ids: string[] = []
  for (const item of items) ids.push((await db.services.vault.createItem(u.viewer, item)).id)
  await db.services.vault.setFavourite(u.viewer, ids[2]!, true)
}

async function exportJsonFrom(page: Page, u: Seeded) {
  await open(page, '/dashboard/settings/data')
  const form = page.getByRole('form', { name: 'Export vault' })
  await expect(page.locator('section#export')).toContainText('Attachments are not in the export, in CSV or JSON')
  await form.getByLabel(/^JSON/).check()
  await form.getByLabel('Master password').fill(u.password)
  const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Download export' }).click()])
  expect(download.suggestedFilename()).toMatch(/^nucleusid-export-\d{4}-\d\d-\d\d\.json$/)
  return (await download.path())!
}

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
/** What must survive, without ids and dates, the folder by name, sorted by name. */
async function contentOf(db: Db, u: Seeded) {
  const file = JSON.parse(JSON.stringify(await db.services.exporter.exportJson(u.viewer, u.password))) as Json
  return (file.items as Json[])
    .map(({ id: _i, folderId, revisionDate: _r, creationDate: _c, ...rest }): Json => ({ ...rest, folder: file.folders.find((f: Json) => f.id === folderId)?.name ?? null }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
}

test('every item type goes out as Bitwarden JSON from the export form and comes back into another account with every field', async ({ page, db }) => {
  const from = await seedUser(db, 'json-from')
  await seedEveryType(db, from)
  await logIn(page, from)
  const file = await exportJsonFrom(page, from)

  await page.context().clearCookies()
  const to = await seedUser(db, 'json-to')
  await logIn(page, to)
  await open(page, '/dashboard/import')
  await page.getByLabel('CSV file or JSON export').setInputFiles(file)
  await page.getByLabel('Format').selectOption({ label: 'Bitwarden (JSON)' })
  const res = await submitAndWait(page, '/dashboard/import', () => page.getByRole('button', { name: 'Import' }).click())
  expect(res.status()).toBe(303)
  await expect(main(page).getByRole('heading', { name: /^5 items imported into/ })).toBeVisible()
  await expect(main(page)).toContainText('From a Bitwarden or NucleusID JSON file. 1 favourite starred.')
  await expect(main(page).getByRole('heading', { name: '0 rows skipped' })).toBeVisible()

  const [before, after] = [await contentOf(db, from), await contentOf(db, to)]
  expect(before.map((i) => i.type).sort()).toEqual([1, 2, 3, 4, 5])
  expect(after).toEqual(before)
  expect(after.find((i) => i.name === 'Travel card')).toMatchObject({ favorite: true, folder: 'Trips, "2026"', card: { number: '4111111111111111', cardholderName: 'Zoë O’Neil' } })

  // As the second account sees them: the card by its type filter and on its page, its number behind a reveal.
  await open(page, '/dashboard?type=card')
  await main(page).getByRole('list', { name: 'Items' }).getByRole('link', { name: /Travel card/ }).click()
  await expect(page).toHaveURL(/\/dashboard\/items\/[0-9a-f-]{36}$/)
  await expect(page.getByTestId('card-number')).toHaveText('•••• 1111')
  await main(page).getByRole('link', { name: 'Reveal card number' }).click()
  await expect(page.getByTestId('card-number')).toHaveText('4111111111111111')
  await open(page, '/dashboard?type=identity')
  await main(page).getByRole('list', { name: 'Items' }).getByRole('link', { name: /Me/ }).click()
  await expect(main(page)).toContainText('Dr Ada Lovelace')
  await main(page).getByRole('link', { name: 'Reveal national id number' }).click()
  await expect(page.getByTestId('identity-national-id')).toHaveText('QQ123')
})

test('an encrypted Bitwarden export is refused next to the file field, saying which export to choose', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const u = await seedUser(db, 'json-encrypted')
  await logIn(page, u)
  await open(page, '/dashboard/import')
  const buffer = Buffer.from(JSON.stringify({ encrypted: true, encKeyValidation_DO_NOT_EDIT: '2.x', folders: [], items: [] }))
  await page.getByLabel('CSV file or JSON export').setInputFiles({ name: 'bitwarden_encrypted_export.json', mimeType: 'application/json', buffer })
  const res = await submitAndWait(page, '/dashboard/import', () => page.getByRole('button', { name: 'Import' }).click())
  expect(res.status()).toBe(422)
  await expect(page.getByLabel('CSV file or JSON export')).toHaveAccessibleDescription(/not “\.json \(Encrypted\)”/)
})
