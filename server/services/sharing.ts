// Sharing (SPEC sections 4 and 5): invitations by email, view or edit, accepting, declining,
// leaving, the owner's member management, and the folder key rotation that makes a removal real.
// Knows nothing of Koa or Vue. Every check is made here; routes and pages only ask.
//
// Keys: an invitation seals the current folder key to the invitee's public key, so no other
// member's password is needed. Removing anyone who holds a sealed copy (a member removed, an
// invitation cancelled or declined, a member leaving) rotates the key in the same transaction: a
// new key, every item re-encrypted, the new key sealed for each remaining member. The copy the
// departed person held then opens nothing current, even with their password and a database dump.
//
// Expired invitations (ADR 011): an invitation 7 days old holds a copy of the key nobody may use.
// The background sweep (sweepExpiredInvitations) removes such copies and marks the folder for
// re-keying: it holds no key, so it cannot re-encrypt. The re-keying itself happens with the key
// of the next member who opens the folder page or changes its members (rekeyIfDue), and any
// rotation also drops the copies of expired invitations it finds, in the same transaction. The
// row stays, without a key, so the owner sees "Invitation expired" and can cancel or resend it.
import { reencryptVersions } from './history.js'
import { rewrapAttachmentKeys } from './attachments.js'
import { QueryTypes, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js'
import type { InviteInput, PermissionInput } from '../../schemas/sharing.js'
import { INVITATION_TTL_MS, expiredWithKey, liveMembership, lockFolder, queryMemberships, requireId, type MembershipRow } from './access.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem, encryptItem } from './itemCrypto.js'
import { indexEntry, storeListIndexes, type IndexEntry } from './listIndex.js'
import { nameCollator } from './names.js'
import { recordDeparture, type DepartureNotice } from './exposure.js'
import type { FolderMember, FolderMembers, Permission, Share, ShareList } from '../../shared/contract.js'
import type { ServiceDeps, Viewer } from './types.js'

const NOT_OWNER = 'Only the owner of this folder can manage who has it.'
const PERSONAL = 'Your Personal folder cannot be shared. Create a folder for what you want to share.'
const INVITATION_GONE = 'This invitation has expired or was withdrawn.'

/** A membership row of a folder, with what rotation and the member list need. */
interface MemberKeyRow {
  userId: string
  name: string
  email: string
  role: 'owner' | 'member'
  permission: Permission
  status: 'pending' | 'accepted'
  live: boolean
  invitedAt: Date | null
  acceptedAt: Date | null
  createdAt: Date
  /** Null only on an expired invitation whose copy of the key was removed. */
  sealedKey: Buffer | null
  publicKey: Buffer
  privateKeyWrapped: Buffer
  /** The folder's key_rotation_due_at is set (the same on every row of a folder). */
  rekeyDue: boolean
}

/** An expired invitation (pending and no longer live), with or without its copy of the key. */
const isExpired = (r: MemberKeyRow) => r.status === 'pending' && !r.live

/**
 * The folder key must change: the sweep removed a copy without re-keying, or an expired
 * invitation still holds one. Read from rows every sharing operation loads anyway: no query.
 */
const rotationDue = (rows: MemberKeyRow[]) => rows.some((r) => r.rekeyDue || (isExpired(r) && r.sealedKey !== null))

/** How many folders one sweep transaction handles (each row locked, skipped when busy). */
const SWEEP_BATCH = 100

/**
 * Sharing with an address that has no account (or an unverified one). `unknown`: no account at
 * all, so the route may offer a sign-up link when the policy allows (ADR 036).
 */
export class NoAccountError extends ValidationError {
  constructor(
    readonly email: string,
    readonly unknown: boolean,
  ) {
    super({ email: 'No NucleusID account with a verified email uses this address. Ask them to register and verify their email first.' })
  }
}

export function createSharingService(deps: ServiceDeps) {
  const { sequelize, models, limits } = deps

  /** Every membership row of a folder (expired invitations included, marked not live). */
  function folderRows(folderId: string, transaction?: Transaction) {
    return sequelize.query<MemberKeyRow>(
      `SELECT m.user_id AS "userId", u.name, u.email, m.role::text AS role, m.permission::text AS permission,
              m.status::text AS status, ${liveMembership('m')} AS live, m.invited_at AS "invitedAt",
              m.accepted_at AS "acceptedAt", m.created_at AS "createdAt", m.sealed_key AS "sealedKey",
              u.public_key AS "publicKey", u.private_key_wrapped AS "privateKeyWrapped",
              f.key_rotation_due_at IS NOT NULL AS "rekeyDue"
       FROM folder_memberships m JOIN users u ON u.id = m.user_id JOIN folders f ON f.id = m.folder_id
       WHERE m.folder_id = :folderId`,
      { replacements: { folderId }, type: QueryTypes.SELECT, transaction },
    )
  }

  /** The viewer's accepted membership, which must be the owner's of a folder other than Personal. */
  async function ownedShareable(viewer: Viewer, folderId: string, transaction?: Transaction): Promise<MembershipRow> {
    const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], transaction })
    if (!m) throw new NotFoundError()
    if (m.role !== 'owner') throw new ForbiddenError(NOT_OWNER)
    if (m.isPersonal) throw new ForbiddenError(PERSONAL)
    return m
  }

  /**
   * Inside the caller's transaction, with the folder row locked: takes `departingUserId`'s row out
   * (if any) and re-keys the folder. `actor` must hold a sealed copy of the current key (an
   * accepted member, or the departing invitee themselves). Items that cannot be decrypted keep
   * their old ciphertext: they were unreadable before and stay so. Expired invitations lose their
   * copy of the key (the row stays, for the owner's list) and are not sealed the new one; the
   * folder's "rotation due" mark is cleared. Returns the new key, and when the one departing was
   * an accepted member, the exposure report recorded for the owner in the same transaction (ADR 038).
   */
  async function removeAndRotate(
    actor: Viewer,
    folderId: string,
    departingUserId: string | null,
    transaction: Transaction,
    knownRows?: MemberKeyRow[],
  ): Promise<{ key: Buffer; departure: DepartureNotice | null }> {
    const rows = knownRows ?? (await folderRows(folderId, transaction))
    const mine = rows.find((r) => r.userId === actor.userId)
    if (!mine) throw new NotFoundError()
    const oldKey = createKeyRing(actor).requireFolderKey({ folderId, sealedKey: mine.sealedKey, privateKeyWrapped: mine.privateKeyWrapped })
    const newKey = crypto.randomKey()

    const items = await sequelize.query<{ id: string; ciphertext: Buffer; updatedAt: Date; createdAt: Date; trashed: boolean }>(
      // Every item, whatever its state (access.ts liveItemsIn): all are under the folder key.
      'SELECT id, ciphertext, updated_at AS "updatedAt", created_at AS "createdAt", deleted_at IS NOT NULL AS trashed FROM items WHERE folder_id = :folderId ORDER BY id FOR UPDATE',
      { replacements: { folderId }, type: QueryTypes.SELECT, transaction },
    )
    const ids: string[] = []
    const ciphertexts: Buffer[] = []
    // What the departing person could read: the live items that opened under the key they held.
    const readable: string[] = []
    // The list index (ADR 020) is rebuilt whole from what is decrypted here, under the new key.
    const entries: IndexEntry[] = []
    for (const item of items) {
      const plain = decryptItem(oldKey, item.id, folderId, item.ciphertext)
      if (!plain) {
        if (!item.trashed) entries.push(indexEntry(item.id, item.ciphertext, item.updatedAt, null))
        continue
      }
      const ciphertext = encryptItem(newKey, item.id, folderId, plain)
      ids.push(item.id)
      ciphertexts.push(ciphertext)
      if (!item.trashed) readable.push(item.id)
      // Trashed items are re-encrypted too, but stay out of the index: they count nowhere (ADR 027).
      if (!item.trashed) entries.push(indexEntry(item.id, ciphertext, item.updatedAt, plain, item.createdAt))
    }
    if (ids.length > 0) {
      // One statement whatever the number of items. updated_at stays: no one changed the item.
      await sequelize.query(
        `UPDATE items AS i SET ciphertext = v.ciphertext
         FROM unnest($1::uuid[], $2::bytea[]) AS v(id, ciphertext)
         WHERE i.id = v.id AND i.folder_id = $3`,
        { bind: [ids, ciphertexts, folderId], type: QueryTypes.UPDATE, transaction },
      )
    }
    await storeListIndexes(deps, transaction, [{ folderId, key: newKey, entries }])
    // Their earlier versions too (issue 21): live, trashed and historical, all in this transaction.
    await reencryptVersions(deps, transaction, { itemIds: items.map((i) => i.id), fromFolderId: folderId, fromKey: oldKey, toFolderId: folderId, toKey: newKey })
    // And every attachment's file key (ADR 033): the small keys re-sealed, the files untouched.
    await rewrapAttachmentKeys(deps, transaction, { itemIds: items.map((i) => i.id), fromFolderId: folderId, fromKey: oldKey, toFolderId: folderId, toKey: newKey })

    if (departingUserId) {
      await sequelize.query('DELETE FROM folder_memberships WHERE folder_id = $1 AND user_id = $2', {
        bind: [folderId, departingUserId],
        type: QueryTypes.DELETE,
        transaction,
      })
    }
    const remaining = rows.filter((r) => r.userId !== departingUserId && r.live)
    const lapsed = rows.filter((r) => r.userId !== departingUserId && isExpired(r) && r.sealedKey !== null).map((r) => r.userId)
    if (lapsed.length > 0) {
      await sequelize.query(
        `UPDATE folder_memberships SET sealed_key = NULL, updated_at = now()
         WHERE folder_id = $1 AND user_id = ANY($2::uuid[]) AND status = 'pending'`,
        { bind: [folderId, lapsed], type: QueryTypes.UPDATE, transaction },
      )
    }
    await sequelize.query(
      `UPDATE folder_memberships AS m SET sealed_key = v.sealed_key, updated_at = now()
       FROM unnest($1::uuid[], $2::bytea[]) AS v(user_id, sealed_key)
       WHERE m.folder_id = $3 AND m.user_id = v.user_id`,
      {
        bind: [
          remaining.map((r) => r.userId),
          remaining.map((r) => crypto.sealToPublicKey(r.publicKey, newKey, crypto.folderKeyAad(folderId, r.userId))),
          folderId,
        ],
        type: QueryTypes.UPDATE,
        transaction,
      },
    )
    if (rows.some((r) => r.rekeyDue)) {
      await sequelize.query('UPDATE folders SET key_rotation_due_at = NULL WHERE id = $1', { bind: [folderId], type: QueryTypes.UPDATE, transaction })
    }
    // An accepted member read the folder through the app: the owner gets the exposure report. An
    // invitation (cancelled, declined) never showed an item; its copy of the key is rotated away.
    const departing = departingUserId ? rows.find((r) => r.userId === departingUserId) : undefined
    const owner = rows.find((r) => r.role === 'owner')
    const departure =
      departing?.status === 'accepted' && departing.role === 'member' && owner
        ? await recordDeparture(deps, transaction, {
            folderId,
            owner: { id: owner.userId, name: owner.name, email: owner.email, publicKey: owner.publicKey },
            member: { id: departing.userId, name: departing.name, email: departing.email },
            how: departing.userId === actor.userId ? 'left' : 'removed',
            itemIds: readable,
          })
        : null
    return { key: newKey, departure }
  }

  /**
   * The lazy half of expiry: re-keys a folder when it is due (rotationDue), with the key of
   * `viewer`, an accepted member. Its own transaction; the folder row is locked with SKIP LOCKED,
   * so a page view never queues behind a long write of the same folder (that write, or the next
   * view, does it). True when this call re-keyed the folder; false when not due, busy, or the
   * viewer's key does not open (then another member's visit will).
   */
  async function rekeyIfDue(viewer: Viewer, folderId: string): Promise<boolean> {
    try {
      return await sequelize.transaction(async (transaction) => {
        const locked = await sequelize.query('SELECT id FROM folders WHERE id = :folderId FOR UPDATE SKIP LOCKED', {
          replacements: { folderId },
          type: QueryTypes.SELECT,
          transaction,
        })
        if (locked.length === 0) return false
        const rows = await folderRows(folderId, transaction)
        const mine = rows.find((r) => r.userId === viewer.userId)
        if (mine?.status !== 'accepted' || !rotationDue(rows)) return false
        await removeAndRotate(viewer, folderId, null, transaction, rows)
        return true
      })
    } catch (e) {
      if (e instanceof crypto.DecryptionError) return false
      throw e
    }
  }

  /**
   * The background half of expiry, safe on any number of workers and replicas at once: removes the
   * copy of the key from every invitation past its expiry and marks those folders for re-keying
   * (rekeyIfDue and every sharing write do it). It holds no key, so it cannot re-encrypt anything
   * itself. Folders are locked FOR UPDATE SKIP LOCKED, in batches: two sweeps share the work, and a
   * folder busy with a sharing write or a rotation is left to that write or to the next sweep.
   * Returns the ids of the folders it marked.
   */
  async function sweepExpiredInvitations(): Promise<string[]> {
    const marked: string[] = []
    for (;;) {
      const { locked, changed } = await sequelize.transaction(async (transaction) => {
        const folders = await sequelize.query<{ id: string }>(
          `SELECT f.id FROM folders f
           WHERE f.id IN (SELECT m.folder_id FROM folder_memberships m WHERE ${expiredWithKey('m')})
           ORDER BY f.id LIMIT ${SWEEP_BATCH} FOR UPDATE OF f SKIP LOCKED`,
          { type: QueryTypes.SELECT, transaction },
        )
        if (folders.length === 0) return { locked: 0, changed: [] }
        // Checked again now that the rows are locked: a rotation or a new invitation of the same
        // person may have committed since the SELECT's snapshot.
        const rows = await sequelize.query<{ id: string }>(
          `WITH emptied AS (
             UPDATE folder_memberships m SET sealed_key = NULL, updated_at = now()
             WHERE m.folder_id = ANY($1::uuid[]) AND ${expiredWithKey('m')}
             RETURNING m.folder_id
           )
           UPDATE folders f SET key_rotation_due_at = coalesce(f.key_rotation_due_at, now())
           WHERE f.id IN (SELECT folder_id FROM emptied)
           RETURNING f.id`,
          { bind: [folders.map((f) => f.id)], type: QueryTypes.SELECT, transaction },
        )
        return { locked: folders.length, changed: rows.map((r) => r.id) }
      })
      marked.push(...changed)
      if (locked < SWEEP_BATCH) return marked
    }
  }

  // -------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------

  /**
   * Who has a folder: one query after the access check (two in all; a re-keying when one is due,
   * see rekeyIfDue). NotFoundError unless the viewer is an accepted member. The owner sees
   * invitations too, expired ones included (to cancel or resend); a member sees the members.
   */
  async function listMembers(viewer: Viewer, rawFolderId: string): Promise<FolderMembers> {
    const folderId = requireId(rawFolderId)
    const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], withKeys: false })
    if (!m) throw new NotFoundError()
    const canManage = m.role === 'owner' && !m.isPersonal
    const all = await folderRows(folderId)
    // A folder with an expired invitation gets its new key now, from whoever opens it (no query
    // when nothing is due). The rows read above still describe who is listed.
    if (rotationDue(all)) await rekeyIfDue(viewer, folderId)
    const rows = canManage ? all : all.filter((r) => r.status === 'accepted')
    const members: FolderMember[] = rows.map((r) => ({
      userId: r.userId,
      name: r.name,
      email: r.email,
      role: r.role,
      permission: r.role === 'owner' ? 'edit' : r.permission,
      status: isExpired(r) ? 'expired' : r.status,
      since: r.status === 'pending' ? r.invitedAt! : (r.acceptedAt ?? r.createdAt),
      expiresAt: r.status === 'pending' ? new Date(r.invitedAt!.getTime() + INVITATION_TTL_MS) : null,
    }))
    // The owner first, then accepted members, then invitations, then expired ones; by name within each.
    const rank = (x: FolderMember) => (x.role === 'owner' ? 0 : ({ accepted: 1, pending: 2, expired: 3 } as const)[x.status])
    members.sort((a, b) => rank(a) - rank(b) || nameCollator.compare(a.name, b.name) || a.email.localeCompare(b.email))
    return { members, canManage, limit: limits.membersPerFolder }
  }

  /** /dashboard/shares: live invitations to the viewer and the folders others share with them. One query. */
  async function listShares(viewer: Viewer): Promise<ShareList> {
    const rows = await sequelize.query<Share & { status: 'pending' | 'accepted'; invitedAt: Date }>(
      `SELECT f.id AS "folderId", f.name AS "folderName", o.name AS "ownerName", o.email AS "ownerEmail",
              m.permission::text AS permission, m.status::text AS status, m.invited_at AS "invitedAt",
              CASE WHEN m.status = 'pending' THEN m.invited_at ELSE coalesce(m.accepted_at, m.created_at) END AS since
       FROM folder_memberships m JOIN folders f ON f.id = m.folder_id JOIN users o ON o.id = f.owner_id
       WHERE m.user_id = :userId AND m.role = 'member' AND ${liveMembership('m')}
       ORDER BY m.status, f.name, f.id`,
      { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT },
    )
    const toShare = (r: (typeof rows)[number]): Share => ({
      folderId: r.folderId,
      folderName: r.folderName,
      ownerName: r.ownerName,
      ownerEmail: r.ownerEmail,
      permission: r.permission,
      since: r.since,
      expiresAt: r.status === 'pending' ? new Date(r.invitedAt.getTime() + INVITATION_TTL_MS) : null,
    })
    return {
      pending: rows.filter((r) => r.status === 'pending').map(toShare),
      accepted: rows.filter((r) => r.status === 'accepted').map(toShare),
    }
  }

  // -------------------------------------------------------------------------
  // The owner's actions
  // -------------------------------------------------------------------------

  /**
   * Invites a verified user by email. ValidationError next to `email` for an unknown or
   * unverified address, yourself, someone already invited or a member, a full folder, or the
   * owner's own email unverified. ForbiddenError unless the owner. `email` is the parsed one
   * (schemas/sharing.ts: trimmed, lower case).
   */
  async function invite(viewer: Viewer, rawFolderId: string, { email, permission }: InviteInput) {
    const folderId = requireId(rawFolderId)
    return sequelize.transaction(async (transaction) => {
      await lockFolder(deps, folderId, transaction)
      const m = await ownedShareable(viewer, folderId, transaction)
      const [owner] = await sequelize.query<{ email: string; verified: boolean; name: string }>(
        'SELECT email, name, verified_at IS NOT NULL AS verified FROM users WHERE id = :id',
        { replacements: { id: viewer.userId }, type: QueryTypes.SELECT, transaction },
      )
      if (!owner?.verified) {
        throw new ValidationError({ email: 'Verify your own email address before sharing: use the link we sent you.' })
      }
      if (email === owner.email.toLowerCase()) throw new ValidationError({ email: 'You already have this folder: invite someone else.' })
      const [invitee] = await sequelize.query<{ id: string; name: string; email: string; publicKey: Buffer; verified: boolean }>(
        `SELECT id, name, email, public_key AS "publicKey", verified_at IS NOT NULL AS verified
         FROM users WHERE lower(email) = :email`,
        { replacements: { email }, type: QueryTypes.SELECT, transaction },
      )
      if (!invitee || !invitee.verified) throw new NoAccountError(email, !invitee)
      const rows = await folderRows(folderId, transaction)
      const existing = rows.find((r) => r.userId === invitee.id)
      if (existing?.live) {
        throw new ValidationError({
          email: existing.status === 'pending' ? `${invitee.name} is already invited to this folder.` : `${invitee.name} is already a member of this folder.`,
        })
      }
      if (rows.filter((r) => r.live).length >= limits.membersPerFolder) {
        throw new ValidationError({ email: `A folder can be shared with at most ${limits.membersPerFolder - 1} people, and this one is full.` })
      }
      // A folder with an expired invitation is re-keyed first (this one's old copy included), and
      // the new invitation carries the new key.
      const folderKey = rotationDue(rows)
        ? (await removeAndRotate(viewer, folderId, null, transaction, rows)).key
        : createKeyRing(viewer).requireFolderKey(m)
      const sealedKey = crypto.sealToPublicKey(invitee.publicKey, folderKey, crypto.folderKeyAad(folderId, invitee.id))
      // An expired invitation is replaced by the new one.
      if (existing) await models.FolderMembership.destroy({ where: { folderId, userId: invitee.id }, transaction })
      await models.FolderMembership.create(
        { folderId, userId: invitee.id, role: 'member', permission, status: 'pending', sealedKey, invitedAt: new Date(), acceptedAt: null },
        { transaction },
      )
      return { invitee: { id: invitee.id, name: invitee.name, email: invitee.email }, owner: { name: owner.name }, folderId, folderName: m.folderName, permission }
    })
  }

  /** The owner changes a member's (or an invitee's) permission. No key changes: both can read. */
  async function changePermission(viewer: Viewer, rawFolderId: string, rawUserId: string, { permission }: PermissionInput) {
    const folderId = requireId(rawFolderId)
    const userId = requireId(rawUserId)
    return sequelize.transaction(async (transaction) => {
      await lockFolder(deps, folderId, transaction)
      const m = await ownedShareable(viewer, folderId, transaction)
      const rows = await folderRows(folderId, transaction)
      const target = rows.find((r) => r.userId === userId && r.live)
      if (!target) throw new NotFoundError()
      if (target.role === 'owner') throw new ForbiddenError('The owner can always edit their folder.')
      if (rotationDue(rows)) await removeAndRotate(viewer, folderId, null, transaction, rows)
      await models.FolderMembership.update({ permission }, { where: { folderId, userId, role: 'member' }, transaction })
      return { userId, folderId, folderName: m.folderName, name: target.name, email: target.email, permission }
    })
  }

  /**
   * The owner removes a member or cancels an invitation, expired ones included; the folder key
   * rotates. Only an expired invitation whose copy of the key is already gone, in a folder
   * re-keyed since, is just deleted: nobody left with a key.
   */
  async function removeMember(viewer: Viewer, rawFolderId: string, rawUserId: string) {
    const folderId = requireId(rawFolderId)
    const userId = requireId(rawUserId)
    return sequelize.transaction(async (transaction) => {
      await lockFolder(deps, folderId, transaction)
      const m = await ownedShareable(viewer, folderId, transaction)
      const rows = await folderRows(folderId, transaction)
      const target = rows.find((r) => r.userId === userId)
      if (!target) throw new NotFoundError()
      if (target.role === 'owner') throw new ForbiddenError('The owner cannot be removed. Delete the folder instead.')
      let departure: DepartureNotice | null = null
      if (target.sealedKey === null && !rotationDue(rows)) {
        await sequelize.query("DELETE FROM folder_memberships WHERE folder_id = $1 AND user_id = $2 AND status = 'pending'", {
          bind: [folderId, userId],
          type: QueryTypes.DELETE,
          transaction,
        })
      } else {
        ;({ departure } = await removeAndRotate(viewer, folderId, userId, transaction, rows))
      }
      // departure: the owner's exposure report, for the route's mail after the commit (ADR 038).
      return {
        userId,
        folderId,
        folderName: m.folderName,
        name: target.name,
        email: target.email,
        wasPending: target.status === 'pending',
        expired: isExpired(target),
        departure: departure ?? undefined,
      }
    })
  }

  // -------------------------------------------------------------------------
  // The invitee's and member's actions
  // -------------------------------------------------------------------------

  /** The viewer's own live row in a folder, with the folder locked; NotFoundError without one. */
  async function ownRow(viewer: Viewer, folderId: string, status: 'pending' | 'accepted', transaction: Transaction) {
    await lockFolder(deps, folderId, transaction)
    const [row] = await sequelize.query<{ role: 'owner' | 'member'; folderName: string; ownerId: string }>(
      `SELECT m.role::text AS role, f.name AS "folderName", f.owner_id AS "ownerId" FROM folder_memberships m JOIN folders f ON f.id = m.folder_id
       WHERE m.folder_id = :folderId AND m.user_id = :userId AND m.status = :status AND ${liveMembership('m')}`,
      { replacements: { folderId, userId: viewer.userId, status }, type: QueryTypes.SELECT, transaction },
    )
    return row ?? null
  }

  async function accept(viewer: Viewer, rawFolderId: string) {
    const folderId = requireId(rawFolderId)
    return sequelize.transaction(async (transaction) => {
      const row = await ownRow(viewer, folderId, 'pending', transaction)
      if (!row) throw new NotFoundError(INVITATION_GONE)
      await models.FolderMembership.update(
        { status: 'accepted', acceptedAt: new Date() },
        { where: { folderId, userId: viewer.userId, status: 'pending' }, transaction },
      )
      return { folderId, folderName: row.folderName, ownerId: row.ownerId }
    })
  }

  /** Declining gives back the sealed copy the invitation carried: the key rotates. */
  async function decline(viewer: Viewer, rawFolderId: string) {
    const folderId = requireId(rawFolderId)
    return sequelize.transaction(async (transaction) => {
      const row = await ownRow(viewer, folderId, 'pending', transaction)
      if (!row) throw new NotFoundError(INVITATION_GONE)
      await removeAndRotate(viewer, folderId, viewer.userId, transaction)
      return { folderId, folderName: row.folderName, ownerId: row.ownerId }
    })
  }

  /** A member leaves; the key rotates. The owner cannot leave their own folder. */
  async function leave(viewer: Viewer, rawFolderId: string) {
    const folderId = requireId(rawFolderId)
    return sequelize.transaction(async (transaction) => {
      const row = await ownRow(viewer, folderId, 'accepted', transaction)
      if (!row) throw new NotFoundError()
      if (row.role === 'owner') throw new ForbiddenError('You own this folder: delete it instead of leaving it.')
      const { departure } = await removeAndRotate(viewer, folderId, viewer.userId, transaction)
      return { folderId, folderName: row.folderName, ownerId: row.ownerId, departure: departure ?? undefined }
    })
  }

  /**
   * Inside the caller's transaction (account deletion): the viewer leaves every folder of someone
   * else they belong to or are invited to, each re-keyed as when leaving it (the departing user saw
   * the key). Returns the exposure report recorded for each folder's owner whose member this was
   * (ADR 038), for mails after the commit.
   */
  async function leaveAll(viewer: Viewer, transaction: Transaction) {
    const rows = await sequelize.query<{ folderId: string; folderName: string; ownerId: string; accepted: boolean; name: string; email: string }>(
      // A row without a key (an expired invitation emptied by the sweep) has nothing to rotate
      // away: it goes with the user (ON DELETE CASCADE).
      `SELECT m.folder_id AS "folderId", f.name AS "folderName", f.owner_id AS "ownerId", m.status = 'accepted' AS accepted, u.name, u.email
       FROM folder_memberships m JOIN folders f ON f.id = m.folder_id JOIN users u ON u.id = m.user_id
       WHERE m.user_id = :userId AND m.role <> 'owner' AND m.sealed_key IS NOT NULL ORDER BY m.folder_id`,
      { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT, transaction },
    )
    const departures: DepartureNotice[] = []
    for (const { folderId } of rows) {
      // The folder row locked first, as every other change of its memberships does.
      await lockFolder(deps, folderId, transaction)
      const { departure } = await removeAndRotate(viewer, folderId, viewer.userId, transaction)
      if (departure) departures.push(departure)
    }
    // Each owner's log says so, as when a member leaves or declines (issue 25); written with the
    // departure, named explicitly since the account is gone once this commits.
    await deps.activity?.record(
      rows.map((r) => ({
        readerId: r.ownerId,
        kind: r.accepted ? 'share_left' : 'share_declined',
        folderId: r.folderId,
        details: { folderName: r.folderName, actorId: viewer.userId, actorName: r.name, actorEmail: r.email, detail: 'deleted their account' },
      })),
      transaction,
    )
    return { folders: rows.length, departures }
  }

  return { listMembers, listShares, invite, changePermission, removeMember, accept, decline, leave, leaveAll, rekeyIfDue, sweepExpiredInvitations }
}

export type SharingService = ReturnType<typeof createSharingService>
