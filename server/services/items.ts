// Item reads and writes. Knows nothing of Koa or Vue. Never logs item contents. Access checks and
// the locking convention: access.ts; keys: keyRing.ts; encryption: itemCrypto.ts.
import { randomUUID } from 'node:crypto'
import type { Transaction } from 'sequelize'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { folderFullError, lockFolders, queryItemAccess, queryMemberships, requireEdit, requireId } from './access.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem, encryptItem, hostOf, isUnscored, isWeak, safeHref, scoreItem } from './itemCrypto.js'
import { applyListIndexChanges, indexEntry } from './listIndex.js'
import type { ItemDetail, ItemFields } from '../../shared/contract.js'
import type { ServiceDeps, Viewer } from './types.js'

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

export function createItemQueries(deps: ServiceDeps) {
  /** One SQL query. NotFoundError when the viewer cannot open the item (or the id is malformed). */
  async function getItem(viewer: Viewer, rawItemId: string): Promise<ItemDetail> {
    const itemId = requireId(rawItemId)
    const row = await queryItemAccess(deps, viewer.userId, itemId)
    if (!row) throw new NotFoundError()
    const plain = decryptItem(createKeyRing(viewer).folderKey(row), row.id, row.folderId, row.ciphertext)
    const fields: ItemFields = plain
      ? { name: plain.name, username: plain.username, password: plain.password, url: plain.url, note: plain.note }
      : { name: '', username: '', password: '', url: '', note: '' }
    return {
      id: row.id,
      folderId: row.folderId,
      folderName: row.folderName,
      fields,
      permission: row.permission,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      unreadable: plain === null,
      host: hostOf(fields.url),
      href: safeHref(fields.url),
      weak: plain !== null && isWeak(plain),
      unscored: plain !== null && isUnscored(plain),
    }
  }

  return { getItem }
}

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------
//
// Each write also rewrites the list index of the folders it touched (listIndex.ts, ADR 020), in
// the same transaction and under the same folder locks, after its item statements. updated_at is
// set in JavaScript (never now()), so the index holds exactly the value the row does.

export function createItemCommands(deps: ServiceDeps) {
  const { sequelize, models, limits } = deps

  /**
   * `fields` as the route parsed them (schemas/vault.ts). ForbiddenError on a view-only folder,
   * NotFoundError if not a member, ValidationError when full.
   */
  async function createItem(viewer: Viewer, { folderId: rawFolderId, ...fields }: { folderId: string } & ItemFields): Promise<{ id: string }> {
    const folderId = requireId(rawFolderId)
    const score = await scoreItem(fields, viewer.userId) // zxcvbn before the transaction: locks stay short
    return sequelize.transaction(async (transaction) => {
      await lockFolders(deps, viewer.userId, [folderId], transaction)
      const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], transaction })
      if (!m) throw new NotFoundError()
      requireEdit(m)
      if (m.itemCount >= limits.itemsPerFolder) throw folderFullError(limits.itemsPerFolder)
      const key = createKeyRing(viewer).requireFolderKey(m)
      const id = randomUUID() // before encrypting: the AAD binds the id
      const plain = { ...fields, score }
      const ciphertext = encryptItem(key, id, folderId, plain)
      const item = await models.Item.create({ id, folderId, ciphertext }, { transaction })
      await applyListIndexChanges(deps, transaction, [{ folderId, key, upserts: [indexEntry(id, ciphertext, item.updatedAt, plain)] }])
      return { id }
    })
  }

  /**
   * Finds the item's folder (NotFoundError if the viewer cannot open it), locks that folder, then
   * reads item and membership again under the lock. `extraFolderIds` are locked in the same step.
   */
  async function lockItem(viewer: Viewer, itemId: string, transaction: Transaction, extraFolderIds: string[] = []) {
    const before = await queryItemAccess(deps, viewer.userId, itemId, transaction)
    if (!before) throw new NotFoundError()
    requireEdit(before)
    await lockFolders(deps, viewer.userId, [before.folderId, ...extraFolderIds], transaction)
    const row = await queryItemAccess(deps, viewer.userId, itemId, transaction)
    // Moved, deleted or access lost while we waited for the lock.
    if (!row || row.folderId !== before.folderId) throw new NotFoundError()
    requireEdit(row)
    return row
  }

  /** `fields` as the route parsed them (schemas/vault.ts). */
  async function updateItem(viewer: Viewer, rawItemId: string, fields: ItemFields): Promise<void> {
    const itemId = requireId(rawItemId)
    const score = await scoreItem(fields, viewer.userId)
    await sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction)
      const key = createKeyRing(viewer).requireFolderKey(row)
      const plain = { ...fields, score }
      const ciphertext = encryptItem(key, itemId, row.folderId, plain)
      const now = new Date()
      // silent: Sequelize would set its own updatedAt; this one is the index's too.
      // Scored just now: an imported item waiting for its score (ADR 024) waits no more.
      await models.Item.update({ ciphertext, updatedAt: now, scoreDueAt: null }, { where: { id: itemId, folderId: row.folderId }, transaction, silent: true })
      await applyListIndexChanges(deps, transaction, [{ folderId: row.folderId, key, upserts: [indexEntry(itemId, ciphertext, now, plain)] }])
    })
  }

  /** Needs edit on both folders; re-encrypts under the target folder's key and AAD. Same folder: no-op. */
  async function moveItem(viewer: Viewer, rawItemId: string, rawTargetFolderId: string): Promise<void> {
    const itemId = requireId(rawItemId)
    const targetId = requireId(rawTargetFolderId)
    await sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction, [targetId])
      if (row.folderId === targetId) return
      const [target] = await queryMemberships(deps, viewer.userId, { folderIds: [targetId], transaction })
      if (!target) throw new NotFoundError()
      requireEdit(target, 'That folder is view-only: you cannot move items into it.')
      if (target.itemCount >= limits.itemsPerFolder) throw folderFullError(limits.itemsPerFolder)
      const keys = createKeyRing(viewer)
      const plain = decryptItem(keys.folderKey(row), itemId, row.folderId, row.ciphertext)
      if (!plain) throw new ValidationError({ folder_id: 'This item could not be decrypted, so it cannot be moved.' })
      const targetKey = keys.requireFolderKey(target)
      const ciphertext = encryptItem(targetKey, itemId, targetId, plain)
      const now = new Date()
      await models.Item.update({ folderId: targetId, ciphertext, updatedAt: now }, { where: { id: itemId, folderId: row.folderId }, transaction, silent: true })
      // Both folders: the entry leaves one index and joins the other.
      await applyListIndexChanges(deps, transaction, [
        { folderId: row.folderId, key: keys.folderKey(row), removes: [itemId] },
        { folderId: targetId, key: targetKey, upserts: [indexEntry(itemId, ciphertext, now, plain)] },
      ])
    })
  }

  /**
   * Deleting needs no key, so an unreadable item can always be deleted. Locked and checked like every
   * other item write (lockItem): a member downgraded to view or removed while this waits for the
   * folder lock is refused, never deleting after the change committed.
   */
  async function deleteItem(viewer: Viewer, rawItemId: string): Promise<{ folderId: string }> {
    const itemId = requireId(rawItemId)
    return sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction)
      const deleted = await models.Item.destroy({ where: { id: itemId, folderId: row.folderId }, transaction })
      if (deleted === 0) throw new NotFoundError() // cannot happen under the lock; kept as a guard
      // Without the folder key (the item may be unreadable because of it) the index is cleared, not kept stale.
      await applyListIndexChanges(deps, transaction, [{ folderId: row.folderId, key: createKeyRing(viewer).folderKey(row), removes: [itemId] }])
      return { folderId: row.folderId }
    })
  }

  return { createItem, updateItem, moveItem, deleteItem }
}
