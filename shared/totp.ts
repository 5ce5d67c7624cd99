// Authenticator keys of items (issue 21, ADR 030): a base32 secret or an otpauth://totp/ URI,
// read with the otpauth library. Server only in practice (the schema and the services use it);
// no browser bundle imports this file.
import * as OTPAuth from 'otpauth'

export const TOTP_KEY_MESSAGE =
  'Enter the key as a base32 secret (letters A–Z and digits 2–7, at least 16) or an otpauth://totp/ link from the site.'
const ALGORITHMS = new Set(['SHA1', 'SHA256', 'SHA512'])
/** 80 bits: the shortest secret sites hand out (RFC 4226 asks for 128, many give 80). */
const MIN_SECRET_BYTES = 10
const MAX_SECRET_BYTES = 256

/** Reads a key as typed (spaces, hyphens, lower case, '=' padding tolerated); null when it is not one. */
export function parseTotpKey(raw: string): { totp: OTPAuth.TOTP; stored: string } | null {
  const text = raw.trim()
  if (text === '') return null
  if (/^otpauth:/i.test(text)) {
    let parsed: OTPAuth.HOTP | OTPAuth.TOTP
    try {
      parsed = OTPAuth.URI.parse(text)
    } catch {
      return null
    }
    if (!(parsed instanceof OTPAuth.TOTP)) return null // HOTP (counter-based) codes are not shown
    const bytes = parsed.secret.bytes.length
    if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) return null
    if (!ALGORITHMS.has(parsed.algorithm) || parsed.digits < 6 || parsed.digits > 8) return null
    if (!Number.isInteger(parsed.period) || parsed.period < 1 || parsed.period > 3600) return null
    return { totp: parsed, stored: parsed.toString() }
  }
  const secret = text.replace(/[\s-]+/g, '').replace(/=+$/, '').toUpperCase()
  if (!/^[A-Z2-7]+$/.test(secret)) return null
  let bytes: OTPAuth.Secret
  try {
    bytes = OTPAuth.Secret.fromBase32(secret)
  } catch {
    return null
  }
  if (bytes.bytes.length < MIN_SECRET_BYTES || bytes.bytes.length > MAX_SECRET_BYTES) return null
  return { totp: new OTPAuth.TOTP({ secret: bytes, algorithm: 'SHA1', digits: 6, period: 30 }), stored: secret }
}

export interface TotpCode {
  code: string
  /** Seconds until the next code (1..period). */
  secondsLeft: number
  period: number
}

/** The code a stored key gives at `now`, or null when the key is not readable (never throws). */
export function totpCode(stored: string, now: number = Date.now()): TotpCode | null {
  const parsed = stored ? parseTotpKey(stored) : null
  if (!parsed) return null
  const { totp } = parsed
  const secondsLeft = Math.ceil(OTPAuth.TOTP.remaining({ period: totp.period, timestamp: now }) / 1000)
  return { code: totp.generate({ timestamp: now }), secondsLeft: Math.max(1, secondsLeft), period: totp.period }
}
