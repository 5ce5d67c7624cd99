// The vault export (issue 11): every item the viewer can read, as records in Bitwarden's CSV
// layout (so the file imports into most password managers), decrypted one at a time while the
// caller writes them out. Knows nothing of Koa; the CSV writing and headers are the route's.
import { QueryTypes } from 'sequelize'
import { NotFoundError } from '../lib/errors.js'
import { queryMemberships, type MembershipRow } from './access.js'
import { compareFolders, toFolderSummary } from './folders.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem } from './itemCrypto.js'
import { openWithPassword } from './users.js'
import type { ServiceDeps, Viewer } from './types.js'

/** Bitwarden's column order, exactly as its exporter writes the header row. */
export const EXPORT_COLUMNS = [
  'folder',
  'favorite',
  'type',
  'name',
  'notes',
  'fields',
  'reprompt',
  'login_uri',
  'login_username',
  'login_password',
  'login_totp',
] as const
export type ExportRecord = Record<(typeof EXPORT_COLUMNS)[number], string>

export function createExporter(deps: ServiceDeps) {
  const { sequelize, models } = deps

  /**
   * Checks the master password the way login does (same KDF, same comparison), then loads the
   * viewer's memberships and the ciphertexts of every item they can read: three queries whatever
   * the vault's size. Null for a wrong password. The records are decrypted lazily, as the caller
   * iterates; items that cannot be decrypted are left out (the health page lists them).
   */
  async function exportVault(viewer: Viewer, password: string): Promise<Iterable<ExportRecord> | null> {
    const user = await models.User.findByPk(viewer.userId)
    if (!user) throw new NotFoundError('This account no longer exists.')
    if (!(await openWithPassword(user, password))) return null

    const [memberships, items] = await Promise.all([
      queryMemberships(deps, viewer.userId, { withKeys: true }),
      sequelize.query<{ id: string; folderId: string; ciphertext: Buffer }>(
        `SELECT i.id, i.folder_id AS "folderId", i.ciphertext FROM items i
         JOIN folder_memberships m ON m.folder_id = i.folder_id AND m.user_id = :userId AND m.status = 'accepted'
         ORDER BY i.created_at, i.id`,
        { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT },
      ),
    ])
    // Folders as the sidebar orders them (Personal first, then by name); items oldest first.
    const byFolder = new Map<string, typeof items>()
    for (const item of items) {
      const list = byFolder.get(item.folderId)
      if (list) list.push(item)
      else byFolder.set(item.folderId, [item])
    }
    const folders = memberships
      .map((m) => ({ m, summary: toFolderSummary(m) }))
      .sort((a, b) => compareFolders(a.summary, b.summary))
      .map(({ m }) => m)
    return records(viewer, folders, byFolder)
  }

  function* records(viewer: Viewer, folders: MembershipRow[], byFolder: Map<string, { id: string; folderId: string; ciphertext: Buffer }[]>) {
    const keys = createKeyRing(viewer)
    for (const m of folders) {
      const key = keys.folderKey(m)
      // Personal is where items without a folder live: Bitwarden writes those with an empty folder.
      const folder = m.isPersonal ? '' : m.folderName
      for (const item of byFolder.get(m.folderId) ?? []) {
        const plain = decryptItem(key, item.id, item.folderId, item.ciphertext)
        if (!plain) continue
        yield {
          folder,
          // Bitwarden writes an empty favorite for "no" and 0 for "no reprompt".
          favorite: '',
          type: 'login',
          name: plain.name,
          notes: plain.note,
          fields: '',
          reprompt: '0',
          login_uri: plain.url,
          login_username: plain.username,
          login_password: plain.password,
          login_totp: '',
        } satisfies ExportRecord
      }
    }
  }

  return { exportVault }
}
export type Exporter = ReturnType<typeof createExporter>
