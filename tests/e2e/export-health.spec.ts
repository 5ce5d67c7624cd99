// Export and vault health (issue 11), with JavaScript off and on: the CSV download from settings
// (parsed back: header, rows, folder names, a note with newlines and quotes, a shared folder's
// items), a wrong password refused beside the field with no download, the notice mail; the health
// page listing exactly the weak, reused (in groups) and password-less items, its links, its empty
// state, and its count agreeing with the sidebar and the dashboard.
import { readFile } from 'node:fs/promises'
import AxeBuilder from '@axe-core/playwright'
import { parse } from 'csv-parse/sync'
import type { Page } from '@playwright/test'
import { mailTo, open, submitAndWait } from './helpers'
import { addMember, at, fields, isJs, logIn, main, seedItems, seedUser, sidebar, test, expect, type Db, type Seeded } from './vault-helpers'

const SETTINGS = '/dashboard/settings/data'
const HEADER = ['folder', 'favorite', 'type', 'name', 'notes', 'fields', 'reprompt', 'login_uri', 'login_username', 'login_password', 'login_totp']
const STRONG = 'quartz lantern mosaic orbit velvet'
const NOTE = 'first line\nsecond "quoted" line, with a comma'
// A line break and nothing else to quote: written unquoted, it split the record (issue 17.7).
const BARE_LF_NOTE = 'bare\nline break'

const exportForm = (page: Page) => page.getByRole('form', { name: 'Export vault' })

/** A shared folder "Family" owned by someone else, with the user as a view-only member. */
async function sharedFolder(db: Db, member: Seeded, tag: string) {
  const owner = await seedUser(db, `${tag}-owner`, 'Olive Owner')
  const { id } = await db.services.vault.createFolder(owner.viewer, 'Family')
  await addMember(db, owner, member, id, 'view')
  return { owner, id }
}

test('export: the master password downloads every readable item as Bitwarden CSV, and a notice is mailed', async ({ page, db }) => {
  const u = await seedUser(db, 'export')
  const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
  await seedItems(db, u, u.personalId, [fields({ name: 'Bank', username: 'ada', password: 'bank pass 1', url: 'https://bank.example', note: NOTE })])
  await seedItems(db, u, work, [fields({ name: 'Wiki', username: 'ada@work', password: 'wiki, "pass"', url: 'wiki.example', note: BARE_LF_NOTE })])
  const family = await sharedFolder(db, u, 'export')
  await seedItems(db, family.owner, family.id, [fields({ name: 'Streaming', username: 'family', password: 'tv pass', url: '', note: '' })])

  await logIn(page, u)
  await open(page, SETTINGS)
  await exportForm(page).getByLabel('Master password').fill(u.password)
  const [download] = await Promise.all([page.waitForEvent('download'), exportForm(page).getByRole('button', { name: 'Download export' }).click()])
  expect(download.suggestedFilename()).toBe(`nucleusid-export-${new Date().toISOString().slice(0, 10)}.csv`)
  const csv = await readFile((await download.path())!, 'utf8')
  const [header, ...rows] = parse(csv) as string[][]
  expect(header).toEqual(HEADER)
  const byName = Object.fromEntries(rows.map((r) => [r[3], Object.fromEntries(HEADER.map((h, i) => [h, r[i]]))]))
  expect(Object.keys(byName).sort()).toEqual(['Bank', 'Streaming', 'Wiki'])
  // Personal is Bitwarden's "no folder"; other folders, shared ones included, by name.
  expect(byName.Bank).toEqual({ folder: '', favorite: '', type: 'login', name: 'Bank', notes: NOTE, fields: '', reprompt: '0', login_uri: 'https://bank.example', login_username: 'ada', login_password: 'bank pass 1', login_totp: '' })
  expect(byName.Wiki).toMatchObject({ folder: 'Work', login_password: 'wiki, "pass"', login_uri: 'wiki.example', notes: BARE_LF_NOTE })
  expect(byName.Streaming).toMatchObject({ folder: 'Family', login_username: 'family', login_password: 'tv pass' })

  // The page stays where it was; with JavaScript it says what was saved and empties the field.
  await expect(page).toHaveURL(new RegExp(`${SETTINGS}$`))
  if (isJs()) {
    await expect(exportForm(page).getByRole('status')).toHaveText(`Saved ${download.suggestedFilename()}.`)
    await expect(exportForm(page).getByLabel('Master password')).toHaveValue('')
  }
  await expect.poll(async () => (await mailTo(u.email)).map((m) => m.subject)).toContain('Your NucleusID vault was exported')
  const notice = (await mailTo(u.email)).find((m) => m.subject === 'Your NucleusID vault was exported')!
  expect(notice.body).toMatch(/from .+ \(IP .+\)/)
  expect(notice.body).not.toContain('bank pass 1')
})

test('export: a wrong password is refused beside the field and downloads nothing', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const u = await seedUser(db, 'export-wrong')
  await seedItems(db, u, u.personalId, [fields({ name: 'Bank' })])
  let downloads = 0
  page.on('download', () => downloads++)
  await logIn(page, u)
  await open(page, SETTINGS)
  await exportForm(page).getByLabel('Master password').fill('not my master password')
  const res = await submitAndWait(page, '/dashboard/export', () => exportForm(page).getByRole('button', { name: 'Download export' }).click())
  expect(res.status()).toBe(422)
  const field = exportForm(page).getByLabel('Master password')
  await expect(field).toHaveAttribute('aria-invalid', 'true')
  await expect(exportForm(page).getByText('This is not your master password.').first()).toBeVisible()
  await expect(field).toHaveValue('')
  expect(downloads).toBe(0)
})

test('export: a vault with an unreadable item downloads nothing and says how many, and where they are listed', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/)
  const u = await seedUser(db, 'export-unreadable')
  const [bank, wiki] = await seedItems(db, u, u.personalId, [fields({ name: 'Bank' }), fields({ name: 'Wiki' })])
  // Wiki's row gets Bank's ciphertext: bound to another item id, it no longer decrypts.
  const source = await db.models.Item.findByPk(bank!)
  await db.models.Item.update({ ciphertext: source!.ciphertext }, { where: { id: wiki! } })
  let downloads = 0
  page.on('download', () => downloads++)
  await logIn(page, u)
  await open(page, SETTINGS)
  await exportForm(page).getByLabel('Master password').fill(u.password)
  const res = await submitAndWait(page, '/dashboard/export', () => exportForm(page).getByRole('button', { name: 'Download export' }).click())
  expect(res.status()).toBe(422)
  await expect(exportForm(page).getByRole('alert')).toContainText('1 item of your vault cannot be decrypted, so the file would miss it: nothing was exported.')
  await expect(exportForm(page).getByRole('alert')).toContainText('The Health page lists it under “Unreadable”')
  expect(downloads).toBe(0)
})

/** A vault with known problems: two groups of reused passwords, weak ones, an empty one, a view-only weak one. */
async function troubledVault(db: Db, tag: string) {
  const u = await seedUser(db, tag)
  const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
  const add = async (folderId: string, name: string, password: string) =>
    (await db.services.vault.createItem(u.viewer, { folderId, ...fields({ name, username: `${name.toLowerCase()}@example.test`, password }) })).id
  const ids = {
    alpha: await add(u.personalId, 'Alpha', 'password123'),
    bravo: await add(work, 'Bravo', 'password123'),
    charlie: await add(u.personalId, 'Charlie', STRONG),
    delta: await add(work, 'Delta', STRONG),
    echo: await add(work, 'Echo', STRONG),
    foxtrot: await add(u.personalId, 'Foxtrot', ''),
    golf: await add(u.personalId, 'Golf', 'qwerty'),
    hotel: await add(u.personalId, 'Hotel', 'amber walrus 93 lantern orbit'),
  }
  const family = await sharedFolder(db, u, tag)
  const india = (await db.services.vault.createItem(family.owner.viewer, { folderId: family.id, ...fields({ name: 'India', password: 'letmein' }) })).id
  return { u, ids: { ...ids, india } }
}

const rowNames = (page: Page, testId: string) => main(page).getByTestId(testId).locator('.name')

test('health: exactly the weak, reused (in groups) and password-less items, each linked to where it is fixed', async ({ page, db }) => {
  const { u, ids } = await troubledVault(db, 'health')
  await logIn(page, u)

  // The dashboard's counts, the sidebar's and the health page's agree.
  await expect(page.getByTestId('vault-summary')).toContainText('9 items')
  await expect(page.getByTestId('vault-summary')).toContainText('4 weak')
  await expect(page.getByTestId('vault-summary')).toContainText('5 reused')
  await expect(sidebar(page).getByTestId('health-count')).toHaveText('8')
  await sidebar(page).getByRole('link', { name: 'Health, 8 items need attention' }).click()
  await at(page, /\/dashboard\/health$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Vault health' })).toBeVisible()
  await expect(page.getByTestId('health-summary')).toHaveText('8 items need attention.')
  await expect(sidebar(page).getByRole('link', { name: /^Health/ })).toHaveAttribute('aria-current', 'page')

  await expect(rowNames(page, 'health-weak')).toHaveText(['Alpha', 'Bravo', 'Golf', 'India'])
  await expect(main(page).getByTestId('health-weak').locator('.count')).toHaveText('4')
  const groups = main(page).getByTestId('reuse-group')
  await expect(groups).toHaveCount(2)
  await expect(groups.nth(0).getByRole('heading')).toHaveText('Used by 3 items')
  await expect(groups.nth(0).locator('.name')).toHaveText(['Charlie', 'Delta', 'Echo'])
  await expect(groups.nth(1).getByRole('heading')).toHaveText('Used by 2 items')
  await expect(groups.nth(1).locator('.name')).toHaveText(['Alpha', 'Bravo'])
  await expect(main(page).getByTestId('health-reused').locator('.count')).toHaveText('5')
  await expect(rowNames(page, 'health-no-password')).toHaveText(['Foxtrot'])
  await expect(main(page).getByTestId('health-unreadable')).toHaveCount(0)
  // Never a password on the page.
  for (const secret of ['password123', STRONG, 'qwerty', 'letmein']) await expect(main(page)).not.toContainText(secret)

  // Editable items lead to their edit page; a view-only one to the item page.
  const link = (testId: string, name: string) => main(page).getByTestId(testId).getByRole('link').filter({ hasText: name })
  await expect(link('health-weak', 'Golf')).toHaveAttribute('href', `/dashboard/items/${ids.golf}/edit`)
  await expect(link('health-weak', 'India')).toHaveAttribute('href', `/dashboard/items/${ids.india}`)
  await expect(link('health-weak', 'India')).toContainText('View only')
  await expect(link('health-no-password', 'Foxtrot')).toHaveAttribute('href', `/dashboard/items/${ids.foxtrot}/edit`)
  await expect(groups.nth(0).getByRole('link').filter({ hasText: 'Delta' })).toHaveAttribute('href', `/dashboard/items/${ids.delta}/edit`)
  await link('health-no-password', 'Foxtrot').click()
  await at(page, new RegExp(`/dashboard/items/${ids.foxtrot}/edit$`))
})

test('health: an empty state when all is well, and no count in the sidebar', async ({ page, db }) => {
  const u = await seedUser(db, 'health-ok')
  await db.services.vault.createItem(u.viewer, { folderId: u.personalId, ...fields({ name: 'Only', password: STRONG }) })
  await logIn(page, u)
  await expect(sidebar(page).getByTestId('health-count')).toHaveCount(0)
  await open(page, '/dashboard/health')
  await expect(main(page).getByTestId('health-empty')).toContainText('No weak, reused or missing passwords.')
  await expect(main(page).getByTestId('health-weak')).toHaveCount(0)
  await expect(main(page).getByRole('link', { name: 'Back to all items' })).toBeVisible()
})

test('health: an empty vault says so and offers to add an item', async ({ page, db }) => {
  const u = await seedUser(db, 'health-empty')
  await logIn(page, u, '/dashboard/health')
  await expect(main(page).getByTestId('health-empty')).toContainText('Your vault is empty')
  await expect(main(page).getByRole('link', { name: '+ New item' })).toHaveAttribute('href', '/dashboard/items/new')
})

for (const colorScheme of ['light', 'dark'] as const) {
  test(`health: no serious or critical accessibility violation (${colorScheme})`, async ({ page, db, javaScriptEnabled }) => {
    test.skip(!javaScriptEnabled, 'axe needs JavaScript in the page')
    const { u } = await troubledVault(db, `health-axe-${colorScheme}`)
    await page.emulateMedia({ colorScheme })
    await logIn(page, u)
    await open(page, '/dashboard/health')
    const results = await new AxeBuilder({ page }).analyze()
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
  })
}
