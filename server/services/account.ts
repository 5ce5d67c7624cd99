// The account a user manages from settings: profile, appearance, master password, recovery code,
// deletion. Knows nothing of Koa: sessions, mail and rate limits are the route's (routes/settings.ts).
import { QueryTypes, type Transaction } from 'sequelize'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import type { Theme, User } from '../../models/User.js'
import { isWeakPassword } from './passwordStrength.js'
import { WEAK_PASSWORD, openWithPassword, passwordColumns, recoveryColumns } from './users.js'
import type { SharingService } from './sharing.js'
import type { ServiceDeps, Viewer } from './types.js'

export const EMAIL_TAKEN = 'This email address belongs to another account.'

/** A folder the user owns that someone else has (or is invited to): deleting the account deletes it for them. */
export interface SharedOwnedFolder {
  id: string
  name: string
  /** Accepted members and live invitations besides the owner. */
  people: number
}

export function createAccountService(deps: ServiceDeps, sharing: SharingService) {
  const { sequelize, models } = deps

  async function requireUser(userId: string): Promise<User> {
    const user = await models.User.findByPk(userId)
    // The session outlived the account (deleted elsewhere): nothing to show or change.
    if (!user) throw new NotFoundError('This account no longer exists.')
    return user
  }

  const emailOwner = (email: string) =>
    models.User.findOne({ where: sequelize.where(sequelize.fn('lower', sequelize.col('email')), email.toLowerCase()) })

  /** What the settings page shows of the account. */
  async function profile(userId: string) {
    const user = await requireUser(userId)
    return { name: user.name, email: user.email, pendingEmail: user.pendingEmail, theme: user.theme, verified: user.verifiedAt !== null }
  }

  /**
   * Name now; a new email only once its link is opened (users.verifyEmail), so a typo cannot lock
   * the user out. Returns what changed: `pendingEmail` is set when a link must go to a new address.
   * A new email needs the master password (a stolen session must not take over the account's
   * mail): null when it is missing or wrong, and nothing is changed.
   */
  async function updateProfile(viewer: Viewer, input: { name: string; email: string; password?: string }) {
    const user = await requireUser(viewer.userId)
    const email = input.email.toLowerCase()
    const nameChanged = input.name !== user.name
    let pendingEmail: string | null = null
    let cancelled = false
    if (email === user.email.toLowerCase()) {
      // Back to the current address: a pending change is withdrawn (its link stops working).
      cancelled = user.pendingEmail !== null
      user.pendingEmail = null
    } else {
      if (!input.password || !(await openWithPassword(user, input.password))) return null
      const owner = await emailOwner(email)
      if (owner && owner.id !== user.id) throw new ValidationError({ email: EMAIL_TAKEN })
      pendingEmail = email
      user.pendingEmail = email
    }
    user.name = input.name
    await user.save()
    return { user, nameChanged, pendingEmail, cancelled }
  }

  async function setTheme(userId: string, theme: Theme) {
    await models.User.update({ theme }, { where: { id: userId } })
  }

  /**
   * Re-wraps the vault key under the new password: one row written, no item re-encrypted, the
   * recovery code untouched. Null when `current` is not the master password.
   */
  async function changePassword(viewer: Viewer, input: { current: string; next: string }) {
    const user = await requireUser(viewer.userId)
    const vaultKey = await openWithPassword(user, input.current)
    if (!vaultKey) return null
    if (await isWeakPassword(input.next, [user.name, user.email, 'nucleusid'])) throw new ValidationError({ new_password: WEAK_PASSWORD })
    await user.update(await passwordColumns(input.next, vaultKey, deps.kdf))
    return user
  }

  /** A new recovery code (the old one stops working at once); null for a wrong password. */
  async function issueRecoveryCode(viewer: Viewer, password: string) {
    const user = await requireUser(viewer.userId)
    const vaultKey = await openWithPassword(user, password)
    if (!vaultKey) return null
    const { recoveryCode, columns } = recoveryColumns(vaultKey)
    await user.update(columns)
    return { user, recoveryCode }
  }

  /** The user's folders that other people have: what deleting the account takes from them. */
  function sharedOwnedFolders(userId: string, transaction?: Transaction) {
    return sequelize.query<SharedOwnedFolder>(
      `SELECT f.id, f.name, COUNT(m.user_id)::int AS people
       FROM folders f JOIN folder_memberships m ON m.folder_id = f.id AND m.user_id <> f.owner_id
       WHERE f.owner_id = :userId AND (m.status = 'accepted' OR m.invited_at > now() - interval '7 days')
       GROUP BY f.id, f.name ORDER BY f.name`,
      { replacements: { userId }, type: QueryTypes.SELECT, transaction },
    )
  }

  /**
   * Deletes the account and everything of it in one transaction: the folders it owns (shared ones
   * for everyone) with their items, its devices (ON DELETE CASCADE), and its memberships in other
   * people's folders, each of which is re-keyed as when leaving it. Null for a wrong password.
   */
  async function deleteAccount(viewer: Viewer, password: string) {
    const user = await requireUser(viewer.userId)
    // The slow password check happens before the transaction, which then holds no lock for it.
    if (!(await openWithPassword(user, password))) return null
    return sequelize.transaction(async (transaction) => {
      await models.User.findByPk(user.id, { lock: transaction.LOCK.UPDATE, transaction })
      const deletedShared = await sharedOwnedFolders(user.id, transaction)
      const { folders: left, departures } = await sharing.leaveAll(viewer, transaction)
      await models.User.destroy({ where: { id: user.id }, transaction })
      // departures: the owners' exposure reports (ADR 038), mailed by the route after the commit.
      return { name: user.name, email: user.email, deletedShared, left, departures }
    })
  }

  return { profile, updateProfile, setTheme, changePassword, issueRecoveryCode, sharedOwnedFolders, deleteAccount }
}
export type AccountService = ReturnType<typeof createAccountService>
