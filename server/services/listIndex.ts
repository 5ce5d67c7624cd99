// The per-folder encrypted list index (docs/decisions/020-folder-list-index.md).
//
// One AES-256-GCM ciphertext per folder (folders.list_index), under the folder key, bound to the
// folder id (crypto.folderIndexAad), holding for every item of the folder what the item list needs:
// id, name, username, URL, host, last change, the weak / no-password / unreadable flags, and the
// SHA-256 of the password for reuse detection (inside the folder-key ciphertext: no weaker than the
// item itself). A first view then decrypts one value per folder instead of one per item.
//
// The index certifies itself: each entry carries the SHA-256 of the item ciphertext it was made
// from, and the index carries the items digest (ids and ciphertext hashes, the value the
// memberships query computes, access.ts itemsDigestSql) of all its entries. A reader uses an index
// only when that digest equals the live one: any item written, added, moved, deleted or tampered
// with behind the index's back, by raw SQL or an older release, makes it fall back to decrypting
// that folder's items. A writer that finds the old index disagreeing with the items rebuilds it
// from the items.
//
// Every write of an item's ciphertext or folder rewrites the index of the folders it touched, in
// the same transaction, with those folder rows locked (the locking convention of access.ts), so two
// writes to one folder serialize and neither can lose the other's entry.
import { createHash } from 'node:crypto'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { QueryTypes, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { itemsDigestSql, liveItemsIn } from './access.js'
import { decryptItem, hostOf, isUnscored, isWeak, type ItemPlaintext } from './itemCrypto.js'
import type { ServiceDeps } from './types.js'
import { compareNameKeys, sortKey, unicodeHost } from './names.js'
import { listLine, searchText } from './itemText.js'
import { cardExpiry, TYPE_BY_CODE, TYPE_CODES } from '../../shared/itemTypes.js'
import type { ItemType } from '../../shared/contract.js'

/** Bumped when the plaintext layout changes: an index of another version is treated as missing. */
// 2 (issue 21): entries gain when the password last changed and the rotation period.
// 3 (issue 23): entries gain the type and a card's expiry; `username` is the type's list line and
// `search` the type's other non-secret fields (it held the URL).
const INDEX_VERSION = 3

/** What the list needs of one item, as stored in its folder's index. */
export interface IndexEntry {
  id: string
  /** SHA-256 (base64url) of the item's ciphertext: the entry describes exactly that ciphertext. */
  ct: string
  name: string
  /** The line under the name (itemTypes.ts listLine): a login's username, "•••• 4242", a person's name, a fingerprint. */
  username: string
  /** What search reads besides name, line and host: every web address and the type's other non-secret fields. */
  search: string
  host: string
  /** updated_at, in milliseconds. */
  updatedAt: number
  weak: boolean
  noPassword: boolean
  /** The item did not decrypt when the entry was made: it lists as unreadable. */
  unreadable: boolean
  /** Its password waits for its score (ADR 024): "not checked yet". */
  unscored: boolean
  /** The password's hash (passwordHash), for reuse detection; null when none or unreadable. */
  pw: string | null
  /** When the password last changed (ms; the item's creation for items written before issue 21); null when unreadable or unknown. */
  passwordChangedAt: number | null
  /** "Change every N days" (issue 21), or null. Overdue is computed when read (never stored: it depends on now). */
  rotateDays: number | null
  type: ItemType
  /** A card's expiry month (itemTypes.ts cardExpiry), or null. */
  expiry: number | null
}

/** The flags of a stored entry. */
export const WEAK = 1
export const NO_PASSWORD = 2
export const UNREADABLE = 4
export const UNSCORED = 8

/**
 * Stored form: an array per entry, no keys (less to send, parse and allocate). The list reads
 * these directly, without an IndexEntry per item: a first view allocates as little as it can.
 */
export type StoredEntry = [
  id: string,
  ct: string,
  name: string,
  username: string,
  search: string,
  host: string,
  updatedAt: number,
  flags: number,
  pw: string | null,
  passwordChangedAt: number | null,
  rotateDays: number | null,
  type: number,
  expiry: number | null,
]
interface StoredIndex {
  v: number
  digest: string
  items: StoredEntry[]
}

export const ciphertextHash = (ciphertext: Buffer) => createHash('sha256').update(ciphertext).digest('base64url')
/** Bytes of a password hash: equal hashes mean the same password (a 128-bit collision is out of reach). */
export const PASSWORD_HASH_BYTES = 16
/**
 * The first 16 bytes of SHA-256(password), base64url: stored only inside the folder-key
 * ciphertext, where the password itself is too. The list keeps in memory only a keyed tag of it.
 */
export const passwordHash = (password: string) => createHash('sha256').update(password, 'utf8').digest().toString('base64url', 0, PASSWORD_HASH_BYTES)

/**
 * The entry of an item: from its plaintext as just encrypted or decrypted, null when it does not
 * decrypt. `createdAt`: when the password is older than issue 21 (passwordChangedAt null), it counts from then.
 */
export function indexEntry(id: string, ciphertext: Buffer, updatedAt: Date, plain: ItemPlaintext | null, createdAt?: Date): IndexEntry {
  return {
    id,
    ct: ciphertextHash(ciphertext),
    name: plain?.name ?? '',
    username: plain ? listLine(plain) : '',
    search: plain ? searchText(plain) : '',
    host: plain ? unicodeHost(hostOf(plain.url)) : '',
    updatedAt: updatedAt.getTime(),
    weak: plain !== null && isWeak(plain),
    noPassword: plain !== null && plain.type === 'login' && plain.password === '',
    unreadable: plain === null,
    unscored: plain !== null && isUnscored(plain),
    pw: plain && plain.password !== '' ? passwordHash(plain.password) : null,
    passwordChangedAt: plain ? (plain.passwordChangedAt ?? createdAt?.getTime() ?? null) : null,
    rotateDays: plain?.rotateDays ?? null,
    type: plain?.type ?? 'login',
    expiry: plain?.card ? cardExpiry(plain.card) : null,
  }
}

/** Decrypts items of one folder into entries (an unreadable item gives an unreadable entry). */
export function entriesFromItems(key: Buffer | null, folderId: string, items: { id: string; ciphertext: Buffer; updatedAt: Date; createdAt?: Date }[]): IndexEntry[] {
  return items.map((item) => indexEntry(item.id, item.ciphertext, item.updatedAt, decryptItem(key, item.id, folderId, item.ciphertext), item.createdAt))
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * The items digest of these entries, as PostgreSQL computes it for their items (itemsDigestSql):
 * SHA-256 over "id || hex SHA-256(ciphertext)" joined by commas in id order ('' for none, where
 * PostgreSQL gives NULL). Lowercase UUID text sorts as PostgreSQL sorts uuid values (bytewise).
 */
export function itemsDigest(entries: readonly IndexEntry[]): string {
  if (entries.length === 0) return ''
  const parts = [...entries].sort(byId).map((e) => e.id + Buffer.from(e.ct, 'base64url').toString('hex'))
  return createHash('sha256').update(parts.join(','), 'utf8').digest('hex')
}

/**
 * Entries in the list's order (vault.ts compareEntries, names.ts): stored sorted, so the reader's
 * sort only merges runs. Each name's sort key is made once, not per comparison: a 19,000-row import
 * sorts its folder without calling the collator for most pairs.
 */
function byName(entries: readonly IndexEntry[]): IndexEntry[] {
  const keyed = entries.map((e) => ({ e, key: sortKey(e.name) }))
  keyed.sort((a, b) => compareNameKeys(a.e.name, a.key, b.e.name, b.key) || byId(a.e, b.e))
  return keyed.map((k) => k.e)
}

/** Encrypts a folder's entries; returns the ciphertext and the digest it describes. */
export function sealListIndex(key: Buffer, folderId: string, entries: readonly IndexEntry[]): { listIndex: Buffer; digest: string } {
  const digest = itemsDigest(entries)
  const items = byName(entries).map(toStored)
  const stored: StoredIndex = { v: INDEX_VERSION, digest, items }
  return { listIndex: crypto.encryptJson(key, stored, crypto.folderIndexAad(folderId)), digest }
}

export const toStored = (e: IndexEntry): StoredEntry => [
  e.id,
  e.ct,
  e.name,
  e.username,
  e.search,
  e.host,
  e.updatedAt,
  (e.weak ? WEAK : 0) | (e.noPassword ? NO_PASSWORD : 0) | (e.unreadable ? UNREADABLE : 0) | (e.unscored ? UNSCORED : 0),
  e.pw,
  e.passwordChangedAt,
  e.rotateDays,
  TYPE_CODES[e.type],
  e.expiry,
]

export const fromStored = (s: StoredEntry): IndexEntry => ({
  id: s[0],
  ct: s[1],
  name: s[2],
  username: s[3],
  search: s[4],
  host: s[5],
  updatedAt: s[6],
  weak: (s[7] & WEAK) !== 0,
  noPassword: (s[7] & NO_PASSWORD) !== 0,
  unreadable: (s[7] & UNREADABLE) !== 0,
  unscored: (s[7] & UNSCORED) !== 0,
  pw: s[8],
  passwordChangedAt: s[9],
  rotateDays: s[10],
  type: TYPE_BY_CODE[s[11]] ?? 'login',
  expiry: s[12],
})

const isString = (v: unknown): v is string => typeof v === 'string'
const isStoredEntry = (s: unknown): s is StoredEntry =>
  Array.isArray(s) &&
  s.length === 13 &&
  isString(s[0]) &&
  isString(s[1]) &&
  isString(s[2]) &&
  isString(s[3]) &&
  isString(s[4]) &&
  isString(s[5]) &&
  typeof s[6] === 'number' &&
  typeof s[7] === 'number' &&
  (s[8] === null || isString(s[8])) &&
  (s[9] === null || typeof s[9] === 'number') &&
  (s[10] === null || typeof s[10] === 'number') &&
  typeof s[11] === 'number' &&
  (s[12] === null || typeof s[12] === 'number')

/**
 * Decrypts a folder's index: its digest and entries, or null when it cannot be used (no key,
 * tampered, another folder's, another version, malformed). Never throws for bad input.
 */
export function openListIndex(key: Buffer | null, folderId: string, listIndex: Buffer | null | undefined): { digest: string; entries: StoredEntry[] } | null {
  if (!key || !listIndex) return null
  let stored: StoredIndex
  try {
    stored = crypto.decryptJson<StoredIndex>(key, listIndex, crypto.folderIndexAad(folderId))
  } catch (e) {
    if (e instanceof crypto.DecryptionError) return null
    throw e
  }
  if (!stored || typeof stored !== 'object' || stored.v !== INDEX_VERSION || !isString(stored.digest) || !Array.isArray(stored.items)) return null
  // Authenticated, so written by this module; checked anyway so a bug shows as a rebuild, not a crash.
  for (const s of stored.items) if (!isStoredEntry(s)) return null
  return { digest: stored.digest, entries: stored.items }
}

/**
 * Writes the indexes of some folders, whole, in the caller's transaction (the folder rows locked).
 * A null key (the writer cannot open the folder key) clears the index: readers fall back to the
 * items, and the next write by a member who holds the key rebuilds it.
 */
export async function storeListIndexes(deps: ServiceDeps, transaction: Transaction, folders: { folderId: string; key: Buffer | null; entries: readonly IndexEntry[] }[]) {
  if (folders.length === 0) return
  const sealed: { listIndex: Buffer | null; digest: string | null }[] = []
  for (const f of folders) {
    // A full folder (5,000 items) takes some 20 ms to sort and seal: an import that fills several
    // lets other requests in between (ADR 019 keeps long work off the event loop).
    if (sealed.length > 0) await nextTurn()
    sealed.push(f.key ? sealListIndex(f.key, f.folderId, f.entries) : { listIndex: null, digest: null })
  }
  // One statement whatever the number of folders: parallel arrays unnested into rows.
  await deps.sequelize.query(
    `UPDATE folders AS f SET list_index = v.list_index, list_index_digest = v.digest
     FROM unnest($1::uuid[], $2::bytea[], $3::text[]) AS v(id, list_index, digest)
     WHERE f.id = v.id`,
    {
      bind: [folders.map((f) => f.folderId), sealed.map((s) => s.listIndex), sealed.map((s) => s.digest)],
      type: QueryTypes.UPDATE,
      transaction,
    },
  )
}

/** What one write did to a folder's items: entries added or replaced, ids removed. */
export interface IndexChange {
  folderId: string
  /** The folder key; null when the writer cannot open it (a delete needs none): the index is cleared. */
  key: Buffer | null
  upserts?: IndexEntry[]
  removes?: string[]
}

/**
 * Brings the indexes of the folders a write touched up to date, in the write's transaction, after
 * its item statements and with the folder rows locked (so no other write of these folders runs
 * until it commits). For each folder: the stored index with the change applied, if the result
 * describes exactly the items now in the folder (its digest equals the live one); otherwise, and
 * when there is no index yet (rows from before ADR 020, or written by an older release), an index
 * rebuilt by decrypting the folder's items. `whole`: folders whose entries the caller knows in
 * full (new folders), written in the same statement. Two statements (three with a rebuild).
 */
export async function applyListIndexChanges(
  deps: ServiceDeps,
  transaction: Transaction,
  changes: IndexChange[],
  whole: { folderId: string; key: Buffer; entries: IndexEntry[] }[] = [],
) {
  const byFolder = new Map<string, IndexChange>()
  for (const c of changes) {
    const seen = byFolder.get(c.folderId)
    if (seen) byFolder.set(c.folderId, { ...seen, upserts: [...(seen.upserts ?? []), ...(c.upserts ?? [])], removes: [...(seen.removes ?? []), ...(c.removes ?? [])] })
    else byFolder.set(c.folderId, c)
  }
  const withKey = [...byFolder.values()].filter((c) => c.key !== null)
  const result: { folderId: string; key: Buffer | null; entries: readonly IndexEntry[] }[] = [
    ...whole,
    ...[...byFolder.values()].filter((c) => c.key === null).map((c) => ({ folderId: c.folderId, key: null, entries: [] })),
  ]

  if (withKey.length > 0) {
    // A fresh statement after the writes: it sees them, and (under the locks) nothing else can change these items.
    const rows = await deps.sequelize.query<{ id: string; listIndex: Buffer | null; digest: string | null }>(
      `SELECT f.id, f.list_index AS "listIndex", ${itemsDigestSql('f.id')} AS digest FROM folders f WHERE f.id IN (:ids)`,
      { replacements: { ids: withKey.map((c) => c.folderId) }, type: QueryTypes.SELECT, transaction },
    )
    const live = new Map(rows.map((r) => [r.id, r]))
    const rebuild: IndexChange[] = []
    for (const c of withKey) {
      const row = live.get(c.folderId)
      if (!row) continue // the folder is gone (deleted in this transaction): nothing to index
      const old = openListIndex(c.key, c.folderId, row.listIndex)
      if (old) {
        const entries = new Map(old.entries.map((s) => [s[0], fromStored(s)]))
        for (const id of c.removes ?? []) entries.delete(id)
        for (const e of c.upserts ?? []) entries.set(e.id, e)
        const next = [...entries.values()]
        if (itemsDigest(next) === (row.digest ?? '')) {
          result.push({ folderId: c.folderId, key: c.key, entries: next })
          continue
        }
      }
      rebuild.push(c)
    }
    result.push(...(await entriesOfFolders(deps, transaction, rebuild)))
  }
  await storeListIndexes(deps, transaction, result)
}

/** One query: every item of these folders, decrypted into entries. */
async function entriesOfFolders(deps: ServiceDeps, transaction: Transaction, folders: { folderId: string; key: Buffer | null }[]) {
  if (folders.length === 0) return []
  const items = await deps.sequelize.query<{ id: string; folderId: string; ciphertext: Buffer; updatedAt: Date; createdAt: Date }>(
    `SELECT i.id, i.folder_id AS "folderId", i.ciphertext, i.updated_at AS "updatedAt", i.created_at AS "createdAt" FROM ${liveItemsIn('i', ':ids')}`,
    { replacements: { ids: folders.map((f) => f.folderId) }, type: QueryTypes.SELECT, transaction },
  )
  const byFolder = groupBy(items, (i) => i.folderId)
  return folders.map((f) => ({ folderId: f.folderId, key: f.key, entries: entriesFromItems(f.key, f.folderId, byFolder.get(f.folderId) ?? []) }))
}

/**
 * Builds the indexes of these folders from their items, whatever they held: the lazy rebuild's
 * path, for callers that write items without the services (bench/seed.ts). In the caller's
 * transaction; a caller racing item writes must hold the folder rows locked.
 */
export async function rebuildListIndexes(deps: ServiceDeps, transaction: Transaction, folders: { folderId: string; key: Buffer }[]) {
  await storeListIndexes(deps, transaction, await entriesOfFolders(deps, transaction, folders))
}

export function groupBy<T>(values: readonly T[], keyOf: (v: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const v of values) {
    const k = keyOf(v)
    const group = groups.get(k)
    if (group) group.push(v)
    else groups.set(k, [v])
  }
  return groups
}
