// Access: who may open which folder. Every item and folder operation starts from these queries,
// and every permission check is made here or on what they return; pages and routes only ask.
//
// Locking convention (shared by everything that rewrites a folder's items or memberships, such as
// key rotation when a member is removed): a transaction that writes items of a folder, or relies
// on its key, item count or members, first locks the folder row (lockFolders / lockFolder: FOR
// UPDATE, in id order), then reads memberships and items in a fresh statement, so it never
// encrypts under a key that a concurrent rotation has just replaced, and two creates cannot both
// pass a limit.
import { QueryTypes, type Transaction } from 'sequelize'
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js'
import { toId } from '../../schemas/vault.js'
import type { ServiceDeps } from './types.js'

/** An id in its canonical form (schemas/vault.ts toId); NotFoundError when it is none. */
export function requireId(raw: unknown): string {
  const id = toId(raw)
  if (!id) throw new NotFoundError()
  return id
}

/** Pending invitations lapse after this; they are filtered out on every read (SPEC 4). */
export const INVITATION_TTL_DAYS = 7
export const INVITATION_TTL_MS = INVITATION_TTL_DAYS * 24 * 60 * 60 * 1000

/**
 * SQL: the membership row `alias` counts (accepted, or pending, not expired and still holding its
 * sealed key). An expired invitation is as good as none: it shows nowhere but on its owner's
 * member list ("Invitation expired"), cannot be accepted and may be sent again. The key condition
 * matters in one race: a transaction whose now() was taken just before the expiry must not accept
 * a row the sweep (or a rotation) has already emptied (ADR 011).
 */
export const liveMembership = (alias: string) =>
  `(${alias}.status = 'accepted' OR (${alias}.invited_at > now() - interval '${INVITATION_TTL_DAYS} days' AND ${alias}.sealed_key IS NOT NULL))`

/** SQL: `alias` is an expired invitation that still holds its copy of the folder key. */
export const expiredWithKey = (alias: string) =>
  `(${alias}.status = 'pending' AND ${alias}.sealed_key IS NOT NULL AND ${alias}.invited_at <= now() - interval '${INVITATION_TTL_DAYS} days')`

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
  /** A digest of the folder's item ids and ciphertexts (only when asked for): what a list index describes. */
  itemsDigest?: string | null
  /** The version of the folder's item rows (only when asked for): changes with any column of any item; null when empty. */
  itemsVersion?: string | null
  /** The items digest the folder's list index describes (only when asked for; null without an index). */
  listIndexDigest?: string | null
  /** The folder's encrypted list index, base64 (only when asked for). */
  listIndex?: string | null
  /** Someone else (accepted or invited) is a member too. */
  shared: boolean
  /** People besides the owner: accepted members and live invitations. */
  memberCount: number
  /** The viewer's favourites among the folder's live items, ids joined by ',' ('' for none; only when asked for). */
  favourites?: string
  /** The viewer's live pending invitations, the same on every row (only when asked for). */
  pendingInvitations?: number
  sealedKey: Buffer | null
  privateKeyWrapped: Buffer | null
}

/**
 * SQL: the item rows (`alias`) of the folders `folderIds` (an SQL expression: a column such as
 * f.id, or a :replacement list) that count: listed, counted, digested, exported, checked for
 * duplicates. Items in the trash (issue 21) do not; any other state that hides items adds its
 * condition here, and nowhere else. What must reach every item whatever its state (key rotation,
 * moving a deleted folder's items, the trash page) selects from items directly. The partial index
 * items_trash_idx serves the trash; live rows are found through items' folder index.
 */
export const liveItemsIn = (alias: string, folderIds: string) => `items ${alias} WHERE ${alias}.folder_id IN (${folderIds}) AND ${alias}.deleted_at IS NULL`

/**
 * SQL: a version of item rows (`alias`): SHA-256 over each row's id and xmin in id order, NULL for
 * none. PostgreSQL gives every UPDATE of a row a new xmin (the id of the transaction that wrote
 * that row version), whichever columns it changed, so this changes with any column of any item,
 * including columns added later, and with an item added, moved or deleted. It keys the decrypted
 * list cache (vault.ts), which must never show a row older than the table. Not persisted: xmin is
 * not kept by a dump and restore, which only empties caches that live a minute.
 */
const versionAgg = (alias: string) =>
  `encode(sha256(convert_to(string_agg(${alias}.id::text || ':' || ${alias}.xmin::text, ',' ORDER BY ${alias}.id), 'UTF8')), 'hex')`

/**
 * SQL: a digest of the ids and ciphertexts of item rows (`alias`), NULL for none. SHA-256, not
 * md5: the digest decides whether cached plaintext (ADR 005) or a folder's list index (ADR 020) is
 * still valid, so colliding ciphertexts must not be constructible. convert_to, not ::bytea (which
 * parses backslashes). listIndex.ts computes the same value in JavaScript (itemsDigest): change
 * both together.
 */
const digestAgg = (alias: string) =>
  `encode(sha256(convert_to(string_agg(${alias}.id::text || encode(sha256(${alias}.ciphertext), 'hex'), ',' ORDER BY ${alias}.id), 'UTF8')), 'hex')`

/** SQL: the items digest (digestAgg) of the folder `folderId` (an SQL expression). */
export const itemsDigestSql = (folderId: string) => `(SELECT ${digestAgg('ic')} FROM ${liveItemsIn('ic', folderId)})`

/**
 * SQL: the list index of the folder row `alias` as base64 text. The driver sends bytea as hex text, twice the bytes;
 * base64 is a third less to send and parse, which shows on a first view (about 250 KB at 1,000
 * items). Buffer.from(text, 'base64') skips the line breaks PostgreSQL puts in.
 */
export const listIndexBase64 = (alias: string) => `encode(${alias}.list_index, 'base64')`

/**
 * SQL: the ids of the favourites of the user `userId` (an SQL expression) among the live items of
 * the folder `folderId`, in id order, joined by ',' ('' for none). Stars are per user rows
 * (item_favourites) beside the shared ciphertext: they change no item row, so the list cache's
 * fingerprint (vault.ts) takes this text too. Served by the table's primary key (user_id, item_id).
 */
const favouritesIn = (userId: string, folderId: string) =>
  `(SELECT coalesce(string_agg(fv.item_id::text, ',' ORDER BY fv.item_id), '') FROM item_favourites fv JOIN items fi ON fi.id = fv.item_id AND fi.folder_id = ${folderId} AND fi.deleted_at IS NULL WHERE fv.user_id = ${userId})`

/**
 * Columns of one membership of the viewer (m) in a folder (f), its owner (o) and the viewer (u).
 * What is computed over the folder's items (count, and when asked the version and digest) comes
 * from one pass over them (membershipFrom's lateral `agg`): three subqueries read every
 * ciphertext of a first view twice and cost a tenth of its time at 1,000 items.
 */
const membershipColumns = (withKeys: boolean, withVersion = false, withDigest = false, withInvitations = false, withListIndex = false, withFavourites = false) => `${
  withVersion ? 'agg.version AS "itemsVersion",' : ''
}${withFavourites ? ` ${favouritesIn('m.user_id', 'f.id')} AS favourites,` : ''}${withDigest ? ' agg.digest AS "itemsDigest",' : ''}${withListIndex ? ` f.list_index_digest AS "listIndexDigest", ${listIndexBase64('f')} AS "listIndex",` : ''}
  f.id AS "folderId", f.name AS "folderName", f.is_personal AS "isPersonal", f.owner_id AS "ownerId",
  o.name AS "ownerName", m.role::text AS role,
  CASE WHEN m.role = 'owner' THEN 'edit' ELSE m.permission::text END AS permission,
  agg.count AS "itemCount",
  EXISTS (SELECT 1 FROM folder_memberships mo WHERE mo.folder_id = f.id AND mo.user_id <> m.user_id AND ${liveMembership('mo')}) AS shared,
  (SELECT count(*)::int FROM folder_memberships mo WHERE mo.folder_id = f.id AND mo.role = 'member' AND ${liveMembership('mo')}) AS "memberCount",
  ${
    withInvitations
      ? `(SELECT count(*)::int FROM folder_memberships mi WHERE mi.user_id = m.user_id AND mi.status = 'pending' AND ${liveMembership('mi')}) AS "pendingInvitations",`
      : ''
  }
  ${withKeys ? 'm.sealed_key AS "sealedKey", u.private_key_wrapped AS "privateKeyWrapped"' : 'NULL AS "sealedKey", NULL AS "privateKeyWrapped"'}`

/** The membership (m), folder (f), owner (o), viewer (u), and one aggregate pass over the folder's items (agg). */
const membershipFrom = (withVersion = false, withDigest = false) => `
  folder_memberships m
  JOIN folders f ON f.id = m.folder_id
  JOIN users o ON o.id = f.owner_id
  JOIN users u ON u.id = m.user_id
  CROSS JOIN LATERAL (SELECT count(*)::int AS count${withVersion ? `, ${versionAgg('ia')} AS version` : ''}${
    withDigest ? `, ${digestAgg('ia')} AS digest` : ''
  } FROM ${liveItemsIn('ia', 'f.id')}) agg`

/**
 * One query: the viewer's accepted memberships (optionally only in some folders), each with the
 * folder, owner name, item count, whether it is shared and (withKeys) the sealed keys.
 */
export async function queryMemberships(
  deps: ServiceDeps,
  userId: string,
  opts: {
    folderIds?: string[]
    withKeys?: boolean
    /** The version of the folder's item rows (itemsVersion): cheap, no ciphertext is read. */
    withVersion?: boolean
    /** The digest of the folder's ids and ciphertexts (itemsDigest): hashes every ciphertext. */
    withDigest?: boolean
    withInvitations?: boolean
    /** The folder's list index (ADR 020) and the digest it describes. */
    withListIndex?: boolean
    /** The viewer's favourites among the folder's live items (favourites: ids joined by ','). */
    withFavourites?: boolean
    transaction?: Transaction
  } = {},
): Promise<MembershipRow[]> {
  if (opts.folderIds && opts.folderIds.length === 0) return []
  return deps.sequelize.query<MembershipRow>(
    `SELECT ${membershipColumns(opts.withKeys ?? true, opts.withVersion, opts.withDigest, opts.withInvitations, opts.withListIndex, opts.withFavourites)}
     FROM ${membershipFrom(opts.withVersion, opts.withDigest)}
     WHERE m.user_id = :userId AND m.status = 'accepted'${opts.folderIds ? ' AND m.folder_id IN (:folderIds)' : ''}`,
    {
      replacements: { userId, folderIds: opts.folderIds ?? null },
      type: QueryTypes.SELECT,
      transaction: opts.transaction,
    },
  )
}

export interface ItemAccessRow extends MembershipRow {
  id: string
  ciphertext: Buffer
  createdAt: Date
  updatedAt: Date
  /** When it went to the trash; null for a live item. */
  deletedAt: Date | null
  /** The folder it was trashed from (a different folderId: that folder is gone). */
  deletedFromFolderId: string | null
  /** The viewer starred it (a favourite is per user). */
  favourite: boolean
}

/**
 * One query: an item the viewer can open (through an accepted membership), with that membership.
 * A trashed item is none unless `trashed` asks for it: then only a trashed one, and only through
 * an edit membership (view members do not see a folder's trash, issue 21).
 */
export async function queryItemAccess(
  deps: ServiceDeps,
  userId: string,
  itemId: string,
  transaction?: Transaction,
  opts: { trashed?: boolean; viewToo?: boolean } = {},
): Promise<ItemAccessRow | null> {
  const rows = await queryItemsAccess(deps, userId, [itemId], { ...opts, transaction })
  return rows[0] ?? null
}

/**
 * One query: queryItemAccess for several items (bulk actions); the ones the viewer cannot open are left out.
 * `viewToo` (with `trashed`): trashed items through view memberships as well, so a restore that
 * waited for the folder lock can tell "no longer allowed to edit" (403) from "gone" (404).
 */
export async function queryItemsAccess(
  deps: ServiceDeps,
  userId: string,
  itemIds: string[],
  { trashed = false, viewToo = false, transaction }: { trashed?: boolean; viewToo?: boolean; transaction?: Transaction } = {},
): Promise<ItemAccessRow[]> {
  if (itemIds.length === 0) return []
  return deps.sequelize.query<ItemAccessRow>(
    `SELECT i.id, i.ciphertext, i.created_at AS "createdAt", i.updated_at AS "updatedAt",
       i.deleted_at AS "deletedAt", i.deleted_from_folder_id AS "deletedFromFolderId",
       EXISTS (SELECT 1 FROM item_favourites fv WHERE fv.user_id = m.user_id AND fv.item_id = i.id) AS favourite, ${membershipColumns(true)}
     FROM items i JOIN ${membershipFrom()} ON m.folder_id = i.folder_id
     WHERE i.id IN (:itemIds) AND m.user_id = :userId AND m.status = 'accepted' AND ${
       trashed ? `i.deleted_at IS NOT NULL${viewToo ? '' : " AND (m.role = 'owner' OR m.permission = 'edit')"}` : 'i.deleted_at IS NULL'
     }
     ORDER BY i.id`,
    { replacements: { itemIds, userId }, type: QueryTypes.SELECT, transaction },
  )
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
 * Locks one folder row whoever the viewer is (an invitee declining is not yet a member): for the
 * operations that change its members or key. NotFoundError when the folder is gone.
 */
export async function lockFolder(deps: ServiceDeps, folderId: string, transaction: Transaction) {
  const rows = await deps.sequelize.query<{ id: string }>('SELECT id FROM folders WHERE id = :folderId FOR UPDATE', {
    replacements: { folderId },
    type: QueryTypes.SELECT,
    transaction,
  })
  if (rows.length === 0) throw new NotFoundError()
}

export function requireEdit(m: MembershipRow, message = 'This folder is view-only: you cannot change its items.') {
  if (m.permission !== 'edit') throw new ForbiddenError(message)
}

export function folderFullError(limit: number) {
  return new ValidationError({
    folder_id: `This folder already holds the maximum of ${limit.toLocaleString('en-US')} items. Choose another folder.`,
  })
}
