// Folders and their keys: creation of a folder record, folder reads and writes. Knows nothing of
// Koa or Vue. Item encryption: itemCrypto.ts; the access queries: access.ts.
import { reencryptVersions } from './history.js'
import { rewrapAttachmentKeys } from './attachments.js'
import { randomUUID } from 'node:crypto'
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js'
import type { Models } from '../../models/index.js'
import type { FolderSummary } from '../../shared/contract.js'
import type { ServiceDeps, Viewer } from './types.js'
import { lockFolders, queryMemberships, requireId, type MembershipRow } from './access.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem, encryptItem } from './itemCrypto.js'
import { applyListIndexChanges, indexEntry, type IndexEntry } from './listIndex.js'
import { folderName, nameCollator } from './names.js'

/** The unique index on (owner, lower(NFC(trim(name)))): migrations/20261206200100-unique-folder-names.cjs. */
export const FOLDER_NAME_INDEX = 'folders_owner_name_unique'

/** Whether an error is a write refused by FOLDER_NAME_INDEX: the owner has a folder of that name. */
export const isDuplicateFolderName = (e: unknown) =>
  e instanceof UniqueConstraintError && (e.parent as { constraint?: string } | undefined)?.constraint === FOLDER_NAME_INDEX

/** What the name field says when the owner already has a folder of that name (case and accents' form aside). */
export const duplicateFolderName = (name: string) =>
  new ValidationError({ name: `You already have a folder named “${folderName(name)}”. Choose another name.` })

/**
 * Creates a folder with a fresh folder key sealed to its owner's public key, inside the caller's
 * transaction. Returns the folder and its key (the caller may need it right away). The name is
 * stored trimmed, as typed otherwise (names.ts folderName); a name the owner already has (case aside) is
 * refused by the database's unique index (isDuplicateFolderName), which aborts the transaction.
 */
export async function createFolderRecord(
  models: Models,
  owner: { id: string; publicKey: Buffer },
  name: string,
  opts: { personal?: boolean; transaction: Transaction },
) {
  const folderKey = crypto.randomKey()
  const folder = await models.Folder.create(
    { id: randomUUID(), ownerId: owner.id, name: folderName(name), isPersonal: opts.personal ?? false },
    { transaction: opts.transaction },
  )
  await models.FolderMembership.create(
    {
      folderId: folder.id,
      userId: owner.id,
      role: 'owner',
      permission: 'edit',
      status: 'accepted',
      sealedKey: crypto.sealToPublicKey(owner.publicKey, folderKey, crypto.folderKeyAad(folder.id, owner.id)),
      invitedAt: null,
      acceptedAt: new Date(),
    },
    { transaction: opts.transaction },
  )
  return { folder, folderKey }
}

// ---------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------


export function toFolderSummary(m: MembershipRow): FolderSummary {
  return {
    id: m.folderId,
    name: m.folderName,
    isPersonal: m.isPersonal,
    role: m.role,
    permission: m.permission,
    ownerName: m.ownerName,
    shared: m.shared,
    memberCount: m.memberCount,
    itemCount: m.itemCount,
  }
}

/** Personal first, then by name (natural order, case and accents aside: names.ts), then id. */
export function compareFolders(a: FolderSummary, b: FolderSummary): number {
  if (a.isPersonal !== b.isPersonal) return a.isPersonal ? -1 : 1
  return nameCollator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

export function createFolderQueries(deps: ServiceDeps) {
  /** One SQL query. NotFoundError unless the viewer is an accepted member. */
  async function getFolder(viewer: Viewer, rawFolderId: string): Promise<FolderSummary> {
    const folderId = requireId(rawFolderId)
    const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], withKeys: false })
    if (!m) throw new NotFoundError()
    return toFolderSummary(m)
  }

  // The folder list is the vault's (vault.ts listFolders): it carries health counts from the list cache.
  return { getFolder }
}

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------

export function createFolderCommands(deps: ServiceDeps) {
  const { sequelize, models, limits } = deps

  /**
   * `name` as the route parsed it (schemas/vault.ts folderSchema). ValidationError({ name }) at
   * limits.foldersPerUser owned folders (Personal included).
   */
  async function createFolder(viewer: Viewer, name: string): Promise<{ id: string }> {
    return sequelize.transaction(async (transaction) => {
      // The user row lock serializes this user's folder creations, so the count below holds.
      const [owner] = await sequelize.query<{ id: string; publicKey: Buffer }>(
        'SELECT id, public_key AS "publicKey" FROM users WHERE id = :userId FOR UPDATE',
        { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT, transaction },
      )
      if (!owner) throw new NotFoundError()
      const owned = await models.Folder.count({ where: { ownerId: owner.id }, transaction })
      if (owned >= limits.foldersPerUser) {
        throw new ValidationError({ name: `You can have at most ${limits.foldersPerUser} folders.` })
      }
      const { folder } = await createFolderRecord(models, owner, name, { transaction })
      return { id: folder.id }
    }).catch((e: unknown) => {
      // The unique index decides, atomically: fifty creations of one name make one folder.
      throw isDuplicateFolderName(e) ? duplicateFolderName(name) : e
    })
  }

  /** Checks the viewer owns the folder and it is not Personal; returns the membership. */
  async function ownedFolder(viewer: Viewer, folderId: string, action: 'renamed' | 'deleted', transaction?: Transaction) {
    const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], transaction })
    if (!m) throw new NotFoundError()
    if (m.isPersonal) throw new ForbiddenError(`The Personal folder cannot be ${action}.`)
    if (m.role !== 'owner') throw new ForbiddenError(`Only the folder's owner can ${action === 'renamed' ? 'rename' : 'delete'} it.`)
    return m
  }

  /**
   * Owner only; the Personal folder cannot be renamed. `name` as the route parsed it; stored
   * trimmed. ValidationError({ name }) when another of the owner's folders has it.
   */
  async function renameFolder(viewer: Viewer, rawFolderId: string, name: string): Promise<void> {
    const folderId = requireId(rawFolderId)
    await ownedFolder(viewer, folderId, 'renamed')
    try {
      await models.Folder.update({ name: folderName(name) }, { where: { id: folderId, ownerId: viewer.userId, isPersonal: false } })
    } catch (e) {
      throw isDuplicateFolderName(e) ? duplicateFolderName(name) : e
    }
  }

  /**
   * Owner only; not Personal. The folder's items are MOVED to the owner's Personal folder
   * (re-encrypted under its key and AAD), then the folder and its memberships are deleted, all in
   * one transaction. Refused (nothing changes) if an item cannot be decrypted, or if Personal
   * would go over the item limit.
   */
  async function deleteFolder(viewer: Viewer, rawFolderId: string): Promise<{ movedItems: number }> {
    const folderId = requireId(rawFolderId)
    await ownedFolder(viewer, folderId, 'deleted') // fail fast, before taking locks
    const [personal] = await models.Folder.findAll({
      attributes: ['id'],
      where: { ownerId: viewer.userId, isPersonal: true },
    })
    if (!personal) throw new Error('user has no Personal folder')

    return sequelize.transaction(async (transaction) => {
      await lockFolders(deps, viewer.userId, [folderId, personal.id], transaction)
      const rows = await queryMemberships(deps, viewer.userId, { folderIds: [folderId, personal.id], transaction })
      const source = rows.find((r) => r.folderId === folderId)
      const target = rows.find((r) => r.folderId === personal.id)
      if (!source) throw new NotFoundError()
      if (source.isPersonal) throw new ForbiddenError('The Personal folder cannot be deleted.')
      if (source.role !== 'owner') throw new ForbiddenError("Only the folder's owner can delete it.")
      if (!target) throw new Error('Personal folder membership missing')

      const items = await sequelize.query<{ id: string; ciphertext: Buffer; trashed: boolean; createdAt: Date }>(
        // Every item, whatever its state (access.ts liveItemsIn): all of them move, trashed ones
        // too, still trashed (restoring them later says their folder is gone, ADR 027).
        'SELECT id, ciphertext, deleted_at IS NOT NULL AS trashed, created_at AS "createdAt" FROM items WHERE folder_id = :folderId ORDER BY id FOR UPDATE',
        { replacements: { folderId }, type: QueryTypes.SELECT, transaction },
      )
      // Only live items count toward Personal's limit (trashed ones count nowhere).
      const liveCount = items.filter((i) => !i.trashed).length
      if (liveCount > 0 && target.itemCount + liveCount > limits.itemsPerFolder) {
        throw new ValidationError({
          _form: `Your Personal folder cannot take these ${liveCount.toLocaleString('en-US')} items: it would go over ${limits.itemsPerFolder.toLocaleString('en-US')} items. Move or delete some items first.`,
        })
      }

      const keys = createKeyRing(viewer)
      const sourceKey = keys.folderKey(source)
      const ids: string[] = []
      const ciphertexts: Buffer[] = []
      const entries: IndexEntry[] = []
      const now = new Date() // the moved items' updated_at, and their index entries'
      let unreadable = 0
      let moved = 0
      for (const item of items) {
        const plain = decryptItem(sourceKey, item.id, folderId, item.ciphertext)
        if (!plain) {
          // A trashed item that does not decrypt cannot be re-encrypted for Personal: it goes with
          // the folder (already deleted by its user, and unreadable to anyone). A live one stops the delete.
          if (!item.trashed) unreadable++
          continue
        }
        const ciphertext = encryptItem(keys.requireFolderKey(target), item.id, target.folderId, plain)
        ids.push(item.id)
        ciphertexts.push(ciphertext)
        // Trashed items stay out of the list index (they count nowhere).
        if (!item.trashed) {
          entries.push(indexEntry(item.id, ciphertext, now, plain, item.createdAt))
          moved++
        }
      }
      if (unreadable > 0) {
        throw new ValidationError({
          _form: `${unreadable === 1 ? 'One item' : `${unreadable} items`} in this folder could not be decrypted and cannot be moved to Personal. Delete ${unreadable === 1 ? 'it' : 'them'} first.`,
        })
      }

      if (ids.length > 0) {
        // One statement whatever the number of items: parallel arrays unnested into rows.
        await sequelize.query(
          `UPDATE items AS i SET folder_id = $1, ciphertext = v.ciphertext, updated_at = $5
           FROM unnest($2::uuid[], $3::bytea[]) AS v(id, ciphertext)
           WHERE i.id = v.id AND i.folder_id = $4`,
          { bind: [target.folderId, ids, ciphertexts, folderId, now], type: QueryTypes.UPDATE, transaction },
        )
        // Their earlier versions move with them (issue 21).
        await reencryptVersions(deps, transaction, { itemIds: ids, fromFolderId: folderId, fromKey: sourceKey, toFolderId: target.folderId, toKey: keys.requireFolderKey(target) })
        // And their attachments' file keys (ADR 033).
        await rewrapAttachmentKeys(deps, transaction, { itemIds: ids, fromFolderId: folderId, fromKey: sourceKey, toFolderId: target.folderId, toKey: keys.requireFolderKey(target) })
        // The deleted folder's index goes with its row; Personal's gains the moved entries.
        if (entries.length > 0) await applyListIndexChanges(deps, transaction, [{ folderId: target.folderId, key: keys.requireFolderKey(target), upserts: entries }])
      }
      // Memberships (and pending invitations) go with it, and unreadable trashed items left behind: ON DELETE CASCADE.
      await models.Folder.destroy({ where: { id: folderId, ownerId: viewer.userId, isPersonal: false }, transaction })
      // The live items moved (what the flash counts); trashed ones moved too, still in the trash.
      return { movedItems: moved }
    })
  }

  return { createFolder, renameFolder, deleteFolder }
}
