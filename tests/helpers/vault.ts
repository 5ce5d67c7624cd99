// Vault state set up and read behind the services' back, for tests that check what the services
// stored: the Personal folder, a verified user, a folder key opened as its holder would, a member
// added without an invitation, raw rows, and the error a service call must throw.
import { randomUUID } from 'node:crypto'
import { QueryTypes } from 'sequelize'
import { expect } from 'vitest'
import * as crypto from '../../server/lib/crypto.js'
import { ValidationError } from '../../server/lib/errors.js'
import type { ItemFields } from '../../shared/contract.js'
import type { Viewer } from '../../server/services/types.js'
import type { ListOptions, VaultService } from '../../server/services/vault.js'
import { registerUser, type RegisteredUser, type TestContext } from './context.js'

export async function personalId(c: TestContext, u: { user: { id: string } }) {
  const f = await c.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } })
  return f!.id
}

/** A registered user whose email is verified (what sharing requires on both sides). */
export async function verifiedUser(c: TestContext, name: string) {
  const u = await registerUser(c, name)
  await c.sequelize.query('UPDATE users SET verified_at = now() WHERE id = :id', { replacements: { id: u.user.id } })
  return u
}

/** The user's X25519 private key, unwrapped with their vault key (what their password opens). */
export async function privateKeyOf(c: TestContext, u: RegisteredUser) {
  const user = await c.models.User.findByPk(u.user.id)
  return crypto.open(u.vaultKey, user!.privateKeyWrapped, crypto.privateKeyAad())
}

/** Opens a folder key the way the service does (for checks and seeding). */
export async function folderKeyOf(c: TestContext, u: RegisteredUser, folderId: string) {
  const m = await c.models.FolderMembership.findOne({ where: { folderId, userId: u.user.id } })
  return crypto.openSealed(await privateKeyOf(c, u), m!.sealedKey, crypto.folderKeyAad(folderId, u.user.id))
}

/** Adds `member` to `owner`'s folder directly: the folder key sealed to the member's public key. */
export async function addMember(
  c: TestContext,
  owner: RegisteredUser,
  member: RegisteredUser,
  folderId: string,
  permission: 'view' | 'edit',
  status: 'accepted' | 'pending' = 'accepted',
) {
  const key = await folderKeyOf(c, owner, folderId)
  await c.models.FolderMembership.create({
    folderId,
    userId: member.user.id,
    role: 'member',
    permission,
    status,
    sealedKey: crypto.sealToPublicKey(member.user.publicKey, key, crypto.folderKeyAad(folderId, member.user.id)),
    invitedAt: new Date(),
    acceptedAt: status === 'accepted' ? new Date() : null,
  })
}

/** Bulk-inserts encrypted items built with the crypto module (fast seeding, no service calls). */
export async function seedItems(c: TestContext, u: RegisteredUser, folderId: string, list: (ItemFields & { score?: number })[]) {
  const key = await folderKeyOf(c, u, folderId)
  const rows = list.map((f) => {
    const id = randomUUID()
    const value = { name: f.name, username: f.username, password: f.password, url: f.url, note: f.note, score: f.score ?? 4 }
    return { id, folderId, ciphertext: crypto.encryptJson(key, value, crypto.itemAad(id, folderId)) }
  })
  await c.models.Item.bulkCreate(rows)
  return rows.map((r) => r.id)
}

export async function rawItem(c: TestContext, id: string) {
  const [row] = await c.sequelize.query<{ folder_id: string; ciphertext: Buffer }>(
    'SELECT folder_id, ciphertext FROM items WHERE id = :id',
    { replacements: { id }, type: QueryTypes.SELECT },
  )
  return row ?? null
}

/** Everything stored about some folders, their items and their members, to compare before and after. */
export async function folderSnapshot(c: TestContext, folderIds: string[]) {
  const q = (sql: string) => c.sequelize.query(sql, { replacements: { folderIds }, type: QueryTypes.SELECT })
  return {
    folders: await q('SELECT id, name, owner_id, updated_at FROM folders WHERE id IN (:folderIds) ORDER BY id'),
    items: (await q('SELECT id, folder_id, ciphertext, updated_at FROM items WHERE folder_id IN (:folderIds) ORDER BY id')).map((r) => {
      const row = r as { ciphertext: Buffer }
      return { ...row, ciphertext: row.ciphertext.toString('base64') }
    }),
    members: (await q('SELECT folder_id, user_id, role, permission, status, sealed_key FROM folder_memberships WHERE folder_id IN (:folderIds) ORDER BY folder_id, user_id')).map((r) => {
      const row = r as { sealed_key: Buffer | null }
      return { ...row, sealed_key: row.sealed_key ? row.sealed_key.toString('base64') : null }
    }),
  }
}

/** Awaits a call that must fail with `type`, and returns the error for further checks. */
export async function expectError(promise: Promise<unknown>, type: abstract new (...a: never[]) => Error) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(type)
  return err as Error
}

/** Awaits a call that must fail validation with `message` at `field`. */
export async function expectFieldError(promise: Promise<unknown>, field: string, message: string | RegExp) {
  const err = (await expectError(promise, ValidationError)) as ValidationError
  if (typeof message === 'string') expect(err.fields[field]).toBe(message)
  else expect(err.fields[field]).toMatch(message)
  return err
}

/**
 * A list page's reads as the page makes them: the list and the sidebar through one reader (one
 * load of the vault, so the same queries as the list alone), as one object.
 */
export async function listWithSidebar(vault: Pick<VaultService, 'reader'>, viewer: Viewer, opts: ListOptions = {}) {
  const reader = vault.reader(viewer)
  const [page, sidebar] = await Promise.all([reader.list(opts), reader.folders()])
  return { ...page, ...sidebar }
}
