// Reading an uploaded export into what the importer writes: decoding, parsing, mapping and the
// validation of every row (docs/features/import.md). CPU only, on the attacker's text: it runs on the
// import worker thread (parsePool.ts, parseWorker.mjs), never on the event loop, and answers with
// plain data (errors do not keep their class across threads): a ValidationError of the file
// becomes { ok: false, message }. Never logs what it reads.
//
// The answer crosses to the event loop as bytes (JSON lines, moved, not copied): receiving 20,000
// rows as objects costs the receiving thread 0.1–0.2 s in one piece, while lines are decoded
// there a slice at a time (decodeOutcome).
import { ValidationError } from '../../lib/errors.js'
import { folderSchema, isWebsite, itemFieldsSchema } from '../../../schemas/vault.js'
import { CUSTOM_FIELDS_MAX, CUSTOM_FIELD_VALUE_MAX, ITEM_LIMITS, SSH_KEY_MAX, TYPE_FIELD_MAX, URLS_MAX } from '../../../schemas/limits.js'
import type { ImportResult, ItemInput } from '../../../shared/contract.js'
import { EMPTY_CARD, EMPTY_IDENTITY, EMPTY_SSH } from '../../../shared/itemTypes.js'
import { parseTotpKey } from '../../../shared/totp.js'
import type { ImportFormatChoice } from '../../../schemas/importChoices.js'
import { PASSWORD_HISTORY_MAX } from '../itemCrypto.js'
import { looksLikeJson, parseBitwardenJson, shownName } from './bitwardenJson.js'
import { decodeCsv, noteWith, parseExport, type Extra, type FileFormat } from './formats.js'
import { slicer } from './pace.js'

/** A row to import: its validated fields, and the folder the file names for it (keep mode). */
export interface ReadCandidate {
  line: number
  fields: ItemInput & { totp: string }
  folderName: string | null
  /** Starred in the file: the importer stars it for the importing user (issue 23). */
  favourite?: boolean
}

export type ReadOutcome =
  | { ok: true; format: FileFormat; skipped: ImportResult['skipped']; candidates: ReadCandidate[]; passkeys: number }
  | { ok: false; message: string }

export interface ReadTask {
  bytes: Uint8Array
  format: ImportFormatChoice
  keepFolders: boolean
}

const fileError = (message: string) => new ValidationError({ file: message }, message)
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const CONTROL = /[\u0000-\u001f\u007f]/
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
const n = (v: number) => v.toLocaleString('en-US')

/**
 * One more text of an item checked as the item forms will (schemas/limits.ts): its length and its
 * characters. A message naming the field when it cannot be stored as it is (never truncated).
 */
function textProblem(value: string, max: number, label: string, lines: boolean): string | null {
  if (value.length > max) return `${label} is at most ${n(max)} characters; this one has ${n(value.length)}`
  if (LONE_SURROGATE.test(value)) return `${label} contains characters that cannot be stored`
  if ((lines ? CONTROL_EXCEPT_LINES : CONTROL).test(value)) return `${label} contains control characters${lines ? ' other than tabs and line breaks' : ' such as tabs or line breaks'}`
  return null
}

const FIELD_LABELS: Record<string, string> = { name: 'The name', username: 'The username', password: 'The password', url: 'The web address', note: 'The note', totp: 'The authenticator key' }
const CARD_LABELS = { cardholder: 'The cardholder name', number: 'The card number', brand: 'The card brand', expMonth: 'The expiry month', expYear: 'The expiry year', code: 'The security code' }

/**
 * A mapped item checked and completed: web addresses that are no web address, and authenticator
 * keys that are no key, move into the note, said so (a KeePassXC cmd:// entry must not refuse a
 * whole file); then every field against its limit. The fields to store, or why they cannot be.
 */
export function checkItem(input: ItemInput & { totp?: string }): { ok: true; fields: ItemInput & { totp: string } } | { ok: false; field: string; message: string } {
  const type = input.type ?? 'login'
  const extras: Extra[] = []
  let url = input.url
  if (url.trim() !== '' && !isWebsite(url)) {
    extras.push(['Web address (kept here: not one NucleusID can open)', url])
    url = ''
  }
  const moreUrls: string[] = []
  for (const u of input.moreUrls ?? []) {
    if (u.trim() === '') continue
    if (isWebsite(u)) moreUrls.push(u)
    else extras.push(['Web address (kept here: not one NucleusID can open)', u])
  }
  const rawTotp = (input.totp ?? '').trim()
  let totp = rawTotp
  if (rawTotp !== '') {
    const key = parseTotpKey(rawTotp)
    if (key) totp = key.stored
    else {
      extras.push(['Authenticator key (not recognised, so not used for codes)', rawTotp])
      totp = ''
    }
  }
  const parsed = itemFieldsSchema.safeParse({ name: input.name, username: input.username, password: input.password, url, note: noteWith(input.note, extras), totp })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = String(issue.path[0] ?? '')
    const hint = field === 'note' ? ' (the note includes the fields that have no place of their own)' : ''
    const message = issue.message.replace(/\.$/, '').replace(/^This /, `${FIELD_LABELS[field] ?? 'A field'} `)
    return { ok: false, field, message: `${message}${hint}` }
  }
  const fail = (field: string, message: string | null) => (message ? { ok: false as const, field, message } : null)
  if (1 + moreUrls.length > URLS_MAX) return { ok: false, field: 'url', message: `A login has at most ${URLS_MAX} web addresses; this one has ${n(1 + moreUrls.length)}` }
  for (const u of moreUrls) {
    const p = fail('url', textProblem(u, ITEM_LIMITS.url, 'A web address', false))
    if (p) return p
  }
  const fields = input.fields ?? []
  if (fields.length > CUSTOM_FIELDS_MAX) return { ok: false, field: 'fields', message: `An item has at most ${CUSTOM_FIELDS_MAX} custom fields; this one has ${n(fields.length)}` }
  for (const f of fields) {
    const p = fail('fields', textProblem(f.name, TYPE_FIELD_MAX, 'A custom field’s name', false) ?? textProblem(f.value, CUSTOM_FIELD_VALUE_MAX, `The custom field “${f.name.slice(0, 40)}”`, true))
    if (p) return p
  }
  const history = type === 'login' ? (input.passwordHistory ?? []) : []
  if (history.length > PASSWORD_HISTORY_MAX) return { ok: false, field: 'passwordHistory', message: `A password history holds at most ${PASSWORD_HISTORY_MAX}; this one has ${n(history.length)}` }
  for (const h of history) {
    const p = fail('passwordHistory', textProblem(h.password, ITEM_LIMITS.password, 'An old password', false))
    if (p) return p
  }
  const card = type === 'card' ? { ...EMPTY_CARD, ...input.card } : null
  const identity = type === 'identity' ? { ...EMPTY_IDENTITY, ...input.identity } : null
  const ssh = type === 'ssh' ? { ...EMPTY_SSH, ...input.ssh } : null
  if (card) {
    for (const [k, v] of Object.entries(card)) {
      const p = fail('card', textProblem(v, TYPE_FIELD_MAX, CARD_LABELS[k as keyof typeof CARD_LABELS], false))
      if (p) return p
    }
  }
  if (identity) {
    for (const [k, v] of Object.entries(identity)) {
      const p = fail('identity', textProblem(v, TYPE_FIELD_MAX, `The identity’s ${k}`, false))
      if (p) return p
    }
  }
  if (ssh) {
    for (const [k, v] of Object.entries(ssh)) {
      const p = fail('ssh', textProblem(v, SSH_KEY_MAX, k === 'privateKey' ? 'The private key' : k === 'publicKey' ? 'The public key' : 'The key fingerprint', k !== 'fingerprint'))
      if (p) return p
    }
  }
  const { name, username, password, note } = parsed.data
  const login = type === 'login'
  return {
    ok: true,
    fields: {
      type,
      name,
      username: login ? username : '',
      password: login ? password : '',
      url: login ? parsed.data.url : '',
      note,
      totp: login ? parsed.data.totp : '',
      moreUrls: login ? moreUrls : [],
      card,
      identity,
      ssh,
      fields,
      passwordHistory: history,
    },
  }
}

/** The folder a row names, in keep mode: null for none, else the name, or why it cannot be one. */
function folderOf(keepFolders: boolean, folder: string | null): { name: string | null } | { message: string } {
  if (!keepFolders || !folder || folder.trim() === '') return { name: null }
  const parsed = folderSchema.safeParse({ name: folder })
  return parsed.success ? { name: parsed.data.name } : { message: parsed.error.issues[0]!.message }
}

export function readImport({ bytes, format: choice, keepFolders }: ReadTask): ReadOutcome {
  try {
    const text = decodeCsv(bytes)
    const json = looksLikeJson(text)
    if (json) {
      if (choice !== 'detect' && choice !== 'bitwardenjson' && choice !== 'nucleusid') {
        throw fileError('This is a JSON file, not CSV. Choose “Bitwarden (JSON)” or “Detect from the file” as the format.')
      }
      return readJson(text, keepFolders)
    }
    if (choice === 'bitwardenjson') throw fileError('This is not a JSON file. Choose the “.json” file Bitwarden exported, or “Detect from the file” as the format.')
    const { format, rows } = parseExport(text, choice)
    const skipped: ImportResult['skipped'] = []
    const candidates: ReadCandidate[] = []
    for (const row of rows) {
      if (row.kind === 'skip') {
        skipped.push({ line: row.line, name: row.name, reason: row.reason })
        continue
      }
      // A CSV row that cannot be stored refuses the file, naming its line (ADR 019).
      const checked = checkItem({ ...row.more, name: row.name, username: row.username, password: row.password, url: row.url, note: row.note, totp: row.totp })
      if (!checked.ok) return { ok: false, message: `Line ${row.line}: ${checked.message}. Nothing was imported.` }
      const folder = folderOf(keepFolders, row.folder)
      if ('message' in folder) return { ok: false, message: `Line ${row.line}: the folder name is not valid here: ${folder.message} Nothing was imported.` }
      candidates.push({ line: row.line, fields: checked.fields, folderName: folder.name, favourite: row.favourite })
    }
    return { ok: true, format, skipped, candidates, passkeys: 0 }
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, message: e.fields.file ?? e.message }
    throw e
  }
}

/** A Bitwarden JSON export: an item that cannot be stored as it is, is skipped with why (the rest is imported). */
function readJson(text: string, keepFolders: boolean): ReadOutcome {
  const skipped: ImportResult['skipped'] = []
  const candidates: ReadCandidate[] = []
  let passkeys = 0
  for (const row of parseBitwardenJson(text)) {
    if (row.kind === 'skip') {
      skipped.push({ line: row.line, name: row.name, reason: row.reason })
      continue
    }
    const name = shownName(row.fields.name)
    const checked = checkItem(row.fields)
    if (!checked.ok) {
      skipped.push({ line: row.line, name, reason: `${checked.message}. Not imported (nothing is shortened).` })
      continue
    }
    const folder = folderOf(keepFolders, row.folder)
    if ('message' in folder) {
      skipped.push({ line: row.line, name, reason: `Its folder “${(row.folder ?? '').slice(0, 80)}” cannot be a folder here: ${folder.message}` })
      continue
    }
    passkeys += row.passkeys
    candidates.push({ line: row.line, fields: checked.fields, folderName: folder.name, favourite: row.favourite })
  }
  return { ok: true, format: 'bitwardenjson', skipped, candidates, passkeys }
}

/**
 * The outcome as UTF-8 JSON lines (JSON escapes line breaks inside strings, so a line is a record):
 * ["e", message] alone, or ["f", format, passkeys] then ["s", line, name, reason] and
 * ["c", line, fields, folderName, favourite] in file order.
 */
export function encodeOutcome(outcome: ReadOutcome): Uint8Array {
  const lines: string[] = []
  if (!outcome.ok) lines.push(JSON.stringify(['e', outcome.message]))
  else {
    lines.push(JSON.stringify(['f', outcome.format, outcome.passkeys]))
    for (const s of outcome.skipped) lines.push(JSON.stringify(['s', s.line, s.name, s.reason]))
    for (const { line, fields, folderName, favourite } of outcome.candidates) lines.push(JSON.stringify(['c', line, fields, folderName, favourite === true]))
  }
  return new TextEncoder().encode(lines.join('\n'))
}

/** encodeOutcome read back, on the event loop: a slice of lines at a time. */
export async function decodeOutcome(bytes: Uint8Array): Promise<ReadOutcome> {
  const decoder = new TextDecoder()
  const slice = slicer()
  let format: FileFormat | null = null
  let passkeys = 0
  const skipped: ImportResult['skipped'] = []
  const candidates: ReadCandidate[] = []
  for (let start = 0; start < bytes.length; ) {
    if (slice.due()) await slice.breathe()
    let end = bytes.indexOf(10, start)
    if (end === -1) end = bytes.length
    const record = JSON.parse(decoder.decode(bytes.subarray(start, end))) as [string, ...unknown[]]
    start = end + 1
    if (record[0] === 'e') return { ok: false, message: record[1] as string }
    if (record[0] === 'f') {
      format = record[1] as FileFormat
      passkeys = record[2] as number
    }
    else if (record[0] === 's') {
      const [, line, name, reason] = record as [string, number, string, string]
      skipped.push({ line, name, reason })
    } else {
      const [, line, fields, folderName, favourite] = record as [string, number, ReadCandidate['fields'], string | null, boolean]
      candidates.push({ line, fields, folderName, favourite })
    }
  }
  if (!format) throw new Error('The import thread answered without a format')
  return { ok: true, format, skipped, candidates, passkeys }
}
