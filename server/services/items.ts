// Items: their encryption (SPEC section 5), the access queries every vault operation starts from,
// and the item reads and writes. Knows nothing of Koa or Vue. Never logs item contents.
//
// Locking convention (shared with anything else that rewrites a folder's items, such as key
// rotation when a member is removed): a transaction that writes items of a folder, or relies on
// its key or item count, first locks the folder row (lockFolders: FOR UPDATE, in id order), then
// reads memberships and items in a fresh statement, so it never encrypts under a key that a
// concurrent rotation has just replaced, and two creates cannot both pass the item limit.
import { randomUUID } from 'node:crypto'
import { QueryTypes, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { parseForm } from '../lib/validate.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js'
import { UUID_RE, itemFieldsSchema } from '../../schemas/vault.js'
import { passwordScore } from './passwordStrength.js'
import type { ServiceDeps } from './index.js'
import type { ItemDetail, ItemFields, Viewer } from './vault.js'

// ---------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------

/** The canonical (lowercase) form of a UUID, or null: a malformed id must never reach PostgreSQL. */
export function toId(raw: unknown): string | null {
  return typeof raw === 'string' && UUID_RE.test(raw) ? raw.toLowerCase() : null
}

export function requireId(raw: unknown): string {
  const id = toId(raw)
  if (!id) throw new NotFoundError()
  return id
}

// ---------------------------------------------------------------------------
// Item encryption
// ---------------------------------------------------------------------------

/** What an item ciphertext holds: the five fields plus the zxcvbn score computed at write time. */
export interface ItemPlaintext extends ItemFields {
  score: number
}

/** zxcvbn score of the item's password (0 for none), with its name and username as user inputs. */
export function scoreItem(fields: ItemFields): number {
  if (fields.password === '') return 0
  return passwordScore(fields.password, [fields.name, fields.username].filter((s) => s !== ''))
}

export function encryptItem(folderKey: Buffer, itemId: string, folderId: string, plaintext: ItemPlaintext): Buffer {
  const { name, username, password, url, note, score } = plaintext
  return crypto.encryptJson(folderKey, { name, username, password, url, note, score }, crypto.itemAad(itemId, folderId))
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/** Decrypts an item, or returns null when it cannot be (tampered, copied from another row, wrong key). */
export function decryptItem(folderKey: Buffer | null, itemId: string, folderId: string, ciphertext: Buffer): ItemPlaintext | null {
  if (!folderKey) return null
  let value: unknown
  try {
    value = crypto.decryptJson<unknown>(folderKey, ciphertext, crypto.itemAad(itemId, folderId))
  } catch (e) {
    if (e instanceof crypto.DecryptionError) return null
    throw e
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null
  const v = value as Record<string, unknown>
  const fields: ItemFields = { name: text(v.name), username: text(v.username), password: text(v.password), url: text(v.url), note: text(v.note) }
  // Every writer stores the score; computing it here is only a fallback for a row written without it.
  const score = typeof v.score === 'number' && Number.isInteger(v.score) ? v.score : scoreItem(fields)
  return { ...fields, score }
}

export const isWeak = (item: ItemPlaintext) => item.password !== '' && item.score < 3

/** The host name of a URL as typed ("example.com/login" counts as https), or ''. */
export function hostOf(url: string): string {
  const u = parseUrl(url)
  return u ? u.hostname : ''
}

/** A link that is safe to put in an href: http(s) only, never javascript: or data:. */
export function safeHref(url: string): string | null {
  const u = parseUrl(url)
  return u && (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' ? u.href : null
}

function parseUrl(raw: string): URL | null {
  const url = raw.trim()
  if (url === '') return null
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^(mailto|tel|sms|javascript|vbscript|data|blob|about|file):/i.test(url) ? url : `https://${url}`
  try {
    return new URL(candidate)
  } catch {
    return null
  }
}

/** Validates (and normalizes: trims the name) the fields of an item; throws ValidationError. */
export function parseItemFields(input: Partial<ItemFields>): ItemFields {
  const { name, username, password, url, note } = parseForm(itemFieldsSchema, input)
  return { name, username, password, url, note }
}

// ---------------------------------------------------------------------------
// Access: the viewer's accepted memberships, with what is needed to open folder keys
// ---------------------------------------------------------------------------

export interface MembershipRow {
  folderId: string
  folderName: string
  isPersonal: boolean
  ownerId: string
  ownerName: string
  role: 'owner' | 'member'
  /** Effective: an owner can always edit. */
  permission: 'view' | 'edit'
  itemCount: number
  /** A digest of the folder's item ids and ciphertexts (only when asked for): changes with any item. */
  itemsDigest?: string | null
  /** Someone else (accepted or invited) is a member too. */
  shared: boolean
  sealedKey: Buffer | null
  privateKeyWrapped: Buffer | null
}

/** Columns of one membership of the viewer (m) in a folder (f), its owner (o) and the viewer (u). */
const membershipColumns = (withKeys: boolean, withDigest = false) => `${
  withDigest
    ? // SHA-256, not md5: the digest decides whether cached plaintext is still valid, so colliding
      // ciphertexts must not be constructible. convert_to, not ::bytea (which parses backslashes).
      `(SELECT encode(sha256(convert_to(string_agg(ic.id::text || encode(sha256(ic.ciphertext), 'hex'), ',' ORDER BY ic.id), 'UTF8')), 'hex')
        FROM items ic WHERE ic.folder_id = f.id) AS "itemsDigest",`
    : ''
}
  f.id AS "folderId", f.name AS "folderName", f.is_personal AS "isPersonal", f.owner_id AS "ownerId",
  o.name AS "ownerName", m.role::text AS role,
  CASE WHEN m.role = 'owner' THEN 'edit' ELSE m.permission::text END AS permission,
  (SELECT count(*)::int FROM items ic WHERE ic.folder_id = f.id) AS "itemCount",
  EXISTS (SELECT 1 FROM folder_memberships mo WHERE mo.folder_id = f.id AND mo.user_id <> m.user_id) AS shared,
  ${withKeys ? 'm.sealed_key AS "sealedKey", u.private_key_wrapped AS "privateKeyWrapped"' : 'NULL AS "sealedKey", NULL AS "privateKeyWrapped"'}`

const membershipFrom = `
  folder_memberships m
  JOIN folders f ON f.id = m.folder_id
  JOIN users o ON o.id = f.owner_id
  JOIN users u ON u.id = m.user_id`

/**
 * One query: the viewer's accepted memberships (optionally only in some folders), each with the
 * folder, owner name, item count, whether it is shared and (withKeys) the sealed keys.
 */
export async function queryMemberships(
  deps: ServiceDeps,
  userId: string,
  opts: { folderIds?: string[]; withKeys?: boolean; withDigest?: boolean; transaction?: Transaction } = {},
): Promise<MembershipRow[]> {
  if (opts.folderIds && opts.folderIds.length === 0) return []
  return deps.sequelize.query<MembershipRow>(
    `SELECT ${membershipColumns(opts.withKeys ?? true, opts.withDigest)}
     FROM ${membershipFrom}
     WHERE m.user_id = :userId AND m.status = 'accepted'${opts.folderIds ? ' AND m.folder_id IN (:folderIds)' : ''}`,
    {
      replacements: { userId, folderIds: opts.folderIds ?? null },
      type: QueryTypes.SELECT,
      transaction: opts.transaction,
    },
  )
}

interface ItemAccessRow extends MembershipRow {
  id: string
  ciphertext: Buffer
  createdAt: Date
  updatedAt: Date
}

/** One query: an item the viewer can open (through an accepted membership), with that membership. */
export async function queryItemAccess(
  deps: ServiceDeps,
  userId: string,
  itemId: string,
  transaction?: Transaction,
): Promise<ItemAccessRow | null> {
  const rows = await deps.sequelize.query<ItemAccessRow>(
    `SELECT i.id, i.ciphertext, i.created_at AS "createdAt", i.updated_at AS "updatedAt", ${membershipColumns(true)}
     FROM items i JOIN ${membershipFrom} ON m.folder_id = i.folder_id
     WHERE i.id = :itemId AND m.user_id = :userId AND m.status = 'accepted'`,
    { replacements: { itemId, userId }, type: QueryTypes.SELECT, transaction },
  )
  return rows[0] ?? null
}

/**
 * Locks the rows of the given folders in which the viewer is an accepted member, in id order (so
 * two transactions locking the same folders cannot deadlock). Returns the ids it locked.
 */
export async function lockFolders(deps: ServiceDeps, userId: string, folderIds: string[], transaction: Transaction) {
  const ids = [...new Set(folderIds)].sort()
  if (ids.length === 0) return new Set<string>()
  const rows = await deps.sequelize.query<{ id: string }>(
    `SELECT f.id FROM folders f
     JOIN folder_memberships m ON m.folder_id = f.id AND m.user_id = :userId AND m.status = 'accepted'
     WHERE f.id IN (:ids) ORDER BY f.id FOR UPDATE OF f`,
    { replacements: { userId, ids }, type: QueryTypes.SELECT, transaction },
  )
  return new Set(rows.map((r) => r.id))
}

/**
 * Opens folder keys for one request: the private key is unwrapped once, each folder key once.
 * A key that cannot be opened gives null (its items show as broken), never an exception.
 */
export function createKeyRing(viewer: Viewer) {
  let privateKey: crypto.OpenedPrivateKey | null | undefined
  const folderKeys = new Map<string, Buffer | null>()

  function openPrivate(wrapped: Buffer): crypto.OpenedPrivateKey | null {
    if (privateKey === undefined) {
      try {
        privateKey = crypto.importPrivateKey(crypto.open(viewer.vaultKey, wrapped, Buffer.from('private-key')))
      } catch (e) {
        if (!(e instanceof crypto.DecryptionError)) throw e
        privateKey = null
      }
    }
    return privateKey
  }

  function folderKey(m: Pick<MembershipRow, 'folderId' | 'sealedKey' | 'privateKeyWrapped'>): Buffer | null {
    const cached = folderKeys.get(m.folderId)
    if (cached !== undefined) return cached
    let key: Buffer | null = null
    if (m.sealedKey && m.privateKeyWrapped) {
      const priv = openPrivate(m.privateKeyWrapped)
      if (priv) {
        try {
          key = crypto.openSealed(priv, m.sealedKey, crypto.folderKeyAad(m.folderId, viewer.userId))
        } catch (e) {
          if (!(e instanceof crypto.DecryptionError)) throw e
        }
      }
    }
    folderKeys.set(m.folderId, key)
    return key
  }

  /** For writes: a key we cannot open means we cannot encrypt, so fail loudly. */
  function requireFolderKey(m: Pick<MembershipRow, 'folderId' | 'sealedKey' | 'privateKeyWrapped'>): Buffer {
    const key = folderKey(m)
    if (!key) throw new crypto.DecryptionError('folder key could not be opened')
    return key
  }

  return { folderKey, requireFolderKey }
}

export function requireEdit(m: MembershipRow, message = 'This folder is view-only: you cannot change its items.') {
  if (m.permission !== 'edit') throw new ForbiddenError(message)
}

function folderFullError(limit: number) {
  return new ValidationError({
    folder_id: `This folder already holds the maximum of ${limit.toLocaleString('en-US')} items. Choose another folder.`,
  })
}

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
    return {
      id: row.id,
      folderId: row.folderId,
      folderName: row.folderName,
      fields,
      permission: row.permission,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      broken: plain === null,
      host: hostOf(fields.url),
      href: safeHref(fields.url),
      weak: plain !== null && isWeak(plain),
    }
  }

  return { getItem }
}

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------

export function createItemCommands(deps: ServiceDeps) {
  const { sequelize, models, limits } = deps

  /** ForbiddenError on a view-only folder, NotFoundError if not a member, ValidationError when full. */
  async function createItem(viewer: Viewer, input: { folderId: string } & ItemFields): Promise<{ id: string }> {
    const folderId = requireId(input.folderId)
    const fields = parseItemFields(input)
    const score = scoreItem(fields) // zxcvbn before the transaction: locks stay short
    return sequelize.transaction(async (transaction) => {
      await lockFolders(deps, viewer.userId, [folderId], transaction)
      const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], transaction })
      if (!m) throw new NotFoundError()
      requireEdit(m)
      if (m.itemCount >= limits.itemsPerFolder) throw folderFullError(limits.itemsPerFolder)
      const key = createKeyRing(viewer).requireFolderKey(m)
      const id = randomUUID() // before encrypting: the AAD binds the id
      await models.Item.create({ id, folderId, ciphertext: encryptItem(key, id, folderId, { ...fields, score }) }, { transaction })
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

  async function updateItem(viewer: Viewer, rawItemId: string, input: ItemFields): Promise<void> {
    const itemId = requireId(rawItemId)
    const fields = parseItemFields(input)
    const score = scoreItem(fields)
    await sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction)
      const key = createKeyRing(viewer).requireFolderKey(row)
      await models.Item.update(
        { ciphertext: encryptItem(key, itemId, row.folderId, { ...fields, score }) },
        { where: { id: itemId, folderId: row.folderId }, transaction },
      )
    })
  }

  /** Needs edit on both folders; re-encrypts under the target folder's key and AAD. Same folder: no-op. */
  async function moveItem(viewer: Viewer, rawItemId: string, rawTargetFolderId: string): Promise<void> {
    const itemId = requireId(rawItemId)
    const targetId = requireId(rawTargetFolderId)
    await sequelize.transaction(async (transaction) => {
      const row = await lockItem(viewer, itemId, transaction, [targetId])
      if (row.folderId === targetId) return
      const [target] = await queryMemberships(deps, viewer.userId, { folderIds: [targetId], transaction })
      if (!target) throw new NotFoundError()
      requireEdit(target, 'That folder is view-only: you cannot move items into it.')
      if (target.itemCount >= limits.itemsPerFolder) throw folderFullError(limits.itemsPerFolder)
      const keys = createKeyRing(viewer)
      const plain = decryptItem(keys.folderKey(row), itemId, row.folderId, row.ciphertext)
      if (!plain) throw new ValidationError({ folder_id: 'This item could not be decrypted, so it cannot be moved.' })
      const ciphertext = encryptItem(keys.requireFolderKey(target), itemId, targetId, plain)
      await models.Item.update({ folderId: targetId, ciphertext }, { where: { id: itemId, folderId: row.folderId }, transaction })
    })
  }

  /** Deleting needs no key, so a broken item can always be deleted. */
  async function deleteItem(viewer: Viewer, rawItemId: string): Promise<{ folderId: string }> {
    const itemId = requireId(rawItemId)
    const row = await queryItemAccess(deps, viewer.userId, itemId)
    if (!row) throw new NotFoundError()
    requireEdit(row)
    const deleted = await models.Item.destroy({ where: { id: itemId, folderId: row.folderId } })
    if (deleted === 0) throw new NotFoundError() // moved or deleted meanwhile
    return { folderId: row.folderId }
  }

  return { createItem, updateItem, moveItem, deleteItem }
}
