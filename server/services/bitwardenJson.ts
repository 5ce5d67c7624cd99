// Bitwarden's unencrypted JSON export (issue 23, ADR 034): the layout, shared by the writer here
// (POST /dashboard/export with format=json) and the reader (importer/bitwardenJson.ts). It is the
// lossless format: every field an item holds has its place, so import(export(x)) gives x back.
// The shape is Bitwarden's own (bitwarden/clients, libs/common/src/models/export/*.ts): an empty
// text is written as null, as Bitwarden writes it, and null reads back as '' (NucleusID's fields
// have no "absent" distinct from empty). Pure functions: no database, no keys, no Koa.
import type { CardData, CustomField, FieldKind, IdentityData, ItemType, SshKeyData } from '../../shared/contract.js'
import type { ItemPlaintext } from './itemCrypto.js'

/** Bitwarden's cipher types (CipherType). */
export const BW_TYPES: Record<ItemType, number> = { login: 1, note: 2, card: 3, identity: 4, ssh: 5 }
export const TYPE_OF_BW: Record<number, ItemType> = { 1: 'login', 2: 'note', 3: 'card', 4: 'identity', 5: 'ssh' }
/** Bitwarden's custom field types (FieldType); 3 is "linked", read as text (ADR 034). */
export const BW_FIELD_TYPES: Record<FieldKind, number> = { text: 0, hidden: 1, checkbox: 2 }
export const FIELD_KIND_OF_BW: Record<number, FieldKind> = { 0: 'text', 1: 'hidden', 2: 'checkbox' }

/** Card fields: ours -> Bitwarden's (CardExport). */
export const CARD_KEYS: Record<keyof CardData, string> = {
  cardholder: 'cardholderName',
  brand: 'brand',
  number: 'number',
  expMonth: 'expMonth',
  expYear: 'expYear',
  code: 'code',
}
/** Identity fields: ours -> Bitwarden's (IdentityExport), in Bitwarden's order. */
export const IDENTITY_KEYS: Record<keyof IdentityData, string> = {
  title: 'title',
  firstName: 'firstName',
  middleName: 'middleName',
  lastName: 'lastName',
  address1: 'address1',
  address2: 'address2',
  address3: 'address3',
  city: 'city',
  region: 'state',
  postalCode: 'postalCode',
  country: 'country',
  company: 'company',
  email: 'email',
  phone: 'phone',
  nationalId: 'ssn',
  username: 'username',
  passport: 'passportNumber',
  licence: 'licenseNumber',
}
/** SSH key fields: ours -> Bitwarden's (SshKeyExport). */
export const SSH_KEYS: Record<keyof SshKeyData, string> = { privateKey: 'privateKey', publicKey: 'publicKey', fingerprint: 'keyFingerprint' }

/** What Bitwarden's linked fields (type 3) point at (LinkedIdType), for the text they become. */
export const LINKED_NAMES: Record<number, string> = {
  100: 'the username',
  101: 'the password',
  300: 'the cardholder name',
  301: 'the expiry month',
  302: 'the expiry year',
  303: 'the security code',
  304: 'the brand',
  305: 'the card number',
  400: 'the title',
  401: 'the middle name',
  402: 'address line 1',
  403: 'address line 2',
  404: 'address line 3',
  405: 'the city',
  406: 'the state or region',
  407: 'the postal code',
  408: 'the country',
  409: 'the company',
  410: 'the email',
  411: 'the phone',
  412: 'the national ID number',
  413: 'the username',
  414: 'the passport number',
  415: 'the licence number',
  416: 'the first name',
  417: 'the last name',
  418: 'the full name',
}

/** Empty text is null in Bitwarden's files. */
const text = (v: string): string | null => (v === '' ? null : v)

function record<T extends object>(keys: Record<keyof T, string>, data: T): Record<string, string | null> {
  return Object.fromEntries((Object.keys(keys) as (keyof T)[]).map((k) => [keys[k], text(String(data[k]))]))
}

export interface ExportedItem {
  id: string
  /** null for Personal (Bitwarden's "No folder"). */
  folderId: string | null
  favourite: boolean
  createdAt: Date
  updatedAt: Date
  plain: ItemPlaintext
}

const field = (f: CustomField) => ({ name: text(f.name), value: text(f.value), type: BW_FIELD_TYPES[f.kind], linkedId: null })

/** One item as Bitwarden writes it (CipherWithIdExport), keys in Bitwarden's order. */
export function bitwardenItem(item: ExportedItem) {
  const p = item.plain
  const type = p.type
  return {
    id: item.id,
    organizationId: null,
    folderId: item.folderId,
    type: BW_TYPES[type],
    reprompt: 0,
    name: p.name,
    notes: text(p.note),
    favorite: item.favourite,
    ...(p.fields.length > 0 ? { fields: p.fields.map(field) } : {}),
    ...(type === 'login'
      ? {
          login: {
            // An empty first address with more after it is kept as a null first URI, so the
            // further ones stay further ones when read back.
            uris: (p.url === '' && p.moreUrls.length === 0 ? [] : [p.url, ...p.moreUrls]).map((uri) => ({ match: null, uri: text(uri) })),
            username: text(p.username),
            password: text(p.password),
            totp: text(p.totp),
            fido2Credentials: [],
          },
        }
      : {}),
    ...(type === 'note' ? { secureNote: { type: 0 } } : {}),
    ...(type === 'card' && p.card ? { card: record(CARD_KEYS, p.card) } : {}),
    ...(type === 'identity' && p.identity ? { identity: record(IDENTITY_KEYS, p.identity) } : {}),
    ...(type === 'ssh' && p.ssh ? { sshKey: record(SSH_KEYS, p.ssh) } : {}),
    collectionIds: null,
    passwordHistory: p.passwordHistory.length > 0 ? p.passwordHistory.map((h) => ({ lastUsedDate: new Date(h.lastUsed).toISOString(), password: h.password })) : null,
    revisionDate: item.updatedAt.toISOString(),
    creationDate: item.createdAt.toISOString(),
    deletedDate: null,
  }
}

/** The whole file: folders (not Personal) by id and name, then the items. */
export function bitwardenExport(folders: { id: string; name: string }[], items: ExportedItem[]) {
  return { encrypted: false, folders: folders.map((f) => ({ id: f.id, name: f.name })), items: items.map(bitwardenItem) }
}
