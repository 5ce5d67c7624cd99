// What each item type is, on the server and in the browser alike (issue 23, ADR 035): its names,
// its secret fields (sent only when asked for: reveal or copy), the line the list shows under its
// name, and what search reads. The shapes are the contract's (shared/contract.ts); the form
// schemas are schemas/items.ts. No imports beyond the contract: the browser bundle takes this file.
import type { CardData, IdentityData, ItemDetail, ItemType, SshKeyData } from './contract'

export const TYPE_LABELS: Record<ItemType, { one: string; many: string; article: string }> = {
  login: { one: 'Login', many: 'Logins', article: 'a login' },
  note: { one: 'Secure note', many: 'Secure notes', article: 'a secure note' },
  card: { one: 'Card', many: 'Cards', article: 'a card' },
  identity: { one: 'Identity', many: 'Identities', article: 'an identity' },
  ssh: { one: 'SSH key', many: 'SSH keys', article: 'an SSH key' },
}

/** The index of each type in ITEM_TYPES order, as the list rows carry it (ROW_TYPE_SHIFT). */
export const TYPE_CODES: Record<ItemType, number> = { login: 0, note: 1, card: 2, identity: 3, ssh: 4 }
export const TYPE_BY_CODE: readonly ItemType[] = ['login', 'note', 'card', 'identity', 'ssh']

/**
 * Secret fields by type: the `field` of POST /dashboard/items/:id/copy and the `reveal` of the item
 * page. A hidden custom field is `field_<index>` (its place among the item's custom fields).
 */
export const SECRET_FIELDS = {
  login: ['password', 'totp'],
  note: [],
  card: ['card_number', 'card_code'],
  identity: ['passport', 'licence', 'national_id'],
  ssh: ['private_key'],
} as const satisfies Record<ItemType, readonly string[]>
export type TypeSecretField = (typeof SECRET_FIELDS)[ItemType][number]
export const CUSTOM_SECRET = /^field_(\d{1,3})$/
/** An earlier password of a login (its password history, newest first): `old_<index>`. */
export const EARLIER_PASSWORD = /^old_(\d{1,3})$/

export const SECRET_LABELS: Record<TypeSecretField, string> = {
  password: 'Password',
  totp: 'Authenticator code',
  card_number: 'Card number',
  card_code: 'Security code',
  passport: 'Passport number',
  licence: 'Licence number',
  national_id: 'National ID number',
  private_key: 'Private key',
}

export const EMPTY_CARD: CardData = { cardholder: '', number: '', brand: '', expMonth: '', expYear: '', code: '' }
export const EMPTY_IDENTITY: IdentityData = {
  title: '',
  firstName: '',
  middleName: '',
  lastName: '',
  company: '',
  email: '',
  phone: '',
  address1: '',
  address2: '',
  address3: '',
  city: '',
  region: '',
  postalCode: '',
  country: '',
  username: '',
  passport: '',
  licence: '',
  nationalId: '',
}
/** An identity's fields by the names its form gives them (schemas/items.ts, itemFormValues). */
export const IDENTITY_FORM_NAMES: Record<keyof IdentityData, string> = {
  title: 'title',
  firstName: 'first_name',
  middleName: 'middle_name',
  lastName: 'last_name',
  company: 'company',
  email: 'email',
  phone: 'phone',
  address1: 'address1',
  address2: 'address2',
  address3: 'address3',
  city: 'city',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
  username: 'username',
  passport: 'passport',
  licence: 'licence',
  nationalId: 'national_id',
}
export const EMPTY_SSH: SshKeyData = { privateKey: '', publicKey: '', fingerprint: '' }

const digitsOf = (number: string) => number.replace(/[\s-]/g, '')

/** The brand of a card number by its prefix (as Bitwarden names them), '' when not known. */
export function cardBrand(number: string): string {
  const n = digitsOf(number)
  if (!/^\d{12,19}$/.test(n)) return ''
  const p2 = Number(n.slice(0, 2))
  const p4 = Number(n.slice(0, 4))
  const p6 = Number(n.slice(0, 6))
  if (n.startsWith('4')) return 'Visa'
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return 'Mastercard'
  if (p2 === 34 || p2 === 37) return 'Amex'
  if (n.startsWith('6011') || n.startsWith('65') || (p6 >= 622126 && p6 <= 622925) || (Number(n.slice(0, 3)) >= 644 && Number(n.slice(0, 3)) <= 649)) return 'Discover'
  if (p4 >= 3528 && p4 <= 3589) return 'JCB'
  if (p2 === 36 || p2 === 38 || p2 === 39 || (Number(n.slice(0, 3)) >= 300 && Number(n.slice(0, 3)) <= 305)) return 'Diners Club'
  if (n.startsWith('62')) return 'UnionPay'
  if (/^(5018|5020|5038|5893|6304|6759|676[1-3])/.test(n)) return 'Maestro'
  return ''
}

/** The Luhn checksum every payment card number carries: false means a typo (a warning, still savable). */
export function luhnValid(number: string): boolean {
  const n = digitsOf(number)
  if (!/^\d{8,19}$/.test(n)) return false
  let sum = 0
  for (let i = 0; i < n.length; i++) {
    let d = n.charCodeAt(n.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** "•••• 4242": the last four digits, which a statement or a receipt shows too. */
export function maskedCard(number: string): string {
  const n = digitsOf(number)
  return n.length >= 4 ? `•••• ${n.slice(-4)}` : ''
}

/** An identity's full name: title, first, middle and last, as written. */
export const identityName = (i: IdentityData) => [i.title, i.firstName, i.middleName, i.lastName].filter((s) => s.trim() !== '').join(' ')

/**
 * The card's expiry as a month number (year * 12 + month - 1), or null when it has none or it
 * does not read as one: the health page lists cards whose month is past.
 */
export function cardExpiry(card: Pick<CardData, 'expMonth' | 'expYear'>): number | null {
  const month = Number(card.expMonth)
  let year = Number(card.expYear)
  if (!/^\d{1,2}$/.test(card.expMonth.trim()) || !/^\d{2}(\d{2})?$/.test(card.expYear.trim()) || month < 1 || month > 12) return null
  if (year < 100) year += 2000
  return year * 12 + month - 1
}

/** The month number of a date (cardExpiry's scale), in UTC. */
export const monthNumber = (date: Date) => date.getUTCFullYear() * 12 + date.getUTCMonth()

/** "03/2027" from a month number. */
export const expiryText = (expiry: number) => `${String((expiry % 12) + 1).padStart(2, '0')}/${Math.floor(expiry / 12)}`

/**
 * An item's fields as its edit form names them (schemas/items.ts): the single fields, and the
 * repeated ones (every web address, the custom fields' names, values and kinds) as lists.
 */
export function itemFormValues(item: Pick<ItemDetail, 'type' | 'fields' | 'totp' | 'moreUrls' | 'card' | 'identity' | 'ssh' | 'customFields'>): { values: Record<string, string>; lists: Record<string, string[]> } {
  const { name, username, password, note } = item.fields
  const values: Record<string, string> = { type: item.type, name, note }
  if (item.type === 'login') Object.assign(values, { username, password, totp: item.totp })
  const c = item.card
  if (c) Object.assign(values, { cardholder: c.cardholder, card_number: c.number, exp_month: c.expMonth, exp_year: c.expYear, card_code: c.code })
  const i = item.identity
  if (i) for (const [key, name] of Object.entries(IDENTITY_FORM_NAMES) as [keyof IdentityData, string][]) values[name] = i[key]
  if (item.ssh) Object.assign(values, { private_key: item.ssh.privateKey, public_key: item.ssh.publicKey })
  const lists: Record<string, string[]> = {
    url: item.type === 'login' ? [item.fields.url, ...item.moreUrls] : [],
    field_name: item.customFields.map((f) => f.name),
    field_value: item.customFields.map((f) => f.value),
    field_kind: item.customFields.map((f) => f.kind),
  }
  return { values, lists }
}
