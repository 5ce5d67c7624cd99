// Folders and their keys. Knows nothing of Koa or Vue.
import { randomUUID } from 'node:crypto'
import type { Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import type { Models } from '../../models/index.js'

/**
 * Creates a folder with a fresh folder key sealed to its owner's public key, inside the caller's
 * transaction. Returns the folder and its key (the caller may need it right away).
 */
export async function createFolderRecord(
  models: Models,
  owner: { id: string; publicKey: Buffer },
  name: string,
  opts: { personal?: boolean; transaction: Transaction },
) {
  const folderKey = crypto.randomKey()
  const folder = await models.Folder.create(
    { id: randomUUID(), ownerId: owner.id, name, isPersonal: opts.personal ?? false },
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
