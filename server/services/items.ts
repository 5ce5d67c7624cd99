// Item reads and writes. Knows nothing of Koa or Vue. Never logs item contents. Access checks and
// the locking convention: access.ts; keys: keyRing.ts; encryption: itemCrypto.ts.
import { randomUUID } from 'node:crypto'
import type { Transaction } from 'sequelize'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { folderFullError, lockFolders, queryItemAccess, queryItemsAccess, queryMemberships, requireEdit, requireId, type ItemAccessRow, type MembershipRow } from './access.js'
import { toId } from '../../schemas/vault.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem, encryptItem, hostOf, itemPlaintext, isUnscored, isWeak, safeHref, scoreItem, type ItemPlaintext } from './itemCrypto.js'
import { checkSshKey } from './sshKeys.js'
import { applyListIndexChanges, groupBy, indexEntry, type IndexEntry } from './listIndex.js'
import type { BulkResult, ItemDetail, ItemFields, ItemInput } from '../../shared/contract.js'
import type { ServiceDeps, Viewer } from './types.js'
import { keepVersion, reencryptVersions } from './history.js'
import { checkMovedAttachmentsFit, rewrapAttachmentKeys } from './attachments.js'
import { eventItem, itemEvents } from './itemEvents.js'

const DAY_MS = 24 * 60 * 60 * 1000
/** When the password last changed: items written before issue 21 count from their creation. */
export const passwordChangedAt = (plain: { passwordChangedAt: number | null } | null, createdAt: Date | number) =>
  plain?.passwordChangedAt ?? (typeof createdAt === 'number' ? createdAt : createdAt.getTime())
/** A rotation reminder is due: changed + rotateDays days is past `now` (computed when read, never stored). */
export const isOverdue = (changedAt: number, rotateDays: number | null, now: number = Date.now()) => rotateDays !== null && changedAt + rotateDays * DAY_MS < now

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
    const changedAt = passwordChangedAt(plain, row.createdAt)
    const rotateDays = plain?.rotateDays ?? null
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
      favourite: row.favourite,
      passwordChangedAt: new Date(changedAt),
      rotateDays,
      overdue: plain !== null && fields.password !== '' && isOverdue(changedAt, rotateDays),
      totp: plain?.totp ?? '',
      type: plain?.type ?? 'login',
      moreUrls: plain?.moreUrls ?? [],
      card: plain?.card ?? null,
      identity: plain?.identity ?? null,
      ssh: plain?.ssh ?? null,
      customFields: plain?.fields ?? [],
      passwordHistory: plain?.passwordHistory ?? [],
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

/** An item keeps its type (as in Bitwarden): a card does not become a login. */
export const TYPE_CHANGE_MESSAGE = 'An item keeps its type: create a new item of the other type instead.'

/**
 * An SSH key as the user gave it, checked, with its public key filled in from the private one and
 * its fingerprint computed. A key the item already had, unchanged, is kept as it is: an import may
 * hold a key in a format this cannot read (Bitwarden's fingerprint kept), and renaming the item
 * must not be refused for it.
 */
function withSshKey(fields: ItemInput, before: ItemPlaintext | null = null): ItemInput {
  if (!fields.ssh) return fields
  if (before?.ssh && before.ssh.privateKey === fields.ssh.privateKey && before.ssh.publicKey === fields.ssh.publicKey) return { ...fields, ssh: before.ssh }
  const { errors, publicKey, fingerprint } = checkSshKey(fields.ssh.privateKey, fields.ssh.publicKey)
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  return { ...fields, ssh: { ...fields.ssh, publicKey, fingerprint } }
}

/** A card whose number did not change keeps the brand it had (an import's, when the number does not tell). */
function keepCardBrand(fields: ItemInput, before: ItemPlaintext | null): ItemInput {
  if (!fields.card || !before?.card || before.card.number !== fields.card.number || before.card.brand === '') return fields
  return { ...fields, card: { ...fields.card, brand: before.card.brand } }
}

export function createItemCommands(deps: ServiceDeps) {
  const { sequelize, models, limits } = deps
  /** Recorded in the write's transaction: an event exists only if what it says happened. */
  const record = (events: ReturnType<typeof itemEvents>, transaction: Transaction) => deps.activity?.record(events, transaction)

  /**
   * `fields` as the route parsed them (schemas/vault.ts). ForbiddenError on a view-only folder,
   * NotFoundError if not a member, ValidationError when full.
   */
  async function createItem(viewer: Viewer, { folderId: rawFolderId, ...fields }: { folderId: string } & ItemInput): Promise<{ id: string }> {
    const folderId = requireId(rawFolderId)
    fields = withSshKey(fields)
    const score = await scoreItem(fields, viewer.userId) // zxcvbn before the transaction: locks stay short
    return sequelize.transaction(async (transaction) => {
      await lockFolders(deps, viewer.userId, [folderId], transaction)
      const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], transaction })
      if (!m) throw new NotFoundError()
      requireEdit(m)
      if (m.itemCount >= limits.itemsPerFolder) throw folderFullError(limits.itemsPerFolder)
      const key = createKeyRing(viewer).requireFolderKey(m)
      const id = randomUUID() // before encrypting: the AAD binds the id
      const plain = itemPlaintext(fields, score, null)
      const ciphertext = encryptItem(key, id, folderId, plain)
      const item = await models.Item.create({ id, folderId, ciphertext }, { transaction })
      await applyListIndexChanges(deps, transaction, [{ folderId, key, upserts: [indexEntry(id, ciphertext, item.updatedAt, plain)] }])
      await record(itemEvents(viewer.userId, 'item_added', [eventItem({ ...m, id }, plain.name)]), transaction)
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
  async function updateItem(viewer: Viewer, rawItemId: string, fields: ItemInput): Promise<void> {
    const itemId = requireId(rawItemId)
    const score = await scoreItem(fields, viewer.userId)
    await sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction)
      const key = createKeyRing(viewer).requireFolderKey(row)
      const before = decryptItem(key, itemId, row.folderId, row.ciphertext)
      if (before && (fields.type ?? 'login') !== before.type) throw new ValidationError({ type: TYPE_CHANGE_MESSAGE })
      fields = withSshKey(fields, before)
      const now = new Date()
      const plain = itemPlaintext(keepCardBrand(fields, before), score, before, now)
      const ciphertext = encryptItem(key, itemId, row.folderId, plain)
      // History (issue 21): the version this save replaces, unless it cannot be read.
      if (before) await keepVersion(deps, transaction, { itemId, folderId: row.folderId, key, plain: before, savedAt: row.updatedAt })
      // silent: Sequelize would set its own updatedAt; this one is the index's too.
      // Scored just now: an imported item waiting for its score (ADR 024) waits no more.
      await models.Item.update({ ciphertext, updatedAt: now, scoreDueAt: null }, { where: { id: itemId, folderId: row.folderId }, transaction, silent: true })
      await applyListIndexChanges(deps, transaction, [{ folderId: row.folderId, key, upserts: [indexEntry(itemId, ciphertext, now, plain, row.createdAt)] }])
      // The owner learns when a password changed: the exposure report's checklist reads the item itself.
      const passwordChanged = before !== null && before.password !== plain.password
      await record(itemEvents(viewer.userId, 'item_changed', [eventItem(row, plain.name)], passwordChanged ? { detail: 'password changed' } : {}), transaction)
    })
  }

  /** Needs edit on both folders; re-encrypts under the target folder's key and AAD. Same folder: no-op. */
  async function moveItem(viewer: Viewer, rawItemId: string, rawTargetFolderId: string): Promise<void> {
    const itemId = requireId(rawItemId)
    const targetId = requireId(rawTargetFolderId)
    await sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction, [targetId])
      if (row.folderId === targetId) return
      const target = await lockedTarget(viewer, targetId, transaction)
      if (target.itemCount >= limits.itemsPerFolder) throw folderFullError(limits.itemsPerFolder)
      const { unreadable } = await moveLocked(viewer, [row], target, transaction)
      if (unreadable.length > 0) throw new ValidationError({ folder_id: 'This item could not be decrypted, so it cannot be moved.' })
    })
  }

  /**
   * The target folder of a move, read under its lock: NotFoundError unless the viewer is a member,
   * ForbiddenError when view-only.
   */
  async function lockedTarget(viewer: Viewer, targetId: string, transaction: Transaction) {
    const [target] = await queryMemberships(deps, viewer.userId, { folderIds: [targetId], transaction })
    if (!target) throw new NotFoundError()
    requireEdit(target, 'That folder is view-only: you cannot move items into it.')
    return target
  }

  /**
   * The one move path (moveItem and bulk moves): items of ONE source folder, that folder and the
   * target locked and both read again under the locks by the caller (edit on both, room counted),
   * each item re-encrypted under the target's key and AAD, both folders' list indexes updated.
   * An item that does not decrypt is left where it is and returned. Whatever else an item carries
   * under its folder key (history versions, issue 21) is re-encrypted here too.
   */
  async function moveLocked(viewer: Viewer, rows: ItemAccessRow[], target: MembershipRow, transaction: Transaction) {
    const keys = createKeyRing(viewer)
    const sourceId = rows[0]!.folderId
    const sourceKey = keys.folderKey(rows[0]!)
    const targetKey = keys.requireFolderKey(target)
    const now = new Date()
    const unreadable: string[] = []
    const moved: IndexEntry[] = []
    const names = new Map<string, string>()
    for (const row of rows) {
      const plain = decryptItem(sourceKey, row.id, sourceId, row.ciphertext)
      if (!plain) {
        unreadable.push(row.id)
        continue
      }
      names.set(row.id, plain.name)
      const ciphertext = encryptItem(targetKey, row.id, target.folderId, plain)
      await models.Item.update({ folderId: target.folderId, ciphertext, updatedAt: now }, { where: { id: row.id, folderId: sourceId }, transaction, silent: true })
      moved.push(indexEntry(row.id, ciphertext, now, plain, row.createdAt))
    }
    if (moved.length > 0) {
      // Into another owner's folder: their files count against that owner's attachment quota (ADR 033).
      if (rows[0]!.ownerId !== target.ownerId) await checkMovedAttachmentsFit(deps, transaction, { itemIds: moved.map((e) => e.id), targetOwnerId: target.ownerId })
      // Their earlier versions move with them: the target folder's key and AAD.
      await reencryptVersions(deps, transaction, { itemIds: moved.map((e) => e.id), fromFolderId: sourceId, fromKey: sourceKey, toFolderId: target.folderId, toKey: targetKey })
      // Their attachments' file keys too (ADR 033): re-sealed under the target's key, the files untouched.
      await rewrapAttachmentKeys(deps, transaction, { itemIds: moved.map((e) => e.id), fromFolderId: sourceId, fromKey: sourceKey, toFolderId: target.folderId, toKey: targetKey })
      // Both folders: the entries leave one index and join the other.
      await applyListIndexChanges(deps, transaction, [
        { folderId: sourceId, key: sourceKey, removes: moved.map((e) => e.id) },
        { folderId: target.folderId, key: targetKey, upserts: moved },
      ])
      // For the target's owner and who moved it; and the source's owner when that is someone else.
      const from = { detail: `from “${rows[0]!.folderName}”` }
      const events = itemEvents(viewer.userId, 'item_moved', moved.map((e) => eventItem({ ...target, id: e.id }, names.get(e.id) ?? '')), from)
      if (rows[0]!.ownerId !== target.ownerId) {
        events.push(...itemEvents(viewer.userId, 'item_moved', moved.map((e) => eventItem({ ...rows[0]!, id: e.id }, names.get(e.id) ?? '')), from).filter((e) => e.readerId === rows[0]!.ownerId))
      }
      await record(events, transaction)
    }
    return { moved: moved.length, unreadable }
  }

  /**
   * Bulk "move to a folder" (issue 21). The target must be a folder the viewer can edit, for the
   * whole request: NotFoundError / ForbiddenError otherwise, before anything moves. Then one
   * transaction per source folder, source and target locked together (lockFolders: id order),
   * access to both read again under the locks: an item gone meanwhile is 'gone', one in a folder
   * the viewer only views 'view-only', one past the target's item limit 'full', one that does not
   * decrypt 'unreadable'; items already in the target count as done. If the target is lost while
   * the folders are worked through, the folders not yet moved are refused as 'gone'.
   */
  async function moveItems(viewer: Viewer, rawIds: string[], rawTargetFolderId: string): Promise<BulkResult> {
    const targetId = requireId(rawTargetFolderId)
    const result: BulkResult = { done: 0, refused: [] }
    const ids = [...new Set(rawIds.map((raw) => toId(raw)).filter((id) => id !== null))]
    const [target] = await queryMemberships(deps, viewer.userId, { folderIds: [targetId], withKeys: false })
    if (!target) throw new NotFoundError()
    requireEdit(target, 'That folder is view-only: you cannot move items into it.')
    const found = await queryItemsAccess(deps, viewer.userId, ids)
    const seen = new Set(found.map((r) => r.id))
    for (const id of ids) if (!seen.has(id)) result.refused.push({ id, reason: 'gone' })
    for (const [folderId, before] of groupBy(found, (r) => r.folderId)) {
      if (folderId === targetId) {
        result.done += before.length
        continue
      }
      await sequelize.transaction(async (transaction) => {
        await lockFolders(deps, viewer.userId, [folderId, targetId], transaction)
        const [t] = await queryMemberships(deps, viewer.userId, { folderIds: [targetId], transaction })
        if (!t || t.permission !== 'edit') {
          for (const { id } of before) result.refused.push({ id, reason: 'gone' })
          return
        }
        const rows = await queryItemsAccess(deps, viewer.userId, before.map((r) => r.id), { transaction })
        const here = new Map(rows.filter((r) => r.folderId === folderId).map((r) => [r.id, r]))
        let room = limits.itemsPerFolder - t.itemCount
        const movable: ItemAccessRow[] = []
        for (const { id } of before) {
          const row = here.get(id)
          if (!row) result.refused.push({ id, reason: 'gone' })
          else if (row.permission !== 'edit') result.refused.push({ id, reason: 'view-only' })
          else if (room <= 0) result.refused.push({ id, reason: 'full' })
          else {
            movable.push(row)
            room--
          }
        }
        if (movable.length === 0) return
        const { moved, unreadable } = await moveLocked(viewer, movable, t, transaction)
        for (const id of unreadable) result.refused.push({ id, reason: 'unreadable' })
        result.done += moved
      })
    }
    return result
  }

  /**
   * Moves an item to the trash (issue 21): it keeps its folder and ciphertext, leaves the list, the
   * counts and the folder's list index, and is purged 30 days later (trash.ts). Needs no key, so an
   * unreadable item can always be trashed. Locked and checked like every other item write
   * (lockItem): a member downgraded to view or removed while this waits for the folder lock is
   * refused, never trashing after the change committed.
   */
  async function deleteItem(viewer: Viewer, rawItemId: string): Promise<{ folderId: string }> {
    const itemId = requireId(rawItemId)
    return sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction)
      await trashLocked(viewer, [row], transaction)
      return { folderId: row.folderId }
    })
  }

  /** Trashes rows of one folder, that folder locked and their edit access checked under the lock. */
  async function trashLocked(viewer: Viewer, rows: ItemAccessRow[], transaction: Transaction) {
    const folderId = rows[0]!.folderId
    const ids = rows.map((r) => r.id)
    const [, trashed] = await models.Item.update(
      { deletedAt: new Date(), deletedFromFolderId: folderId },
      { where: { id: ids, folderId, deletedAt: null }, transaction, silent: true, returning: ['id'] },
    )
    if (trashed.length !== ids.length) throw new NotFoundError() // cannot happen under the lock; kept as a guard
    // Without the folder key (the item may be unreadable because of it) the index is cleared, not kept stale.
    const key = createKeyRing(viewer).folderKey(rows[0]!)
    await applyListIndexChanges(deps, transaction, [{ folderId, key, removes: ids }])
    const named = rows.map((r) => eventItem(r, decryptItem(key, r.id, r.folderId, r.ciphertext)?.name ?? ''))
    await record(itemEvents(viewer.userId, 'item_trashed', named), transaction)
  }

  /**
   * Bulk "move to trash" (issue 21): one transaction per folder touched, each folder locked and
   * every item's access read again under the lock. An item the viewer can no longer open (gone,
   * already trashed, no longer shared) or only view is reported, never half done.
   */
  async function trashItems(viewer: Viewer, rawIds: string[]): Promise<BulkResult> {
    const result: BulkResult = { done: 0, refused: [] }
    const ids = [...new Set(rawIds.map((raw) => toId(raw)).filter((id) => id !== null))]
    const found = await queryItemsAccess(deps, viewer.userId, ids)
    const seen = new Set(found.map((r) => r.id))
    for (const id of ids) if (!seen.has(id)) result.refused.push({ id, reason: 'gone' })
    for (const [folderId, before] of groupBy(found, (r) => r.folderId)) {
      await sequelize.transaction(async (transaction) => {
        await lockFolders(deps, viewer.userId, [folderId], transaction)
        const rows = await queryItemsAccess(deps, viewer.userId, before.map((r) => r.id), { transaction })
        const here = new Map(rows.filter((r) => r.folderId === folderId).map((r) => [r.id, r]))
        const editable: ItemAccessRow[] = []
        for (const { id } of before) {
          const row = here.get(id)
          if (!row) result.refused.push({ id, reason: 'gone' })
          else if (row.permission !== 'edit') result.refused.push({ id, reason: 'view-only' })
          else editable.push(row)
        }
        if (editable.length > 0) await trashLocked(viewer, editable, transaction)
        result.done += editable.length
      })
    }
    return result
  }

  return { createItem, updateItem, moveItem, moveItems, deleteItem, trashItems }
}
