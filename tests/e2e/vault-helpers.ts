// Helpers for the vault specs: a worker-scoped connection to the test database (DATABASE_URL,
// the same database the servers use) for fast seeding and for checking what was really stored,
// and a few user-level actions (log in, open an item, search) that work with JavaScript off and on.
import { randomUUID } from 'node:crypto'
import { QueryTypes } from 'sequelize'
import type { Page } from '@playwright/test'
import * as crypto from '../../server/lib/crypto.js'
import type { ItemFields } from '../../shared/contract.js'
import { createTestContext, itemFields as fields } from '../helpers/context.js'
import { PASSWORD, expect, fillLogin, hydrated, open, test as base, uniqueEmail } from './helpers'

export type Db = ReturnType<typeof createTestContext>

/** The specs' `test`: helpers.ts's (with its console guard), plus `db`, one per worker. */
export const test = base.extend<object, { db: Db }>({
  db: [
    async ({}, use) => {
      const db = createTestContext()
      await use(db)
      await db.sequelize.close()
    },
    { scope: 'worker' },
  ],
})
export { expect }

export const isJs = () => !!test.info().project.use.javaScriptEnabled

/** A user created through the services (fast: KDF cost 2^10); log in with `email` and `password`. */
export interface Seeded {
  id: string
  name: string
  email: string
  password: string
  vaultKey: Buffer
  publicKey: Buffer
  personalId: string
  viewer: { userId: string; vaultKey: Buffer }
}

export async function seedUser(db: Db, tag: string, name = `Sam ${tag}`): Promise<Seeded> {
  const email = uniqueEmail(tag)
  const { user, vaultKey } = await db.services.users.register({ name, email, password: PASSWORD })
  const personal = await db.models.Folder.findOne({ where: { ownerId: user.id, isPersonal: true } })
  return {
    id: user.id,
    name,
    email,
    password: PASSWORD,
    vaultKey,
    publicKey: user.publicKey,
    personalId: personal!.id,
    viewer: { userId: user.id, vaultKey },
  }
}

export { fields }

/** A user seeded through the services, with a verified email (sharing requires one on both sides). */
export async function verifiedUser(db: Db, tag: string, name: string): Promise<Seeded> {
  const u = await seedUser(db, tag, name)
  await db.sequelize.query('UPDATE users SET verified_at = now() WHERE id = :id', { replacements: { id: u.id }, type: QueryTypes.UPDATE })
  return u
}

/** Opens a member's copy of a folder key, the way the service does. */
export async function folderKeyOf(db: Db, u: Seeded, folderId: string): Promise<Buffer> {
  const user = await db.models.User.findByPk(u.id)
  const m = await db.models.FolderMembership.findOne({ where: { folderId, userId: u.id } })
  const priv = crypto.open(u.vaultKey, user!.privateKeyWrapped, Buffer.from('private-key'))
  return crypto.openSealed(priv, m!.sealedKey, crypto.folderKeyAad(folderId, u.id))
}

/** Bulk-inserts encrypted items (one INSERT, no service calls). Returns their ids in order. */
export async function seedItems(db: Db, u: Seeded, folderId: string, list: ItemFields[]): Promise<string[]> {
  const key = await folderKeyOf(db, u, folderId)
  const rows = list.map((f) => {
    const id = randomUUID()
    const value = { ...f, score: 4 }
    return { id, folderId, ciphertext: crypto.encryptJson(key, value, crypto.itemAad(id, folderId)) }
  })
  await db.models.Item.bulkCreate(rows)
  return rows.map((r) => r.id)
}

/** Olivia Owner's folder "Family", holding two items: Router and Streaming (with a known password). */
export async function ownerWithFolder(db: Db) {
  const owner = await verifiedUser(db, 'owner', 'Olivia Owner')
  const { id: folderId } = await db.services.vault.createFolder(owner.viewer, 'Family')
  const [routerId, tvId] = await seedItems(db, owner, folderId, [
    fields({ name: 'Router', username: 'admin', url: 'https://router.example' }),
    fields({ name: 'Streaming', username: 'family@example.test', password: 'shared-tv-password-93', url: 'https://tv.example' }),
  ])
  return { owner, folderId, routerId: routerId!, tvId: tvId! }
}

/** Adds `member` to `owner`'s folder directly (accepted): the folder key sealed to the member. */
export async function addMember(db: Db, owner: Seeded, member: Seeded, folderId: string, permission: 'view' | 'edit') {
  const key = await folderKeyOf(db, owner, folderId)
  await db.models.FolderMembership.create({
    folderId,
    userId: member.id,
    role: 'member',
    permission,
    status: 'accepted',
    sealedKey: crypto.sealToPublicKey(member.publicKey, key, crypto.folderKeyAad(folderId, member.id)),
    invitedAt: new Date(),
    acceptedAt: new Date(),
  })
}

export async function rawItem(db: Db, id: string) {
  const [row] = await db.sequelize.query<{ folderId: string; ciphertext: Buffer; deletedAt: Date | null }>(
    'SELECT folder_id AS "folderId", ciphertext, deleted_at AS "deletedAt" FROM items WHERE id = :id',
    { replacements: { id }, type: QueryTypes.SELECT },
  )
  return row ?? null
}

/** The ids of the items a user's folder holds, straight from the table. */
export async function itemIdsIn(db: Db, folderId: string): Promise<string[]> {
  const rows = await db.sequelize.query<{ id: string }>('SELECT id FROM items WHERE folder_id = :folderId ORDER BY id', {
    replacements: { folderId },
    type: QueryTypes.SELECT,
  })
  return rows.map((r) => r.id)
}

/** Logs in through the login page; ends on the dashboard (or `next`). */
export async function logIn(page: Page, u: { email: string; password: string }, next?: string) {
  await open(page, next ? `/login?next=${encodeURIComponent(next)}` : '/login')
  const res = await fillLogin(page, u.email, u.password)
  expect(res.status()).toBeLessThan(400)
  await expect(page).toHaveURL(next ? new RegExp(`${next.replace(/[?]/g, '\\?')}$`) : /\/dashboard$/)
  await hydrated(page)
}

/** The sidebar (folders and views). */
export const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Vault' })

/** The sidebar's "New folder" field, revealed with the "+" beside the Folders heading when it is hidden. */
export async function newFolderField(page: Page) {
  const field = sidebar(page).getByRole('textbox', { name: 'New folder' })
  if (!(await field.isVisible())) await sidebar(page).locator('summary', { hasText: 'New folder' }).click()
  await expect(field).toBeVisible()
  return field
}
/** The item list of a list page. */
export const itemList = (page: Page) => page.getByRole('list', { name: 'Items' })
/** The page's own content (not the header or sidebar). */
export const main = (page: Page) => page.getByRole('main')

/** Shows the password of the item on screen: its Reveal link (?reveal=password), JavaScript or not. */
export async function revealPassword(page: Page) {
  await main(page).getByRole('link', { name: 'Reveal password' }).click()
  await expect(page).toHaveURL(/[?&]reveal=password$/)
}

/** The id at the end of the current URL (/dashboard/items/:id, /dashboard/folders/:id). */
export function idFromUrl(page: Page): string {
  const m = new URL(page.url()).pathname.match(/\/([0-9a-f-]{36})$/)
  if (!m) throw new Error(`no id in ${page.url()}`)
  return m[1]!
}

/** Waits until the page is the given vault path and (with JavaScript) hydrated. */
export async function at(page: Page, path: RegExp) {
  await expect(page).toHaveURL(path)
  await hydrated(page)
}

/**
 * Checks the one-time message. With JavaScript it is a toast over the top right corner of the
 * page (where the page's own buttons are), so it is dismissed afterwards, as a user would.
 */
export async function expectFlash(page: Page, text: string) {
  const flash = page.getByTestId('flash')
  await expect(flash).toContainText(text)
  if (isJs()) {
    await flash.getByRole('button', { name: 'Dismiss message' }).click()
    await expect(flash).toHaveCount(0)
  }
}
