// Attachments on items (issue 23, ADR 033): upload, list, download, delete, and the re-sealing of
// file keys when an item changes folder or a folder changes key. Knows nothing of Koa or Vue;
// never logs a file name or byte. Access checks and the locking convention: access.ts; sealing:
// attachmentCrypto.ts.
import { Readable } from 'node:stream'
import { QueryTypes, type Transaction } from 'sequelize'
import { AppError, NotFoundError, ValidationError } from '../lib/errors.js'
import { DecryptionError } from '../lib/crypto.js'
import { lockFolders, queryItemAccess, requireEdit, requireId } from './access.js'
import { createKeyRing } from './keyRing.js'
import { createUploadSealer, openChunk, openFileName, sanitizeFileName, sealFileName, unwrapFileKey, wrapFileKey, type UploadSealer } from './attachmentCrypto.js'
import type { AttachmentSummary, ItemAttachmentList } from '../../shared/contract.js'
import { formatBytes } from '../../shared/formatBytes.js'
export { formatBytes }
import type { ServiceDeps, Viewer } from './types.js'

export const DEFAULT_ATTACHMENT_BYTES = 10 * 1024 * 1024
export const DEFAULT_ATTACHMENT_QUOTA_BYTES = 250 * 1024 * 1024
/** Chunks per INSERT and per SELECT of a download: 1 MiB of plaintext a statement. */
const CHUNKS_PER_STATEMENT = 16
const VIEW_ONLY = 'This folder is view-only: you cannot add or delete attachments.'

/**
 * Re-seals the file keys of the attachments of some items from one folder key (and folder id in
 * the AAD) to another, in the caller's transaction with the folder rows locked: an item moved, a
 * folder re-keyed (same folder, new key), a folder deleted (its items go to Personal). The files
 * are not touched: only their 61-byte wrapped keys. A key that does not open under `fromKey` stays
 * as it is (unreadable before, unreadable after), like an unreadable item. One query to read, one to write.
 */
export async function rewrapAttachmentKeys(
  deps: ServiceDeps,
  transaction: Transaction,
  { itemIds, fromFolderId, fromKey, toFolderId, toKey }: { itemIds: string[]; fromFolderId: string; fromKey: Buffer | null; toFolderId: string; toKey: Buffer },
): Promise<number> {
  if (itemIds.length === 0 || !fromKey) return 0
  const rows = await deps.sequelize.query<{ id: string; itemId: string; wrappedKey: Buffer }>(
    'SELECT id, item_id AS "itemId", wrapped_key AS "wrappedKey" FROM attachments WHERE item_id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
    { bind: [itemIds], type: QueryTypes.SELECT, transaction },
  )
  const ids: string[] = []
  const wrapped: Buffer[] = []
  for (const a of rows) {
    const fileKey = unwrapFileKey(fromKey, a.wrappedKey, { attachmentId: a.id, itemId: a.itemId, folderId: fromFolderId })
    if (!fileKey) continue
    ids.push(a.id)
    wrapped.push(wrapFileKey(toKey, fileKey, { attachmentId: a.id, itemId: a.itemId, folderId: toFolderId }))
  }
  if (ids.length === 0) return 0
  await deps.sequelize.query(
    `UPDATE attachments AS a SET wrapped_key = v.wrapped_key
     FROM unnest($1::uuid[], $2::bytea[]) AS v(id, wrapped_key) WHERE a.id = v.id`,
    { bind: [ids, wrapped], type: QueryTypes.UPDATE, transaction },
  )
  return ids.length
}

/**
 * Refuses a move that would put another owner's storage over its attachment quota (ADR 033): the
 * files of items moved into a folder of someone else count against that folder's owner from then
 * on. In the move's transaction, the source and target folders locked: an upload to the target
 * owner locks all of that owner's folders, so it waits for the move and counts its files. Two
 * moves into two different folders of one owner lock different folders: a transaction lock per
 * target owner makes them take turns, so the second sums what the first moved. It is taken in a
 * statement of its own, after the folder locks (a READ COMMITTED statement sees what committed
 * before it began; nothing is locked after it, so no cycle). Two queries.
 */
export async function checkMovedAttachmentsFit(deps: ServiceDeps, transaction: Transaction, { itemIds, targetOwnerId }: { itemIds: string[]; targetOwnerId: string }) {
  if (itemIds.length === 0) return
  const quota = deps.limits.attachmentQuotaBytes ?? DEFAULT_ATTACHMENT_QUOTA_BYTES
  await deps.sequelize.query(`SELECT pg_advisory_xact_lock(hashtext('attachment-quota'), hashtext($1::text))`, { bind: [targetOwnerId], type: QueryTypes.SELECT, transaction })
  const [row] = await deps.sequelize.query<{ moving: string; used: string }>(
    `SELECT
       (SELECT coalesce(sum(a.size), 0) FROM attachments a WHERE a.item_id = ANY($1::uuid[]))::text AS moving,
       (SELECT coalesce(sum(a.size), 0) FROM attachments a JOIN items i ON i.id = a.item_id JOIN folders f ON f.id = i.folder_id
         WHERE f.owner_id = $2 AND NOT (a.item_id = ANY($1::uuid[])))::text AS used`,
    { bind: [itemIds, targetOwnerId], type: QueryTypes.SELECT, transaction },
  )
  const moving = Number(row?.moving ?? 0)
  const used = Number(row?.used ?? 0)
  if (moving > 0 && used + moving > quota) {
    throw new ValidationError({
      folder_id: `The files attached to ${itemIds.length === 1 ? 'this item' : 'these items'} (${formatBytes(moving)}) would take the owner of that folder over their ${formatBytes(quota)} for attachments (${formatBytes(Math.max(0, quota - used))} left), so nothing was moved.`,
    })
  }
}

interface AttachmentRow {
  id: string
  itemId: string
  wrappedKey: Buffer
  nameCiphertext: Buffer
  size: string
  chunkCount: number
  createdAt: Date
}

const ATTACHMENT_COLUMNS = 'id, item_id AS "itemId", wrapped_key AS "wrappedKey", name_ciphertext AS "nameCiphertext", size::text AS size, chunk_count AS "chunkCount", created_at AS "createdAt"'

export function createAttachmentService(deps: ServiceDeps) {
  const { sequelize } = deps
  const maxBytes = deps.limits.attachmentBytes ?? DEFAULT_ATTACHMENT_BYTES
  const quotaBytes = deps.limits.attachmentQuotaBytes ?? DEFAULT_ATTACHMENT_QUOTA_BYTES

  /** The item as the viewer opens it (live items only): NotFoundError otherwise. */
  async function itemOf(viewer: Viewer, itemId: string, transaction?: Transaction) {
    const row = await queryItemAccess(deps, viewer.userId, itemId, transaction)
    if (!row) throw new NotFoundError()
    return row
  }

  /**
   * What the files in the user's own folders take (members' uploads included, trashed items' too:
   * everything the quota counts) against the quota: the settings' storage line. One query.
   */
  async function usage(userId: string): Promise<{ usedBytes: number; files: number; quotaBytes: number }> {
    const [row] = await sequelize.query<{ used: string; files: number }>(
      `SELECT coalesce(sum(a.size), 0)::text AS used, count(*)::int AS files FROM attachments a JOIN items i ON i.id = a.item_id JOIN folders f ON f.id = i.folder_id WHERE f.owner_id = $1`,
      { bind: [userId], type: QueryTypes.SELECT },
    )
    return { usedBytes: Number(row?.used ?? 0), files: row?.files ?? 0, quotaBytes }
  }

  /** The item page's list: two queries (the item's access, its attachments); names decrypted, never bytes. */
  async function listAttachments(viewer: Viewer, rawItemId: string): Promise<ItemAttachmentList> {
    const itemId = requireId(rawItemId)
    const row = await itemOf(viewer, itemId)
    const rows = await sequelize.query<AttachmentRow>(`SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE item_id = $1 ORDER BY created_at, id`, {
      bind: [itemId],
      type: QueryTypes.SELECT,
    })
    const folderKey = createKeyRing(viewer).folderKey(row)
    const attachments: AttachmentSummary[] = rows.map((a) => {
      const fileKey = folderKey && unwrapFileKey(folderKey, a.wrappedKey, { attachmentId: a.id, itemId, folderId: row.folderId })
      return { id: a.id, name: (fileKey && openFileName(fileKey, a.id, a.nameCiphertext)) ?? '', size: Number(a.size), createdAt: a.createdAt.toISOString() }
    })
    return { attachments, canEdit: row.permission === 'edit', maxBytes, quotaBytes }
  }

  /**
   * Before any of the body is read: the item exists for the viewer (404) and they may edit it
   * (403). Returns the sealer the body streams into.
   */
  async function beginUpload(viewer: Viewer, rawItemId: string): Promise<{ itemId: string; sealer: UploadSealer }> {
    const itemId = requireId(rawItemId)
    requireEdit(await itemOf(viewer, itemId), VIEW_ONLY)
    return { itemId, sealer: createUploadSealer(maxBytes) }
  }

  /**
   * Stores a sealed upload in one transaction: nothing is written unless all of it is. The quota
   * is decided here, atomically: every folder of the item's owner is locked (id order, access.ts
   * convention), then the owner's total is summed and the file added under those locks, so
   * parallel uploads to one owner's folders serialize on the sum.
   */
  async function finishUpload(viewer: Viewer, itemId: string, sealer: UploadSealer, rawName: string): Promise<{ id: string; name: string; size: number }> {
    const name = sanitizeFileName(rawName)
    if (!name) throw new ValidationError({ file: 'This file has no usable name. Rename it and upload it again.' })
    const upload = sealer.finish()
    if (upload.size === 0) throw new ValidationError({ file: 'This file is empty (0 bytes), so it was not attached.' })
    if (upload.size > maxBytes) throw tooLargeError(maxBytes)
    await sequelize.transaction(async (transaction) => {
      const before = await itemOf(viewer, itemId, transaction)
      await sequelize.query('SELECT id FROM folders WHERE owner_id = $1 ORDER BY id FOR UPDATE', { bind: [before.ownerId], type: QueryTypes.SELECT, transaction })
      // Read again under the locks: moved to another owner, trashed, or access lost meanwhile.
      const row = await queryItemAccess(deps, viewer.userId, itemId, transaction)
      if (!row || row.ownerId !== before.ownerId) throw new NotFoundError()
      requireEdit(row, VIEW_ONLY)
      const [{ used }] = (await sequelize.query<{ used: string }>(
        `SELECT coalesce(sum(a.size), 0)::text AS used FROM attachments a JOIN items i ON i.id = a.item_id JOIN folders f ON f.id = i.folder_id WHERE f.owner_id = $1`,
        { bind: [row.ownerId], type: QueryTypes.SELECT, transaction },
      )) as [{ used: string }]
      if (Number(used) + upload.size > quotaBytes) throw quotaError(Number(used), quotaBytes, row.role === 'owner' ? null : row.ownerName)
      const folderKey = createKeyRing(viewer).folderKey(row)
      if (!folderKey) throw new ValidationError({ file: 'The key of this folder could not be opened, so no file can be added to it.' })
      await sequelize.query(
        'INSERT INTO attachments (id, item_id, wrapped_key, name_ciphertext, size, chunk_count) VALUES ($1, $2, $3, $4, $5, $6)',
        {
          bind: [upload.id, itemId, wrapFileKey(folderKey, upload.fileKey, { attachmentId: upload.id, itemId, folderId: row.folderId }), sealFileName(upload.fileKey, upload.id, name), upload.size, upload.chunks.length],
          type: QueryTypes.INSERT,
          transaction,
        },
      )
      for (let start = 0; start < upload.chunks.length; start += CHUNKS_PER_STATEMENT) {
        const batch = upload.chunks.slice(start, start + CHUNKS_PER_STATEMENT)
        await sequelize.query('INSERT INTO attachment_chunks (attachment_id, seq, bytes) SELECT $1, s, b FROM unnest($2::int[], $3::bytea[]) AS v(s, b)', {
          bind: [upload.id, batch.map((_, i) => start + i), batch],
          type: QueryTypes.INSERT,
          transaction,
        })
      }
    })
    return { id: upload.id, name, size: upload.size }
  }

  /**
   * A file to download: its name and size, and its bytes as a stream that reads 16 chunks a query
   * and opens each as it goes (one file is never whole in memory). The key, the name and the first
   * chunks are opened before this returns, so a missing or tampered file is an error status, not a
   * cut-off download. A chunk that fails later (tampered, or the file deleted meanwhile) ends the
   * stream with an error: the browser reports the download as failed, never as complete.
   */
  async function openAttachment(viewer: Viewer, rawItemId: string, rawAttachmentId: string): Promise<{ name: string; size: number; body: Readable }> {
    const itemId = requireId(rawItemId)
    const attachmentId = requireId(rawAttachmentId)
    const row = await itemOf(viewer, itemId)
    const [a] = await sequelize.query<AttachmentRow>(`SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1 AND item_id = $2`, {
      bind: [attachmentId, itemId],
      type: QueryTypes.SELECT,
    })
    if (!a) throw new NotFoundError()
    const folderKey = createKeyRing(viewer).folderKey(row)
    const fileKey = folderKey && unwrapFileKey(folderKey, a.wrappedKey, { attachmentId, itemId, folderId: row.folderId })
    const name = fileKey && openFileName(fileKey, attachmentId, a.nameCiphertext)
    if (!fileKey || name === null) throw new AppError(409, 'This file could not be decrypted. Its stored data does not match this item.')

    const readBatch = async (from: number): Promise<Buffer[]> => {
      const to = Math.min(from + CHUNKS_PER_STATEMENT, a.chunkCount)
      const chunks = await sequelize.query<{ seq: number; bytes: Buffer }>('SELECT seq, bytes FROM attachment_chunks WHERE attachment_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq', {
        bind: [attachmentId, from, to],
        type: QueryTypes.SELECT,
      })
      if (chunks.length !== to - from) throw new DecryptionError('attachment chunks missing')
      return chunks.map((c, i) => {
        if (c.seq !== from + i) throw new DecryptionError('attachment chunks out of order')
        return openChunk(fileKey, attachmentId, c.seq, c.seq === a.chunkCount - 1, c.bytes)
      })
    }
    let first: Buffer[]
    try {
      first = await readBatch(0)
    } catch (e) {
      if (e instanceof DecryptionError) throw new AppError(409, 'This file could not be decrypted. Its stored data does not match this item.')
      throw e
    }
    async function* bytes() {
      yield* first
      for (let from = CHUNKS_PER_STATEMENT; from < a!.chunkCount; from += CHUNKS_PER_STATEMENT) yield* await readBatch(from)
    }
    return { name, size: Number(a.size), body: Readable.from(bytes(), { objectMode: false }) }
  }

  /** Edit permission, read again under the folder lock (access.ts convention). 404 for an attachment of another item. */
  async function deleteAttachment(viewer: Viewer, rawItemId: string, rawAttachmentId: string): Promise<void> {
    const itemId = requireId(rawItemId)
    const attachmentId = requireId(rawAttachmentId)
    await sequelize.transaction(async (transaction) => {
      const before = await itemOf(viewer, itemId, transaction)
      requireEdit(before, VIEW_ONLY)
      await lockFolders(deps, viewer.userId, [before.folderId], transaction)
      const row = await queryItemAccess(deps, viewer.userId, itemId, transaction)
      if (!row || row.folderId !== before.folderId) throw new NotFoundError()
      requireEdit(row, VIEW_ONLY)
      // The chunks go with the row (ON DELETE CASCADE).
      const removed = await deps.models.Attachment.destroy({ where: { id: attachmentId, itemId }, transaction })
      if (removed === 0) throw new NotFoundError()
    })
  }

  return { limits: { maxBytes, quotaBytes }, usage, listAttachments, beginUpload, finishUpload, openAttachment, deleteAttachment }
}

export function tooLargeError(maxBytes: number) {
  return new AppError(413, `This file is larger than ${formatBytes(maxBytes)}, so it was not attached.`)
}

/** 422 (not 413: the request is fine, the owner's storage is full), with the message next to the file field. */
function quotaError(used: number, quota: number, ownerName: string | null) {
  const left = Math.max(0, quota - used)
  const whose = ownerName ? `${ownerName}, who owns this folder, has` : 'You have'
  return new ValidationError({
    file: `${whose} ${formatBytes(left)} left of ${formatBytes(quota)} for attachments, not enough for this file, so it was not attached. Delete attachments you no longer need, then try again.`,
  })
}
