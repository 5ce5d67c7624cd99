// Shared folders as the database holds them, for the sharing tests: folders shared through the
// service, membership and item rows, folder keys opened as each holder would, and the check every
// departure (removal, leave, decline) must pass: the folder re-keyed away from the one who left.
import { QueryTypes } from 'sequelize'
import { expect } from 'vitest'
import * as crypto from '../../server/lib/crypto.js'
import { NotFoundError } from '../../server/lib/errors.js'
import { decryptItem, type ItemPlaintext } from '../../server/services/itemCrypto.js'
import { itemFields, type RegisteredUser, type TestContext } from './context.js'
import { expectError, privateKeyOf, listWithSidebar } from './vault.js'

/** A folder of `owner` with `n` items created through the service. */
export async function folderWithItems(c: TestContext, owner: RegisteredUser, name: string, n: number) {
  const { id } = await c.services.vault.createFolder(owner.viewer, name)
  const itemIds: string[] = []
  for (let i = 0; i < n; i++) {
    itemIds.push((await c.services.vault.createItem(owner.viewer, { folderId: id, ...itemFields({ name: `${name} item ${i}`, username: `user${i}` }) })).id)
  }
  return { folderId: id, itemIds }
}

/** Invites and accepts through the service. */
export async function share(c: TestContext, owner: RegisteredUser, member: RegisteredUser, folderId: string, permission: 'view' | 'edit') {
  await c.services.sharing.invite(owner.viewer, folderId, { email: member.email, permission })
  await c.services.sharing.accept(member.viewer, folderId)
}

/** Ages an invitation past its expiry (7 days), as `days` of waiting would. */
export async function ageInvitation(c: TestContext, folderId: string, userId: string, days = 8) {
  await c.sequelize.query(`UPDATE folder_memberships SET invited_at = now() - interval '${days} days' WHERE folder_id = :folderId AND user_id = :userId`, {
    replacements: { folderId, userId },
  })
}

export async function membershipRow(c: TestContext, folderId: string, userId: string) {
  const [row] = await c.sequelize.query<{ sealed_key: Buffer; status: string; permission: string }>(
    'SELECT sealed_key, status::text AS status, permission::text AS permission FROM folder_memberships WHERE folder_id = :folderId AND user_id = :userId',
    { replacements: { folderId, userId }, type: QueryTypes.SELECT },
  )
  return row ?? null
}

export async function membershipRows(c: TestContext, folderId: string) {
  return c.sequelize.query<{ user_id: string; sealed_key: Buffer; status: string }>(
    'SELECT user_id, sealed_key, status::text AS status FROM folder_memberships WHERE folder_id = :folderId ORDER BY user_id',
    { replacements: { folderId }, type: QueryTypes.SELECT },
  )
}

export async function itemRows(c: TestContext, folderId: string) {
  return c.sequelize.query<{ id: string; ciphertext: Buffer; updated_at: Date }>(
    'SELECT id, ciphertext, updated_at FROM items WHERE folder_id = :folderId ORDER BY id',
    { replacements: { folderId }, type: QueryTypes.SELECT },
  )
}

/** Opens a sealed folder key as its holder would. */
export async function openSealedKey(c: TestContext, u: RegisteredUser, folderId: string, sealed: Buffer) {
  return crypto.openSealed(await privateKeyOf(c, u), sealed, crypto.folderKeyAad(folderId, u.user.id))
}

/** The folder key `u` holds now, from the database. */
export async function currentKeyOf(c: TestContext, u: RegisteredUser, folderId: string) {
  const row = await membershipRow(c, folderId, u.user.id)
  expect(row, `${u.user.id} has a membership row`).not.toBeNull()
  return openSealedKey(c, u, folderId, row!.sealed_key)
}

/** Decrypts every current item of a folder with `key`; null entries are items it does not open. */
export async function decryptAll(c: TestContext, key: Buffer, folderId: string) {
  const rows = await itemRows(c, folderId)
  return rows.map((r) => decryptItem(key, r.id, folderId, r.ciphertext))
}

export const shown = (p: ItemPlaintext | null) => (p ? { name: p.name, username: p.username, password: p.password } : null)

/** What every test of a departure checks: captured before, compared after. */
export async function captureBefore(c: TestContext, folderId: string, departing: RegisteredUser, stayer: RegisteredUser) {
  const items = await itemRows(c, folderId)
  const oldSealed = (await membershipRow(c, folderId, departing.user.id))!.sealed_key
  const oldKey = await openSealedKey(c, departing, folderId, oldSealed)
  const plain = (await decryptAll(c, await currentKeyOf(c, stayer, folderId), folderId)).map(shown)
  // The capture itself works: the departing person's key opens everything now.
  expect((await decryptAll(c, oldKey, folderId)).map(shown)).toEqual(plain)
  expect(plain.every((p) => p !== null)).toBe(true)
  return { items, oldSealed, oldKey, plain }
}

export async function expectRotatedAway(
  c: TestContext,
  folderId: string,
  before: Awaited<ReturnType<typeof captureBefore>>,
  departed: RegisteredUser,
  remaining: RegisteredUser[],
) {
  const { vault, sharing } = c.services
  // The departed person has no row and sees nothing.
  expect(await membershipRow(c, folderId, departed.user.id)).toBeNull()
  const theirs = await listWithSidebar(vault, departed.viewer)
  expect(theirs.folders.map((f) => f.id)).not.toContain(folderId)
  expect(theirs.items.some((i) => i.folderId === folderId)).toBe(false)
  for (const item of before.items) await expectError(vault.getItem(departed.viewer, item.id), NotFoundError)
  const shares = await sharing.listShares(departed.viewer)
  expect([...shares.pending, ...shares.accepted].map((s) => s.folderId)).not.toContain(folderId)

  // Every item was re-encrypted, and none of them was "changed" by anyone.
  const after = await itemRows(c, folderId)
  expect(after.map((r) => r.id)).toEqual(before.items.map((r) => r.id))
  for (const [i, row] of after.entries()) {
    expect(row.ciphertext.equals(before.items[i]!.ciphertext), `item ${row.id} re-encrypted`).toBe(false)
    expect(row.updated_at.getTime(), `item ${row.id} updated_at`).toBe(before.items[i]!.updated_at.getTime())
  }

  // The old sealed key, opened with the departed user's own private key, opens no current item.
  const oldKeyAgain = await openSealedKey(c, departed, folderId, before.oldSealed)
  expect(oldKeyAgain.equals(before.oldKey)).toBe(true)
  expect(await decryptAll(c, before.oldKey, folderId)).toEqual(after.map(() => null))

  // Everyone who stays holds the same new key, which opens every item to its old content.
  let newKey: Buffer | null = null
  for (const u of remaining) {
    const k = await currentKeyOf(c, u, folderId)
    expect(k.equals(before.oldKey)).toBe(false)
    if (newKey) expect(k.equals(newKey)).toBe(true)
    newKey = k
    expect((await decryptAll(c, k, folderId)).map(shown)).toEqual(before.plain)
    // ...and through the service too (an invitee still pending reads nothing yet).
    if ((await membershipRow(c, folderId, u.user.id))!.status !== 'accepted') continue
    const page = await vault.listVault(u.viewer, { folderId })
    expect(page.items.filter((i) => i.unreadable)).toEqual([])
    expect(page.items.map((i) => i.name).sort()).toEqual(before.plain.map((p) => p!.name).sort())
    const detail = await vault.getItem(u.viewer, after[0]!.id)
    expect(detail.unreadable).toBe(false)
  }
  // No one else holds a row in the folder.
  expect((await membershipRows(c, folderId)).map((r) => r.user_id).sort()).toEqual(remaining.map((u) => u.user.id).sort())
}
