// The trash (issue 21, ADR 027): what deleting an item leads to. A trashed item keeps its folder
// and its ciphertext under that folder's key; it counts nowhere (access.ts liveItemsIn) and is
// purged TRASH_DAYS after it was trashed. Only members who may edit its folder see it, restore it
// or delete it for good. Knows nothing of Koa or Vue; never logs item contents.
import { QueryTypes, type Transaction } from 'sequelize'
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js'
import { lockFolders, queryItemAccess, queryMemberships, requireId, type ItemAccessRow } from './access.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem } from './itemCrypto.js'
import { applyListIndexChanges, groupBy, indexEntry } from './listIndex.js'
import { eventItem, itemEvents } from './itemEvents.js'
import type { ServiceDeps, Viewer } from './types.js'

/** How long a trashed item stays before purgeExpired deletes it. */
export const TRASH_DAYS = 30
export const TRASH_MS = TRASH_DAYS * 24 * 60 * 60 * 1000

/** One row of the trash page: never a password, only what identifies the item. */
export interface TrashEntry {
  id: string
  /** The decrypted name; '' when the item does not decrypt (unreadable). */
  name: string
  unreadable: boolean
  folderId: string
  folderName: string
  /** Its folder was deleted: it waits in the owner's Personal folder (deletedFromFolderId differs). */
  folderGone: boolean
  deletedAt: Date
  /** When purgeExpired removes it (deletedAt + TRASH_DAYS). */
  purgeAt: Date
}

interface TrashRow {
  id: string
  folderId: string
  ciphertext: Buffer
  deletedAt: Date
  deletedFromFolderId: string | null
  folderName: string
  sealedKey: Buffer | null
  privateKeyWrapped: Buffer | null
  ownerId: string
}

export function createTrashService(deps: ServiceDeps) {
  const { sequelize } = deps

  /**
   * One SQL query: the trashed items of every folder the viewer may edit (owner, or an edit
   * member), newest first, with what opens their folder keys. View members see none.
   */
  async function trashRows(viewer: Viewer): Promise<TrashRow[]> {
    return sequelize.query<TrashRow>(
      `SELECT i.id, i.folder_id AS "folderId", i.ciphertext, i.deleted_at AS "deletedAt",
         i.deleted_from_folder_id AS "deletedFromFolderId", f.name AS "folderName", f.owner_id AS "ownerId",
         m.sealed_key AS "sealedKey", u.private_key_wrapped AS "privateKeyWrapped"
       FROM folder_memberships m
       JOIN folders f ON f.id = m.folder_id
       JOIN users u ON u.id = m.user_id
       JOIN items i ON i.folder_id = m.folder_id AND i.deleted_at IS NOT NULL
       WHERE m.user_id = :userId AND m.status = 'accepted' AND (m.role = 'owner' OR m.permission = 'edit')
       ORDER BY i.deleted_at DESC, i.id`,
      { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT },
    )
  }

  /** The viewer's trash page: one SQL query whatever the number of items, one key opened per folder. */
  async function listTrash(viewer: Viewer): Promise<TrashEntry[]> {
    const rows = await trashRows(viewer)
    const keys = createKeyRing(viewer)
    return rows.map((r) => {
      const plain = decryptItem(keys.folderKey(r), r.id, r.folderId, r.ciphertext)
      const deletedAt = new Date(r.deletedAt)
      return {
        id: r.id,
        name: plain?.name ?? '',
        unreadable: plain === null,
        folderId: r.folderId,
        folderName: r.folderName,
        folderGone: r.deletedFromFolderId !== null && r.deletedFromFolderId !== r.folderId,
        deletedAt,
        purgeAt: new Date(deletedAt.getTime() + TRASH_MS),
      }
    })
  }

  /** One trashed item for its "delete forever" confirmation: NotFoundError unless the viewer's trash shows it. One query. */
  async function getTrashedItem(viewer: Viewer, rawItemId: string): Promise<{ id: string; name: string; unreadable: boolean; folderName: string }> {
    const row = await queryItemAccess(deps, viewer.userId, requireId(rawItemId), undefined, { trashed: true })
    if (!row) throw new NotFoundError()
    const plain = decryptItem(createKeyRing(viewer).folderKey(row), row.id, row.folderId, row.ciphertext)
    return { id: row.id, name: plain?.name ?? '', unreadable: plain === null, folderName: row.folderName }
  }

  /**
   * Finds a trashed item the viewer may edit (NotFoundError otherwise: view members do not see the
   * trash), locks its folder (access.ts convention), reads it again under the lock: gone or moved
   * meanwhile is NotFoundError, edit lost meanwhile is ForbiddenError.
   */
  async function lockTrashed(viewer: Viewer, itemId: string, transaction: Transaction): Promise<ItemAccessRow> {
    const before = await queryItemAccess(deps, viewer.userId, itemId, transaction, { trashed: true })
    if (!before) throw new NotFoundError()
    await lockFolders(deps, viewer.userId, [before.folderId], transaction)
    const row = await queryItemAccess(deps, viewer.userId, itemId, transaction, { trashed: true, viewToo: true })
    if (!row || row.folderId !== before.folderId) throw new NotFoundError()
    if (row.permission !== 'edit') throw new ForbiddenError('You can no longer edit this folder, so you cannot change its trash.')
    return row
  }

  /**
   * Puts a trashed item back among its folder's items (and into its list index). When its folder
   * was deleted it is already in Personal (folders.ts deleteFolder) and comes back there.
   * ValidationError when the folder is full (trashed items do not count).
   */
  async function restoreItem(viewer: Viewer, rawItemId: string): Promise<{ folderId: string; folderName: string; folderGone: boolean }> {
    const itemId = requireId(rawItemId)
    return sequelize.transaction(async (transaction) => {
      const row = await lockTrashed(viewer, itemId, transaction)
      // row.itemCount: the folder's live items, counted under the lock.
      if (row.itemCount >= deps.limits.itemsPerFolder) {
        throw new ValidationError({
          _form: `${row.folderName} already holds the maximum of ${deps.limits.itemsPerFolder.toLocaleString('en-US')} items. Move or delete some of them, then restore this one.`,
        })
      }
      const [, restored] = await deps.models.Item.update(
        { deletedAt: null, deletedFromFolderId: null },
        { where: { id: itemId, folderId: row.folderId }, transaction, silent: true, returning: ['id'] },
      )
      if (restored.length !== 1) throw new NotFoundError() // cannot happen under the lock; kept as a guard
      // updated_at is left as it was: restoring changes nothing in the item, and its entry says so.
      const key = createKeyRing(viewer).folderKey(row)
      const plain = decryptItem(key, itemId, row.folderId, row.ciphertext)
      await applyListIndexChanges(deps, transaction, [{ folderId: row.folderId, key, upserts: [indexEntry(itemId, row.ciphertext, new Date(row.updatedAt), plain, new Date(row.createdAt))] }])
      const folderGone = row.deletedFromFolderId !== null && row.deletedFromFolderId !== row.folderId
      await deps.activity?.record(itemEvents(viewer.userId, 'item_restored', [eventItem(row, plain?.name ?? '')]), transaction)
      return { folderId: row.folderId, folderName: row.folderName, folderGone }
    })
  }

  /** Deletes a trashed item for good (its favourites and versions cascade). Needs edit on its folder. */
  async function purgeItem(viewer: Viewer, rawItemId: string): Promise<void> {
    const itemId = requireId(rawItemId)
    await sequelize.transaction(async (transaction) => {
      const row = await lockTrashed(viewer, itemId, transaction)
      const deleted = await sequelize.query<{ id: string }>('DELETE FROM items WHERE id = :itemId AND folder_id = :folderId AND deleted_at IS NOT NULL RETURNING id', {
        replacements: { itemId, folderId: row.folderId },
        type: QueryTypes.SELECT,
        transaction,
      })
      if (deleted.length !== 1) throw new NotFoundError() // cannot happen under the lock; kept as a guard
      const name = decryptItem(createKeyRing(viewer).folderKey(row), row.id, row.folderId, row.ciphertext)?.name ?? ''
      await deps.activity?.record(itemEvents(viewer.userId, 'item_purged', [eventItem(row, name)]), transaction)
    })
  }

  /**
   * Deletes for good every item of the viewer's trash: one transaction per folder, each folder
   * locked and the viewer's edit access read again under the lock (a folder where it was lost
   * meanwhile is left alone). Returns how many went.
   */
  async function emptyTrash(viewer: Viewer): Promise<{ purged: number }> {
    const rows = await trashRows(viewer)
    const keys = createKeyRing(viewer)
    let purged = 0
    for (const [folderId, items] of groupBy(rows, (r) => r.folderId)) {
      purged += await sequelize.transaction(async (transaction) => {
        await lockFolders(deps, viewer.userId, [folderId], transaction)
        const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], withKeys: false, transaction })
        if (!m || m.permission !== 'edit') return 0
        const deleted = await sequelize.query<{ id: string }>(
          'DELETE FROM items WHERE folder_id = :folderId AND id IN (:ids) AND deleted_at IS NOT NULL RETURNING id',
          { replacements: { folderId, ids: items.map((i) => i.id) }, type: QueryTypes.SELECT, transaction },
        )
        const gone = new Set(deleted.map((d) => d.id))
        const named = items.filter((r) => gone.has(r.id)).map((r) => eventItem(r, decryptItem(keys.folderKey(r), r.id, r.folderId, r.ciphertext)?.name ?? ''))
        await deps.activity?.record(itemEvents(viewer.userId, 'item_purged', named), transaction)
        return deleted.length
      })
    }
    return { purged }
  }

  /**
   * Deletes every item trashed more than TRASH_DAYS before `now`, in one statement: several
   * workers or replicas running it at once are safe (a row another one deleted first is skipped
   * after its lock is released). Favourites and versions go with the items (ON DELETE CASCADE).
   * No folder lock: a trashed item counts nowhere and is in no list index.
   */
  async function purgeExpired(now = new Date()): Promise<{ purged: number }> {
    const rows = await sequelize.query<{ n: number }>(
      `WITH d AS (DELETE FROM items WHERE deleted_at IS NOT NULL AND deleted_at < :cutoff RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      { replacements: { cutoff: new Date(now.getTime() - TRASH_MS) }, type: QueryTypes.SELECT },
    )
    return { purged: rows[0]?.n ?? 0 }
  }

  return { listTrash, getTrashedItem, restoreItem, purgeItem, emptyTrash, purgeExpired }
}
