// Item history (issue 21, ADR 029): every saved change of an item keeps the version it replaced,
// encrypted under the folder key like the item and bound to its version row, item and folder
// (crypto.itemVersionAad). The last VERSIONS_KEPT per item are kept. Knows nothing of Koa or Vue;
// never logs item contents.
import { randomUUID } from 'node:crypto'
import { QueryTypes, type Transaction } from 'sequelize'
import { NotFoundError } from '../lib/errors.js'
import { queryItemAccess, requireId } from './access.js'
import { toId } from '../../schemas/vault.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem, decryptItemVersion, encryptItemVersion, type ItemPlaintext } from './itemCrypto.js'
import type { ItemFields, ItemInput, ItemVersionDetail, ItemVersionList, ItemVersionSummary } from '../../shared/contract.js'
import type { ServiceDeps, Viewer } from './types.js'

export const VERSIONS_KEPT = 20

/**
 * Keeps `plain` (the item as it was before this save, written at `savedAt`) as a version, in the
 * save's transaction, and prunes the item's versions to the last VERSIONS_KEPT in the same
 * statement. The DELETE sees the table as it was before the INSERT (one snapshot per statement),
 * so it keeps the newest VERSIONS_KEPT - 1 older ones: with the new one, VERSIONS_KEPT.
 */
export async function keepVersion(
  deps: ServiceDeps,
  transaction: Transaction,
  { itemId, folderId, key, plain, savedAt }: { itemId: string; folderId: string; key: Buffer; plain: ItemPlaintext; savedAt: Date },
) {
  const id = randomUUID() // before encrypting: the AAD binds it
  const ciphertext = encryptItemVersion(key, id, itemId, folderId, plain)
  await deps.sequelize.query(
    `WITH kept AS (
       INSERT INTO item_versions (id, item_id, folder_id, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id
     )
     DELETE FROM item_versions WHERE id IN (
       SELECT v.id FROM item_versions v WHERE v.item_id = $2 ORDER BY v.created_at DESC, v.id DESC OFFSET ${VERSIONS_KEPT - 1}
     )`,
    { bind: [id, itemId, folderId, ciphertext, savedAt], type: QueryTypes.DELETE, transaction },
  )
}

/**
 * Re-encrypts the versions of some items from one folder key (and folder id in the AAD) to another,
 * in the caller's transaction with the folder rows locked: an item moved (versions move with it),
 * a folder re-keyed (the same folder, a new key), a folder deleted (its items go to Personal). One
 * query to read, one to write. A version that does not decrypt under `fromKey` stays as it is
 * (it was unreadable before and stays so), like an unreadable item.
 */
export async function reencryptVersions(
  deps: ServiceDeps,
  transaction: Transaction,
  { itemIds, fromFolderId, fromKey, toFolderId, toKey }: { itemIds: string[]; fromFolderId: string; fromKey: Buffer | null; toFolderId: string; toKey: Buffer },
): Promise<number> {
  if (itemIds.length === 0 || !fromKey) return 0
  const rows = await deps.sequelize.query<{ id: string; itemId: string; ciphertext: Buffer }>(
    `SELECT id, item_id AS "itemId", ciphertext FROM item_versions WHERE item_id = ANY($1::uuid[]) AND folder_id = $2 ORDER BY id FOR UPDATE`,
    { bind: [itemIds, fromFolderId], type: QueryTypes.SELECT, transaction },
  )
  const ids: string[] = []
  const ciphertexts: Buffer[] = []
  for (const v of rows) {
    const plain = decryptItemVersion(fromKey, v.id, v.itemId, fromFolderId, v.ciphertext)
    if (!plain) continue
    ids.push(v.id)
    ciphertexts.push(encryptItemVersion(toKey, v.id, v.itemId, toFolderId, plain))
  }
  if (ids.length === 0) return 0
  await deps.sequelize.query(
    `UPDATE item_versions AS iv SET folder_id = $3, ciphertext = v.ciphertext
     FROM unnest($1::uuid[], $2::bytea[]) AS v(id, ciphertext)
     WHERE iv.id = v.id AND iv.folder_id = $4`,
    { bind: [ids, ciphertexts, toFolderId, fromFolderId], type: QueryTypes.UPDATE, transaction },
  )
  return ids.length
}

const FIELD_LABELS: [keyof ItemPlaintext, string][] = [
  ['name', 'name'],
  ['username', 'username'],
  ['password', 'password'],
  ['url', 'website'],
  ['note', 'note'],
  ['totp', 'authenticator key'],
  ['rotateDays', 'reminder'],
  // Issue 23: the type's own data and the lists, compared as a whole (they hold only text).
  ['moreUrls', 'websites'],
  ['card', 'card'],
  ['identity', 'identity'],
  ['ssh', 'SSH key'],
  ['fields', 'custom fields'],
]
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b)

/** What differs from `older` to `newer`, as words ("password", "name"); [] when nothing shown differs. */
export function changedFields(older: ItemPlaintext | null, newer: ItemPlaintext | null): string[] {
  if (!older || !newer) return []
  return FIELD_LABELS.filter(([k]) => !same(older[k], newer[k])).map(([, label]) => label)
}

const fieldsOf = (p: ItemPlaintext): ItemFields => ({ name: p.name, username: p.username, password: p.password, url: p.url, note: p.note })

export function createHistoryService(deps: ServiceDeps, { updateItem }: { updateItem: (viewer: Viewer, itemId: string, fields: ItemInput) => Promise<void> }) {
  const { sequelize } = deps

  /** The item (NotFoundError when the viewer cannot open it, it is trashed, or the id is malformed) and its key. */
  async function openItem(viewer: Viewer, rawItemId: string) {
    const itemId = requireId(rawItemId)
    const row = await queryItemAccess(deps, viewer.userId, itemId)
    if (!row) throw new NotFoundError()
    const key = createKeyRing(viewer).folderKey(row)
    return { row, key, current: decryptItem(key, row.id, row.folderId, row.ciphertext) }
  }

  function queryVersions(itemId: string, folderId: string, versionId?: string) {
    return sequelize.query<{ id: string; ciphertext: Buffer; createdAt: Date }>(
      `SELECT id, ciphertext, created_at AS "createdAt" FROM item_versions
       WHERE item_id = :itemId AND folder_id = :folderId ${versionId ? 'AND id = :versionId' : ''}
       ORDER BY created_at DESC, id DESC LIMIT ${VERSIONS_KEPT}`,
      { replacements: { itemId, folderId, versionId: versionId ?? null }, type: QueryTypes.SELECT },
    )
  }

  /**
   * The item's earlier versions, newest first, each with what the next one (or the item as it is
   * now) changed. Two queries.
   */
  async function listVersions(viewer: Viewer, rawItemId: string): Promise<ItemVersionList> {
    const { row, key, current } = await openItem(viewer, rawItemId)
    const rows = await queryVersions(row.id, row.folderId)
    const plains = rows.map((v) => decryptItemVersion(key, v.id, row.id, row.folderId, v.ciphertext))
    const versions: ItemVersionSummary[] = rows.map((v, i) => ({
      id: v.id,
      savedAt: v.createdAt,
      unreadable: plains[i] === null,
      // What the save that replaced this version changed.
      changed: changedFields(plains[i] ?? null, i === 0 ? current : (plains[i - 1] ?? null)),
    }))
    return {
      itemId: row.id,
      folderId: row.folderId,
      folderName: row.folderName,
      name: current?.name ?? '',
      permission: row.permission,
      updatedAt: row.updatedAt,
      versions,
      earlierPasswords: (current?.passwordHistory ?? []).map((h) => new Date(h.lastUsed)),
    }
  }

  /** The dates of the item's latest versions (the item page's short list): no decryption. Two queries. */
  async function recentVersions(viewer: Viewer, rawItemId: string, limit = 5): Promise<{ versions: { id: string; savedAt: Date }[]; total: number }> {
    const itemId = requireId(rawItemId)
    const row = await queryItemAccess(deps, viewer.userId, itemId)
    if (!row) throw new NotFoundError()
    const rows = await sequelize.query<{ id: string; savedAt: Date; total: number }>(
      `SELECT id, created_at AS "savedAt", count(*) OVER ()::int AS total FROM item_versions
       WHERE item_id = :itemId AND folder_id = :folderId ORDER BY created_at DESC, id DESC LIMIT :limit`,
      { replacements: { itemId, folderId: row.folderId, limit }, type: QueryTypes.SELECT },
    )
    return { versions: rows.map(({ id, savedAt }) => ({ id, savedAt })), total: rows[0]?.total ?? 0 }
  }

  /** One version, decrypted. NotFoundError for an unknown, foreign or malformed version id, or an unreadable version. */
  async function openVersion(viewer: Viewer, rawItemId: string, rawVersionId: string) {
    const versionId = toId(rawVersionId)
    if (!versionId) throw new NotFoundError()
    const { row, key } = await openItem(viewer, rawItemId)
    const [v] = await queryVersions(row.id, row.folderId, versionId)
    if (!v) throw new NotFoundError()
    const plain = decryptItemVersion(key, v.id, row.id, row.folderId, v.ciphertext)
    if (!plain) throw new NotFoundError('This version could not be decrypted.')
    return { row, v, plain }
  }

  /** One version's fields (openVersion). */
  async function getVersion(viewer: Viewer, rawItemId: string, rawVersionId: string): Promise<ItemVersionDetail> {
    const { row, v, plain } = await openVersion(viewer, rawItemId, rawVersionId)
    return { id: v.id, itemId: row.id, savedAt: v.createdAt, fields: fieldsOf(plain), totp: plain.totp, rotateDays: plain.rotateDays, permission: row.permission, type: plain.type }
  }

  /**
   * Writes a version's fields as a new save of the item (updateItem's path: the version it
   * replaces is kept, so a restore can be undone). ForbiddenError on a view-only folder.
   */
  async function restoreVersion(viewer: Viewer, rawItemId: string, rawVersionId: string): Promise<void> {
    const { row, plain } = await openVersion(viewer, rawItemId, rawVersionId)
    // Everything the version held; its password history is the item's now (a restore is a change like any other).
    const { score: _score, passwordChangedAt: _changed, passwordHistory: _history, fields: customFields, ...input } = plain
    await updateItem(viewer, row.id, { ...input, fields: customFields })
  }

  return { listVersions, recentVersions, getVersion, restoreVersion }
}
