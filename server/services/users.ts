// Accounts: registration, password login, email verification. Knows nothing of Koa or Vue.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { ValidationError } from '../lib/errors.js'
import type { Models, User } from '../../models/index.js'
import type { SessionUser } from '../../shared/user.js'
import { isWeakPassword } from './passwordStrength.js'
import { createFolderRecord } from './folders.js'
import { toId } from '../../schemas/vault.js'
import { isTimeZone } from '../../shared/formatDate.js'

export const VERIFY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000
export const PERSONAL_FOLDER_NAME = 'Personal'

export interface UsersDeps {
  sequelize: Sequelize
  models: Models
  kdf: crypto.KdfParams
  /** HMAC key for stateless email-verification tokens. */
  tokenKeys: Buffer[]
}

/** What a session caches about a user (server/session/). */
export const toSessionUser = (u: User): SessionUser => ({
  id: u.id,
  name: u.name,
  email: u.email,
  verified: u.verifiedAt !== null,
  theme: u.theme,
  timeZone: u.timeZone,
  admin: u.isAdmin,
  twoFactor: u.totpSecretSealed !== null,
})

// A fixed salt and hash for unknown emails, so a login for a missing account costs the same
// scrypt work as a real one and the answer time does not reveal which emails exist.
const DECOY_SALT = Buffer.alloc(16, 7)

/** The columns a master password writes: its KDF salt and cost, auth hash and the vault key wrapped by it. */
export async function passwordColumns(password: string, vaultKey: Buffer, kdf: crypto.KdfParams) {
  const kdfSalt = crypto.newSalt()
  const { authKey, wrapKey } = await crypto.deriveMasterKeys(password, kdfSalt, kdf)
  return {
    kdfSalt,
    kdfLogN: kdf.logN,
    kdfR: kdf.r,
    kdfP: kdf.p,
    authHash: crypto.hashAuthKey(authKey),
    vaultKeyByPassword: crypto.seal(wrapKey, vaultKey, crypto.vaultKeyAad('password')),
  }
}

/** A fresh recovery code and the vault key wrapped by it (the old code stops opening anything). */
export function recoveryColumns(vaultKey: Buffer) {
  const recoveryCode = crypto.generateRecoveryCode()
  const recoverySalt = crypto.newSalt()
  return {
    recoveryCode,
    columns: {
      recoverySalt,
      vaultKeyByRecovery: crypto.seal(crypto.deriveRecoveryKey(recoveryCode, recoverySalt), vaultKey, crypto.vaultKeyAad('recovery')),
    },
  }
}

/** The vault key when `password` is the user's master password, else null (constant-time check). */
export async function openWithPassword(user: User, password: string): Promise<Buffer | null> {
  const { authKey, wrapKey } = await crypto.deriveMasterKeys(password, user.kdfSalt, { logN: user.kdfLogN, r: user.kdfR, p: user.kdfP })
  if (!crypto.verifyAuthKey(authKey, user.authHash)) return null
  return crypto.open(wrapKey, user.vaultKeyByPassword, crypto.vaultKeyAad('password'))
}

/** What a disabled account is told at login and recovery, once its password or code was right. */
export const ACCOUNT_DISABLED = 'This account is disabled. Ask the administrator of this server to enable it.'

export const WEAK_PASSWORD = 'This password is too easy to guess. Use a longer passphrase of several unrelated words.'

export function createUsersService(deps: UsersDeps) {
  const { sequelize, models } = deps

  /**
   * Wraps the vault key for a (new) master password and a fresh recovery code: the columns that
   * registration writes and that recovery (later: password change) rewrites. O(1) in items.
   */
  async function wrapVaultKey(password: string, vaultKey: Buffer) {
    const { recoveryCode, columns: recovery } = recoveryColumns(vaultKey)
    return { recoveryCode, columns: { ...(await passwordColumns(password, vaultKey, deps.kdf)), ...recovery } }
  }

  /**
   * `claim` runs inside the account's transaction (an invitation spent: services/signup.ts); it
   * throws to undo the account. `admin`: the address is in ADMIN_EMAILS.
   */
  async function register(
    input: { name: string; email: string; password: string },
    opts: { claim?: (user: User, transaction: Transaction) => Promise<void>; admin?: boolean } = {},
  ) {
    const email = input.email.toLowerCase()
    if (await isWeakPassword(input.password, [input.name, email, 'nucleusid'])) {
      throw new ValidationError({
        password: 'This password is too easy to guess. Use a longer passphrase of several unrelated words.',
      })
    }
    if (await models.User.findOne({ where: sequelize.where(sequelize.fn('lower', sequelize.col('email')), email) })) {
      throw new ValidationError({ email: 'An account with this email already exists. Log in instead.' })
    }

    const vaultKey = crypto.randomKey()
    const { recoveryCode, columns } = await wrapVaultKey(input.password, vaultKey)
    const keyPair = crypto.generateUserKeyPair()

    try {
      const user = await sequelize.transaction(async (transaction) => {
        const created = await models.User.create(
          {
            id: randomUUID(),
            name: input.name,
            email,
            verifiedAt: null,
            isAdmin: !!opts.admin,
            ...columns,
            publicKey: keyPair.publicKey,
            privateKeyWrapped: crypto.seal(vaultKey, keyPair.privateKey, crypto.privateKeyAad()),
          },
          { transaction },
        )
        await createFolderRecord(models, created, PERSONAL_FOLDER_NAME, { personal: true, transaction })
        await opts.claim?.(created, transaction)
        return created
      })
      return { user, vaultKey, recoveryCode }
    } catch (e) {
      // Two registrations racing for one email: the unique index decides.
      if (e instanceof UniqueConstraintError) {
        throw new ValidationError({ email: 'An account with this email already exists. Log in instead.' })
      }
      throw e
    }
  }

  /** Returns the user and their unwrapped vault key, or null for a wrong email or password. */
  const byEmail = (emailInput: string) => models.User.findOne({ where: sequelize.where(sequelize.fn('lower', sequelize.col('email')), emailInput.toLowerCase()) })

  /**
   * A login's check: the account (null for an unknown email) and the vault key (null for a wrong
   * password). An unknown email costs the same scrypt work. The account of a wrong password is for
   * its owner's activity log; the login page answers both alike.
   */
  async function checkPassword(emailInput: string, password: string): Promise<{ user: User | null; vaultKey: Buffer | null }> {
    const user = await byEmail(emailInput)
    if (!user) {
      await crypto.deriveMasterKeys(password, DECOY_SALT, deps.kdf)
      return { user: null, vaultKey: null }
    }
    return { user, vaultKey: await openWithPassword(user, password) }
  }

  async function authenticate(emailInput: string, password: string) {
    const { user, vaultKey } = await checkPassword(emailInput, password)
    return user && vaultKey ? { user, vaultKey } : null
  }

  /**
   * Recovery with the one-time code: re-wraps the (unchanged) vault key under the new password
   * and issues a new recovery code, since the old one has now been typed somewhere. O(1): no
   * item is re-encrypted. Returns null for a wrong email or code.
   */
  async function recover(input: { email: string; recoveryCode: string; newPassword: string }) {
    const email = input.email.toLowerCase()
    const user = await models.User.findOne({ where: sequelize.where(sequelize.fn('lower', sequelize.col('email')), email) })
    if (!user) return null
    let vaultKey: Buffer
    try {
      vaultKey = crypto.open(
        crypto.deriveRecoveryKey(input.recoveryCode, user.recoverySalt),
        user.vaultKeyByRecovery,
        crypto.vaultKeyAad('recovery'),
      )
    } catch {
      return null
    }
    if (user.disabledAt) throw new ValidationError({ recovery_code: ACCOUNT_DISABLED }, ACCOUNT_DISABLED)
    if (await isWeakPassword(input.newPassword, [user.name, user.email, 'nucleusid'])) {
      throw new ValidationError({
        new_password: 'This password is too easy to guess. Use a longer passphrase of several unrelated words.',
      })
    }
    const { recoveryCode, columns } = await wrapVaultKey(input.newPassword, vaultKey)
    // SPEC 4: the recovery code also disables two-factor (the authenticator may be what was lost).
    const twoFactorDisabled = user.totpSecretSealed !== null
    await user.update({ ...columns, totpSecretSealed: null, totpLastStep: null, totpEnabledAt: null })
    return { user, vaultKey, recoveryCode, twoFactorDisabled }
  }

  function verificationToken(user: { id: string; email: string }, now = Date.now()): string {
    const expires = now + VERIFY_TOKEN_TTL_MS
    return `${user.id}.${expires}.${sign(user.id, user.email, expires)}`
  }

  function sign(id: string, email: string, expires: number, key = deps.tokenKeys[0]!) {
    // Binding the email means a token stops working if the address changes.
    return createHmac('sha256', key).update(`verify:${id}:${email}:${expires}`).digest('base64url')
  }

  /**
   * Marks the email verified; returns the user, or null for an invalid or expired token. A token
   * for the user's pending address (an email change from settings) makes it the email: only then
   * does the old address stop being the account's.
   */
  async function verifyEmail(token: string, now = Date.now()): Promise<(User & { changedFrom?: string }) | null> {
    const [rawId, expiresRaw, mac, ...rest] = token.split('.')
    const expires = Number(expiresRaw)
    // Each part's shape before any query: PostgreSQL refuses a malformed UUID with an error (a 500).
    const id = toId(rawId)
    if (!id || !mac || rest.length > 0 || !/^[\w-]{43}$/.test(mac) || !/^\d{1,16}$/.test(expiresRaw ?? '')) return null
    if (!Number.isSafeInteger(expires) || expires < now) return null
    const user = await models.User.findByPk(id)
    if (!user) return null
    const given = Buffer.from(mac)
    const signedFor = (email: string) =>
      deps.tokenKeys.some((key) => {
        const expected = Buffer.from(sign(user.id, email, expires, key))
        return expected.length === given.length && timingSafeEqual(expected, given)
      })
    if (signedFor(user.email)) {
      if (!user.verifiedAt) await user.update({ verifiedAt: new Date(now) })
      return user
    }
    if (!user.pendingEmail || !signedFor(user.pendingEmail)) return null
    const changedFrom = user.email
    try {
      await user.update({ email: user.pendingEmail, pendingEmail: null, verifiedAt: new Date(now) })
    } catch (e) {
      // Someone registered that address in the meantime: the unique index decides.
      if (e instanceof UniqueConstraintError) return null
      throw e
    }
    // An email change: the old address is told (routes/auth.ts).
    return Object.assign(user, { changedFrom })
  }

  /**
   * Undoes a registration whose later steps (session, device) failed before the user saw their
   * recovery code: the account would otherwise exist with a code nobody has, and registering
   * again would say "email taken". Folders, memberships and devices go with it (ON DELETE CASCADE).
   */
  async function discardRegistration(userId: string) {
    await models.User.destroy({ where: { id: userId } })
  }

  /**
   * The user's time zone (an IANA name, shared/formatDate.ts isTimeZone; anything else is refused
   * with a message). The caller mirrors it into the sessions (updateSessionUser).
   */
  async function setTimeZone(userId: string, zone: unknown): Promise<string> {
    if (!isTimeZone(zone)) throw new ValidationError({ time_zone: 'Choose a time zone from the list.' }, 'Choose a time zone from the list.')
    await models.User.update({ timeZone: zone }, { where: { id: userId } })
    return zone
  }

  /** Whether the account is disabled now (re-checked once a login's session exists: a disable racing with it wins). */
  async function isDisabled(userId: string) {
    const row = await models.User.findByPk(userId, { attributes: ['disabledAt'] })
    return !row || row.disabledAt !== null
  }

  return { register, discardRegistration, isDisabled, authenticate, checkPassword, byEmail, setTimeZone, recover, verificationToken, verifyEmail, findById: (id: string) => models.User.findByPk(id) }
}
export type UsersService = ReturnType<typeof createUsersService>
