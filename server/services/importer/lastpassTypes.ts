// LastPass writes its cards, addresses and SSH keys as secure notes (url http://sn) whose text is
// "NoteType:Credit Card" then "Key:value" lines (issue 23). These become a card, an identity or
// an SSH key; every line with no place of its own stays in the note, labelled, never dropped.
// Linear in the text (plain string methods, no backtracking regex): it runs on the attacker's file.
import type { CardData, IdentityData, ItemInput, SshKeyData } from '../../../shared/contract.js'
import { EMPTY_CARD, EMPTY_IDENTITY, EMPTY_SSH, cardBrand } from '../../../shared/itemTypes.js'

type Typed = Pick<ItemInput, 'type' | 'card' | 'identity' | 'ssh'>
type Target<T> = Partial<Record<string, keyof T | null>>

/** Each note type's keys: to a field of ours, or null (kept in the note). */
const CARD: Target<CardData> = {
  'Name on Card': 'cardholder',
  Type: 'brand',
  Number: 'number',
  'Security Code': 'code',
  'Start Date': null,
  'Expiration Date': null,
  Language: null,
}
const ADDRESS: Target<IdentityData> = {
  Title: 'title',
  'First Name': 'firstName',
  'Middle Name': 'middleName',
  'Last Name': 'lastName',
  Username: 'username',
  Company: 'company',
  'Address 1': 'address1',
  'Address 2': 'address2',
  'Address 3': 'address3',
  'City / Town': 'city',
  State: 'region',
  'Zip / Postal Code': 'postalCode',
  Country: 'country',
  'Email Address': 'email',
  Phone: 'phone',
  Gender: null,
  Birthday: null,
  County: null,
  Timezone: null,
  'Evening Phone': null,
  'Mobile Phone': null,
  Fax: null,
  Language: null,
}
const SSH: Target<SshKeyData> = {
  'Private Key': 'privateKey',
  'Public Key': 'publicKey',
  'Bit Strength': null,
  Format: null,
  Passphrase: null,
  Hostname: null,
  Date: null,
  Language: null,
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']

/** "Key:value" lines into values by key; a line that starts no known key continues the value before it. "Notes:" takes the rest. */
function readLines(lines: string[], known: Partial<Record<string, unknown>>): { values: Map<string, string>; note: string } {
  const values = new Map<string, string>()
  let last: string | null = null
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const at = line.indexOf(':')
    const key = at === -1 ? '' : line.slice(0, at)
    if (key === 'Notes') return { values, note: [line.slice(at + 1), ...lines.slice(i + 1)].join('\n') }
    if (at !== -1 && Object.hasOwn(known, key)) {
      values.set(key, line.slice(at + 1))
      last = key
    } else if (last !== null) values.set(last, `${values.get(last)}\n${line}`)
    else values.set(key || 'Text', line.slice(at + 1))
  }
  return { values, note: '' }
}

/** LastPass's phone: {"num":"555","ext":"","cc3l":"USA"}, or plain text. */
function phoneOf(v: string): string {
  if (!v.trim().startsWith('{')) return v
  try {
    const p = JSON.parse(v) as { num?: unknown; ext?: unknown }
    if (typeof p.num !== 'string') return v
    return typeof p.ext === 'string' && p.ext !== '' ? `${p.num} ext. ${p.ext}` : p.num
  } catch {
    return v
  }
}

function fill<T extends object>(empty: T, known: Target<T>, values: Map<string, string>, extras: string[]): T {
  const out = { ...empty } as Record<keyof T, string>
  for (const [key, value] of values) {
    const to = known[key]
    if (to) out[to] = value
    else if (value.trim() !== '' && key !== 'Language') extras.push(value.includes('\n') ? `${key}:\n${value}` : `${key}: ${value}`)
  }
  return out as T
}

/**
 * A LastPass secure note's text read as a card, an address or an SSH key: the item's type, its
 * data and the note (LastPass's own Notes, then what has no field). Null for any other note type
 * (it stays a secure note with its text as written).
 */
export function lastPassTyped(extra: string): { more: Typed; note: string } | null {
  const lines = extra.split(/\r?\n/)
  const head = lines[0]?.trim() ?? ''
  if (!head.startsWith('NoteType:')) return null
  const noteType = head.slice('NoteType:'.length).trim()
  const rest = lines.slice(1)
  const extras: string[] = []
  let more: Typed
  if (noteType === 'Credit Card') {
    const { values, note } = readLines(rest, CARD)
    // "Expiration Date:January,2027": the month by its name, then the year (read here, not by fill).
    const expiry = values.get('Expiration Date') ?? ''
    const start = values.get('Start Date') ?? ''
    values.delete('Expiration Date')
    values.delete('Start Date')
    const card = fill(EMPTY_CARD, CARD, values, extras)
    const [month = '', year = ''] = expiry.split(',')
    const m = MONTHS.indexOf(month.trim().toLowerCase())
    if (m !== -1 && /^\d{4}$/.test(year.trim())) {
      card.expMonth = String(m + 1)
      card.expYear = year.trim()
    } else if (expiry.trim() !== '' && expiry.trim() !== ',') extras.push(`Expiration Date: ${expiry}`)
    if (start.trim() !== '' && start.trim() !== ',') extras.push(`Start Date: ${start}`)
    if (card.brand.trim() === '') card.brand = cardBrand(card.number)
    more = { type: 'card', card }
    return { more, note: joinNote(note, extras) }
  }
  if (noteType === 'Address') {
    const { values, note } = readLines(rest, ADDRESS)
    if (values.has('Phone')) values.set('Phone', phoneOf(values.get('Phone')!))
    for (const k of ['Evening Phone', 'Mobile Phone', 'Fax']) if (values.has(k)) values.set(k, phoneOf(values.get(k)!))
    const identity = fill(EMPTY_IDENTITY, ADDRESS, values, extras)
    more = { type: 'identity', identity }
    return { more, note: joinNote(note, extras) }
  }
  if (noteType === 'SSH Key') {
    const { values, note } = readLines(rest, SSH)
    const ssh = fill(EMPTY_SSH, SSH, values, extras)
    more = { type: 'ssh', ssh }
    return { more, note: joinNote(note, extras) }
  }
  return null
}

const joinNote = (note: string, extras: string[]) => (extras.length === 0 ? note : note.trim() === '' ? extras.join('\n') : `${note.trimEnd()}\n\n${extras.join('\n')}`)
