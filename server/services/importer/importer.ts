// Importing a CSV export into the vault: all or nothing, in one transaction, with a bounded number
// of SQL statements whatever the number of rows. Each item is encrypted as createItem does it (its
// folder's key, AAD binding item id and folder id), with its zxcvbn score left null ("not checked
// yet"): the passwords are scored after the import, in the background (scoring.ts, ADR 024), so a
// big file lands in seconds however slow scoring is. Knows nothing of Koa or Vue; never logs what
// the file holds. The result (item names are secret) is kept for its TTL, sealed under the
// viewer's vault key, in the key-value store.
import { randomUUID } from 'node:crypto'
import { QueryTypes, type Transaction } from 'sequelize'
import * as crypto from '../../lib/crypto.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js'
import type { KeyValue } from '../../lib/kv.js'
import { liveItemsIn, lockFolders, queryMemberships, requireEdit, requireId, type MembershipRow } from '../access.js'
import { createKeyRing } from '../keyRing.js'
import { createFavouriteCommands } from '../favourites.js'
import { decryptItem, encryptItem, itemPlaintext } from '../itemCrypto.js'
import { applyListIndexChanges, indexEntry, type IndexEntry } from '../listIndex.js'
import type { ImportResult, ItemInput } from '../../../shared/contract.js'
import type { ImportFormatChoice } from '../../../schemas/importChoices.js'
import type { ServiceDeps, Viewer } from '../types.js'
import { formatLabel } from './formats.js'
import { slicer } from './pace.js'
import { readOnPool } from './parsePool.js'
import type { ReadOutcome } from './readFile.js'
import { createBackgroundScorer, type BackgroundScorer } from './scoring.js'

export { MAX_IMPORT_ROWS } from './formats.js'
/** Items per INSERT: bounded statements (bind parameters and memory) for any file. */
const INSERT_CHUNK = 1000
/**
 * Ciphertext bytes per INSERT as well: the driver writes each statement's parameters as one text
 * on the event loop (hex, twice the bytes), so rows of long notes go in several smaller ones.
 */
const INSERT_CHUNK_BYTES = 512 * 1024
const RESULT_TTL_MS = 15 * 60_000
/**
 * How long reading a file (decode, parse, map, validate, on the import pool) may take, waiting
 * for a thread included. 5 MB of ordinary rows take about a second on this 2-core machine.
 */
export const PARSE_BUDGET_MS = 20_000
const resultKey = (userId: string) => `import-result:${userId}`

const fileError = (message: string) => new ValidationError({ file: message }, message)
const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/**
 * Equal keys: the same item for duplicate detection. A login: name, username, password and
 * address (as before issue 23). Another type has none of those: its type, name, note and its
 * type's data, so two cards of one name are two items.
 */
const sameItemKey = (f: ItemInput) =>
  (f.type ?? 'login') === 'login'
    ? JSON.stringify([f.name, f.username, f.password, f.url])
    : JSON.stringify([f.type, f.name, f.note, f.card ?? null, f.identity ?? null, f.ssh ?? null])
const ALREADY = (f: ItemInput) =>
  (f.type ?? 'login') === 'login' ? 'Already in your vault (same name, username, password and web address).' : 'Already in your vault (the same item, with the same name and contents).'

/**
 * A folder name as "Keep the folders" compares it: trimmed, NFC, case-insensitive ("Work",
 * " work ", and "Work" typed with a combining accent name one folder).
 */
export const folderNameKey = (name: string) => name.normalize('NFC').trim().toLocaleLowerCase('en-US')
/** The name a new folder gets from a file: trimmed, as typed otherwise (an export gives back its code points). */
const folderNameOf = (name: string) => name.trim()

interface Candidate {
  line: number
  fields: ItemInput
  /** The folder named in the file (keep mode), or null for the chosen folder. */
  folderName: string | null
  /** Starred in the file. */
  favourite?: boolean
}

/** The stored result: what the page shows, and which items to count for its progress. */
interface StoredResult extends ImportResult {
  /** created_at of every item of this import (ISO 8601). */
  at: string
}

export function createImporter(deps: ServiceDeps & { kv: KeyValue; parseBudgetMs?: number; scorer?: BackgroundScorer }) {
  const { sequelize, models, limits, kv } = deps
  const parseBudgetMs = deps.parseBudgetMs ?? PARSE_BUDGET_MS
  const scorer = deps.scorer ?? createBackgroundScorer(deps)
  const favourites = createFavouriteCommands(deps)

  /** The file read on the import pool, within its budget: the rows to import, or a ValidationError. */
  async function readFile(input: { bytes: Uint8Array; format: ImportFormatChoice; keepFolders: boolean }) {
    const budget = AbortSignal.timeout(parseBudgetMs)
    let outcome: ReadOutcome
    try {
      outcome = await readOnPool({ bytes: input.bytes, format: input.format, keepFolders: input.keepFolders }, budget)
    } catch (e) {
      if (budget.aborted) {
        throw fileError(`Reading this file took longer than ${count(Math.max(1, Math.round(parseBudgetMs / 1000)), 'second')}, so nothing was imported. Import it in smaller parts, or try again in a minute.`)
      }
      // The thread's heap cap: only a pathological file gets there.
      if ((e as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') throw fileError('This file could not be read: it needs more memory than an import may use. Nothing was imported.')
      throw e
    }
    if (!outcome.ok) throw fileError(outcome.message)
    return outcome
  }

  /** Decrypts the items of some folders into duplicate keys (one query). */
  async function existingKeys(viewer: Viewer, memberships: MembershipRow[], transaction?: Transaction): Promise<Set<string>> {
    const keys = new Set<string>()
    if (memberships.length === 0) return keys
    const rows = await sequelize.query<{ id: string; folderId: string; ciphertext: Buffer }>(
      `SELECT i.id, i.folder_id AS "folderId", i.ciphertext FROM ${liveItemsIn('i', ':folderIds')}`,
      { replacements: { folderIds: memberships.map((m) => m.folderId) }, type: QueryTypes.SELECT, transaction },
    )
    const ring = createKeyRing(viewer)
    const byId = new Map(memberships.map((m) => [m.folderId, m]))
    const slice = slicer()
    for (const row of rows) {
      if (slice.due()) await slice.breathe()
      const plain = decryptItem(ring.folderKey(byId.get(row.folderId)!), row.id, row.folderId, row.ciphertext)
      if (plain) keys.add(sameItemKey(plain))
    }
    return keys
  }

  /**
   * Imports a CSV export. ValidationError({ file }) when the file cannot be imported as a whole
   * (nothing is written); NotFoundError for a folder that is not the viewer's; ForbiddenError for
   * a view-only one. The result is kept for takeResult.
   */
  async function importCsv(
    viewer: Viewer,
    input: { bytes: Uint8Array; format: ImportFormatChoice; folderId: string; keepFolders: boolean },
  ): Promise<ImportResult> {
    const chosenId = requireId(input.folderId)
    const { format, skipped, candidates: read, passkeys } = await readFile(input)
    const candidates: Candidate[] = read

    // Before the transaction (its locks stay short): which rows are duplicates so far. Duplicates
    // that appear meanwhile are caught again under lock.
    const before = await queryMemberships(deps, viewer.userId)
    const chosen = before.find((m) => m.folderId === chosenId)
    if (!chosen) throw new NotFoundError()
    requireEdit(chosen, 'That folder is shared with you as view only: you cannot import into it.')
    const known = await existingKeys(viewer, before)
    const firstLine = new Map<string, number>()
    const fresh: Candidate[] = []
    const slice = slicer()
    for (const c of candidates) {
      if (slice.due()) await slice.breathe()
      const key = sameItemKey(c.fields)
      const earlier = firstLine.get(key)
      if (earlier !== undefined) skipped.push({ line: c.line, name: c.fields.name, reason: `A duplicate of line ${earlier} of this file.` })
      else if (known.has(key)) skipped.push({ line: c.line, name: c.fields.name, reason: ALREADY(c.fields) })
      else fresh.push(c)
      if (earlier === undefined) firstLine.set(key, c.line)
    }

    const { result, keys, starred } = await sequelize.transaction((transaction) => write(viewer, chosenId, fresh, skipped, transaction))
    result.format = formatLabel(format)
    if (passkeys > 0) result.passkeys = passkeys
    // Starred in the file: starred for the importer, through the favourites service (one
    // statement, after the commit: the items are there and the viewer's to open).
    if (starred.length > 0) result.favourites = (await favourites.setFavourites(viewer, starred, true)).done
    result.skipped.sort((a, b) => a.line - b.line)
    await kv.set(resultKey(viewer.userId), crypto.seal(viewer.vaultKey, Buffer.from(JSON.stringify(result)), crypto.importResultAad(viewer.userId)).toString('base64'), RESULT_TTL_MS)
    // Committed: the passwords are scored now, in the background, with the folder keys in memory.
    if (result.unscored > 0) void scorer.start(viewer.userId, keys)
    const { at: _at, ...shown } = result
    return shown
  }

  async function write(
    viewer: Viewer,
    chosenId: string,
    rows: Candidate[],
    skipped: ImportResult['skipped'],
    transaction: Transaction,
  ): Promise<{ result: StoredResult; keys: Map<string, Buffer>; starred: string[] }> {
    // Folders named in the file: one the viewer owns, else a new one of theirs. Never a folder
    // someone else shares with them, even with edit rights: a personal "Work" login must not land
    // in a colleague's "Work", where every member reads it (issue 17.4).
    const all = await queryMemberships(deps, viewer.userId, { withKeys: false, transaction })
    const owned = all.filter((m) => m.role === 'owner' && m.ownerId === viewer.userId)
    // Owned folders by name key (trimmed, NFC, case-insensitive). Should two share a key (made
    // before folder names were unique per owner), the one named exactly so wins, else the first
    // by name and id: the same folder every time, never an arbitrary one.
    const ownedByKey = new Map<string, MembershipRow[]>()
    for (const m of [...owned].sort((a, b) => (a.folderName < b.folderName ? -1 : a.folderName > b.folderName ? 1 : a.folderId < b.folderId ? -1 : 1))) {
      const k = folderNameKey(m.folderName)
      ownedByKey.set(k, [...(ownedByKey.get(k) ?? []), m])
    }
    const folderIdByName = new Map<string, string | null>()
    for (const { folderName } of rows) {
      if (folderName === null) continue
      const k = folderNameKey(folderName)
      if (folderIdByName.has(k)) continue
      const matches = ownedByKey.get(k) ?? []
      const match = matches.find((m) => m.folderName === folderNameOf(folderName)) ?? matches[0]
      folderIdByName.set(k, match?.folderId ?? null)
    }
    const newNames = [...new Set(rows.filter((r) => r.folderName !== null && folderIdByName.get(folderNameKey(r.folderName)) === null).map((r) => folderNameOf(r.folderName!)))]
      .filter((name, i, names) => names.findIndex((n) => folderNameKey(n) === folderNameKey(name)) === i)

    if (newNames.length > 0) {
      // The user row lock serializes this user's folder creations (as createFolder does).
      await sequelize.query('SELECT id FROM users WHERE id = :userId FOR UPDATE', { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT, transaction })
      const ownedCount = await models.Folder.count({ where: { ownerId: viewer.userId }, transaction })
      if (ownedCount + newNames.length > limits.foldersPerUser) {
        throw fileError(
          `This file would create ${count(newNames.length, 'folder')}, and you already have ${count(ownedCount, 'folder')} of at most ${limits.foldersPerUser}. Choose “Put everything into the chosen folder”, or delete some folders first. Nothing was imported.`,
        )
      }
    }

    // Lock the existing target folders, then read them again: key, item count and items as of now.
    const targetIds = [...new Set([chosenId, ...[...folderIdByName.values()].filter((id): id is string => id !== null)])]
    await lockFolders(deps, viewer.userId, targetIds, transaction)
    const targets = await queryMemberships(deps, viewer.userId, { folderIds: targetIds, transaction })
    const chosen = targets.find((m) => m.folderId === chosenId)
    if (!chosen) throw new NotFoundError()
    requireEdit(chosen, 'That folder is shared with you as view only: you cannot import into it.')
    // A folder matched by name may have been deleted, or its sharing changed, since it was read.
    if (targets.length !== targetIds.length) throw new NotFoundError()
    for (const m of targets) if (m.permission !== 'edit') throw new ForbiddenError('A folder of this file is shared with you as view only.')
    const known = await existingKeys(viewer, targets, transaction)

    const ring = createKeyRing(viewer)
    const created = await createFolders(viewer, newNames, transaction)
    const folderOf = (r: Candidate) => {
      if (r.folderName === null) return chosenId
      const k = folderNameKey(r.folderName)
      return folderIdByName.get(k) ?? created.get(k)!.id
    }

    // Which rows go where, and the per-folder limit, before any encryption.
    const counts = new Map<string, number>(targets.map((m) => [m.folderId, m.itemCount]))
    const usage = new Map<string, number>()
    const placed: { row: Candidate; folderId: string }[] = []
    const slice = slicer()
    for (const r of rows) {
      if (slice.due()) await slice.breathe()
      if (known.has(sameItemKey(r.fields))) {
        skipped.push({ line: r.line, name: r.fields.name, reason: ALREADY(r.fields) })
        continue
      }
      const folderId = folderOf(r)
      placed.push({ row: r, folderId })
      usage.set(folderId, (usage.get(folderId) ?? 0) + 1)
    }
    for (const [folderId, added] of usage) {
      if ((counts.get(folderId) ?? 0) + added > limits.itemsPerFolder) {
        const name = targets.find((m) => m.folderId === folderId)?.folderName ?? [...created.values()].find((f) => f.id === folderId)!.name
        throw fileError(
          `This file would add ${count(added, 'item')} to “${name}”, which holds ${count(counts.get(folderId) ?? 0, 'item')}; a folder holds at most ${limits.itemsPerFolder.toLocaleString('en-US')}. Choose another folder. Nothing was imported.`,
        )
      }
    }
    const ids: string[] = []
    const folderIds: string[] = []
    const ciphertexts: Buffer[] = []
    const due: boolean[] = []
    const starred: string[] = []
    // Each folder's list index (ADR 020) gains the new entries, written after the inserts.
    const now = new Date()
    const indexed = new Map<string, { key: Buffer; entries: IndexEntry[] }>()
    for (const { row: r, folderId } of placed) {
      // A row of long notes costs ~0.2 ms to encrypt: thousands of them, a slice at a time.
      if (slice.due()) await slice.breathe()
      const key = created.get(r.folderName === null ? '' : folderNameKey(r.folderName))?.key ?? ring.requireFolderKey(targets.find((m) => m.folderId === folderId)!)
      const id = randomUUID() // before encrypting: the AAD binds the id
      // Not checked yet (ADR 024): scored after the import, then written again with its score.
      const unscored = (r.fields.type ?? 'login') === 'login' && r.fields.password !== ''
      const plain = itemPlaintext(r.fields, unscored ? null : 0, null, now)
      const ciphertext = encryptItem(key, id, folderId, plain)
      ids.push(id)
      if (r.favourite) starred.push(id)
      folderIds.push(folderId)
      ciphertexts.push(ciphertext)
      due.push(unscored)
      let folder = indexed.get(folderId)
      if (!folder) indexed.set(folderId, (folder = { key, entries: [] }))
      folder.entries.push(indexEntry(id, ciphertext, now, plain))
    }
    for (let i = 0; i < ids.length; ) {
      // At least one row; at most INSERT_CHUNK rows and INSERT_CHUNK_BYTES of ciphertext.
      let end = i + 1
      let bytes = ciphertexts[i]!.length
      while (end < ids.length && end - i < INSERT_CHUNK && bytes + ciphertexts[end]!.length <= INSERT_CHUNK_BYTES) bytes += ciphertexts[end++]!.length
      // One statement per chunk: parallel arrays unnested into rows.
      await sequelize.query(
        `INSERT INTO items (id, folder_id, ciphertext, created_at, updated_at, score_due_at)
         SELECT v.id, v.folder_id, v.ciphertext, $4, $4, CASE WHEN v.due THEN $4::timestamptz END
         FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $5::boolean[]) AS v(id, folder_id, ciphertext, due)`,
        { bind: [ids.slice(i, end), folderIds.slice(i, end), ciphertexts.slice(i, end), now, due.slice(i, end)], type: QueryTypes.INSERT, transaction },
      )
      i = end
    }
    // Folders created by this import hold only these items: their indexes are written whole. The
    // others' are updated (or rebuilt, when they had none yet): two statements in all.
    const createdIds = new Set([...created.values()].map((f) => f.id))
    const folders = [...indexed].map(([folderId, f]) => ({ folderId, ...f }))
    await applyListIndexChanges(
      deps,
      transaction,
      folders.filter((f) => !createdIds.has(f.folderId)).map((f) => ({ folderId: f.folderId, key: f.key, upserts: f.entries })),
      folders.filter((f) => createdIds.has(f.folderId)),
    )

    const names = new Map<string, { name: string; created: boolean }>([
      ...targets.map((m): [string, { name: string; created: boolean }] => [m.folderId, { name: m.folderName, created: false }]),
      ...[...created.values()].map((f): [string, { name: string; created: boolean }] => [f.id, { name: f.name, created: true }]),
    ])
    return {
      result: {
        format: '',
        imported: ids.length,
        unscored: due.filter(Boolean).length,
        at: now.toISOString(),
        folders: [...usage].map(([id, n]) => ({ id, name: names.get(id)!.name, count: n, created: names.get(id)!.created })),
        skipped,
      },
      keys: new Map(folders.map((f) => [f.folderId, f.key])),
      starred,
    }
  }

  /** New folders owned by the viewer, each with its key sealed to them: two statements in all. */
  async function createFolders(viewer: Viewer, names: string[], transaction: Transaction) {
    const created = new Map<string, { id: string; name: string; key: Buffer }>()
    if (names.length === 0) return created
    const [owner] = await sequelize.query<{ publicKey: Buffer }>('SELECT public_key AS "publicKey" FROM users WHERE id = :userId', {
      replacements: { userId: viewer.userId },
      type: QueryTypes.SELECT,
      transaction,
    })
    if (!owner) throw new NotFoundError()
    for (const name of names) created.set(folderNameKey(name), { id: randomUUID(), name, key: crypto.randomKey() })
    const folders = [...created.values()]
    await models.Folder.bulkCreate(folders.map((f) => ({ id: f.id, ownerId: viewer.userId, name: f.name, isPersonal: false })), { transaction })
    await models.FolderMembership.bulkCreate(
      folders.map((f) => ({
        folderId: f.id,
        userId: viewer.userId,
        role: 'owner' as const,
        permission: 'edit' as const,
        status: 'accepted' as const,
        sealedKey: crypto.sealToPublicKey(owner.publicKey, f.key, crypto.folderKeyAad(f.id, viewer.userId)),
        invitedAt: null,
        acceptedAt: new Date(),
      })),
      { transaction },
    )
    return created
  }

  async function storedResult(viewer: Viewer): Promise<StoredResult | null> {
    const stored = await kv.get(resultKey(viewer.userId))
    if (!stored) return null
    try {
      return JSON.parse(crypto.open(viewer.vaultKey, Buffer.from(stored, 'base64'), crypto.importResultAad(viewer.userId)).toString('utf8')) as StoredResult
    } catch (e) {
      if (e instanceof crypto.DecryptionError) return null // sealed under a key this session no longer has
      throw e
    }
  }

  /**
   * The viewer's last import result, with how many of its passwords are checked so far: readable
   * again (a refresh shows the progress) until it expires, 15 minutes after the import. Null when
   * there is none.
   */
  async function readResult(viewer: Viewer): Promise<ImportResult | null> {
    const stored = await storedResult(viewer)
    if (!stored) return null
    const { at, ...result } = stored
    const unscored = result.unscored ?? 0
    const waiting = unscored > 0 ? await scorer.waiting(result.folders.map((f) => f.id), new Date(at)) : 0
    // A restart ended the scoring: this viewer's keys take it up again.
    if (waiting > 0) scorer.resume(viewer)
    return { ...result, unscored, checked: Math.max(0, unscored - waiting) }
  }

  /** Only the progress of the last import (the result page's script asks for it while it moves). */
  async function progress(viewer: Viewer): Promise<{ checked: number; unscored: number } | null> {
    const r = await readResult(viewer)
    return r ? { checked: r.checked ?? 0, unscored: r.unscored } : null
  }

  return { importCsv, readResult, progress, scorer }
}
