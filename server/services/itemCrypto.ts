// Item encryption (SPEC section 5) and what is derived from an item's fields: its strength score,
// host and safe link. Never logs item contents.
import * as crypto from '../lib/crypto.js'
import { scoreForUser } from './passwordStrength.js'
import { itemPasswordInputs, STRENGTH_MAX } from '../../shared/strengthInputs.js'
import type { ItemFields, ItemInput } from '../../shared/contract.js'

/**
 * What an item ciphertext holds: the five fields plus the zxcvbn score computed at write time, or
 * null while an imported password waits for its score ("not checked yet", ADR 024).
 */
export interface ItemPlaintext extends ItemFields {
  totp: string
  rotateDays: number | null
  score: number | null
  /**
   * When the password last changed (ms since 1970), set by the writer when it differs from the
   * version before; null when not known (items written before issue 21: their creation counts).
   */
  passwordChangedAt: number | null
}

/** An item's password with what it is scored against besides itself (as the meter does). */
export const itemStrengthJob = (fields: ItemFields) => ({ password: fields.password, inputs: itemPasswordInputs(fields.name, fields.username) })

/** zxcvbn score of the item's password (0 for none), computed on the strength pool, paid from `userId`'s scoring budget. */
export async function scoreItem(fields: ItemFields, userId: string): Promise<number> {
  if (fields.password === '') return 0
  const { password, inputs } = itemStrengthJob(fields)
  return scoreForUser(password, inputs, userId)
}

/** What an item ciphertext stores, key by key (none left out, none added). */
const storedItem = ({ name, username, password, url, note, totp, rotateDays, score, passwordChangedAt }: ItemPlaintext) => ({
  name,
  username,
  password,
  url,
  note,
  totp,
  rotateDays,
  score,
  passwordChangedAt,
})

export function encryptItem(folderKey: Buffer, itemId: string, folderId: string, plaintext: ItemPlaintext): Buffer {
  return crypto.encryptJson(folderKey, storedItem(plaintext), crypto.itemAad(itemId, folderId))
}

/** An earlier version of an item (history, issue 21): the same plaintext, bound to its version row. */
export function encryptItemVersion(folderKey: Buffer, versionId: string, itemId: string, folderId: string, plaintext: ItemPlaintext): Buffer {
  return crypto.encryptJson(folderKey, storedItem(plaintext), crypto.itemVersionAad(versionId, itemId, folderId))
}

/** An item version, or null when it cannot be decrypted (tampered, copied, wrong key). */
export function decryptItemVersion(folderKey: Buffer | null, versionId: string, itemId: string, folderId: string, ciphertext: Buffer): ItemPlaintext | null {
  return openPlaintext(folderKey, ciphertext, crypto.itemVersionAad(versionId, itemId, folderId))
}

/**
 * The plaintext of an item with the writer's fields filled in: the authenticator key and rotation
 * period default to none, and passwordChangedAt moves to `now` when the password differs from
 * `before` (the version being replaced; null for a new item).
 */
export function itemPlaintext(fields: ItemInput, score: number | null, before: ItemPlaintext | null, now: Date = new Date()): ItemPlaintext {
  const passwordChangedAt = before && before.password === fields.password ? before.passwordChangedAt : now.getTime()
  return {
    name: fields.name,
    username: fields.username,
    password: fields.password,
    url: fields.url,
    note: fields.note,
    totp: fields.totp ?? '',
    rotateDays: fields.rotateDays ?? null,
    score,
    passwordChangedAt,
  }
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')
const positiveInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null)

/** Decrypts an item, or returns null when it cannot be (tampered, copied from another row, wrong key). */
export function decryptItem(folderKey: Buffer | null, itemId: string, folderId: string, ciphertext: Buffer): ItemPlaintext | null {
  return openPlaintext(folderKey, ciphertext, crypto.itemAad(itemId, folderId))
}

function openPlaintext(folderKey: Buffer | null, ciphertext: Buffer, aad: Buffer): ItemPlaintext | null {
  if (!folderKey) return null
  let value: unknown
  try {
    value = crypto.decryptJson<unknown>(folderKey, ciphertext, aad)
  } catch (e) {
    if (e instanceof crypto.DecryptionError) return null
    throw e
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null
  const v = value as Record<string, unknown>
  const fields = { name: text(v.name), username: text(v.username), password: text(v.password), url: text(v.url), note: text(v.note) }
  // Every writer stores the score, or null for an imported password not scored yet (ADR 024). One
  // that is missing or invalid counts as weak: the user is asked to look.
  const score =
    v.score === null && fields.password !== ''
      ? null
      : typeof v.score === 'number' && Number.isInteger(v.score) && v.score >= 0 && v.score <= STRENGTH_MAX
        ? v.score
        : 0
  return { ...fields, totp: text(v.totp), rotateDays: positiveInt(v.rotateDays), score, passwordChangedAt: positiveInt(v.passwordChangedAt) }
}

export const isWeak = (item: ItemPlaintext) => item.password !== '' && item.score !== null && item.score < 3
/** An imported password whose strength is not checked yet (ADR 024): neither weak nor strong. */
export const isUnscored = (item: ItemPlaintext) => item.password !== '' && item.score === null

/** The host name of a URL as typed ("example.com/login" counts as https), or ''. */
export function hostOf(url: string): string {
  const u = parseUrl(url)
  return u ? u.hostname : ''
}

/** A link that is safe to put in an href: http(s) only, never javascript: or data:. */
export function safeHref(url: string): string | null {
  const u = parseUrl(url)
  return u && (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' ? u.href : null
}

function parseUrl(raw: string): URL | null {
  const url = raw.trim()
  if (url === '') return null
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^(mailto|tel|sms|javascript|vbscript|data|blob|about|file):/i.test(url) ? url : `https://${url}`
  try {
    return new URL(candidate)
  } catch {
    return null
  }
}
