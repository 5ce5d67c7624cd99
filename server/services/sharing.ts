// Sharing (SPEC sections 4 and 5): invitations by email, view or edit, accepting, declining,
// leaving, the owner's member management, and the folder key rotation that makes a removal real.
// Knows nothing of Koa or Vue. Every check is made here; routes and pages only ask.
//
// Keys: an invitation seals the current folder key to the invitee's public key, so no other
// member's password is needed. Removing anyone who holds a sealed copy (a member removed, an
// invitation cancelled or declined, a member leaving) rotates the key in the same transaction: a
// new key, every item re-encrypted, the new key sealed for each remaining member. The copy the
// departed person held then opens nothing current, even with their password and a database dump.
import { QueryTypes, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { parseForm } from '../lib/validate.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js'
import { inviteSchema, permissionSchema, type Permission } from '../../schemas/sharing.js'
import { INVITATION_TTL_MS, liveMembership, lockFolder, queryMemberships, requireId, type MembershipRow } from './access.js'
import { createKeyRing } from './keyRing.js'
import { decryptItem, encryptItem } from './itemCrypto.js'
import type { FolderMember, FolderMembers, ServiceDeps, Share, ShareList, Viewer } from './types.js'

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
  sealedKey: Buffer
  publicKey: Buffer
  privateKeyWrapped: Buffer
}

export function createSharingService(deps: ServiceDeps) {
  const { sequelize, models, limits } = deps

  /** Every membership row of a folder (expired invitations included, marked not live). */
  function folderRows(folderId: string, transaction?: Transaction) {
    return sequelize.query<MemberKeyRow>(
      `SELECT m.user_id AS "userId", u.name, u.email, m.role::text AS role, m.permission::text AS permission,
              m.status::text AS status, ${liveMembership('m')} AS live, m.invited_at AS "invitedAt",
              m.accepted_at AS "acceptedAt", m.created_at AS "createdAt", m.sealed_key AS "sealedKey",
              u.public_key AS "publicKey", u.private_key_wrapped AS "privateKeyWrapped"
       FROM folder_memberships m JOIN users u ON u.id = m.user_id
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
   * Inside the caller's transaction, with the folder row locked: takes `departingUserId`'s row
   * out and re-keys the folder. `actor` must hold a sealed copy of the current key (the owner, or
   * the departing member or invitee themselves). Items that cannot be decrypted keep their old
   * ciphertext: they were unreadable before and stay so. Expired invitations go too.
   */
  async function removeAndRotate(actor: Viewer, folderId: string, departingUserId: string, transaction: Transaction) {
    const rows = await folderRows(folderId, transaction)
    const mine = rows.find((r) => r.userId === actor.userId)
    if (!mine) throw new NotFoundError()
    const oldKey = createKeyRing(actor).requireFolderKey({ folderId, sealedKey: mine.sealedKey, privateKeyWrapped: mine.privateKeyWrapped })
    const newKey = crypto.randomKey()

    const items = await sequelize.query<{ id: string; ciphertext: Buffer }>(
      'SELECT id, ciphertext FROM items WHERE folder_id = :folderId ORDER BY id FOR UPDATE',
      { replacements: { folderId }, type: QueryTypes.SELECT, transaction },
    )
    const ids: string[] = []
    const ciphertexts: Buffer[] = []
    for (const item of items) {
      const plain = decryptItem(oldKey, item.id, folderId, item.ciphertext)
      if (!plain) continue
      ids.push(item.id)
      ciphertexts.push(encryptItem(newKey, item.id, folderId, plain))
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

    const remaining = rows.filter((r) => r.userId !== departingUserId && r.live)
    const gone = rows.filter((r) => r.userId === departingUserId || !r.live).map((r) => r.userId)
    await sequelize.query('DELETE FROM folder_memberships WHERE folder_id = $1 AND user_id = ANY($2::uuid[])', {
      bind: [folderId, gone],
      type: QueryTypes.DELETE,
      transaction,
    })
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
  }

  // -------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------

  /**
   * Who has a folder: one query after the access check (two in all). NotFoundError unless the
   * viewer is an accepted member. The owner sees live invitations too; a member sees the members.
   */
  async function listMembers(viewer: Viewer, rawFolderId: string): Promise<FolderMembers> {
    const folderId = requireId(rawFolderId)
    const [m] = await queryMemberships(deps, viewer.userId, { folderIds: [folderId], withKeys: false })
    if (!m) throw new NotFoundError()
    const canManage = m.role === 'owner' && !m.isPersonal
    const rows = (await folderRows(folderId)).filter((r) => r.live && (canManage || r.status === 'accepted'))
    const members: FolderMember[] = rows.map((r) => ({
      userId: r.userId,
      name: r.name,
      email: r.email,
      role: r.role,
      permission: r.role === 'owner' ? 'edit' : r.permission,
      status: r.status,
      since: r.status === 'pending' ? r.invitedAt! : (r.acceptedAt ?? r.createdAt),
      expiresAt: r.status === 'pending' ? new Date(r.invitedAt!.getTime() + INVITATION_TTL_MS) : null,
    }))
    // The owner first, then accepted members, then invitations; by name within each.
    const rank = (x: FolderMember) => (x.role === 'owner' ? 0 : x.status === 'accepted' ? 1 : 2)
    members.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'en') || a.email.localeCompare(b.email))
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
   * owner's own email unverified. ForbiddenError unless the owner.
   */
  async function invite(viewer: Viewer, rawFolderId: string, input: { email?: unknown; permission?: unknown }) {
    const folderId = requireId(rawFolderId)
    const { email, permission } = parseForm(inviteSchema, input)
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
      if (!invitee || !invitee.verified) {
        throw new ValidationError({
          email: 'No NucleusID account with a verified email uses this address. Ask them to register and verify their email first.',
        })
      }
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
      const folderKey = createKeyRing(viewer).requireFolderKey(m)
      const sealedKey = crypto.sealToPublicKey(invitee.publicKey, folderKey, crypto.folderKeyAad(folderId, invitee.id))
      // An expired invitation is replaced by the new one.
      if (existing) await models.FolderMembership.destroy({ where: { folderId, userId: invitee.id }, transaction })
      await models.FolderMembership.create(
        { folderId, userId: invitee.id, role: 'member', permission, status: 'pending', sealedKey, invitedAt: new Date(), acceptedAt: null },
        { transaction },
      )
      return { invitee: { name: invitee.name, email: invitee.email }, owner: { name: owner.name }, folderName: m.folderName, permission }
    })
  }

  /** The owner changes a member's (or an invitee's) permission. No key changes: both can read. */
  async function changePermission(viewer: Viewer, rawFolderId: string, rawUserId: string, input: { permission?: unknown }) {
    const folderId = requireId(rawFolderId)
    const userId = requireId(rawUserId)
    const { permission } = parseForm(permissionSchema, input)
    return sequelize.transaction(async (transaction) => {
      await lockFolder(deps, folderId, transaction)
      await ownedShareable(viewer, folderId, transaction)
      const target = (await folderRows(folderId, transaction)).find((r) => r.userId === userId && r.live)
      if (!target) throw new NotFoundError()
      if (target.role === 'owner') throw new ForbiddenError('The owner can always edit their folder.')
      await models.FolderMembership.update({ permission }, { where: { folderId, userId, role: 'member' }, transaction })
      return { name: target.name, permission }
    })
  }

  /** The owner removes a member or cancels an invitation; the folder key rotates. */
  async function removeMember(viewer: Viewer, rawFolderId: string, rawUserId: string) {
    const folderId = requireId(rawFolderId)
    const userId = requireId(rawUserId)
    return sequelize.transaction(async (transaction) => {
      await lockFolder(deps, folderId, transaction)
      await ownedShareable(viewer, folderId, transaction)
      const target = (await folderRows(folderId, transaction)).find((r) => r.userId === userId && r.live)
      if (!target) throw new NotFoundError()
      if (target.role === 'owner') throw new ForbiddenError('The owner cannot be removed. Delete the folder instead.')
      await removeAndRotate(viewer, folderId, userId, transaction)
      return { name: target.name, wasPending: target.status === 'pending' }
    })
  }

  // -------------------------------------------------------------------------
  // The invitee's and member's actions
  // -------------------------------------------------------------------------

  /** The viewer's own live row in a folder, with the folder locked; NotFoundError without one. */
  async function ownRow(viewer: Viewer, folderId: string, status: 'pending' | 'accepted', transaction: Transaction) {
    await lockFolder(deps, folderId, transaction)
    const [row] = await sequelize.query<{ role: 'owner' | 'member'; folderName: string }>(
      `SELECT m.role::text AS role, f.name AS "folderName" FROM folder_memberships m JOIN folders f ON f.id = m.folder_id
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
      return { folderId, folderName: row.folderName }
    })
  }

  /** Declining gives back the sealed copy the invitation carried: the key rotates. */
  async function decline(viewer: Viewer, rawFolderId: string) {
    const folderId = requireId(rawFolderId)
    return sequelize.transaction(async (transaction) => {
      const row = await ownRow(viewer, folderId, 'pending', transaction)
      if (!row) throw new NotFoundError(INVITATION_GONE)
      await removeAndRotate(viewer, folderId, viewer.userId, transaction)
      return { folderName: row.folderName }
    })
  }

  /** A member leaves; the key rotates. The owner cannot leave their own folder. */
  async function leave(viewer: Viewer, rawFolderId: string) {
    const folderId = requireId(rawFolderId)
    return sequelize.transaction(async (transaction) => {
      const row = await ownRow(viewer, folderId, 'accepted', transaction)
      if (!row) throw new NotFoundError()
      if (row.role === 'owner') throw new ForbiddenError('You own this folder: delete it instead of leaving it.')
      await removeAndRotate(viewer, folderId, viewer.userId, transaction)
      return { folderName: row.folderName }
    })
  }

  /**
   * Inside the caller's transaction (account deletion): the viewer leaves every folder of someone
   * else they belong to or are invited to, each re-keyed as when leaving it (the departing user saw
   * the key). Returns how many folders that was.
   */
  async function leaveAll(viewer: Viewer, transaction: Transaction) {
    const rows = await sequelize.query<{ folderId: string }>(
      `SELECT folder_id AS "folderId" FROM folder_memberships WHERE user_id = :userId AND role <> 'owner' ORDER BY folder_id`,
      { replacements: { userId: viewer.userId }, type: QueryTypes.SELECT, transaction },
    )
    for (const { folderId } of rows) {
      // The folder row locked first, as every other change of its memberships does.
      await lockFolder(deps, folderId, transaction)
      await removeAndRotate(viewer, folderId, viewer.userId, transaction)
    }
    return rows.length
  }

  return { listMembers, listShares, invite, changePermission, removeMember, accept, decline, leave, leaveAll }
}

export type SharingService = ReturnType<typeof createSharingService>
