// Item history (issue 21, ADR 029): each save keeps the version it replaced (the last 20),
// encrypted under the folder key and bound to its row; a restore is a save of its own; versions
// move with the item and are re-keyed with the folder; ids that are not the viewer's get 404, a
// view-only restore 403; the list pays no query for any of it.
import { QueryTypes } from 'sequelize'
import { afterAll, describe, expect, it } from 'vitest'
import { ForbiddenError, NotFoundError } from '../../server/lib/errors.js'
import * as crypto from '../../server/lib/crypto.js'
import { createVaultService } from '../../server/services/vault.js'
import { decryptItem, decryptItemVersion } from '../../server/services/itemCrypto.js'
import { countQueries, createTestContext, itemFields as fields } from '../helpers/context.js'
import { folderWithItems, openSealedKey, membershipRow, share } from '../helpers/sharing.js'
import { expectError, folderKeyOf, listWithSidebar, personalId, verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
const { vault, sharing } = ctx.services
afterAll(() => ctx.sequelize.close())

async function versionRows(itemId: string) {
  return ctx.sequelize.query<{ id: string; folder_id: string; ciphertext: Buffer; created_at: Date }>(
    'SELECT id, folder_id, ciphertext, created_at FROM item_versions WHERE item_id = :itemId ORDER BY created_at DESC, id DESC',
    { replacements: { itemId }, type: QueryTypes.SELECT },
  )
}

describe('item history', () => {
  it('a save keeps the previous version, encrypted and bound to its row; restore makes a new version', async () => {
    const u = await verifiedUser(ctx, 'History One')
    const folderId = await personalId(ctx, u)
    const { id } = await vault.createItem(u.viewer, { folderId, ...fields({ name: 'Mail', password: 'first-Password-1!' }) })
    expect((await vault.listVersions(u.viewer, id)).versions).toEqual([])

    await vault.updateItem(u.viewer, id, fields({ name: 'Mail', password: 'second-Password-2!' }))
    await vault.updateItem(u.viewer, id, fields({ name: 'Mail box', password: 'second-Password-2!' }))
    const list = await vault.listVersions(u.viewer, id)
    expect(list.versions).toHaveLength(2)
    // Newest first, each saying what the save after it changed.
    expect(list.versions[0]!.changed).toEqual(['name'])
    expect(list.versions[1]!.changed).toEqual(['password'])
    const oldest = await vault.getVersion(u.viewer, id, list.versions[1]!.id)
    expect(oldest.fields.password).toBe('first-Password-1!')

    // Stored encrypted under the folder key, bound to the version id, item and folder.
    const rows = await versionRows(id)
    const key = await folderKeyOf(ctx, u, folderId)
    expect(rows.every((r) => !r.ciphertext.toString('latin1').includes('first-Password'))).toBe(true)
    expect(decryptItemVersion(key, rows[1]!.id, id, folderId, rows[1]!.ciphertext)!.password).toBe('first-Password-1!')
    expect(decryptItemVersion(key, rows[0]!.id, id, folderId, rows[1]!.ciphertext)).toBeNull()

    // Restore: the item gets the old fields, and the version it replaced is kept (3 versions now).
    await vault.restoreVersion(u.viewer, id, list.versions[1]!.id)
    const item = await vault.getItem(u.viewer, id)
    expect(item.fields.password).toBe('first-Password-1!')
    expect(item.fields.name).toBe('Mail')
    const after = await vault.listVersions(u.viewer, id)
    expect(after.versions).toHaveLength(3)
    expect((await vault.getVersion(u.viewer, id, after.versions[0]!.id)).fields.name).toBe('Mail box')
    // "Password last changed" moved with the restore.
    expect(item.passwordChangedAt.getTime()).toBeGreaterThan(item.createdAt.getTime())
  })

  it('keeps only the last 20 versions', async () => {
    const u = await verifiedUser(ctx, 'History Twenty')
    const folderId = await personalId(ctx, u)
    const { id } = await vault.createItem(u.viewer, { folderId, ...fields({ note: 'v0' }) })
    for (let i = 1; i <= 24; i++) await vault.updateItem(u.viewer, id, fields({ note: `v${i}` }))
    const rows = await versionRows(id)
    expect(rows).toHaveLength(20)
    const list = await vault.listVersions(u.viewer, id)
    expect(list.versions).toHaveLength(20)
    // The newest kept is the one before the current (v23); the oldest kept is v4.
    expect((await vault.getVersion(u.viewer, id, list.versions[0]!.id)).fields.note).toBe('v23')
    expect((await vault.getVersion(u.viewer, id, list.versions[19]!.id)).fields.note).toBe('v4')
  })

  it('an unreadable current ciphertext is not kept as a version', async () => {
    const u = await verifiedUser(ctx, 'History Unreadable')
    const folderId = await personalId(ctx, u)
    const { id } = await vault.createItem(u.viewer, { folderId, ...fields() })
    const other = await vault.createItem(u.viewer, { folderId, ...fields({ name: 'Other' }) })
    // Another row's ciphertext: bound to the other id, so it does not decrypt here.
    await ctx.sequelize.query('UPDATE items SET ciphertext = (SELECT ciphertext FROM items WHERE id = :other) WHERE id = :id', { replacements: { id, other: other.id } })
    await vault.updateItem(u.viewer, id, fields({ name: 'Fixed' }))
    expect(await versionRows(id)).toEqual([])
  })

  it('404 for foreign, unknown, malformed and trashed ids; 403 for a view-only restore', async () => {
    const owner = await verifiedUser(ctx, 'History Owner')
    const viewerUser = await verifiedUser(ctx, 'History Viewer')
    const stranger = await verifiedUser(ctx, 'History Stranger')
    const { folderId, itemIds } = await folderWithItems(ctx, owner, 'History shared', 2)
    await share(ctx, owner, viewerUser, folderId, 'view')
    const [id, otherId] = itemIds as [string, string]
    await vault.updateItem(owner.viewer, id, fields({ name: 'Changed' }))
    await vault.updateItem(owner.viewer, otherId, fields({ name: 'Other changed' }))
    const [v] = (await vault.listVersions(owner.viewer, id)).versions
    const [otherV] = (await vault.listVersions(owner.viewer, otherId)).versions

    // A view member reads the history but cannot restore.
    expect((await vault.getVersion(viewerUser.viewer, id, v!.id)).fields.name).toBe('History shared item 0')
    await expectError(vault.restoreVersion(viewerUser.viewer, id, v!.id), ForbiddenError)
    // Not theirs, unknown, malformed, another item's version.
    await expectError(vault.listVersions(stranger.viewer, id), NotFoundError)
    await expectError(vault.getVersion(stranger.viewer, id, v!.id), NotFoundError)
    await expectError(vault.restoreVersion(stranger.viewer, id, v!.id), NotFoundError)
    await expectError(vault.getVersion(owner.viewer, id, '00000000-0000-4000-8000-000000000000'), NotFoundError)
    await expectError(vault.getVersion(owner.viewer, id, 'not-a-uuid'), NotFoundError)
    await expectError(vault.listVersions(owner.viewer, 'not-a-uuid'), NotFoundError)
    await expectError(vault.restoreVersion(owner.viewer, id, otherV!.id), NotFoundError)
    // Trashed: its history is out of reach until it is restored.
    await vault.deleteItem(owner.viewer, id)
    await expectError(vault.listVersions(owner.viewer, id), NotFoundError)
    await expectError(vault.restoreVersion(owner.viewer, id, v!.id), NotFoundError)
  })

  it('versions move with the item (target key and AAD), and with a deleted folder’s items to Personal', async () => {
    const u = await verifiedUser(ctx, 'History Mover')
    const personal = await personalId(ctx, u)
    const { folderId, itemIds } = await folderWithItems(ctx, u, 'History source', 2)
    const [a, b] = itemIds as [string, string]
    await vault.updateItem(u.viewer, a, fields({ name: 'A2' }))
    await vault.updateItem(u.viewer, b, fields({ name: 'B2' }))
    const target = await vault.createFolder(u.viewer, 'History target')
    await vault.moveItem(u.viewer, a, target.id)
    const [va] = await versionRows(a)
    expect(va!.folder_id).toBe(target.id)
    expect(decryptItemVersion(await folderKeyOf(ctx, u, target.id), va!.id, a, target.id, va!.ciphertext)!.name).toBe('History source item 0')
    expect((await vault.listVersions(u.viewer, a)).versions[0]!.unreadable).toBe(false)

    await vault.deleteFolder(u.viewer, folderId)
    const [vb] = await versionRows(b)
    expect(vb!.folder_id).toBe(personal)
    expect(decryptItemVersion(await folderKeyOf(ctx, u, personal), vb!.id, b, personal, vb!.ciphertext)!.name).toBe('History source item 1')
  })

  it('key rotation re-encrypts live, trashed and historical versions: the departed member’s old key opens none of them', async () => {
    const owner = await verifiedUser(ctx, 'History Rotate Owner')
    const gone = await verifiedUser(ctx, 'History Rotate Gone')
    const { folderId, itemIds } = await folderWithItems(ctx, owner, 'History rotating', 3)
    const [live, trashed] = itemIds as [string, string, string]
    await vault.updateItem(owner.viewer, live, fields({ name: 'Live 2' }))
    await vault.updateItem(owner.viewer, trashed, fields({ name: 'Trashed 2' }))
    await vault.deleteItem(owner.viewer, trashed)
    await share(ctx, owner, gone, folderId, 'edit')
    const oldKey = await openSealedKey(ctx, gone, folderId, (await membershipRow(ctx, folderId, gone.user.id))!.sealed_key)
    const versionsBefore = [...(await versionRows(live)), ...(await versionRows(trashed))]
    expect(versionsBefore).toHaveLength(2)
    // The capture works: the old key opens every version now.
    for (const v of versionsBefore) expect(decryptItemVersion(oldKey, v.id, v.id === versionsBefore[0]!.id ? live : trashed, folderId, v.ciphertext)).not.toBeNull()

    await sharing.removeMember(owner.viewer, folderId, gone.user.id)

    const items = await ctx.sequelize.query<{ id: string; ciphertext: Buffer }>('SELECT id, ciphertext FROM items WHERE folder_id = :folderId', {
      replacements: { folderId },
      type: QueryTypes.SELECT,
    })
    expect(items).toHaveLength(3) // the trashed one included
    const newKey = await folderKeyOf(ctx, owner, folderId)
    for (const i of items) {
      expect(decryptItem(oldKey, i.id, folderId, i.ciphertext)).toBeNull()
      expect(decryptItem(newKey, i.id, folderId, i.ciphertext)).not.toBeNull()
    }
    for (const [itemId, name] of [
      [live, 'History rotating item 0'],
      [trashed, 'History rotating item 1'],
    ] as const) {
      const rows = await versionRows(itemId)
      expect(rows).toHaveLength(1)
      expect(decryptItemVersion(oldKey, rows[0]!.id, itemId, folderId, rows[0]!.ciphertext)).toBeNull()
      expect(decryptItemVersion(newKey, rows[0]!.id, itemId, folderId, rows[0]!.ciphertext)!.name).toBe(name)
    }
  })

  it('history adds no query to the list', async () => {
    const u = await verifiedUser(ctx, 'History Queries')
    const folderId = await personalId(ctx, u)
    const { id } = await vault.createItem(u.viewer, { folderId, ...fields() })
    const first = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {}))
    for (let i = 0; i < 5; i++) await vault.updateItem(u.viewer, id, fields({ note: `n${i}` }))
    // A fresh service (nothing cached): a first view, as after a restart, with versions in the database.
    const fresh = createVaultService(ctx.deps)
    const { count } = await countQueries(ctx, () => listWithSidebar(fresh, u.viewer, {}))
    expect(count).toBeLessThanOrEqual(first.count)
    const sorted = await countQueries(ctx, () => listWithSidebar(fresh, u.viewer, { sort: 'password' }))
    expect(sorted.count).toBeLessThanOrEqual(1)
    expect(sorted.result.items.map((i) => i.id)).toEqual([id])
    expect(first.count).toBeLessThanOrEqual(3)
  })

  it('an index of version 1 (before issue 21) is not used: the list decrypts the items, and the next write stores the current version (3 since issue 23)', async () => {
    const u = await verifiedUser(ctx, 'History Old Index')
    const folderId = await personalId(ctx, u)
    const { id } = await vault.createItem(u.viewer, { folderId, ...fields({ name: 'Old' }) })
    const key = await folderKeyOf(ctx, u, folderId)
    const [row] = await ctx.sequelize.query<{ digest: string }>('SELECT list_index_digest AS digest FROM folders WHERE id = :folderId', { replacements: { folderId }, type: QueryTypes.SELECT })
    // What a release before issue 21 wrote: 9 fields an entry, no password date.
    const old = crypto.encryptJson(key, { v: 1, digest: row!.digest, items: [[id, 'x', 'Stale name', '', '', '', 0, 0, null]] }, crypto.folderIndexAad(folderId))
    await ctx.sequelize.query('UPDATE folders SET list_index = :old WHERE id = :folderId', { replacements: { old, folderId } })
    const page = await createVaultService(ctx.deps).listVault(u.viewer, {})
    expect(page.items.map((i) => i.name)).toEqual(['Old'])
    expect(page.items[0]!.passwordChangedAt.getTime()).toBeGreaterThan(0)
    await vault.updateItem(u.viewer, id, fields({ name: 'New' }))
    const [after] = await ctx.sequelize.query<{ listIndex: Buffer }>('SELECT list_index AS "listIndex" FROM folders WHERE id = :folderId', { replacements: { folderId }, type: QueryTypes.SELECT })
    expect(crypto.decryptJson<{ v: number }>(key, after!.listIndex, crypto.folderIndexAad(folderId)).v).toBe(3)
  })
})
