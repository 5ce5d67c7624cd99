// The vault export (issue 11): every item the viewer can read, as records in Bitwarden's CSV
// layout (so the file imports into most password managers), or since issue 23 as Bitwarden's
// unencrypted JSON export (bitwardenJson.ts), the lossless format (ADR 034). Knows nothing of
// Koa; the file writing and headers are the route's.
import { QueryTypes } from 'sequelize'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { liveItemsIn } from './access.js'
import { compareFolders } from './folders.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem } from './itemCrypto.js'
import { openWithPassword } from './users.js'
import type { FolderSummary, ItemType } from '../../shared/contract.js'
import { TYPE_LABELS } from '../../shared/itemTypes.js'
import { bitwardenExport, type ExportedItem } from './bitwardenJson.js'
import type { ItemPlaintext } from './itemCrypto.js'
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

/** What has no column in Bitwarden's CSV, written into the note as "Label: value" lines (ADR 034). */
const TYPE_LINES: Record<Exclude<ItemType, 'login' | 'note'>, (p: ItemPlaintext) => [string, string][]> = {
  card: ({ card: c }) => [
    ['Cardholder name', c?.cardholder ?? ''],
    ['Card number', c?.number ?? ''],
    ['Brand', c?.brand ?? ''],
    ['Expiry month', c?.expMonth ?? ''],
    ['Expiry year', c?.expYear ?? ''],
    ['Security code', c?.code ?? ''],
  ],
  identity: ({ identity: i }) => [
    ['Title', i?.title ?? ''],
    ['First name', i?.firstName ?? ''],
    ['Middle name', i?.middleName ?? ''],
    ['Last name', i?.lastName ?? ''],
    ['Company', i?.company ?? ''],
    ['Email', i?.email ?? ''],
    ['Phone', i?.phone ?? ''],
    ['Address line 1', i?.address1 ?? ''],
    ['Address line 2', i?.address2 ?? ''],
    ['Address line 3', i?.address3 ?? ''],
    ['City', i?.city ?? ''],
    ['State or region', i?.region ?? ''],
    ['Postal code', i?.postalCode ?? ''],
    ['Country', i?.country ?? ''],
    ['Username', i?.username ?? ''],
    ['Passport number', i?.passport ?? ''],
    ['Licence number', i?.licence ?? ''],
    ['National ID number', i?.nationalId ?? ''],
  ],
  ssh: ({ ssh: k }) => [
    ['Private key', k?.privateKey ?? ''],
    ['Public key', k?.publicKey ?? ''],
    ['Fingerprint', k?.fingerprint ?? ''],
  ],
}

/**
 * The notes column of an item that Bitwarden's CSV has no row type for (a card, an identity, an
 * SSH key): Bitwarden's own CSV export leaves those out; this one must not lose them, so they are
 * written as a secure note whose text is the note, then the type and each field that is not empty.
 */
export function csvNoteOf(p: ItemPlaintext): string {
  if (p.type === 'login' || p.type === 'note') return p.note
  const lines = TYPE_LINES[p.type](p)
    .filter(([, v]) => v !== '')
    .map(([label, v]) => (v.includes('\n') ? `${label}:\n${v}` : `${label}: ${v}`))
  const block = [`${TYPE_LABELS[p.type].one} (exported from NucleusID as a note: CSV has no ${TYPE_LABELS[p.type].many.toLowerCase()})`, ...lines].join('\n')
  return p.note === '' ? block : `${p.note}\n\n${block}`
}

/** An item as a record of Bitwarden's CSV. */
export function csvRecord(item: { folder: string; favourite: boolean; plain: ItemPlaintext }): ExportRecord {
  const p = item.plain
  const login = p.type === 'login'
  return {
    // Personal is where items without a folder live: Bitwarden writes those with an empty folder.
    folder: item.folder,
    // Bitwarden writes 1 for a favourite and an empty cell for "no", and 0 for "no reprompt".
    favorite: item.favourite ? '1' : '',
    type: login ? 'login' : 'note',
    name: p.name,
    notes: csvNoteOf(p),
    // One "name: value" line per custom field, as Bitwarden writes them (no kinds in CSV).
    fields: p.fields.map((f) => `${f.name}: ${f.value}`).join('\n'),
    reprompt: '0',
    // Several web addresses comma-separated in one cell, as Bitwarden writes them.
    login_uri: login ? [p.url, ...p.moreUrls].filter((u) => u !== '').join(',') : '',
    login_username: login ? p.username : '',
    login_password: login ? p.password : '',
    login_totp: login ? p.totp : '',
  }
}

/** Every item the viewer can read, decrypted, in export order, with the folders they are in. */
export interface ExportedVault {
  /** The folders holding items, Personal first; Personal's items have folderId null in the JSON. */
  folders: { id: string; name: string; isPersonal: boolean }[]
  items: (ExportedItem & { folderName: string; isPersonal: boolean; realFolderId: string })[]
}

interface ExportRow {
  id: string
  folderId: string
  ciphertext: Buffer
  favourite: boolean
  createdAt: Date
  updatedAt: Date
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
  async function readVault(viewer: Viewer, password: string): Promise<ExportedVault | null> {
    const user = await models.User.findByPk(viewer.userId)
    if (!user) throw new NotFoundError('This account no longer exists.')
    if (!(await openWithPassword(user, password))) return null

    const rows = await sequelize.query<ExportRow>(
      `SELECT i.id, i.folder_id AS "folderId", i.ciphertext, f.name AS "folderName", f.is_personal AS "isPersonal",
              i.created_at AS "createdAt", i.updated_at AS "updatedAt",
              EXISTS (SELECT 1 FROM item_favourites fv WHERE fv.user_id = m.user_id AND fv.item_id = i.id) AS favourite,
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
    const out: ExportedVault = { folders: [], items: [] }
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
        out.items.push({
          id: item.id,
          folderId: item.isPersonal ? null : item.folderId,
          realFolderId: item.folderId,
          folderName: item.folderName,
          isPersonal: item.isPersonal,
          favourite: item.favourite,
          createdAt: new Date(item.createdAt),
          updatedAt: new Date(item.updatedAt),
          plain,
        })
      }
    }
    if (unreadable > 0) throw new UnreadableItemsError(unreadable, rows.length)
    out.folders = folders.map(({ order }) => ({ id: order.id, name: order.name, isPersonal: order.isPersonal }))
    return out
  }

  /** Bitwarden's CSV: the records, or null for a wrong password. */
  async function exportVault(viewer: Viewer, password: string): Promise<ExportRecord[] | null> {
    const vault = await readVault(viewer, password)
    return vault && vault.items.map((i) => csvRecord({ folder: i.isPersonal ? '' : i.folderName, favourite: i.favourite, plain: i.plain }))
  }

  /** Bitwarden's unencrypted JSON export (ADR 034), or null for a wrong password. */
  async function exportJson(viewer: Viewer, password: string) {
    const vault = await readVault(viewer, password)
    return vault && bitwardenExport(vault.folders.filter((f) => !f.isPersonal), vault.items)
  }

  return { exportVault, exportJson }
}
export type Exporter = ReturnType<typeof createExporter>
