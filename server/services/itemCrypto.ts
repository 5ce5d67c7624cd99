// Item encryption (SPEC section 5) and what is derived from an item's fields: its strength score,
// host and safe link. Never logs item contents.
import * as crypto from '../lib/crypto.js'
import { scoreForUser } from './passwordStrength.js'
import { itemPasswordInputs, STRENGTH_MAX } from '../../shared/strengthInputs.js'
import { FIELD_KINDS, ITEM_TYPES, type CardData, type CustomField, type FieldKind, type IdentityData, type ItemFields, type ItemInput, type ItemType, type PasswordHistoryEntry, type SshKeyData } from '../../shared/contract.js'
import { EMPTY_CARD, EMPTY_IDENTITY, EMPTY_SSH } from '../../shared/itemTypes.js'

/**
 * What an item ciphertext holds: the five fields plus the zxcvbn score computed at write time, or
 * null while an imported password waits for its score ("not checked yet", ADR 024), and since
 * issue 23 (ADR 035) the type with its own data, further web addresses, custom fields and
 * password history. Items written before read as logins with none of those: no migration of
 * their ciphertexts (the plaintext carries a version, as ADR 004 keeps metadata).
 */
export interface ItemPlaintext extends ItemFields {
  type: ItemType
  totp: string
  rotateDays: number | null
  score: number | null
  /**
   * When the password last changed (ms since 1970), set by the writer when it differs from the
   * version before; null when not known (items written before issue 21: their creation counts).
   */
  passwordChangedAt: number | null
  moreUrls: string[]
  /** The type's own data: present for that type only. */
  card: CardData | null
  identity: IdentityData | null
  ssh: SshKeyData | null
  fields: CustomField[]
  passwordHistory: PasswordHistoryEntry[]
}

/** The plaintext layout version: 2 since issue 23 (types); none before. */
const PLAINTEXT_VERSION = 2
/** Bitwarden keeps the last 5 passwords; an import may bring more, kept up to this many. */
export const PASSWORD_HISTORY_MAX = 100

/** An item's password with what it is scored against besides itself (as the meter does). */
export const itemStrengthJob = (fields: ItemFields) => ({ password: fields.password, inputs: itemPasswordInputs(fields.name, fields.username) })

/** zxcvbn score of the item's password (0 for none), computed on the strength pool, paid from `userId`'s scoring budget. */
export async function scoreItem(fields: ItemFields, userId: string): Promise<number> {
  if (fields.password === '') return 0
  const { password, inputs } = itemStrengthJob(fields)
  return scoreForUser(password, inputs, userId)
}

/** What an item ciphertext stores, key by key (none left out, none added). */
const storedItem = (p: ItemPlaintext) => ({
  v: PLAINTEXT_VERSION,
  type: p.type,
  name: p.name,
  username: p.username,
  password: p.password,
  url: p.url,
  note: p.note,
  totp: p.totp,
  rotateDays: p.rotateDays,
  score: p.score,
  passwordChangedAt: p.passwordChangedAt,
  moreUrls: p.moreUrls,
  card: p.card,
  identity: p.identity,
  ssh: p.ssh,
  fields: p.fields,
  passwordHistory: p.passwordHistory,
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
 * The plaintext of an item with the writer's fields filled in: what the writer leaves out means
 * none; passwordChangedAt moves to `now` when the password differs from `before` (the version
 * being replaced; null for a new item), and the password replaced joins the password history.
 * Fields of another type than the item's are dropped: a card keeps no login password.
 */
export function itemPlaintext(fields: ItemInput, score: number | null, before: ItemPlaintext | null, now: Date = new Date()): ItemPlaintext {
  const type = fields.type ?? 'login'
  const login = type === 'login'
  const password = login ? fields.password : ''
  const passwordChangedAt = before && before.password === password ? before.passwordChangedAt : now.getTime()
  let passwordHistory = fields.passwordHistory ?? before?.passwordHistory ?? []
  if (before && before.password !== '' && before.password !== password && fields.passwordHistory === undefined) {
    passwordHistory = [{ password: before.password, lastUsed: now.getTime() }, ...passwordHistory].slice(0, PASSWORD_HISTORY_MAX)
  }
  return {
    type,
    name: fields.name,
    username: login ? fields.username : '',
    password,
    url: login ? fields.url : '',
    note: fields.note,
    totp: login ? (fields.totp ?? '') : '',
    rotateDays: login ? (fields.rotateDays ?? null) : null,
    score: login ? score : 0,
    passwordChangedAt,
    moreUrls: login ? (fields.moreUrls ?? []) : [],
    card: type === 'card' ? { ...EMPTY_CARD, ...fields.card } : null,
    identity: type === 'identity' ? { ...EMPTY_IDENTITY, ...fields.identity } : null,
    ssh: type === 'ssh' ? { ...EMPTY_SSH, ...fields.ssh } : null,
    fields: fields.fields ?? [],
    passwordHistory: login ? passwordHistory : [],
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
  const type = (ITEM_TYPES as readonly unknown[]).includes(v.type) ? (v.type as ItemType) : 'login'
  return {
    ...fields,
    type,
    totp: text(v.totp),
    rotateDays: positiveInt(v.rotateDays),
    score,
    passwordChangedAt: positiveInt(v.passwordChangedAt),
    moreUrls: Array.isArray(v.moreUrls) ? v.moreUrls.filter((u): u is string => typeof u === 'string') : [],
    card: type === 'card' ? textRecord(EMPTY_CARD, v.card) : null,
    identity: type === 'identity' ? textRecord(EMPTY_IDENTITY, v.identity) : null,
    ssh: type === 'ssh' ? textRecord(EMPTY_SSH, v.ssh) : null,
    fields: Array.isArray(v.fields) ? v.fields.flatMap(customField) : [],
    passwordHistory: Array.isArray(v.passwordHistory) ? v.passwordHistory.flatMap(historyEntry) : [],
  }
}

/** The keys of `empty` read from `value` as text ('' where missing): authenticated, checked anyway. */
function textRecord<T extends object>(empty: T, value: unknown): T {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  return Object.fromEntries(Object.keys(empty).map((k) => [k, text(v[k])])) as T
}
const customField = (f: unknown): CustomField[] => {
  if (!f || typeof f !== 'object') return []
  const { name, value, kind } = f as Record<string, unknown>
  return [{ name: text(name), value: text(value), kind: (FIELD_KINDS as readonly unknown[]).includes(kind) ? (kind as FieldKind) : 'text' }]
}
const historyEntry = (h: unknown): PasswordHistoryEntry[] => {
  if (!h || typeof h !== 'object') return []
  const { password, lastUsed } = h as Record<string, unknown>
  return typeof password === 'string' ? [{ password, lastUsed: typeof lastUsed === 'number' && Number.isFinite(lastUsed) ? lastUsed : 0 }] : []
}

export const isWeak = (item: ItemPlaintext) => item.type === 'login' && item.password !== '' && item.score !== null && item.score < 3
/** An imported password whose strength is not checked yet (ADR 024): neither weak nor strong. */
export const isUnscored = (item: ItemPlaintext) => item.type === 'login' && item.password !== '' && item.score === null

// Web addresses: shared with the pages, which link an item's every address (issue 23).
export { hostOf, safeHref } from '../../shared/webAddress.js'
