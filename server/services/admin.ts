// What administrators do to accounts (issue 24, ADR 036): the admin role, the users table,
// disabling, turning off two-factor, deleting, and the log of every such action. Knows nothing of
// Koa or Vue: ending sessions, mail and the re-authentication window are the routes'. Nothing here
// reads a vault: an administrator never holds anyone's key.
import { QueryTypes, type Transaction } from 'sequelize'
import { NotFoundError, ValidationError } from '../lib/errors.js'
import { requireId } from './access.js'
import type { Models } from '../../models/index.js'
import type { Sequelize } from 'sequelize'
import { maskUrl } from '../lib/mask.js'
import type { MailSettings, AdminLogPage, AdminOverview, AdminUserPage, AdminUserRow, UserSort } from '../../shared/admin.js'
import type { SignupService } from './signup.js'

export interface AdminDeps {
  sequelize: Sequelize
  models: Models
  mail?: { smtpUrl?: string; from: string; dir: string }
}

export const USERS_PER_PAGE = 50
export const LOG_PER_PAGE = 50

/** Who did it and from where: what every recorded action carries. */
export interface AdminActor {
  id: string
  email: string
  ip: string
}

const ORDER: Record<UserSort, string> = {
  created: 'u.created_at DESC, u.id',
  name: 'lower(u.name), u.id',
  email: 'lower(u.email), u.id',
  last_active: 'last_active_at DESC NULLS LAST, u.id',
  items: 'items DESC, u.id',
  storage: 'storage_bytes DESC, u.id',
}

/** `q` as a LIKE pattern that matches itself literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export function createAdminService(deps: AdminDeps, signup: SignupService) {
  const { sequelize, models } = deps

  async function requireUser(rawId: unknown, transaction?: Transaction) {
    const user = await models.User.findByPk(requireId(rawId), { transaction, lock: transaction ? transaction.LOCK.UPDATE : undefined })
    if (!user) throw new NotFoundError('No such user.')
    return user
  }

  async function record(actor: AdminActor, action: string, target: { email: string } | null, detail?: string, transaction?: Transaction) {
    await models.AdminAction.create(
      { actorId: actor.id, actorEmail: actor.email, action, targetEmail: target?.email ?? null, detail: detail?.slice(0, 500) ?? null, ip: actor.ip.slice(0, 64) },
      { transaction },
    )
  }

  /**
   * Grants the role to every listed address that has an account and lacks it (ADMIN_EMAILS at start).
   * Returns the ids granted: their sessions must end, so the role is in the next one.
   */
  async function applyAdminEmails(emails: string[]): Promise<string[]> {
    if (!emails.length) return []
    const rows = await sequelize.query<{ id: string }>(
      `UPDATE users SET is_admin = true, updated_at = now() WHERE lower(email) = ANY($1::text[]) AND NOT is_admin RETURNING id`,
      { bind: [emails], type: QueryTypes.SELECT },
    )
    return rows.map((r) => r.id)
  }

  /** `npm run admin -- grant|revoke <email>`: null when there is no such account. */
  async function setRole(email: string, admin: boolean) {
    const user = await models.User.findOne({ where: sequelize.where(sequelize.fn('lower', sequelize.col('email')), email.toLowerCase()) })
    if (!user) return null
    const changed = user.isAdmin !== admin
    if (changed) await user.update({ isAdmin: admin })
    return { id: user.id, email: user.email, changed, twoFactor: user.totpSecretSealed !== null }
  }

  async function overview(): Promise<AdminOverview> {
    const [counts] = await sequelize.query<{ users: number; admins: number; disabled: number; pending: number }>(
      `SELECT count(*)::int AS users, count(*) FILTER (WHERE is_admin)::int AS admins,
              count(*) FILTER (WHERE disabled_at IS NOT NULL)::int AS disabled,
              (SELECT count(*)::int FROM signup_invitations WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > now()) AS pending
       FROM users`,
      { type: QueryTypes.SELECT },
    )
    return { users: counts!.users, admins: counts!.admins, disabled: counts!.disabled, pendingInvitations: counts!.pending, signup: await signup.rules() }
  }

  /** The users table's columns for each user (counts per user as subqueries: one query in all). */
  const USER_COLUMNS = `u.id, u.name, u.email, u.created_at AS "createdAt",
      (SELECT max(d.last_seen_at) FROM devices d WHERE d.user_id = u.id) AS "lastActiveAt",
      (SELECT count(*) FROM folders f WHERE f.owner_id = u.id)::int AS folders,
      (SELECT count(*) FROM items i JOIN folders f ON f.id = i.folder_id WHERE f.owner_id = u.id AND i.deleted_at IS NULL)::int AS items,
      (SELECT coalesce(sum(a.size), 0) FROM attachments a JOIN items i ON i.id = a.item_id JOIN folders f ON f.id = i.folder_id
         WHERE f.owner_id = u.id)::float8 AS "storageBytes",
      u.totp_secret_sealed IS NOT NULL AS "twoFactor", u.verified_at IS NOT NULL AS verified,
      u.disabled_at IS NOT NULL AS disabled, u.is_admin AS admin`

  type UserRowRaw = Omit<AdminUserRow, 'createdAt' | 'lastActiveAt'> & { createdAt: Date; lastActiveAt: Date | null; total?: number }
  const toRow = (r: UserRowRaw): AdminUserRow => ({
    id: r.id,
    name: r.name,
    email: r.email,
    createdAt: new Date(r.createdAt).toISOString(),
    lastActiveAt: r.lastActiveAt ? new Date(r.lastActiveAt).toISOString() : null,
    folders: r.folders,
    items: r.items,
    storageBytes: Number(r.storageBytes),
    twoFactor: r.twoFactor,
    verified: r.verified,
    disabled: r.disabled,
    admin: r.admin,
  })

  /** One page of the users table: search, sort and paging in one query. */
  async function listUsers(input: { q: string; sort: UserSort; page: number }): Promise<AdminUserPage> {
    const q = input.q.trim().slice(0, 200)
    const where = q ? `WHERE (u.name ILIKE :pattern OR u.email ILIKE :pattern)` : ''
    const page = Math.max(1, Math.min(input.page, 100_000))
    const rows = await sequelize.query<UserRowRaw>(
      `SELECT ${USER_COLUMNS}, count(*) OVER ()::int AS total
       FROM users u ${where}
       ORDER BY ${ORDER[input.sort]}
       LIMIT ${USERS_PER_PAGE} OFFSET :offset`,
      { replacements: { pattern: likePattern(q), offset: (page - 1) * USERS_PER_PAGE }, type: QueryTypes.SELECT },
    )
    const total = rows[0]?.total ?? (page > 1 ? await countUsers(q) : 0)
    return { rows: rows.map(toRow), q, sort: input.sort, page, pages: Math.max(1, Math.ceil(total / USERS_PER_PAGE)), total }
  }

  /** One user's row (their page on /admin/users/:id); NotFoundError for an unknown id. */
  async function getUser(rawId: unknown): Promise<AdminUserRow> {
    const [row] = await sequelize.query<UserRowRaw>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = :id`, {
      replacements: { id: requireId(rawId) },
      type: QueryTypes.SELECT,
    })
    if (!row) throw new NotFoundError('No such user.')
    return toRow(row)
  }

  /** A page past the end has no rows to carry the total. */
  async function countUsers(q: string) {
    const [row] = await sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users u ${q ? 'WHERE (u.name ILIKE :pattern OR u.email ILIKE :pattern)' : ''}`,
      { replacements: { pattern: likePattern(q) }, type: QueryTypes.SELECT },
    )
    return row!.n
  }

  /** An administrator may not lock themselves out through the table (another administrator can). */
  function notSelf(actor: AdminActor, userId: string, what: string) {
    if (actor.id === userId) throw new ValidationError({ _form: `You cannot ${what} your own account here.` })
  }

  /** Disables or enables an account; returns it (the route ends its sessions). */
  async function setDisabled(actor: AdminActor, rawId: unknown, disabled: boolean) {
    return sequelize.transaction(async (transaction) => {
      const user = await requireUser(rawId, transaction)
      if (disabled) notSelf(actor, user.id, 'disable')
      const changed = (user.disabledAt !== null) !== disabled
      if (changed) {
        await user.update({ disabledAt: disabled ? new Date() : null }, { transaction })
        await record(actor, disabled ? 'user.disable' : 'user.enable', user, undefined, transaction)
      }
      return { id: user.id, email: user.email, name: user.name, changed }
    })
  }

  /** For a user who lost both their authenticator and recovery code, after the operator checked who they are. */
  async function turnOffTwoFactor(actor: AdminActor, rawId: unknown) {
    return sequelize.transaction(async (transaction) => {
      const user = await requireUser(rawId, transaction)
      const wasOn = user.totpSecretSealed !== null
      if (wasOn) {
        await user.update({ totpSecretSealed: null, totpLastStep: null, totpEnabledAt: null }, { transaction })
        await record(actor, 'user.2fa_off', user, undefined, transaction)
      }
      return { id: user.id, email: user.email, name: user.name, wasOn }
    })
  }

  /** Records a logout-everywhere or a resent verification (the route does the work). */
  async function recordOn(actor: AdminActor, rawId: unknown, action: string) {
    const user = await requireUser(rawId)
    await record(actor, action, user)
    return user
  }

  /**
   * Deletes an account as its owner's deletion does, without its key: the folders it owns go (shared
   * ones for everyone), and every folder of someone else it belonged to is marked for re-keying:
   * the next member to open it rotates the key (as after an expired invitation, ADR 011).
   */
  async function deleteUser(actor: AdminActor, rawId: unknown) {
    return sequelize.transaction(async (transaction) => {
      const user = await requireUser(rawId, transaction)
      notSelf(actor, user.id, 'delete')
      const marked = await sequelize.query<{ id: string }>(
        `UPDATE folders f SET key_rotation_due_at = coalesce(f.key_rotation_due_at, now())
         WHERE f.owner_id <> :userId AND f.id IN (
           SELECT m.folder_id FROM folder_memberships m WHERE m.user_id = :userId AND m.sealed_key IS NOT NULL)
         RETURNING f.id`,
        { replacements: { userId: user.id }, type: QueryTypes.SELECT, transaction },
      )
      await record(actor, 'user.delete', user, `${user.name}; ${marked.length} shared folder(s) to re-key`, transaction)
      await models.User.destroy({ where: { id: user.id }, transaction })
      return { id: user.id, email: user.email, name: user.name, rekeyed: marked.length }
    })
  }

  async function log(rawPage: number): Promise<AdminLogPage> {
    const page = Math.max(1, rawPage)
    const { rows, count } = await models.AdminAction.findAndCountAll({ order: [['id', 'DESC']], limit: LOG_PER_PAGE, offset: (page - 1) * LOG_PER_PAGE })
    return {
      rows: rows.map((r) => ({
        id: String(r.id),
        at: r.createdAt.toISOString(),
        actor: r.actorEmail,
        action: r.action,
        target: r.targetEmail,
        detail: r.detail,
        ip: r.ip,
      })),
      page,
      pages: Math.max(1, Math.ceil(count / LOG_PER_PAGE)),
    }
  }

  /** The effective mail settings, secrets masked (/admin/mail). */
  function mailSettings(): MailSettings {
    const mail = deps.mail ?? { from: '', dir: '.data/mail' }
    return mail.smtpUrl ? { transport: 'smtp', target: maskUrl(mail.smtpUrl), from: mail.from } : { transport: 'files', target: mail.dir, from: mail.from }
  }

  return { mailSettings, record, applyAdminEmails, setRole, overview, listUsers, getUser, setDisabled, turnOffTwoFactor, recordOn, deleteUser, log, requireUser }
}
export type AdminService = ReturnType<typeof createAdminService>
