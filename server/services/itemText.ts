// What an item shows and offers besides its name, by type (issue 23, ADR 035): the line the list
// shows under the name, the text search reads, and one secret field's value (copy and reveal).
// Nothing secret ever goes into the list line or the search text: the list never holds a secret.
import { CUSTOM_SECRET, EARLIER_PASSWORD, identityName, maskedCard } from '../../shared/itemTypes.js'
import type { ItemPlaintext } from './itemCrypto.js'

/** The list's second line: a login's username, a card's last four digits, a person's name, a key's fingerprint. */
export function listLine(p: ItemPlaintext): string {
  switch (p.type) {
    case 'card':
      return p.card ? [p.card.brand, maskedCard(p.card.number)].filter((s) => s !== '').join(' ') : ''
    case 'identity':
      return p.identity ? identityName(p.identity) : ''
    case 'ssh':
      return p.ssh?.fingerprint ?? ''
    case 'note':
      return ''
    default:
      return p.username
  }
}

/**
 * What search reads besides the name, the list line and the host: every web address and the
 * type's other non-secret fields, and custom fields' names and values except hidden ones.
 */
export function searchText(p: ItemPlaintext): string {
  const parts: string[] = [p.url, ...p.moreUrls]
  if (p.card) parts.push(p.card.cardholder)
  if (p.identity) {
    const i = p.identity
    parts.push(i.company, i.email, i.phone, i.address1, i.address2, i.address3, i.city, i.region, i.postalCode, i.country, i.username)
  }
  if (p.ssh) parts.push(p.ssh.publicKey.split(/\s+/).slice(2).join(' ')) // the key's comment, not its bytes
  for (const f of p.fields) parts.push(f.name, f.kind === 'text' ? f.value : '')
  return parts.filter((s) => s !== '').join('\n')
}

/**
 * The value of one field of an item, for copy and reveal: username, a type's secret field, a
 * hidden custom field (`field_<index>`) or an earlier password (`old_<index>`). Null when the item
 * has no such field (another type's).
 */
export function fieldValue(p: ItemPlaintext, field: string): string | null {
  switch (field) {
    case 'username':
      return p.type === 'login' ? p.username : p.identity ? p.identity.username : null
    case 'password':
      return p.type === 'login' ? p.password : null
    case 'totp':
      return p.type === 'login' ? p.totp : null
    case 'card_number':
      return p.card?.number ?? null
    case 'card_code':
      return p.card?.code ?? null
    case 'passport':
      return p.identity?.passport ?? null
    case 'licence':
      return p.identity?.licence ?? null
    case 'national_id':
      return p.identity?.nationalId ?? null
    case 'private_key':
      return p.ssh?.privateKey ?? null
  }
  const old = EARLIER_PASSWORD.exec(field)
  if (old) return p.passwordHistory[Number(old[1])]?.password ?? null
  const custom = CUSTOM_SECRET.exec(field)
  const f = custom ? p.fields[Number(custom[1])] : undefined
  return f ? f.value : null
}
