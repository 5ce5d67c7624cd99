// Who may create an account (issue 24, ADR 036): the sign-up policy (open, invitation only, closed)
// with an optional list of allowed email domains, and administrators' sign-up invitations. The one
// place /register, the admin pages and sharing ask. Knows nothing of Koa or Vue.
//
// The policy is one row in PostgreSQL (NULL columns: the environment's defaults), read at each
// registration: a change made on one replica is in force on every replica at once. An invitation
// link carries a random token of which only the SHA-256 is stored; it is spent in the same
// transaction that creates the account, so two registrations racing with one link make one account.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { Op, type Transaction } from 'sequelize'
import { AppError, NotFoundError, ValidationError } from '../lib/errors.js'
import { requireId } from './access.js'
import type { Models } from '../../models/index.js'
import type { SignupPolicy } from '../../models/InstanceSettings.js'
import type { SignupInvitationRow, SignupInvitationView, SignupRules } from '../../shared/admin.js'

export interface SignupDeps {
  models: Models
  signup: { policy: SignupPolicy; domains: string[]; inviteTtlMs: number }
}

export const SIGNUP_CLOSED = 'Sign-up is closed on this server. Ask its administrator for an account.'
export const SIGNUP_NEEDS_INVITATION = 'Sign-up on this server is by invitation only. Ask its administrator to invite you, then open the link in the email.'
export const INVITATION_GONE = 'This invitation link has already been used, has expired or was withdrawn. Ask the administrator for a new one.'

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest()
/** A token's shape before any query: 32 random bytes in base64url. */
const isToken = (raw: unknown): raw is string => typeof raw === 'string' && /^[\w-]{43}$/.test(raw)

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** The domains an administrator typed (one per line, or commas), normalised; ValidationError for a bad one. */
export function parseDomains(raw: string): string[] {
  const domains = raw
    .split(/[\s,;]+/)
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean)
  const bad = domains.find((d) => !DOMAIN.test(d))
  if (bad) throw new ValidationError({ signup_domains: `"${bad.slice(0, 80)}" is not a domain name. Write one per line, like example.com.` })
  if (domains.length > 200) throw new ValidationError({ signup_domains: 'At most 200 domains.' })
  return [...new Set(domains)]
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase()

export function createSignupService(deps: SignupDeps) {
  const { models } = deps

  async function rules(): Promise<SignupRules> {
    const row = await models.InstanceSettings.findByPk(1)
    return {
      policy: row?.signupPolicy ?? deps.signup.policy,
      domains: row?.signupDomains != null ? row.signupDomains.split('\n').filter(Boolean) : deps.signup.domains,
      policySource: row?.signupPolicy ? 'admin' : 'env',
      domainsSource: row?.signupDomains != null ? 'admin' : 'env',
    }
  }

  /** Sets the policy and domains (an administrator, on /admin/settings); returns what changed, for the log. */
  async function update(input: { policy: SignupPolicy; domains: string[] }, by: string) {
    const before = await rules()
    await models.InstanceSettings.upsert({ id: 1, signupPolicy: input.policy, signupDomains: input.domains.join('\n'), updatedBy: by })
    const changes: string[] = []
    if (before.policy !== input.policy) changes.push(`policy ${before.policy} -> ${input.policy}`)
    if (before.domains.join(',') !== input.domains.join(',')) changes.push(`domains: ${input.domains.join(', ') || 'any'}`)
    return changes
  }

  /** A pending invitation by its link's token, or null (unknown, used, revoked, expired, malformed). */
  async function pendingByToken(token: unknown, transaction?: Transaction) {
    if (!isToken(token)) return null
    return models.SignupInvitation.findOne({
      where: { tokenHash: hashToken(token), usedAt: null, revokedAt: null, expiresAt: { [Op.gt]: new Date() } },
      transaction,
    })
  }

  /** What /register?invite= shows: the fixed address, or that the link is spent. */
  async function invitationView(token: unknown): Promise<SignupInvitationView> {
    const inv = await pendingByToken(token)
    return inv ? { valid: true, email: inv.email } : { valid: false, email: null }
  }

  /**
   * Whether this registration may go ahead, before any password is scored: the address (fixed by
   * an invitation when there is one) and the invitation to spend, or a refusal. The invitation is
   * spent by claimInvitation, in the transaction that creates the account.
   */
  async function checkRegistration(input: { email: string; invite?: unknown }): Promise<{ email: string; invitationId: string | null }> {
    const current = await rules()
    if (current.policy === 'closed') throw new AppError(403, SIGNUP_CLOSED)
    if (input.invite !== undefined && input.invite !== '') {
      const inv = await pendingByToken(input.invite)
      if (!inv) throw new ValidationError({ email: INVITATION_GONE }, INVITATION_GONE)
      // The invited address, whatever the form said: the link was sent to it.
      return { email: inv.email, invitationId: inv.id }
    }
    if (current.policy === 'invite') throw new AppError(403, SIGNUP_NEEDS_INVITATION)
    if (current.domains.length && !current.domains.includes(domainOf(input.email))) {
      const list = current.domains.length === 1 ? current.domains[0] : `${current.domains.slice(0, -1).join(', ')} or ${current.domains.at(-1)}`
      throw new ValidationError({ email: `Only addresses at ${list} can sign up on this server.` })
    }
    return { email: input.email, invitationId: null }
  }

  /** Spends the invitation inside the account's transaction; ValidationError when it was spent meanwhile. */
  async function claimInvitation(invitationId: string, userId: string, transaction: Transaction) {
    const [count] = await models.SignupInvitation.update(
      { usedAt: new Date(), usedBy: userId },
      { where: { id: invitationId, usedAt: null, revokedAt: null, expiresAt: { [Op.gt]: new Date() } }, transaction },
    )
    if (count !== 1) throw new ValidationError({ email: INVITATION_GONE }, INVITATION_GONE)
  }

  const newLink = () => {
    const token = randomBytes(32).toString('base64url')
    return { token, tokenHash: hashToken(token) }
  }

  /**
   * Invites each address (an administrator). An address that already has an account, or a pending
   * invitation, is skipped with the reason. Returns the tokens to mail (only the caller sees them).
   */
  async function invite(emails: string[], by: string) {
    const current = await rules()
    if (current.policy === 'closed') {
      throw new ValidationError({ emails: 'Sign-up is closed, so an invitation could not be used. Choose "Invitation only" or "Open" under Sign-up first.' })
    }
    const unique = [...new Set(emails.map((e) => e.toLowerCase()))]
    const existing = new Set(
      (await models.User.findAll({ attributes: ['email'], where: { email: { [Op.in]: unique } } })).map((u) => u.email.toLowerCase()),
    )
    const pending = new Set(
      (
        await models.SignupInvitation.findAll({
          attributes: ['email'],
          where: { email: { [Op.in]: unique }, usedAt: null, revokedAt: null, expiresAt: { [Op.gt]: new Date() } },
        })
      ).map((i) => i.email),
    )
    const created: { id: string; email: string; token: string; expiresAt: Date }[] = []
    const skipped: { email: string; reason: string }[] = []
    for (const email of unique) {
      if (existing.has(email)) skipped.push({ email, reason: 'already has an account' })
      else if (pending.has(email)) skipped.push({ email, reason: 'already invited (use Resend)' })
      else {
        const { token, tokenHash } = newLink()
        const now = new Date()
        const expiresAt = new Date(now.getTime() + deps.signup.inviteTtlMs)
        const row = await models.SignupInvitation.create({ id: randomUUID(), email, tokenHash, invitedBy: by, expiresAt, sentAt: now })
        created.push({ id: row.id, email, token, expiresAt })
      }
    }
    return { created, skipped }
  }

  /** A new link (the old one stops working) and a new expiry for an invitation not yet used or revoked. */
  async function resend(rawId: unknown) {
    const id = requireId(rawId)
    const { token, tokenHash } = newLink()
    const now = new Date()
    const expiresAt = new Date(now.getTime() + deps.signup.inviteTtlMs)
    const [count, rows] = await models.SignupInvitation.update(
      { tokenHash, expiresAt, sentAt: now },
      { where: { id, usedAt: null, revokedAt: null }, returning: true },
    )
    if (count !== 1) throw new NotFoundError('This invitation was used or withdrawn already.')
    return { email: rows[0]!.email, token, expiresAt }
  }

  async function revoke(rawId: unknown) {
    const id = requireId(rawId)
    const [count, rows] = await models.SignupInvitation.update({ revokedAt: new Date() }, { where: { id, usedAt: null, revokedAt: null }, returning: true })
    if (count !== 1) throw new NotFoundError('This invitation was used or withdrawn already.')
    return { email: rows[0]!.email }
  }

  /** Every invitation of the last 90 days, newest first, with its state; one query. */
  async function listInvitations(): Promise<SignupInvitationRow[]> {
    const rows = await models.SignupInvitation.findAll({
      where: { createdAt: { [Op.gt]: new Date(Date.now() - 90 * 24 * 3600_000) } },
      include: [{ model: models.User, as: 'inviter', attributes: ['email'] }],
      order: [['createdAt', 'DESC']],
      limit: 500,
    })
    const now = Date.now()
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      invitedBy: (r as unknown as { inviter: { email: string } | null }).inviter?.email ?? null,
      sentAt: r.sentAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      status: r.usedAt ? 'used' : r.revokedAt ? 'revoked' : r.expiresAt.getTime() <= now ? 'expired' : 'pending',
    }))
  }

  return { rules, update, invitationView, checkRegistration, claimInvitation, invite, resend, revoke, listInvitations }
}
export type SignupService = ReturnType<typeof createSignupService>
