// What the item page shows of an item's type (issue 23, ADR 035), built on the server: every
// field that is not secret, and each secret as whether it has one and, only when that one field
// was asked for (?reveal=<field>), its value. Nothing else secret reaches the page.
import type { ItemDetail } from '../../../../shared/contract'
import { cardExpiry, expiryText, identityName, luhnValid, maskedCard, monthNumber } from '../../../../shared/itemTypes'
import { safeHref } from '../../../../shared/webAddress'

export interface ShownSecret {
  field: string
  has: boolean
  value: string | null
}

const secret = (field: string, value: string, reveal: string | undefined): ShownSecret => ({ field, has: value !== '', value: reveal === field && value !== '' ? value : null })

export function typeView(item: ItemDetail, reveal: string | undefined) {
  const urls = item.unreadable || item.type !== 'login' ? [] : [item.fields.url, ...item.moreUrls].filter((u) => u !== '').map((url) => ({ url, href: safeHref(url) }))
  const customFields = item.customFields.map((f, i) =>
    f.kind === 'hidden' ? { name: f.name, kind: f.kind, value: null, secret: secret(`field_${i}`, f.value, reveal) } : { name: f.name, kind: f.kind, value: f.value, secret: null },
  )
  const c = item.card
  const expiry = c ? cardExpiry(c) : null
  const card = c
    ? {
        cardholder: c.cardholder,
        brand: c.brand,
        masked: maskedCard(c.number),
        expiry: expiry === null ? [c.expMonth, c.expYear].filter((s) => s !== '').join('/') : expiryText(expiry),
        expired: expiry !== null && expiry < monthNumber(new Date()),
        // A typo is likelier than a fake card: said beside the number, which stays saved.
        checksumFails: c.number !== '' && !luhnValid(c.number),
        number: secret('card_number', c.number, reveal),
        code: secret('card_code', c.code, reveal),
      }
    : null
  const i = item.identity
  const identity = i
    ? {
        name: identityName(i),
        company: i.company,
        email: i.email,
        phone: i.phone,
        address: [i.address1, i.address2, i.address3, [i.postalCode, i.city].filter((s) => s !== '').join(' '), i.region, i.country].filter((s) => s.trim() !== ''),
        username: i.username,
        passport: secret('passport', i.passport, reveal),
        licence: secret('licence', i.licence, reveal),
        nationalId: secret('national_id', i.nationalId, reveal),
      }
    : null
  const ssh = item.ssh ? { publicKey: item.ssh.publicKey, fingerprint: item.ssh.fingerprint, privateKey: secret('private_key', item.ssh.privateKey, reveal) } : null
  return { type: item.type, urls, customFields, card, identity, ssh, passwordHistory: item.passwordHistory.length }
}

/** Whether the view carries a secret's value (one was asked for and the item has it): a reveal to record. */
export function showsSecret(view: unknown): boolean {
  if (Array.isArray(view)) return view.some(showsSecret)
  if (view === null || typeof view !== 'object') return false
  if ('field' in view && 'has' in view && 'value' in view) return (view as ShownSecret).value !== null
  return Object.values(view).some(showsSecret)
}
