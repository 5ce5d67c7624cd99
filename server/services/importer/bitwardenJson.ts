// Reading Bitwarden's unencrypted JSON export (issue 23, ADR 034): folders, every type (login,
// secure note, card, identity, SSH key), custom fields, several URIs, favourites, authenticator
// keys and password history. The layout is server/services/bitwardenJson.ts's. The file is the
// attacker's text and runs on the import worker thread (readFile.ts): nothing here trusts a type,
// and anything malformed becomes a message (ValidationError on the file, 422) or a skipped item,
// never an exception of another kind. What has no place here (a passkey, a linked field, a URI's
// match setting) goes into the note or is said in the ADR; nothing is dropped silently.
import { ValidationError } from '../../lib/errors.js'
import type { CardData, CustomField, IdentityData, ItemInput, PasswordHistoryEntry, SshKeyData } from '../../../shared/contract.js'
import { EMPTY_CARD, EMPTY_IDENTITY, EMPTY_SSH } from '../../../shared/itemTypes.js'
import { CARD_KEYS, FIELD_KIND_OF_BW, IDENTITY_KEYS, LINKED_NAMES, SSH_KEYS, TYPE_OF_BW } from '../bitwardenJson.js'
import { hostOf } from '../itemCrypto.js'
import { MAX_IMPORT_ROWS } from './formats.js'

/** An item of the file, mapped (its values not yet checked against the limits: readFile.ts does). */
export type JsonRow =
  | { line: number; kind: 'item'; folder: string | null; favourite: boolean; passkeys: number; fields: ItemInput & Required<Omit<ItemInput, 'rotateDays'>> }
  | { line: number; kind: 'skip'; name: string; reason: string }

const fileError = (message: string) => new ValidationError({ file: message }, message)

/** A file whose first character (after a BOM and white space) opens a JSON object. */
export function looksLikeJson(text: string): boolean {
  const start = text.replace(/^\uFEFF/, '').trimStart()
  return start.startsWith('{') || start.startsWith('[')
}

type Obj = Record<string, unknown>
/** An item's name as the result page lists a skipped one: one line, at most 200 characters. */
export const shownName = (name: string) => name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 200)
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A value Bitwarden writes as a string or null; anything else is malformed (null here). */
class BadValue extends Error {}
function str(v: unknown, what: string, numbers = false): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  // Bitwarden's own files hold strings; a card's number-like field written as a number (an
  // expiry month by another tool) reads as its digits.
  if (numbers && typeof v === 'number' && Number.isSafeInteger(v)) return String(v)
  throw new BadValue(`its ${what} is not text`)
}
function textRecord<T extends object>(empty: T, keys: Record<keyof T, string>, v: unknown, what: string): T {
  if (v === null || v === undefined) return { ...empty }
  if (!isObj(v)) throw new BadValue(`its ${what} is not an object`)
  const out = { ...empty } as Record<keyof T, string>
  for (const k of Object.keys(keys) as (keyof T)[]) out[k] = str(v[keys[k]], `${what} ${keys[k]}`, what === 'card')
  return out as T
}

/**
 * Parses a Bitwarden JSON export. ValidationError on the file for what makes the whole file
 * unreadable (not JSON, encrypted, not Bitwarden's layout, too many items); an item that is
 * malformed, in Bitwarden's trash or of an unknown type is skipped with the reason. `line` is the
 * item's place in the file (1 for the first item).
 */
export function parseBitwardenJson(text: string): JsonRow[] {
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (e) {
    // SyntaxError, or a RangeError for nesting beyond what the parser takes: both the file's fault.
    if (e instanceof SyntaxError || e instanceof RangeError) {
      throw fileError('This file is not valid JSON (it may be cut short or changed since it was exported). Export it again from Bitwarden as “.json”, unchanged.')
    }
    throw e
  }
  if (!isObj(data)) throw fileError('This JSON file is not a Bitwarden export. Export it again from Bitwarden as “.json”.')
  if (data.encrypted === true || data.passwordProtected === true || typeof data.encKeyValidation_DO_NOT_EDIT === 'string') {
    throw fileError(
      'This is an encrypted Bitwarden export, which only Bitwarden can open. In Bitwarden, export your vault again choosing the file format “.json”, not “.json (Encrypted)”, then import that file (and delete it afterwards).',
    )
  }
  if (!Array.isArray(data.items)) throw fileError('This JSON file is not a Bitwarden export: it has no list of items. Export it again from Bitwarden as “.json”.')
  if (data.items.length === 0) throw fileError('This file has no items.')
  if (data.items.length > MAX_IMPORT_ROWS) {
    throw fileError(`This file has more than ${MAX_IMPORT_ROWS.toLocaleString('en-US')} items; one import takes at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')}. Import it in smaller parts.`)
  }
  // Folders of a personal export, collections of an organisation's: both become folders by name.
  const folderNames = new Map<string, string>()
  for (const list of [data.folders, data.collections]) {
    if (list === undefined || list === null) continue
    if (!Array.isArray(list)) throw fileError('This JSON file is not a Bitwarden export: its folders are not a list. Export it again from Bitwarden as “.json”.')
    for (const f of list) if (isObj(f) && typeof f.id === 'string' && typeof f.name === 'string') folderNames.set(f.id, f.name)
  }
  return data.items.map((raw, i): JsonRow => {
    const line = i + 1
    const name = isObj(raw) && typeof raw.name === 'string' ? shownName(raw.name) : ''
    if (!isObj(raw)) return { line, kind: 'skip', name, reason: 'Not an item Bitwarden writes (not an object).' }
    try {
      return mapItem(raw, line, folderNames)
    } catch (e) {
      if (e instanceof BadValue) return { line, kind: 'skip', name, reason: `Not an item Bitwarden writes: ${e.message}.` }
      throw e
    }
  })
}

function mapItem(raw: Obj, line: number, folderNames: Map<string, string>): JsonRow {
  const itemName = str(raw.name, 'name')
  if (raw.deletedDate !== null && raw.deletedDate !== undefined) return { line, kind: 'skip', name: shownName(itemName), reason: 'In Bitwarden’s trash (deleted there).' }
  const type = typeof raw.type === 'number' ? TYPE_OF_BW[raw.type] : undefined
  if (!type) return { line, kind: 'skip', name: shownName(itemName), reason: `An item of a type NucleusID does not know (Bitwarden type ${String(raw.type).slice(0, 10)}).` }

  const extras: string[] = []
  let passkeys = 0
  let url = ''
  let moreUrls: string[] = []
  let username = ''
  let password = ''
  let totp = ''
  if (type === 'login') {
    const login = raw.login ?? {}
    if (!isObj(login)) throw new BadValue('its login is not an object')
    username = str(login.username, 'username')
    password = str(login.password, 'password')
    totp = str(login.totp, 'authenticator key')
    if (login.uris !== null && login.uris !== undefined) {
      if (!Array.isArray(login.uris)) throw new BadValue('its web addresses are not a list')
      const uris = login.uris.map((u) => (isObj(u) ? str(u.uri, 'web address') : str(u, 'web address')))
      ;[url = '', ...moreUrls] = uris
    }
    if (login.fido2Credentials !== null && login.fido2Credentials !== undefined) {
      if (!Array.isArray(login.fido2Credentials)) throw new BadValue('its passkeys are not a list')
      for (const c of login.fido2Credentials) {
        passkeys++
        const rp = isObj(c) ? str(c.rpId, 'passkey site') : ''
        const user = isObj(c) ? str(c.userName, 'passkey user') : ''
        extras.push(`Passkey (not imported: NucleusID does not keep passkeys; sign in with the password, or add a new passkey on the site): for ${rp || 'an unnamed site'}${user ? `, user ${user}` : ''}`)
      }
    }
  }
  const card: CardData | null = type === 'card' ? textRecord(EMPTY_CARD, CARD_KEYS, raw.card, 'card') : null
  const identity: IdentityData | null = type === 'identity' ? textRecord(EMPTY_IDENTITY, IDENTITY_KEYS, raw.identity, 'identity') : null
  const ssh: SshKeyData | null = type === 'ssh' ? textRecord(EMPTY_SSH, SSH_KEYS, raw.sshKey, 'SSH key') : null

  const fields: CustomField[] = []
  if (raw.fields !== null && raw.fields !== undefined) {
    if (!Array.isArray(raw.fields)) throw new BadValue('its custom fields are not a list')
    for (const f of raw.fields) {
      if (!isObj(f)) throw new BadValue('a custom field is not an object')
      const name = str(f.name, 'custom field name')
      const value = str(f.value, 'custom field value')
      const kind = typeof f.type === 'number' ? FIELD_KIND_OF_BW[f.type] : undefined
      if (f.type === 3) {
        // A linked field shows another field of the item under its own name: its text says which.
        const target = typeof f.linkedId === 'number' ? (LINKED_NAMES[f.linkedId] ?? `field ${f.linkedId}`) : 'another field'
        fields.push({ name, value: `(linked to ${target} of this item in Bitwarden)`, kind: 'text' })
      } else if (kind === 'checkbox') {
        const v = value.trim().toLowerCase()
        // A yes/no is 'true' or 'false'; any other value is kept as text rather than guessed.
        fields.push(v === 'true' || v === 'false' ? { name, value: v, kind } : { name, value, kind: 'text' })
      } else fields.push({ name, value, kind: kind ?? 'text' })
    }
  }

  const passwordHistory: PasswordHistoryEntry[] = []
  if (raw.passwordHistory !== null && raw.passwordHistory !== undefined) {
    if (!Array.isArray(raw.passwordHistory)) throw new BadValue('its password history is not a list')
    for (const h of raw.passwordHistory) {
      if (!isObj(h)) throw new BadValue('an entry of its password history is not an object')
      const when = typeof h.lastUsedDate === 'string' ? Date.parse(h.lastUsedDate) : NaN
      passwordHistory.push({ password: str(h.password, 'old password'), lastUsed: Number.isFinite(when) ? when : 0 })
    }
    // Newest first, as Bitwarden keeps it (a stable sort keeps the file's order for equal dates).
    passwordHistory.sort((a, b) => b.lastUsed - a.lastUsed)
  }

  let folder: string | null = null
  if (typeof raw.folderId === 'string') folder = folderNames.get(raw.folderId) ?? null
  else if (Array.isArray(raw.collectionIds)) {
    const first = raw.collectionIds.find((id): id is string => typeof id === 'string' && folderNames.has(id))
    if (first) folder = folderNames.get(first)!
  }
  const note = str(raw.notes, 'notes')
  const noteWithExtras = extras.length === 0 ? note : note.trim() === '' ? extras.join('\n') : `${note.trimEnd()}\n\n${extras.join('\n')}`
  const favourite = raw.favorite === true
  return {
    line,
    kind: 'item',
    folder,
    favourite,
    passkeys,
    fields: {
      type,
      name: itemName.trim() || hostOf(url) || username.trim() || 'Untitled item',
      username,
      password,
      url,
      note: noteWithExtras,
      totp,
      moreUrls,
      card,
      identity,
      ssh,
      fields,
      passwordHistory,
    },
  }
}
