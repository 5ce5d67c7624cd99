// Reading other password managers' CSV exports: decoding, detection from the header row, and the
// mapping of each format's columns onto an item (name, username, password, url, note) and a
// folder name. What an item has no field for goes into its note, labelled, never dropped
// (docs/features/import.md). Pure functions: no database, no keys. Never logs what it reads.
// Runs on the import worker thread (readFile.ts), and the file is the attacker's text: every
// step is linear in its length (no regex that can backtrack over a field: trims are
// String.prototype.trim/trimEnd), and no cell is longer than the field it feeds (docs/decisions/019).
import { parse } from 'csv-parse/sync'
import { CsvError } from 'csv-parse'
import { ValidationError } from '../../lib/errors.js'
import { ITEM_LIMITS, TOTP_KEY_MAX } from '../../../schemas/limits.js'
import { parseTotpKey } from '../../../shared/totp.js'
import { hostOf } from '../itemCrypto.js'
import type { ImportFormatChoice } from '../../../schemas/importChoices.js'
import type { CustomField, ItemInput } from '../../../shared/contract.js'
import { lastPassTyped } from './lastpassTypes.js'

/** More rows than this is no export of a vault these limits allow into one import. */
export const MAX_IMPORT_ROWS = 20_000

/** Which item field a column's cell feeds, for its length cap (a column not named feeds the note). */
type CellField = keyof typeof ITEM_LIMITS | 'folder' | 'totp'

/**
 * The longest cell each field takes, checked right after parsing, before any mapping. A folder
 * cell may carry KeePassXC's root group before the folder's own name (at most 64, checked when the
 * folders are kept; ignored otherwise), hence its looser cap.
 */
const CELL_LIMITS: Record<CellField, number> = { ...ITEM_LIMITS, folder: 1_000, totp: TOTP_KEY_MAX }

/** How the item form's messages name each field (schemas/vault.ts), for the same wording. */
const FIELD_NAMES: Record<CellField, string> = {
  name: 'Names',
  username: 'Usernames',
  password: 'Passwords',
  url: 'Web addresses',
  note: 'Notes',
  folder: 'Folder paths',
  totp: 'Authenticator keys',
}

/**
 * The most bytes the parser buffers for one record (csv-parse's max_record_size): every cell of a
 * row that can be imported ends up in an item, whose fields add up to about 13,500 characters (3
 * bytes each at most in UTF-8), plus the few columns that only describe the export. A longer row
 * is refused while it is read, before the parser holds more of it.
 */
const MAX_RECORD_BYTES = 64 * 1024

/** One data row of the file, mapped: an item to create, or a row deliberately left out. */
export type MappedRow =
  | { line: number; kind: 'item'; folder: string | null; name: string; username: string; password: string; url: string; note: string; totp: string; favourite: boolean; more: More }
  | { line: number; kind: 'skip'; name: string; reason: string }

interface FormatSpec {
  label: string
  /** Lower-case header names that must all be there for the file to be this format. */
  required: string[]
  /** Every header name this format's exporter writes (lower case), required ones included. The
   *  ones `map` does not read describe the export itself (ids, timestamps, icons): not kept. */
  known: string[]
  /** The columns that feed a field other than the note (for the cell caps). */
  cells: Record<string, CellField>
  map: (row: Row) => Omit<Extract<MappedRow, { kind: 'item' }>, 'line' | 'kind' | 'note' | 'totp' | 'favourite' | 'more'> & { note: string; totp?: string; extras: Extra[]; favourite?: boolean; more?: More } | { skip: string; name: string }
}

/** What a row carries beyond the five fields (issue 23): its type and that type's data, further
 *  web addresses, custom fields. */
export type More = Pick<ItemInput, 'type' | 'moreUrls' | 'fields' | 'card' | 'identity' | 'ssh'>

/**
 * Bitwarden's `fields` column: one "name: value" line per custom field, split at the LAST ": " as
 * Bitwarden's own CSV importer does. A line without ": " is no field: it stays in the note.
 * Bitwarden's CSV has no field kinds: every field reads back as text (ADR 034).
 */
export function parseCsvFields(cell: string): { fields: CustomField[]; rest: string[] } {
  const fields: CustomField[] = []
  const rest: string[] = []
  for (const line of cell.split(/\r?\n/)) {
    if (line.trim() === '') continue
    const at = line.lastIndexOf(': ')
    if (at === -1) rest.push(line)
    else fields.push({ name: line.slice(0, at), value: line.slice(at + 2), kind: 'text' })
  }
  return { fields, rest }
}

type Row = (column: string) => string
export type Extra = [label: string, value: string]

const isTrue = (v: string) => /^(1|true|yes)$/i.test(v.trim())

/** Item name: the file's, else the site's host, else the username (every item needs a name). */
const nameOf = (name: string, url: string, username: string) => name.trim() || hostOf(url) || username.trim() || 'Untitled item'

/** The CSV layouts the importer reads (NucleusID's own export is Bitwarden's layout). */
export type ImportFormat = 'bitwarden' | 'chrome' | 'firefox' | 'lastpass' | 'keepassxc' | 'onepassword'

const FORMATS: Record<ImportFormat, FormatSpec> = {
  bitwarden: {
    label: 'Bitwarden',
    required: ['type', 'name', 'login_uri', 'login_username', 'login_password'],
    known: ['folder', 'favorite', 'type', 'name', 'notes', 'fields', 'reprompt', 'login_uri', 'login_username', 'login_password', 'login_totp'],
    cells: { folder: 'folder', name: 'name', login_username: 'username', login_password: 'password', login_totp: 'totp' },
    map: (r) => {
      const type = r('type').trim().toLowerCase()
      if (type !== 'login' && type !== 'note' && type !== '') throw new RowError(`Bitwarden items of type “${r('type').slice(0, 20)}” cannot be imported (only logins and notes).`)
      // Several URIs are written comma-separated in one column: the first is the item's address.
      const [url = '', ...otherUrls] = r('login_uri').split(',').map((u) => u.trim()).filter(Boolean)
      const { fields, rest } = parseCsvFields(r('fields'))
      const note = type === 'note'
      return {
        folder: r('folder'),
        name: nameOf(r('name'), url, r('login_username')),
        // A note row has no login fields; should one hold some anyway, they go into the note.
        username: note ? '' : r('login_username'),
        password: note ? '' : r('login_password'),
        url: note ? '' : url,
        note: r('notes'),
        totp: note ? '' : r('login_totp'),
        favourite: isTrue(r('favorite')),
        more: { type: note ? 'note' : 'login', moreUrls: note ? [] : otherUrls, fields },
        extras: [
          ['Custom fields', rest.join('\n')],
          ['Master password re-prompt', isTrue(r('reprompt')) ? 'yes' : ''],
          ...(note
            ? ([
                ['Web address', r('login_uri')],
                ['Username', r('login_username')],
                ['Password', r('login_password')],
                ['Authenticator key', r('login_totp')],
              ] as Extra[])
            : []),
        ],
      }
    },
  },
  chrome: {
    label: 'Chrome',
    required: ['name', 'url', 'username', 'password'],
    known: ['name', 'url', 'username', 'password', 'note'],
    cells: { name: 'name', url: 'url', username: 'username', password: 'password' },
    map: (r) => ({
      folder: null,
      name: nameOf(r('name'), r('url'), r('username')),
      username: r('username'),
      password: r('password'),
      url: r('url'),
      note: r('note'),
      extras: [],
    }),
  },
  firefox: {
    label: 'Firefox',
    required: ['url', 'username', 'password', 'httprealm', 'formactionorigin'],
    known: ['url', 'username', 'password', 'httprealm', 'formactionorigin', 'guid', 'timecreated', 'timelastused', 'timepasswordchanged'],
    cells: { url: 'url', username: 'username', password: 'password' },
    map: (r) => {
      const url = r('url')
      // Firefox stores its own account and sync credentials as chrome:// logins: not websites.
      if (/^chrome:\/\//i.test(url.trim())) return { skip: 'A Firefox internal entry (chrome://), not a website login.', name: url.trim().slice(0, 200) }
      const form = r('formactionorigin').trim()
      return {
        folder: null,
        name: nameOf('', url, r('username')),
        username: r('username'),
        password: r('password'),
        url,
        note: '',
        extras: [
          ['HTTP realm', r('httprealm')],
          // The address the login form posts to, when it is not the site's own.
          ['Form address', form !== '' && form !== '.' && originOf(form) !== originOf(url) ? form : ''],
        ],
      }
    },
  },
  lastpass: {
    label: 'LastPass',
    required: ['url', 'username', 'password', 'extra', 'name', 'grouping'],
    known: ['url', 'username', 'password', 'totp', 'extra', 'name', 'grouping', 'fav'],
    cells: { grouping: 'folder', name: 'name', url: 'url', username: 'username', password: 'password', totp: 'totp' },
    map: (r) => {
      // A secure note has the placeholder address http://sn; its text is in `extra`. A card, an
      // address or an SSH key is a secure note whose text starts "NoteType:Credit Card" etc.
      const secureNote = r('url').trim().toLowerCase() === 'http://sn'
      const url = secureNote ? '' : r('url')
      const typed = secureNote ? lastPassTyped(r('extra')) : null
      return {
        folder: r('grouping'),
        name: nameOf(r('name'), url, r('username')),
        username: secureNote ? '' : r('username'),
        password: secureNote ? '' : r('password'),
        url,
        note: typed ? typed.note : r('extra'),
        totp: secureNote ? '' : r('totp'),
        favourite: isTrue(r('fav')),
        more: typed ? typed.more : { type: secureNote ? 'note' : 'login' },
        extras: secureNote
          ? [
              ['Username', r('username')],
              ['Password', r('password')],
              ['Authenticator key', r('totp')],
            ]
          : [],
      }
    },
  },
  keepassxc: {
    label: 'KeePassXC',
    required: ['group', 'title', 'username', 'password', 'url', 'notes'],
    known: ['group', 'title', 'username', 'password', 'url', 'notes', 'totp', 'icon', 'last modified', 'created'],
    cells: { group: 'folder', title: 'name', url: 'url', username: 'username', password: 'password', totp: 'totp' },
    map: (r) => {
      // Every group path starts at the database's root group ("Root", or its own name).
      const group = r('group').trim().split('/').slice(1).join('/')
      if (/^recycle bin(\/|$)/i.test(group)) return { skip: 'In KeePassXC’s Recycle Bin (deleted there).', name: r('title').trim().slice(0, 200) }
      return {
        folder: group,
        name: nameOf(r('title'), r('url'), r('username')),
        username: r('username'),
        password: r('password'),
        url: r('url'),
        note: r('notes'),
        totp: r('totp'),
        extras: [],
      }
    },
  },
  onepassword: {
    label: '1Password',
    required: ['title', 'url', 'username', 'password', 'otpauth'],
    known: ['title', 'url', 'username', 'password', 'otpauth', 'favorite', 'archived', 'tags', 'notes'],
    cells: { title: 'name', url: 'url', username: 'username', password: 'password', otpauth: 'totp' },
    map: (r) => ({
      folder: null,
      name: nameOf(r('title'), r('url'), r('username')),
      username: r('username'),
      password: r('password'),
      url: r('url'),
      note: r('notes'),
      totp: r('otpauth'),
      favourite: isTrue(r('favorite')),
      extras: [
        ['Tags', r('tags')],
        ['Archived in 1Password', isTrue(r('archived')) ? 'yes' : ''],
      ],
    }),
  },
}

const CHOICE_TO_FORMAT: Record<Exclude<ImportFormatChoice, 'detect' | 'bitwardenjson'>, ImportFormat> = {
  nucleusid: 'bitwarden',
  bitwarden: 'bitwarden',
  chrome: 'chrome',
  firefox: 'firefox',
  lastpass: 'lastpass',
  keepassxc: 'keepassxc',
  '1password': 'onepassword',
}

function originOf(url: string): string {
  try {
    return new URL(url.trim()).origin
  } catch {
    return url.trim()
  }
}

/** A row that cannot be imported as it is: the whole file is refused, naming its line. */
class RowError extends Error {}

const fileError = (message: string) => new ValidationError({ file: message }, message)

/** The file's text: UTF-8 only (a BOM is dropped); anything else is refused with a message. */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes.length === 0) throw fileError('This file is empty. Choose the CSV file your password manager exported.')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw fileError('This file is not UTF-8 text. Export it again as CSV (UTF-8), or save it as “CSV UTF-8” in your spreadsheet program.')
  }
  if (text.includes('\u0000')) throw fileError('This is not a CSV file. Choose the CSV file your password manager exported.')
  return text
}

/** Which format a header row is: the one whose required columns are all there and that knows most of them. */
export function detectFormat(header: string[]): ImportFormat | null {
  const columns = new Set(header.map((h) => h.trim().toLowerCase()))
  let best: { format: ImportFormat; known: number } | null = null
  for (const [format, spec] of Object.entries(FORMATS) as [ImportFormat, FormatSpec][]) {
    if (!spec.required.every((c) => columns.has(c))) continue
    const known = spec.known.filter((c) => columns.has(c)).length
    if (!best || known > best.known) best = { format, known }
  }
  return best?.format ?? null
}

/** The ordinal line (1-based) where a record starts: csv-parse reports where it ends. (Anchored
 *  regexes, each tried once per line end at most: linear.) */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^\n+/, '').replace(/\n$/, '')
  return endLine - (body.match(/\n/g)?.length ?? 0)
}

const MAX_FIELD_LABEL = 60

/**
 * Parses a whole CSV export. ValidationError on the `file` field, naming the line, when the file
 * is not CSV, its header is no format we know (or not the chosen one), a row is malformed, has a
 * cell longer than the field it feeds, or the file has more than MAX_IMPORT_ROWS rows.
 */
export function parseExport(text: string, choice: Exclude<ImportFormatChoice, 'bitwardenjson'>): { format: ImportFormat; rows: MappedRow[] } {
  // Line ends are normalized first, so notes keep plain \n and line numbers count as an editor does.
  const normalized = text.replace(/\r\n?/g, '\n')
  let records: { record: string[]; info: { lines: number }; raw: string }[]
  try {
    // With info and raw, csv-parse returns records of that shape (its types do not say so).
    // `to`: one row past the limit is enough to refuse the file; the rest is not read.
    records = parse(normalized, { bom: true, info: true, raw: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES, to: MAX_IMPORT_ROWS + 2 }) as unknown as typeof records
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines
      if (e.code === 'CSV_MAX_RECORD_SIZE') {
        throw fileError(
          `Line ${line ?? 1}: this row holds more text than an item can (a note is at most ${ITEM_LIMITS.note.toLocaleString('en-US')} characters, a name ${ITEM_LIMITS.name}), so nothing was imported.`,
        )
      }
      throw fileError(`This file is not valid CSV${line ? ` (line ${line})` : ''}: ${csvProblem(e.code)}`)
    }
    throw e
  }
  const [headerRecord, ...data] = records
  if (!headerRecord) throw fileError('This file is empty. Choose the CSV file your password manager exported.')
  const header = headerRecord.record.map((h) => h.trim().toLowerCase())
  const detected = detectFormat(header)
  const format = choice === 'detect' ? detected : CHOICE_TO_FORMAT[choice]
  if (!format) {
    throw fileError(
      'The first line of this file is not the header of an export we know (NucleusID, Bitwarden, Chrome, Firefox, LastPass, KeePassXC or 1Password 8). Export the file again, unchanged.',
    )
  }
  const spec = FORMATS[format]
  const missing = spec.required.filter((c) => !header.includes(c))
  if (missing.length > 0) {
    throw fileError(`This file is not a ${spec.label} export: its first line lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Choose “Detect from the file” or the right format.`)
  }
  if (data.length === 0) throw fileError('This file has a header but no items.')
  if (data.length > MAX_IMPORT_ROWS) throw fileError(`This file has more than ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows; one import takes at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')}. Import it in smaller parts.`)

  const index = new Map<string, number>()
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i)
  })
  // Columns the exporter does not usually write: kept in the note under their own name.
  const unknown = headerRecord.record
    .map((h, i) => ({ label: h.trim().slice(0, MAX_FIELD_LABEL), i }))
    .filter(({ label, i }) => label !== '' && !spec.known.includes(header[i]!) && index.get(header[i]!) === i)

  // Each column's cap: the field it feeds (any other column ends up in the note, or nowhere).
  const caps = header.map((h): CellField => (Object.hasOwn(spec.cells, h) ? spec.cells[h]! : 'note'))

  const rows = data.map(({ record, info, raw }): MappedRow => {
    const line = startLine(info.lines, raw)
    record.forEach((value, i) => {
      const field = caps[i] ?? 'note'
      if (value.length > CELL_LIMITS[field]) {
        const column = (headerRecord.record[i] ?? '').trim().slice(0, MAX_FIELD_LABEL)
        const limit = CELL_LIMITS[field].toLocaleString('en-US')
        throw fileError(`Line ${line}: ${FIELD_NAMES[field]} are at most ${limit} characters; the “${column}” column holds ${value.length.toLocaleString('en-US')}. Nothing was imported.`)
      }
    })
    const cell: Row = (column) => {
      const i = index.get(column)
      return i === undefined ? '' : (record[i] ?? '')
    }
    let mapped: ReturnType<FormatSpec['map']>
    try {
      mapped = spec.map(cell)
    } catch (e) {
      if (e instanceof RowError) throw fileError(`Line ${line}: ${e.message}`)
      throw e
    }
    if ('skip' in mapped) return { line, kind: 'skip', name: mapped.name, reason: mapped.skip }
    // An authenticator key the app can read gets its field; one it cannot stays in the note, said
    // so, rather than being lost (ADR 030).
    const rawTotp = (mapped.totp ?? '').trim()
    const totp = rawTotp === '' ? '' : (parseTotpKey(rawTotp)?.stored ?? null)
    const invalidTotp: Extra[] = totp === null ? [['Authenticator key (not recognised, so not used for codes)', rawTotp]] : []
    const extras: Extra[] = [...invalidTotp, ...mapped.extras, ...unknown.map(({ label, i }): Extra => [label, record[i] ?? ''])]
    return {
      line,
      kind: 'item',
      folder: mapped.folder?.trim() || null,
      favourite: mapped.favourite ?? false,
      more: mapped.more ?? {},
      name: mapped.name,
      username: mapped.username,
      password: mapped.password,
      url: mapped.url.trim(),
      note: noteWith(mapped.note, extras),
      totp: totp ?? '',
    }
  })
  return { format, rows }
}

/** The note, then each extra value that is not empty as "Label: value" (on its own lines if multi-line). */
export function noteWith(note: string, extras: Extra[]): string {
  const lines = extras
    .filter(([, value]) => value.trim() !== '')
    .map(([label, value]) => (value.includes('\n') ? `${label}:\n${value.trim()}` : `${label}: ${value.trim()}`))
  if (lines.length === 0) return note
  // trimEnd, not a regex: /\s+$/ retries from every space of a long run (quadratic).
  return note.trim() === '' ? lines.join('\n') : `${note.trimEnd()}\n\n${lines.join('\n')}`
}

function csvProblem(code: string): string {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'a row has a different number of columns than the first line.'
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value is never closed.'
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a quote is followed by something other than a comma or a line end.'
    default:
      return 'it could not be read.'
  }
}

/** What a file was read as: a CSV layout, or Bitwarden's JSON (importer/bitwardenJson.ts). */
export type FileFormat = ImportFormat | 'bitwardenjson'

/**
 * How the result page names the file ("From a … file"). NucleusID's own exports are Bitwarden's
 * layouts exactly, with no marker of their own: the page names both rather than guess.
 */
export const formatLabel = (format: FileFormat) =>
  format === 'bitwardenjson' ? 'Bitwarden or NucleusID JSON' : format === 'bitwarden' ? 'Bitwarden or NucleusID CSV' : FORMATS[format].label
