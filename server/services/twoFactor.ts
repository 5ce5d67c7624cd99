// Two-factor authentication (TOTP, RFC 6238; SPEC section 4). Knows nothing of Koa or Vue.
// The secret is stored only sealed under the user's vault key, which only a password login (or a
// logged-in session) holds open: a database dump alone reveals no secret. Each code is accepted
// once: the accepted time step is recorded and a code of that step or an earlier one is refused.
import * as OTPAuth from 'otpauth'
import QRCode from 'qrcode'
import { QueryTypes } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { ValidationError } from '../lib/errors.js'
import { openWithPassword } from './users.js'
import type { TwoFactorStatus } from '../../shared/contract.js'
import type { ServiceDeps, Viewer } from './types.js'

export const TOTP_ISSUER = 'NucleusID'
const PERIOD = 30
const DIGITS = 6
/** A code of the previous or next step is accepted too: clocks drift, people type slowly. */
const WINDOW = 1
const SECRET_BYTES = 20
/** 20 bytes in base32: 32 characters of A-Z and 2-7. */
const SECRET_PATTERN = /^[A-Z2-7]{32}$/

const WRONG_CODE = 'That code is not right. Enter the 6-digit code your authenticator app shows now.'

/** The user's text of a secret (spaces, lower case allowed) as base32, or null when it is not one. */
export function normalizeSecret(input: string): string | null {
  const secret = input.replace(/[\s-]+/g, '').toUpperCase()
  return SECRET_PATTERN.test(secret) ? secret : null
}

function totpOf(secret: OTPAuth.Secret, label: string) {
  return new OTPAuth.TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret })
}

/** The time step a code belongs to, or null when it matches none in the window. */
function acceptedStep(secret: OTPAuth.Secret, code: string, now = Date.now()): number | null {
  const totp = totpOf(secret, '')
  const delta = totp.validate({ token: code, window: WINDOW, timestamp: now })
  return delta === null ? null : totp.counter({ timestamp: now }) + delta
}

export function createTwoFactorService(deps: ServiceDeps) {
  const { models, sequelize } = deps

  async function userOf(userId: string) {
    const user = await models.User.findByPk(userId)
    if (!user) throw new ValidationError({ _form: 'Your account no longer exists.' })
    return user
  }

  /** What the settings page shows: on, or a fresh secret to set up (QR code as SVG, no JavaScript needed). */
  async function status(viewer: Viewer, opts: { secret?: string } = {}): Promise<TwoFactorStatus> {
    const user = await userOf(viewer.userId)
    if (user.totpSecretSealed) return { enabled: true, enabledAt: user.totpEnabledAt?.toISOString() ?? null, setup: null }
    // A re-rendered form (wrong code) keeps the secret the user has already scanned.
    const kept = opts.secret ? normalizeSecret(opts.secret) : null
    const secret = kept ? OTPAuth.Secret.fromBase32(kept) : new OTPAuth.Secret({ size: SECRET_BYTES })
    const otpauthUrl = totpOf(secret, user.email).toString()
    const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
    return { enabled: false, enabledAt: null, setup: { secret: secret.base32, otpauthUrl, qrSvg } }
  }

  /**
   * Turns two-factor on with the secret the user scanned, confirmed by a current code from it and
   * the master password (a stolen session must not lock the owner out). Null for a wrong password.
   */
  async function enable(viewer: Viewer, input: { secret: string; code: string; password: string }, now = Date.now()) {
    if (!(await openWithPassword(await userOf(viewer.userId), input.password))) return null
    const base32 = normalizeSecret(input.secret)
    if (!base32) throw new ValidationError({ code: 'The setup expired. Scan the new QR code and enter its code.' })
    const secret = OTPAuth.Secret.fromBase32(base32)
    const step = acceptedStep(secret, input.code, now)
    if (step === null) throw new ValidationError({ code: WRONG_CODE })
    const sealed = crypto.seal(viewer.vaultKey, Buffer.from(secret.bytes), crypto.totpSecretAad(viewer.userId))
    // Only while it is off: two tabs enabling at once leave the first secret in force.
    const [count] = await models.User.update(
      { totpSecretSealed: sealed, totpLastStep: step, totpEnabledAt: new Date(now) },
      { where: { id: viewer.userId, totpSecretSealed: null } },
    )
    if (count === 0) throw new ValidationError({ code: 'Two-factor authentication is already on.' })
    return userOf(viewer.userId)
  }

  /**
   * Turns two-factor off; needs the master password (null when wrong). When it is already off the
   * password is not checked at all: the form is no way to test guesses.
   */
  async function disable(viewer: Viewer, input: { password: string }) {
    const user = await userOf(viewer.userId)
    if (!user.totpSecretSealed) return { user, wasEnabled: false }
    if (!(await openWithPassword(user, input.password))) return null
    await user.update({ totpSecretSealed: null, totpLastStep: null, totpEnabledAt: null })
    return { user, wasEnabled: true }
  }

  /**
   * The second step of a login: true when `code` is a current code of the user's secret that was
   * not accepted before. The step is recorded in the same statement that checks it is newer, so
   * two parallel submissions of one code cannot both pass.
   */
  async function verifyLogin(userId: string, vaultKey: Buffer, code: string, now = Date.now()): Promise<boolean> {
    const user = await models.User.findByPk(userId, { attributes: ['id', 'totpSecretSealed'] })
    if (!user?.totpSecretSealed) return false
    let bytes: Buffer
    try {
      bytes = crypto.open(vaultKey, user.totpSecretSealed, crypto.totpSecretAad(userId))
    } catch {
      return false
    }
    const step = acceptedStep(new OTPAuth.Secret({ buffer: new Uint8Array(bytes).buffer }), code, now)
    if (step === null) return false
    const rows = await sequelize.query(
      `UPDATE users SET totp_last_step = :step, updated_at = now()
        WHERE id = :userId AND totp_secret_sealed IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < :step)
        RETURNING id`,
      { replacements: { step, userId }, type: QueryTypes.SELECT },
    )
    return rows.length === 1
  }

  return { status, enable, disable, verifyLogin }
}
export type TwoFactorService = ReturnType<typeof createTwoFactorService>
