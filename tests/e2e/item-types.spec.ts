// Item types (issue 23, ADR 035) as a user meets them, with JavaScript off and on: "+ New item"
// offers a link per type; each type is created through its own form, shown on its own page with
// its secrets behind a reveal, edited, found by search and by the sidebar's type filter; custom
// fields are added and removed (submit steps without JavaScript, in place with it); an SSH key is
// generated on the server and its fingerprint checked against node:crypto. axe in both themes on
// the new forms and pages.
import { createHash } from 'node:crypto'
import type { Page } from '@playwright/test'
import { checkBothThemes, open } from './helpers'
import { at, expect, expectFlash, isJs, logIn, main, seedUser, test } from './vault-helpers'

/** A short secret as the page would carry it, on its own: ids, tokens and hashes in the page may hold its digits by chance. */
const standalone = (digits: string) => new RegExp(`(?<![\\w-])${digits}(?![\\w-])`)

const save = (page: Page, label = 'Save item') => main(page).getByRole('button', { name: label }).click()
/** axe needs JavaScript in the page: run in the JavaScript project only (the pages are the same HTML). */
const axe = async (page: Page, label: string) => {
  if (isJs()) await checkBothThemes(page, label)
}
const itemPage = /\/dashboard\/items\/[0-9a-f-]{36}$/

async function newItem(page: Page, type: string) {
  await open(page, '/dashboard/items/new')
  await main(page).getByRole('navigation', { name: 'Type of item' }).getByRole('link', { name: type, exact: true }).click()
  await at(page, /\/dashboard\/items\/new\?type=/)
  await expect(main(page).getByRole('heading', { level: 1 })).toHaveText(`New ${type.toLowerCase()}`)
}

test('a card: created with custom fields, its number and code behind a reveal, edited, filtered and searched', async ({ page, db }) => {
  const user = await seedUser(db, 'card')
  await logIn(page, user)
  await newItem(page, 'Card')
  await axe(page, 'new card form')
  await page.getByLabel('Name', { exact: true }).fill('Joint Visa')
  await page.getByLabel('Cardholder name').fill('Ada Lovelace')
  await page.getByLabel('Card number').fill('4242 4242 4242 4242')
  await page.getByLabel('Expiry month').selectOption('4')
  await page.getByLabel('Expiry year').fill('2031')
  await page.getByLabel('Security code').fill('917')
  // A custom field: a submit step without JavaScript (the form comes back with what was typed), in place with it.
  await main(page).getByRole('button', { name: '+ Hidden field' }).click()
  await expect(page.getByLabel('Field 1 name (hidden)')).toBeVisible()
  await expect(page.getByLabel('Cardholder name')).toHaveValue('Ada Lovelace')
  await page.getByLabel('Field 1 name (hidden)').fill('PIN')
  await main(page).getByLabel('Value').fill('8642')
  await main(page).getByRole('button', { name: '+ Text field' }).click()
  await page.getByLabel('Field 2 name (text)').fill('Remove me')
  await main(page).getByRole('button', { name: 'Remove field 2' }).click()
  await expect(page.getByLabel('Field 2 name (text)')).toHaveCount(0)
  await expect(page.getByLabel('Field 1 name (hidden)')).toHaveValue('PIN')
  await save(page)
  await at(page, itemPage)
  await expectFlash(page, 'Item added to your vault.')

  // Secrets are not in the page until asked for, one at a time.
  await expect(page.getByTestId('card-number')).toHaveText('•••• 4242')
  expect(await page.content()).not.toMatch(standalone('8642'))
  await main(page).getByRole('link', { name: 'Reveal card number' }).click()
  await expect(page).toHaveURL(/reveal=card_number$/)
  await expect(page.getByTestId('card-number')).toHaveText('4242 4242 4242 4242')
  expect(await page.content()).not.toMatch(standalone('917'))
  await main(page).getByRole('link', { name: 'Reveal pin' }).click()
  await expect(page.getByTestId('custom-secret')).toHaveText('8642')
  await main(page).getByRole('link', { name: 'Hide pin' }).click()
  await expect(page.getByTestId('custom-secret')).not.toHaveText('8642')
  await expect(main(page)).toContainText('04/2031')
  await axe(page, 'card page')

  await main(page).getByRole('link', { name: 'Edit' }).click()
  await at(page, /\/edit$/)
  await expect(page.getByLabel('Field 1 name (hidden)')).toHaveValue('PIN')
  await page.getByLabel('Expiry year').fill('2020')
  await save(page, 'Save changes')
  await at(page, itemPage)
  await expect(page.getByTestId('card-expired')).toBeVisible()

  // The list: the card's own line, the sidebar's type filter, search by cardholder.
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('link', { name: 'Cards' }).click()
  await at(page, /\/dashboard\?type=card$/)
  await expect(main(page).getByRole('list', { name: 'Items' })).toContainText('Visa •••• 4242')
  await open(page, '/dashboard?q=lovelace')
  await expect(main(page).getByRole('list', { name: 'Items' })).toContainText('Joint Visa')
  await open(page, '/dashboard/health')
  await expect(page.getByTestId('health-expired')).toContainText('Joint Visa')
})

test('an identity, a secure note and a login with two web addresses', async ({ page, db }) => {
  const user = await seedUser(db, 'ident')
  await logIn(page, user)
  await newItem(page, 'Identity')
  await page.getByLabel('Name', { exact: true }).fill('Me')
  await page.getByLabel('First name').fill('Ada')
  await page.getByLabel('Last name').fill('Lovelace')
  await page.getByLabel('City or town').fill('Marylebone')
  await page.getByLabel('Passport number').fill('P-55501-Z')
  await save(page)
  await at(page, itemPage)
  await expect(main(page)).toContainText('Ada Lovelace')
  expect(await page.content()).not.toContain('P-55501-Z')
  await main(page).getByRole('link', { name: 'Reveal passport number' }).click()
  await expect(page.getByTestId('identity-passport')).toHaveText('P-55501-Z')
  await axe(page, 'identity page')

  await newItem(page, 'Secure note')
  await page.getByLabel('Name', { exact: true }).fill('Wi-Fi')
  await page.getByLabel('Note').fill('SSID: home\nKey: “quoted”, 😀')
  await save(page)
  await at(page, itemPage)
  await expect(page.getByTestId('item-note')).toHaveText('SSID: home\nKey: “quoted”, 😀')

  await newItem(page, 'Login')
  await page.getByLabel('Name', { exact: true }).fill('Forge')
  await page.getByLabel('Website', { exact: true }).fill('forge.example')
  await main(page).getByRole('button', { name: '+ Another web address' }).click()
  await page.getByLabel('Website 2').fill('git.forge.example')
  await save(page)
  await at(page, itemPage)
  await expect(main(page).getByRole('link', { name: 'git.forge.example' })).toBeVisible()
  await open(page, '/dashboard?q=git.forge')
  await expect(main(page).getByRole('list', { name: 'Items' })).toContainText('Forge')
  await open(page, '/dashboard?q=marylebone')
  await expect(main(page).getByRole('list', { name: 'Items' })).toContainText('Me')
})

test('an SSH key generated on the server, its fingerprint the one node:crypto computes', async ({ page, db, consoleGuard }) => {
  consoleGuard.allow(/status of 422/) // the pasted key that is not one, refused on purpose
  const user = await seedUser(db, 'ssh')
  await logIn(page, user)
  await newItem(page, 'SSH key')
  await axe(page, 'new SSH key form')
  await page.getByLabel('Name', { exact: true }).fill('Laptop')
  await main(page).getByRole('button', { name: 'Generate a new Ed25519 key' }).click()
  await expect(page.getByLabel('Public key')).toHaveValue(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5/)
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Laptop')
  const publicKey = await page.getByLabel('Public key').inputValue()
  expect(await page.getByLabel('Private key').inputValue()).toContain('-----BEGIN OPENSSH PRIVATE KEY-----')
  await save(page)
  await at(page, itemPage)
  const blob = Buffer.from(publicKey.split(' ')[1]!, 'base64')
  await expect(page.getByTestId('ssh-fingerprint')).toHaveText(`SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`)
  expect(await page.content()).not.toContain('OPENSSH PRIVATE KEY')
  await main(page).getByRole('link', { name: 'Reveal private key' }).click()
  await expect(page.getByTestId('ssh-private-key')).toContainText('-----BEGIN OPENSSH PRIVATE KEY-----')
  await axe(page, 'SSH key page')

  // A pasted key that is not one: the message beside the field, nothing saved.
  await newItem(page, 'SSH key')
  await page.getByLabel('Name', { exact: true }).fill('Broken')
  await page.getByLabel('Private key').fill('-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----')
  await save(page)
  await expect(main(page)).toContainText('This is not a private key we can read')
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Broken')
  if (isJs()) await expect(page).toHaveURL(/\/dashboard\/items\/new\?type=ssh/)
})
