// The item form of every type (issue 23, ADR 035): POST /dashboard/items and /dashboard/items/:id.
// One schema per type, sharing the name, note and custom fields; the form's `type` picks it.
// Repeated fields (`url`, `field_name`, `field_value`, `field_kind`) arrive as a string, an array,
// or (past 20 repeats, the body parser's qs) an object with numeric keys: repeatedField reads all
// three. A message for a repeated field's row i is keyed `<field>.<i>` (the first `url` is `url`).
// Isomorphic: no server imports. What needs node:crypto (an SSH key's checks and fingerprint) is
// the service's.
import { z } from 'zod'
import { CONTROL_MESSAGE, multiLine, singleLine, SURROGATE_MESSAGE } from './text.js'
import { CUSTOM_FIELDS_MAX, CUSTOM_FIELD_VALUE_MAX, ITEM_LIMITS, SSH_KEY_MAX, TYPE_FIELD_MAX, URLS_MAX } from './limits.js'
import { itemFieldsSchema, isWebsite, UUID_RE, WEBSITE_MESSAGE } from './vault.js'
import { FIELD_KINDS, ITEM_TYPES, type CustomField, type IdentityData, type ItemInput, type ItemType } from '../shared/contract.js'
import { cardBrand, IDENTITY_FORM_NAMES } from '../shared/itemTypes.js'

export const TYPE_MESSAGE = 'Choose a login, secure note, card, identity or SSH key.'

/** The values of a repeated form field, in order; anything that is not text is left out. */
export function repeatedField(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw]
  if (Array.isArray(raw)) return raw.filter((v): v is string => typeof v === 'string')
  if (raw && typeof raw === 'object') {
    return Object.entries(raw)
      .filter(([k, v]) => /^\d{1,4}$/.test(k) && typeof v === 'string')
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, v]) => v as string)
  }
  return []
}

/** The item type a form names: absent means login (forms from before issue 23); unknown is null. */
export function itemTypeOf(raw: unknown): ItemType | null {
  if (raw === undefined || raw === '') return 'login'
  return (ITEM_TYPES as readonly unknown[]).includes(raw) ? (raw as ItemType) : null
}

const tooLong = (label: string, max: number) => `${label} ${max === 1 ? 'is' : 'are'} at most ${max.toLocaleString('en-US')} characters.`
const text = (label: string, max = TYPE_FIELD_MAX) => singleLine(z.string({ error: tooLong(label, max) }).trim().max(max, tooLong(label, max))).default('')
const lines = (label: string, max: number) => multiLine(z.string({ error: tooLong(label, max) }).max(max, tooLong(label, max))).default('')

const MONTH_MESSAGE = 'Choose the month from the list.'
const YEAR_MESSAGE = 'Enter the year as four digits, like 2029.'

const cardShape = z.object({
  cardholder: text('Cardholder names'),
  // Spaces and dashes as printed are kept; anything else than digits is refused.
  card_number: singleLine(z.string().trim().max(30, 'Card numbers are at most 19 digits.'))
    .refine((v) => /^[\d\s-]*$/.test(v), 'A card number is digits only.')
    .default(''),
  exp_month: z
    .string({ error: MONTH_MESSAGE })
    .trim()
    .refine((v) => v === '' || (/^\d{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= 12), MONTH_MESSAGE)
    .transform((v) => (v === '' ? '' : String(Number(v))))
    .default(''),
  exp_year: z
    .string({ error: YEAR_MESSAGE })
    .trim()
    .refine((v) => v === '' || /^\d{4}$/.test(v), YEAR_MESSAGE)
    .default(''),
  card_code: singleLine(z.string().trim().max(8, 'Security codes are at most 8 digits.'))
    .refine((v) => /^\d*$/.test(v), 'A security code is digits only.')
    .default(''),
})

const identityShape = z.object({
  title: text('Titles', 40),
  first_name: text('First names'),
  middle_name: text('Middle names'),
  last_name: text('Last names'),
  company: text('Company names'),
  email: text('Email addresses', 254),
  phone: text('Phone numbers', 60),
  address1: text('Address lines'),
  address2: text('Address lines'),
  address3: text('Address lines'),
  city: text('Cities'),
  region: text('Regions'),
  postal_code: text('Postal codes', 40),
  country: text('Countries'),
  username: text('Usernames', ITEM_LIMITS.username),
  passport: text('Passport numbers', 60),
  licence: text('Licence numbers', 60),
  national_id: text('ID numbers', 60),
})

const sshShape = z.object({
  private_key: lines('Private keys', SSH_KEY_MAX),
  public_key: text('Public keys', SSH_KEY_MAX),
})

const common = z.object({
  name: singleLine(
    z
      .string({ error: 'Enter a name for this item.' })
      .trim()
      .min(1, 'Enter a name for this item.')
      .max(ITEM_LIMITS.name, `Names are at most ${ITEM_LIMITS.name} characters.`),
  ),
  note: lines('Notes', ITEM_LIMITS.note),
})

const FIELD_NAME_MESSAGE = 'Name this field, or empty its value to remove it.'
const CONTROL = /[\u0000-\u001f\u007f]/
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * The custom fields of a form, in order: rows left empty are dropped; a checkbox is 'true' or
 * 'false'. Messages by `field_name.<i>` / `field_value.<i>` / `field_kind.<i>`, or `fields` for
 * too many.
 */
export function customFieldsOf(body: Record<string, unknown>): { fields: CustomField[]; errors: Record<string, string> } {
  const names = repeatedField(body.field_name)
  const values = repeatedField(body.field_value)
  const kinds = repeatedField(body.field_kind)
  const count = Math.max(names.length, values.length, kinds.length)
  const errors: Record<string, string> = {}
  const fields: CustomField[] = []
  if (count > CUSTOM_FIELDS_MAX) return { fields, errors: { fields: `An item has at most ${CUSTOM_FIELDS_MAX} custom fields.` } }
  for (let i = 0; i < count; i++) {
    const name = (names[i] ?? '').trim()
    const kind = (kinds[i] ?? 'text') as CustomField['kind']
    let value = values[i] ?? ''
    if (!(FIELD_KINDS as readonly string[]).includes(kind)) {
      errors[`field_kind.${i}`] = 'Choose text, hidden or checkbox.'
      continue
    }
    if (kind === 'checkbox') value = value === 'true' || value === 'on' || value === '1' ? 'true' : 'false'
    if (name === '' && (kind === 'checkbox' || value.trim() === '')) continue
    if (name === '') errors[`field_name.${i}`] = FIELD_NAME_MESSAGE
    else if (name.length > TYPE_FIELD_MAX) errors[`field_name.${i}`] = tooLong('Field names', TYPE_FIELD_MAX)
    else if (CONTROL.test(name) || LONE_SURROGATE.test(name)) errors[`field_name.${i}`] = 'This cannot contain control characters.'
    if (value.length > CUSTOM_FIELD_VALUE_MAX) errors[`field_value.${i}`] = tooLong('Field values', CUSTOM_FIELD_VALUE_MAX)
    else if (CONTROL_EXCEPT_LINES.test(value) || LONE_SURROGATE.test(value)) errors[`field_value.${i}`] = 'This cannot contain control characters other than line breaks.'
    fields.push({ name, value, kind })
  }
  return { fields, errors }
}

/** Every web address of a login form, empty ones left out; messages by `url` (the first) and `url.<i>`. */
export function urlsOf(body: Record<string, unknown>): { urls: string[]; errors: Record<string, string> } {
  const raw = repeatedField(body.url)
  const errors: Record<string, string> = {}
  const urls: string[] = []
  raw.forEach((value, i) => {
    const url = value.trim()
    if (url === '') return
    const key = i === 0 ? 'url' : `url.${i}`
    if (url.length > ITEM_LIMITS.url) errors[key] = tooLong('Web addresses', ITEM_LIMITS.url)
    else if (LONE_SURROGATE.test(url)) errors[key] = SURROGATE_MESSAGE
    else if (CONTROL.test(value)) errors[key] = CONTROL_MESSAGE
    else if (!isWebsite(url)) errors[key] = WEBSITE_MESSAGE
    urls.push(url)
  })
  if (urls.length > URLS_MAX) errors.url = `A login has at most ${URLS_MAX} web addresses.`
  return { urls, errors }
}

function issues(ctx: z.RefinementCtx, errors: Record<string, string>) {
  for (const [key, message] of Object.entries(errors)) ctx.addIssue({ code: 'custom', path: [key], message })
}

/** The item form of any type, parsed into what the services take (ItemInput); `type` decides which fields count. */
export const itemFormSchema = z
  .looseObject({ type: z.unknown().optional() })
  .transform((body, ctx): ItemInput => {
    const type = itemTypeOf(body.type)
    if (!type) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: TYPE_MESSAGE })
      return z.NEVER
    }
    const custom = customFieldsOf(body)
    const base = common.safeParse(body)
    let input: ItemInput | null = null
    const errors: Record<string, string> = { ...custom.errors }
    const collect = (r: z.ZodSafeParseResult<unknown>) => {
      if (!r.success) for (const issue of r.error.issues) errors[String(issue.path[0] ?? '_form')] ??= issue.message
    }
    collect(base)
    if (type === 'login') {
      const { urls, errors: urlErrors } = urlsOf(body)
      Object.assign(errors, urlErrors)
      // The login's own fields as before issue 23 (the first web address checked there too).
      const login = itemFieldsSchema.safeParse({ ...body, url: urls[0] ?? '' })
      collect(login)
      if (login.success) input = { ...login.data, type, moreUrls: urls.slice(1), fields: custom.fields }
    } else if (type === 'note') {
      if (base.success) input = { ...blank(base.data), type, fields: custom.fields }
    } else if (type === 'card') {
      const card = cardShape.safeParse(body)
      collect(card)
      if (base.success && card.success) {
        const c = card.data
        input = {
          ...blank(base.data),
          type,
          card: { cardholder: c.cardholder, number: c.card_number, brand: cardBrand(c.card_number) || (c.card_number === '' ? '' : 'Other'), expMonth: c.exp_month, expYear: c.exp_year, code: c.card_code },
          fields: custom.fields,
        }
      }
    } else if (type === 'identity') {
      const identity = identityShape.safeParse(body)
      collect(identity)
      if (base.success && identity.success) {
        const form = identity.data as Record<string, string>
        const data = Object.fromEntries(Object.entries(IDENTITY_FORM_NAMES).map(([key, name]) => [key, form[name] ?? ''])) as unknown as IdentityData
        input = {
          ...blank(base.data),
          type,
          identity: data,
          fields: custom.fields,
        }
      }
    } else {
      const ssh = sshShape.safeParse(body)
      collect(ssh)
      // The fingerprint is the service's to compute (node:crypto), never typed.
      if (base.success && ssh.success) input = { ...blank(base.data), type, ssh: { privateKey: ssh.data.private_key, publicKey: ssh.data.public_key, fingerprint: '' }, fields: custom.fields }
    }
    if (Object.keys(errors).length > 0 || !input) {
      issues(ctx, Object.keys(errors).length > 0 ? errors : { _form: 'Check the fields above.' })
      return z.NEVER
    }
    return input
  })

/** A type other than login: the login's fields empty. */
const blank = ({ name, note }: { name: string; note: string }): ItemInput => ({ name, note, username: '', password: '', url: '' })

const FOLDER_MESSAGE = 'Choose a folder.'
const folderId = z.string({ error: FOLDER_MESSAGE }).trim().regex(UUID_RE, FOLDER_MESSAGE).transform((id) => id.toLowerCase())

/** POST /dashboard/items: the item and its folder (every message at once, the folder's too). */
export const newItemFormSchema = z.looseObject({}).transform((body, ctx) => {
  const folder = folderId.safeParse(body.folder_id)
  if (!folder.success) ctx.addIssue({ code: 'custom', path: ['folder_id'], message: FOLDER_MESSAGE })
  const item = itemFormSchema.safeParse(body)
  if (!item.success) for (const issue of item.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
  if (!folder.success || !item.success) return z.NEVER
  return { folderId: folder.data, ...item.data }
})
