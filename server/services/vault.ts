// The vault service: what the dashboard and the item/folder pages and actions call. Reads
// (listVault, listHealth, getItem, getFolder, listFolders) and writes (items.ts, folders.ts) are
// separate functions; this module wires them and holds the listing. Knows nothing of Koa or Vue.
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { QueryTypes } from 'sequelize'
import { NotFoundError } from '../lib/errors.js'
import { itemsDigestSql, listIndexBase64, liveItemsIn, queryMemberships, type MembershipRow } from './access.js'
import { createKeyRing } from './keyRing.js'
import { UNREADABLE, UNSCORED, NO_PASSWORD, PASSWORD_HASH_BYTES, WEAK, entriesFromItems, groupBy, openListIndex, toStored, type StoredEntry } from './listIndex.js'
import { createItemCommands, createItemQueries } from './items.js'
import { createFavouriteCommands } from './favourites.js'
import { createBulkCommands } from './bulk.js'
import { createHistoryService } from './history.js'
import { isOverdue } from './items.js'
import { createItemFieldCommands } from './itemFields.js'
import type { ServiceDeps, Viewer } from './types.js'
import { compareFolders, createFolderCommands, createFolderQueries, toFolderSummary } from './folders.js'
import type { FolderList, FolderSummary, ItemRow, ItemType, ListFilter, ListSort, SortDirection, VaultCounts, VaultHealth, VaultPage } from '../../shared/contract.js'
import { defaultDirection } from '../../shared/vaultList.js'
import { monthNumber, TYPE_BY_CODE } from '../../shared/itemTypes.js'
import { compareNameKeys, fold, nameCollator, sortKey, unicodeHost } from './names.js'

export const PAGE_SIZE = 100

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
/** Natural order of names (names.ts), then id. */
const compareRows = (a: ItemRow, b: ItemRow) => nameCollator.compare(a.name, b.name) || byId(a, b)

/**
 * What a list page asks for, parsed by the page (pages/dashboard/vaultData.ts listQuery). Left
 * out: the defaults (all folders, page 1, name, that order's direction, unfiltered).
 */
export interface ListOptions {
  /** Search text as typed: matched trimmed, case- and accent-insensitively (names.ts fold). */
  q?: string
  /** A folder page's folder, as the database spells it (lower case). */
  folderId?: string | null
  page?: number
  sort?: ListSort
  dir?: SortDirection
  filter?: ListFilter | null
  /** The viewer's favourites first, each part in the order asked for (GET `favourites=first`, ADR 028). */
  favouritesFirst?: boolean
  /** Only items of this type (GET `type`, the sidebar's type links; issue 23). */
  type?: ItemType | null
}

/** One request's reads of the vault, all from one load (createVaultService's reader). */
export interface VaultReader {
  folders(): Promise<FolderList>
  list(opts?: ListOptions): Promise<VaultPage>
  health(): Promise<VaultHealth>
  /** How many other items share this item's password. */
  reusedBy(itemId: string): Promise<number>
  /**
   * Some items by id, from the same load (no query more): the exposure report's names and password
   * dates (ADR 038). An item not in the viewer's live vault (trashed, deleted, moved away) is absent.
   */
  itemsById(ids: readonly string[]): Promise<Map<string, ItemRow>>
}

/** The vault as loadVault reads it: folders, pending invitations and every entry, sorted by name. */
interface LoadedVault extends FolderList {
  entries: Entry[]
  counts: VaultCounts
}

/** An item decrypted for listing: the row plus what filtering and counting need (memory only, never a password). */
interface Entry {
  row: ItemRow
  /** Every web address as typed and the type's other non-secret fields (itemText.ts searchText; the row has the host). */
  text: string
  /** The name's sort key (names.ts sortKey), made once with the entry: null sorts through the collator. */
  key: string | null
  /** Folded name, list line, text and host (names.ts fold): made on the first search that needs it (searchOf). */
  search: string | null
  noPassword: boolean
  /** The password tag when another item shares the password (vault health's groups), else null. */
  reuseGroup: string | null
}

/** A rotation reminder is due (issue 21): computed when read from the entry's dates, never stored; an item without a password has nothing to change. */
const overdue = (e: Entry, now: number) => !e.row.unreadable && !e.noPassword && isOverdue(e.row.passwordChangedAt.getTime(), e.row.rotateDays, now)
/** A card whose expiry month is past (issue 23): listed on the health page. */
const expired = (e: Entry, month: number) => e.row.expiry !== undefined && e.row.expiry < month
/** Whether an entry shows on the health page (and counts beside "Health" in the sidebar). */
const needsAttention = (e: Entry, now: number, month: number) => e.row.weak || e.row.reused || e.noPassword || e.row.unreadable || overdue(e, now) || expired(e, month)

const compareEntries = (a: Entry, b: Entry) => compareNameKeys(a.row.name, a.key, b.row.name, b.key) || byId(a.row, b.row)

type EntryCounts = Omit<VaultCounts, 'folders'>
const noCounts = (): EntryCounts => ({ items: 0, weak: 0, reused: 0, unreadable: 0, noPassword: 0, favourites: 0 })
/** Adds one entry to the counts beside the list's filters and in the sidebar. */
/** `month`: monthNumber of `now`, worked out once per pass, not per entry. */
function count(counts: EntryCounts, e: Entry, now: number, month: number) {
  counts.items++
  const types = (counts.types ??= {})
  types[e.row.type] = (types[e.row.type] ?? 0) + 1
  if (expired(e, month)) counts.expired = (counts.expired ?? 0) + 1
  if (overdue(e, now)) counts.overdue = (counts.overdue ?? 0) + 1
  if (e.row.weak) counts.weak++
  if (e.row.reused) counts.reused++
  if (e.row.unreadable) counts.unreadable++
  if (e.noPassword) counts.noPassword++
  if (e.row.favourite) counts.favourites++
  if (e.row.unscored) counts.unscored = (counts.unscored ?? 0) + 1
}
// Accents and case aside: "cafe" finds "Café" and "xn--caf-dma.example" (shown as café.example).
const searchOf = (e: Entry) => (e.search ??= e.row.unreadable ? '' : fold(`${e.row.name}\n${e.row.username}\n${e.text}\n${e.row.host}`))
const toRow = (e: Entry): ItemRow => ({ ...e.row })

const FILTERS: Record<ListFilter, (e: Entry) => boolean> = {
  weak: (e) => e.row.weak,
  reused: (e) => e.row.reused,
  unreadable: (e) => e.row.unreadable,
  favourites: (e) => e.row.favourite === true,
}

/**
 * The vault's entries in the other orders, kept beside the name-sorted array they were sorted
 * from (the cached one lives a minute), so live search and paging in one order sort once, not on
 * every request. Ties keep the name order (Array.prototype.sort is stable).
 */
const sortedEntries = new WeakMap<Entry[], Map<ListSort, Entry[]>>()
function entriesIn(entries: Entry[], sort: ListSort, folders: FolderSummary[]): Entry[] {
  if (sort === 'name') return entries
  let orders = sortedEntries.get(entries)
  if (!orders) sortedEntries.set(entries, (orders = new Map()))
  let sorted = orders.get(sort)
  if (!sorted) {
    // Folders in the sidebar's order (Personal first, then by name). A folder added, renamed or
    // left changes the cache fingerprint, so the entries array (this memo's key) is a new one.
    const rank = new Map(folders.map((f, i) => [f.id, i]))
    sorted = [...entries].sort(
      sort === 'folder'
        ? (a, b) => rank.get(a.row.folderId)! - rank.get(b.row.folderId)!
        : sort === 'password'
          ? (a, b) => a.row.passwordChangedAt.getTime() - b.row.passwordChangedAt.getTime()
          : (a, b) => a.row.updatedAt.getTime() - b.row.updatedAt.getTime(),
    )
    orders.set(sort, sorted)
  }
  return sorted
}

/**
 * The decrypted list of a vault is kept per viewer for a minute (docs/decisions/005): the sorted
 * entries and counts, and per folder the entries decrypted from it. It never holds a password:
 * reuse is found through an HMAC of each password under a key that exists only in this process.
 * Every load runs the memberships query anyway; with it PostgreSQL computes, per folder, a digest
 * of the item ids and ciphertexts. An unchanged vault costs that one query and no decryption; a
 * change in one folder (an item written, added, moved, deleted or tampered with) fetches and
 * decrypts that folder's items only. The cache key needs the vault key, so only a session that
 * can open the vault reads it.
 */
const LIST_CACHE_TTL_MS = 60_000
/**
 * The byte budget of all cached lists together (an estimate, see listSize). Without it the bound
 * was 1,000 lists whatever their size, and the limits allow 100 folders of 5,000 items per user:
 * a few large vaults could grow the heap by gigabytes. 64 MiB holds about 60,000 typical entries
 * (sixty 1,000-item vaults) and stays small next to Node's heap. A list bigger than the whole
 * budget is not cached: that vault is decrypted on every view instead.
 */
export const LIST_CACHE_MAX_BYTES = 64 * 1024 * 1024
/**
 * Per entry, besides its characters: the Entry, ItemRow and FolderEntry objects, the string
 * headers, the slots in the sorted and per-folder arrays. With listSize's 2 bytes a character this
 * matches the heap measured for typical entries on Node 20 (about 1.1 KB each).
 */
const ENTRY_OVERHEAD_BYTES = 600
const PASSWORD_TAG_KEY = randomBytes(32)

/**
 * The in-memory tags of some password hashes (the list index's, listIndex.ts passwordHash): equal
 * tags mean the same password, and without PASSWORD_TAG_KEY, which exists only in this process, a
 * tag says nothing about its password (ADR 005: no password is cached; nor is a plain hash of one).
 * The tag is AES-256 of the 16-byte hash, one block: a keyed pseudorandom permutation (equal in,
 * equal out). "ECB" only means the blocks of a whole folder go through one cipher call, each
 * encrypted on its own; it replaces one HMAC per item, which cost 2-3 ms of a first view at 1,000
 * items (ADR 020).
 */
function passwordTags(hashes: readonly (string | null)[]): (string | null)[] {
  const n = hashes.length
  if (n === 0) return []
  const blocks = Buffer.alloc(n * PASSWORD_HASH_BYTES)
  for (let i = 0; i < n; i++) if (hashes[i] !== null) blocks.write(hashes[i]!, i * PASSWORD_HASH_BYTES, PASSWORD_HASH_BYTES, 'base64url')
  const cipher = createCipheriv('aes-256-ecb', PASSWORD_TAG_KEY, null).setAutoPadding(false)
  const tags = Buffer.concat([cipher.update(blocks), cipher.final()])
  return hashes.map((h, i) => (h === null ? null : tags.toString('base64url', i * PASSWORD_HASH_BYTES, (i + 1) * PASSWORD_HASH_BYTES)))
}

/** A list entry as decrypted from its folder, before vault-wide reuse is known. */
interface FolderEntry {
  entry: Entry
  /** HMAC of the password (null for none or unreadable): equal tags mean the same password. */
  passwordTag: string | null
}
interface CachedFolder {
  /** The folder's itemsVersion when its entries were read: equal means no item row changed since. */
  version: string
  folderName: string
  entries: FolderEntry[]
}
interface CachedList {
  fingerprint: string
  entries: Entry[]
  counts: EntryCounts
  folders: Map<string, CachedFolder>
  /** Per folder id: its entries that need attention (the sidebar sums them). */
  issues: Map<string, number>
}
/**
 * Roughly the heap a cached list holds: its strings at 2 bytes a character (V8 stores ASCII in 1,
 * other scripts in 2) plus a fixed overhead per entry. The sorted list and the per-folder lists
 * share their entry objects, so each entry is counted once, from the folders.
 */
function listSize(list: CachedList): number {
  let bytes = list.fingerprint.length * 2
  for (const [folderId, f] of list.folders) {
    bytes += (folderId.length + f.version.length + f.folderName.length) * 2
    for (const { entry, passwordTag } of f.entries) {
      const r = entry.row
      // The search string counted as if made (its length is about name + username + URL + host), and the sort key.
      const chars = r.id.length + r.folderId.length + (r.name.length + r.username.length) * 2 + r.host.length * 2 + entry.text.length * 2 + (entry.key?.length ?? 0) + (passwordTag?.length ?? 0)
      bytes += chars * 2 + ENTRY_OVERHEAD_BYTES
    }
  }
  return Math.max(1, bytes)
}

/** A row of queryFolderContents: a folder's list index (id null), or one of its items. */
interface FolderContentRow {
  folderId: string
  id: string | null
  listIndex: string | null
  /** With a list index: the live items digest it must match. */
  digest: string | null
  ciphertext: Buffer | null
  updatedAt: Date | null
  createdAt: Date | null
}

// The viewer's stars are rows of their own (no item row changes), so they are part of it: a star
// or unstar shows at once (the list cache is per viewer).
const listFingerprint = (memberships: MembershipRow[]) =>
  memberships
    .map((m) => `${m.folderId}|${m.folderName}|${m.itemsVersion ?? ''}|${m.favourites ?? ''}`)
    .sort()
    .join('\n')

export function createVaultService(
  deps: ServiceDeps,
  opts: {
    listCacheMaxBytes?: number
    /** Called when a load finds passwords not scored yet (ADR 024): their scoring resumes with this viewer's keys. */
    onUnscored?: (viewer: Viewer) => void
  } = {},
) {
  const { sequelize } = deps
  const itemCommands = createItemCommands(deps)
  const favouriteCommands = createFavouriteCommands(deps)
  const listCache = new LRUCache<string, CachedList>({
    max: 1000,
    maxSize: opts.listCacheMaxBytes ?? LIST_CACHE_MAX_BYTES,
    sizeCalculation: listSize,
    ttl: LIST_CACHE_TTL_MS,
  })

  /** A folder's list entries from its index entries (read from the index, or decrypted from the items). */
  function folderEntries(m: MembershipRow, entries: StoredEntry[]): CachedFolder {
    const tags = passwordTags(entries.map((e) => e[8]))
    return {
      version: m.itemsVersion ?? '',
      folderName: m.folderName,
      entries: entries.map(([id, , name, username, text, host, updatedAt, flags, , passwordChangedAt, rotateDays, type, expiry], i) => ({
        entry: {
          row: {
            id,
            folderId: m.folderId,
            folderName: m.folderName,
            name,
            username,
            // Indexes written before hosts were stored in Unicode still hold punycode.
            host: unicodeHost(host),
            weak: (flags & WEAK) !== 0,
            reused: false,
            favourite: false,
            unreadable: (flags & UNREADABLE) !== 0,
            unscored: (flags & UNSCORED) !== 0 || undefined,
            updatedAt: new Date(updatedAt),
            // Unknown (unreadable, or an item older than issue 21 indexed without its creation): its last change.
            passwordChangedAt: new Date(passwordChangedAt ?? updatedAt),
            rotateDays,
            type: TYPE_BY_CODE[type] ?? 'login',
            expiry: expiry ?? undefined,
          },
          text,
          key: sortKey(name),
          search: null,
          noPassword: (flags & NO_PASSWORD) !== 0,
          reuseGroup: null,
        },
        passwordTag: tags[i] ?? null,
      })),
    }
  }

  /**
   * The list entries of some folders (ADR 020): from each folder's list index when it describes
   * exactly the items now there (its digest is the live one), else by decrypting the folder's
   * items. On a first view the memberships query brought each index and the live digest along
   * (m.listIndex, m.itemsDigest). After a change, one query resolves the changed folders in
   * PostgreSQL: the index of each folder whose stored index digest is the live one, the items of
   * the others. One query at most; two when an index does not open or its own digest is not the
   * live one (tampered with, or replaced between the two queries).
   */
  async function loadFolders(viewer: Viewer, stale: MembershipRow[]) {
    const byFolder = new Map<string, CachedFolder>()
    const keys = createKeyRing(viewer)
    const resolve: MembershipRow[] = []
    const fetchItems: MembershipRow[] = []
    const fromIndex = (m: MembershipRow, listIndex: string | null | undefined, liveDigest: string | null | undefined) => {
      const index = openListIndex(keys.folderKey(m), m.folderId, listIndex ? Buffer.from(listIndex, 'base64') : null)
      if (!index || index.digest !== (liveDigest ?? '')) return false
      byFolder.set(m.folderId, folderEntries(m, index.entries))
      return true
    }
    for (const m of stale) {
      // An empty folder needs nothing (a new folder has no index yet).
      if (m.itemsVersion === null || m.itemsVersion === undefined) byFolder.set(m.folderId, folderEntries(m, []))
      else if (m.itemsDigest === undefined || m.listIndex === undefined) resolve.push(m)
      else if (m.listIndexDigest !== m.itemsDigest || !fromIndex(m, m.listIndex, m.itemsDigest)) fetchItems.push(m)
    }
    if (resolve.length === 0 && fetchItems.length === 0) return byFolder

    const rows = await queryFolderContents(resolve, fetchItems)
    const indexes = new Map(rows.filter((r) => r.id === null).map((r) => [r.folderId, r]))
    const unopened: MembershipRow[] = []
    for (const m of resolve) {
      const index = indexes.get(m.folderId)
      if (!index) fetchItems.push(m) // its items came with the query
      else if (!fromIndex(m, index.listIndex, index.digest)) unopened.push(m)
    }
    decryptItems(fetchItems, rows)
    if (unopened.length > 0) decryptItems(unopened, await queryFolderContents([], unopened))
    return byFolder

    function decryptItems(memberships: MembershipRow[], rows: FolderContentRow[]) {
      const items = groupBy(
        rows.filter((r) => r.id !== null),
        (r) => r.folderId,
      )
      for (const m of memberships) {
        const mine = (items.get(m.folderId) ?? []).map((r) => ({ id: r.id!, ciphertext: r.ciphertext!, updatedAt: r.updatedAt!, createdAt: r.createdAt! }))
        byFolder.set(m.folderId, folderEntries(m, entriesFromItems(keys.folderKey(m), m.folderId, mine).map(toStored)))
      }
    }
  }

  /**
   * One query. For the folders to `resolve`: the list index (a row with id null, with the live
   * items digest) of each whose stored index digest is the live one, the items of the others.
   * For the folders in `items`: their items.
   */
  function queryFolderContents(resolve: MembershipRow[], items: MembershipRow[]) {
    const parts: string[] = []
    if (resolve.length > 0) {
      parts.push(
        `SELECT d.id AS "folderId", NULL::uuid AS id, ${listIndexBase64('d')} AS "listIndex", d.digest, NULL::bytea AS ciphertext, NULL::timestamptz AS "updatedAt", NULL::timestamptz AS "createdAt"
         FROM d WHERE d.stored = d.digest`,
        `SELECT i.folder_id AS "folderId", i.id, NULL::text AS "listIndex", NULL::text AS digest, i.ciphertext, i.updated_at AS "updatedAt", i.created_at AS "createdAt"
         FROM d CROSS JOIN LATERAL (SELECT i.* FROM ${liveItemsIn('i', 'd.id')}) i WHERE d.stored IS DISTINCT FROM d.digest`,
      )
    }
    if (items.length > 0) {
      parts.push(
        `SELECT i.folder_id AS "folderId", i.id, NULL::text AS "listIndex", NULL::text AS digest, i.ciphertext, i.updated_at AS "updatedAt", i.created_at AS "createdAt"
         FROM ${liveItemsIn('i', ':items')}`,
      )
    }
    const resolved =
      resolve.length > 0
        ? `WITH d AS MATERIALIZED (SELECT f.id, f.list_index, f.list_index_digest AS stored, ${itemsDigestSql('f.id')} AS digest FROM folders f WHERE f.id IN (:indexes)) `
        : ''
    return sequelize.query<FolderContentRow>(resolved + parts.join(' UNION ALL '), {
      replacements: { indexes: resolve.map((m) => m.folderId), items: items.map((m) => m.folderId) },
      type: QueryTypes.SELECT,
    })
  }

  /**
   * The viewer's folders and every accessible item as a sorted list entry, with counts over the
   * whole vault. Two SQL queries at most: the memberships, and what the folders that changed since
   * the cached list need (none when nothing did; see loadFolders; a third only when an index turns
   * out tampered with or a write lands between the two). With nothing cached (a first
   * view) the memberships query brings every folder's list index along, so a vault whose indexes
   * are all current costs that one query and one decryption per folder (ADR 020).
   */
  async function loadVault(viewer: Viewer): Promise<LoadedVault> {
    const cacheKey = createHash('sha256').update(viewer.userId).update(viewer.vaultKey).digest('base64url')
    const cached = listCache.get(cacheKey)
    // A cached list needs only the item rows' version to see what changed (no ciphertext is
    // hashed); a first view also takes each folder's list index and the digest it must match.
    const memberships = await queryMemberships(deps, viewer.userId, {
      withKeys: true,
      withVersion: true,
      withDigest: !cached,
      withInvitations: true,
      withListIndex: !cached,
      withFavourites: true,
    })
    const pendingInvitations = memberships[0]?.pendingInvitations ?? 0
    const summaries = (issues: Map<string, number>) =>
      memberships
        .map((m) => ({ ...toFolderSummary(m), issues: issues.get(m.folderId) ?? 0, favourites: m.favourites ? m.favourites.split(',').length : 0 }))
        .sort(compareFolders)
    const fingerprint = listFingerprint(memberships)
    if (cached && cached.fingerprint === fingerprint) {
      const folders = summaries(cached.issues)
      return { folders, pendingInvitations, entries: cached.entries, counts: { ...cached.counts, folders: folders.length } }
    }

    const unchanged = (m: MembershipRow) => {
      const f = cached?.folders.get(m.folderId)
      return f !== undefined && f.version === (m.itemsVersion ?? '') && f.folderName === m.folderName
    }
    const fresh = await loadFolders(viewer, memberships.filter((m) => !unchanged(m)))
    const perFolder = new Map<string, CachedFolder>(memberships.map((m) => [m.folderId, fresh.get(m.folderId) ?? cached!.folders.get(m.folderId)!]))

    // Reuse is a property of the whole vault: count each password tag over every folder.
    const tagUses = new Map<string, number>()
    for (const f of perFolder.values()) {
      for (const { passwordTag } of f.entries) if (passwordTag) tagUses.set(passwordTag, (tagUses.get(passwordTag) ?? 0) + 1)
    }
    const counts = noCounts()
    const entries: Entry[] = []
    const issues = new Map<string, number>()
    // The viewer's stars, per folder (the memberships query brought them): overlaid like reuse.
    const starred = new Set(memberships.flatMap((m) => (m.favourites ? m.favourites.split(',') : [])))
    // Overdue reminders are counted at this load; the cached counts live a minute (LIST_CACHE_TTL_MS).
    const now = Date.now()
    const month = monthNumber(new Date(now))
    for (const [folderId, f] of perFolder) {
      for (const { entry, passwordTag } of f.entries) {
        const reuseGroup = passwordTag !== null && tagUses.get(passwordTag)! > 1 ? passwordTag : null
        const reused = reuseGroup !== null
        const favourite = starred.has(entry.row.id)
        const e = entry.reuseGroup === reuseGroup && entry.row.favourite === favourite ? entry : { ...entry, reuseGroup, row: { ...entry.row, reused, favourite } }
        entries.push(e)
        count(counts, e, now, month)
        if (needsAttention(e, now, month)) issues.set(folderId, (issues.get(folderId) ?? 0) + 1)
      }
    }
    entries.sort(compareEntries)
    listCache.set(cacheKey, { fingerprint, entries, counts, folders: perFolder, issues })
    const folders = summaries(issues)
    return { folders, pendingInvitations, entries, counts: { ...counts, folders: folders.length } }
  }

  /**
   * One page (100) of items, and counts over the whole vault.
   * folderId: NotFoundError unless the viewer is an accepted member (checked against the folders
   * just loaded: the id reaches no query). A folder page has no folder order (every row is in the
   * same folder), and the page is clamped to the pages there are.
   */
  function pageOf(vault: LoadedVault, opts: ListOptions): VaultPage {
    const { folders, entries, counts } = vault
    const folderId = opts.folderId || null
    if (folderId !== null && !folders.some((f) => f.id === folderId)) throw new NotFoundError()

    // The page cut q to its limit (pages/dashboard/vaultData.ts listQuery); here it only matches.
    const q = fold((opts.q ?? '').trim())
    const sort = opts.sort === 'folder' && folderId !== null ? 'name' : (opts.sort ?? 'name')
    const dir = opts.dir ?? defaultDirection(sort)
    const filter = opts.filter ?? null
    // Filtering keeps the order of the sorted entries. A folder page counts its own items, from
    // the same decrypted entries (no query more).
    const sorted = entriesIn(entries, sort, folders)
    const inFolder = folderId === null ? sorted : sorted.filter((e) => e.row.folderId === folderId)
    const type = opts.type ?? null
    const wanted = (e: Entry) => (q === '' || searchOf(e).includes(q)) && (filter === null || FILTERS[filter](e)) && (type === null || e.row.type === type)
    const matching = q === '' && filter === null && type === null ? inFolder : inFolder.filter(wanted)
    const ordered = dir === 'asc' ? matching : matching.toReversed()
    // Favourites first (on request): a stable split, so each part keeps the order asked for.
    const favouritesFirst = opts.favouritesFirst === true
    const rows = favouritesFirst ? [...ordered.filter((e) => e.row.favourite), ...ordered.filter((e) => !e.row.favourite)] : ordered
    let folderCounts: VaultPage['folderCounts'] = null
    if (folderId !== null) {
      folderCounts = noCounts()
      const now = Date.now()
      const month = monthNumber(new Date(now))
      for (const e of inFolder) count(folderCounts, e, now, month)
    }

    const total = rows.length
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE))
    const page = Math.min(Math.max(opts.page ?? 1, 1), pageCount)
    return {
      items: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map(toRow),
      total,
      page,
      pageCount,
      pageSize: PAGE_SIZE,
      counts,
      folderCounts,
      sort,
      dir,
      filter,
      favouritesFirst,
      type,
    }
  }

  /**
   * Every weak, password-less and unreadable item, and the reused ones in groups that share one
   * password (grouped by its tag, never by the password).
   */
  function healthOf({ entries, counts }: LoadedVault): VaultHealth {
    const pick = (keep: (e: Entry) => boolean) => entries.filter(keep).map(toRow)
    // Entries are sorted by name, so each group is too; groups: largest first, then by first name.
    const groups = new Map<string, ItemRow[]>()
    for (const e of entries) {
      if (e.reuseGroup === null) continue
      const group = groups.get(e.reuseGroup)
      if (group) group.push(toRow(e))
      else groups.set(e.reuseGroup, [toRow(e)])
    }
    const reused = [...groups.values()].sort((a, b) => b.length - a.length || compareRows(a[0]!, b[0]!))
    const now = Date.now()
    const due = entries.filter((e) => overdue(e, now)).map((e) => ({ ...toRow(e), overdue: true }))
    due.sort((a, b) => a.passwordChangedAt.getTime() + a.rotateDays! * 86_400_000 - (b.passwordChangedAt.getTime() + b.rotateDays! * 86_400_000))
    const month = monthNumber(new Date(now))
    return {
      counts: { ...counts, overdue: due.length || undefined },
      expired: pick((e) => expired(e, month)),
      issues: entries.filter((e) => needsAttention(e, now, month)).length,
      overdue: due,
      weak: pick((e) => e.row.weak),
      reused,
      noPassword: pick((e) => e.noPassword),
      unreadable: pick((e) => e.row.unreadable),
    }
  }

  /** How many other items share this item's password, across the whole vault. */
  function reusedByOf({ entries }: LoadedVault, itemId: string): number {
    const group = entries.find((e) => e.row.id === itemId)?.reuseGroup ?? null
    return group === null ? 0 : entries.filter((e) => e.reuseGroup === group).length - 1
  }

  /**
   * The reads of one request (a page's render): every read through it comes from one load of the
   * vault, made on the first and shared by the rest, so a page that shows the list and the sidebar
   * and an item's reuse costs what one of them does: one query when the list is cached, two and
   * the changed folders' decryption when something changed. Only for a request that reads and then
   * answers: a read after a write of the same request would see the vault as it was before it.
   */
  function reader(viewer: Viewer): VaultReader {
    let loaded: Promise<LoadedVault> | null = null
    const load = () =>
      (loaded ??= loadVault(viewer).then((v) => {
        if (v.counts.unscored) opts.onUnscored?.(viewer)
        return v
      }))
    return {
      folders: async () => {
        const { folders, pendingInvitations } = await load()
        return { folders, pendingInvitations }
      },
      list: async (opts = {}) => pageOf(await load(), opts),
      health: async () => healthOf(await load()),
      reusedBy: async (itemId) => reusedByOf(await load(), itemId),
      itemsById: async (ids) => {
        const wanted = new Set(ids)
        const found = new Map<string, ItemRow>()
        if (wanted.size === 0) return found
        for (const e of (await load()).entries) if (wanted.has(e.row.id)) found.set(e.row.id, e.row)
        return found
      },
    }
  }

  return {
    // reads: each on its own load (at most 2 queries); a page reads through one reader
    reader,
    /** The viewer's folders with their item and health counts, and pending invitations: the sidebar. */
    listFolders: (viewer: Viewer) => reader(viewer).folders(),
    /** The dashboard's page of items (pageOf). */
    listVault: (viewer: Viewer, opts: ListOptions = {}) => reader(viewer).list(opts),
    /** The vault health page (healthOf). */
    listHealth: (viewer: Viewer) => reader(viewer).health(),
    /** How many decrypted lists this process holds and their estimated bytes (tests, diagnostics). */
    listCacheStats: () => ({ lists: listCache.size, bytes: listCache.calculatedSize }),
    ...createItemQueries(deps),
    ...createFolderQueries(deps),
    // writes
    ...itemCommands,
    ...favouriteCommands,
    ...createBulkCommands({ ...itemCommands, ...favouriteCommands }),
    ...createItemFieldCommands(deps),
    ...createFolderCommands(deps),
    // history (issue 21): listVersions, getVersion, restoreVersion (a restore saves through updateItem)
    ...createHistoryService(deps, itemCommands),
  }
}

export type VaultService = ReturnType<typeof createVaultService>
