// The vault export (issue 11): every item the viewer can read, as records in Bitwarden's CSV
// layout (so the file imports into most password managers). Knows nothing of Koa; the CSV writing
// and headers are the route's.
import { QueryTypes } from 'sequelize'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { liveItemsIn } from './access.js'
import { compareFolders } from './folders.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem } from './itemCrypto.js'
import { openWithPassword } from './users.js'
import type { FolderSummary } from '../../shared/contract.js'
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

/**
 * How the route writes the records (csv-stringify). Bitwarden ends lines with CRLF. csv-stringify
 * quotes a field that holds that delimiter, a comma or a quote, but not one with a bare LF or CR,
 * which then splits the record for every reader: quote any line break, and leading or trailing
 * whitespace (which some readers trim from an unquoted field), so every value reads back as it
 * was (issue 17, finding 7; tests/integration/export-roundtrip.test.ts).
 */
export const EXPORT_CSV_OPTIONS = {
  header: true,
  columns: [...EXPORT_COLUMNS],
  record_delimiter: 'windows' as const,
  quoted_match: [/[\r\n]/, /^\s|\s$/],
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many)

/**
 * The password was right, but some items the viewer can see cannot be decrypted: no file is
 * written. An export is a backup, and a file that silently lacks an item is worse than none
 * (docs/features/export-and-vault-health.md). A ValidationError: the export form shows the message (422).
 */
export class UnreadableItemsError extends ValidationError {
  constructor(
    readonly unreadable: number,
    readonly total: number,
  ) {
    const them = plural(unreadable, 'it', 'them')
    const message =
      `${plural(unreadable, '1 item', `${unreadable.toLocaleString('en-US')} items`)} of your vault cannot be decrypted, so the file would miss ${them}: nothing was exported. ` +
      `The Health page lists ${them} under “Unreadable”; delete ${them} there (in a folder shared with you, ask its owner), then export again.`
    super({ _form: message }, message)
  }
}

interface ExportRow {
  id: string
  folderId: string
  ciphertext: Buffer
  folderName: string
  isPersonal: boolean
  sealedKey: Buffer | null
  privateKeyWrapped: Buffer | null
}

export function createExporter(deps: ServiceDeps) {
  const { sequelize, models } = deps

  /**
   * Checks the master password the way login does (same KDF, same comparison), then reads every
   * item the viewer can read together with the sealed key of its folder in ONE statement: one
   * snapshot, so a key rotation (a member leaving) that commits in between cannot pair old keys
   * with new ciphertexts and make a whole folder unreadable. Two queries whatever the vault's
   * size. Null for a wrong password. Every item is decrypted before the caller writes a byte;
   * UnreadableItemsError (after the password check) when any of them cannot be.
   */
  async function exportVault(viewer: Viewer, password: string): Promise<ExportRecord[] | null> {
    const user = await models.User.findByPk(viewer.userId)
    if (!user) throw new NotFoundError('This account no longer exists.')
    if (!(await openWithPassword(user, password))) return null

    const rows = await sequelize.query<ExportRow>(
      `SELECT i.id, i.folder_id AS "folderId", i.ciphertext, f.name AS "folderName", f.is_personal AS "isPersonal",
              m.sealed_key AS "sealedKey", u.private_key_wrapped AS "privateKeyWrapped"
       FROM folder_memberships m
       JOIN folders f ON f.id = m.folder_id
       JOIN users u ON u.id = m.user_id
       CROSS JOIN LATERAL (SELECT i.* FROM ${liveItemsIn('i', 'm.folder_id')}) i
       WHERE m.user_id = :userId AND m.status = 'accepted'
       ORDER BY i.created_at, i.id`,
      { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT },
    )
    // Folders as the sidebar orders them (Personal first, then by name); items oldest first.
    const byFolder = new Map<string, ExportRow[]>()
    for (const row of rows) {
      const list = byFolder.get(row.folderId)
      if (list) list.push(row)
      else byFolder.set(row.folderId, [row])
    }
    const folders = [...byFolder.values()]
      .map((items) => ({ items, order: { id: items[0]!.folderId, name: items[0]!.folderName, isPersonal: items[0]!.isPersonal } as FolderSummary }))
      .sort((a, b) => compareFolders(a.order, b.order))

    const keys = createKeyRing(viewer)
    const records: ExportRecord[] = []
    let unreadable = 0
    for (const { items } of folders) {
      for (const item of items) {
        // A folder key that cannot be opened gives null, and so does every item under it.
        const plain = decryptItem(keys.folderKey(item), item.id, item.folderId, item.ciphertext)
        if (!plain) {
          unreadable++
          continue
        }
        // After the first unreadable item nothing will be written: stop keeping plaintext.
        if (unreadable > 0) continue
        records.push({
          // Personal is where items without a folder live: Bitwarden writes those with an empty folder.
          folder: item.isPersonal ? '' : item.folderName,
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
          login_totp: plain.totp,
        })
      }
    }
    if (unreadable > 0) throw new UnreadableItemsError(unreadable, rows.length)
    return records
  }

  return { exportVault }
}
export type Exporter = ReturnType<typeof createExporter>
