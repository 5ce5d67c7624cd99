// Copying one field of an item and cloning an item (issue 21, ADR 030). Knows nothing of Koa or
// Vue; never logs item contents. Access and locking: access.ts; keys: keyRing.ts.
import { randomUUID } from 'node:crypto'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { folderFullError, lockFolders, queryItemAccess, requireEdit, requireId } from './access.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem, encryptItem } from './itemCrypto.js'
import { applyListIndexChanges, indexEntry } from './listIndex.js'
import { ITEM_LIMITS } from '../../schemas/limits.js'
import { totpCode } from '../../shared/totp.js'
import { fieldValue } from './itemText.js'
import { eventItem, itemEvents } from './itemEvents.js'
import { secretFieldLabel } from '../../shared/activity.js'
import type { ServiceDeps, Viewer } from './types.js'

export const NO_TOTP_MESSAGE = 'This item has no authenticator key.'

/** "Copy of <name>", cut to the name limit without splitting a character. */
export function cloneName(name: string): string {
  let cut = `Copy of ${name}`.slice(0, ITEM_LIMITS.name)
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return cut.trimEnd()
}

export function createItemFieldCommands(deps: ServiceDeps) {
  const { sequelize, models, limits } = deps

  /**
   * One field of an item the viewer can open (view is enough): its value, and for the
   * authenticator the current code and the seconds it has left. NotFoundError for an item that is
   * not the viewer's, trashed or malformed; ValidationError (422) for an item without a key.
   */
  async function copyItemField(
    viewer: Viewer,
    rawItemId: string,
    field: string,
    kind: 'item_copied' | 'item_revealed' = 'item_copied',
  ): Promise<{ value: string; secondsLeft?: number; period?: number }> {
    const itemId = requireId(rawItemId)
    const row = await queryItemAccess(deps, viewer.userId, itemId)
    if (!row) throw new NotFoundError()
    const plain = decryptItem(createKeyRing(viewer).folderKey(row), row.id, row.folderId, row.ciphertext)
    if (!plain) throw new ValidationError({ field: 'This item could not be decrypted.' })
    const value = fieldValue(plain, field)
    if (value === null) throw new ValidationError({ field: 'This item has no such field.' })
    // A secret left the server (SPEC 3b): the folder's owner and the one who copied it can see so.
    // A username is not a secret.
    if (field !== 'username' && value !== '') await deps.activity?.record(itemEvents(viewer.userId, kind, [eventItem(row, plain.name)], { detail: secretFieldLabel(field) }))
    if (field !== 'totp') return { value }
    const code = totpCode(plain.totp)
    if (!code) throw new ValidationError({ field: NO_TOTP_MESSAGE })
    return { value: code.code, secondsLeft: code.secondsLeft, period: code.period }
  }

  /**
   * Records that a page showed one secret of an item (SPEC 3b: ?reveal=<field>), for the folder's
   * owner and the viewer. One query for the item's folder and name; nothing when it cannot be read.
   * `detail` names what was shown.
   */
  async function noteRevealed(viewer: Viewer, rawItemId: string, detail: string): Promise<void> {
    const row = await queryItemAccess(deps, viewer.userId, requireId(rawItemId))
    const plain = row && decryptItem(createKeyRing(viewer).folderKey(row), row.id, row.folderId, row.ciphertext)
    if (!row || !plain) return
    await deps.activity?.record(itemEvents(viewer.userId, 'item_revealed', [eventItem(row, plain.name)], { detail }))
  }

  /**
   * A copy of the item, every field included (key, rotation period, score), in the same folder,
   * named "Copy of …". Needs edit; the folder's item limit applies, checked under its lock.
   */
  async function cloneItem(viewer: Viewer, rawItemId: string): Promise<{ id: string }> {
    const itemId = requireId(rawItemId)
    return sequelize.transaction(async (transaction) => {
      const before = await queryItemAccess(deps, viewer.userId, itemId, transaction)
      if (!before) throw new NotFoundError()
      requireEdit(before)
      await lockFolders(deps, viewer.userId, [before.folderId], transaction)
      const row = await queryItemAccess(deps, viewer.userId, itemId, transaction)
      if (!row || row.folderId !== before.folderId) throw new NotFoundError()
      requireEdit(row)
      if (row.itemCount >= limits.itemsPerFolder) throw folderFullError(limits.itemsPerFolder)
      const key = createKeyRing(viewer).requireFolderKey(row)
      const plain = decryptItem(key, itemId, row.folderId, row.ciphertext)
      if (!plain) throw new ValidationError({ _form: 'This item could not be decrypted, so it cannot be cloned.' })
      const id = randomUUID() // before encrypting: the AAD binds the id
      const copy = { ...plain, name: cloneName(plain.name) }
      const ciphertext = encryptItem(key, id, row.folderId, copy)
      const item = await models.Item.create({ id, folderId: row.folderId, ciphertext }, { transaction })
      await applyListIndexChanges(deps, transaction, [{ folderId: row.folderId, key, upserts: [indexEntry(id, ciphertext, item.updatedAt, copy, item.createdAt)] }])
      await deps.activity?.record(itemEvents(viewer.userId, 'item_added', [eventItem({ ...row, id }, copy.name)], { detail: `copy of “${plain.name}”` }), transaction)
      return { id }
    })
  }

  return { copyItemField, noteRevealed, cloneItem }
}
