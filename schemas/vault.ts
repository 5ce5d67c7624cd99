// Vault forms: folders and items (SPEC sections 3 and 4). Isomorphic: no server imports. The
// routes parse with these once; the services take the parsed values and check only invariants.
import { z } from 'zod'
import { multiLine, singleLine } from './text.js'
import { FOLDER_NAME_MAX, ITEM_LIMITS, TOTP_KEY_MAX } from './limits.js'
import { ROTATE_DAYS_MAX } from '../shared/rotation.js'
import { parseTotpKey, TOTP_KEY_MESSAGE } from '../shared/totp.js'
import { CUSTOM_SECRET, EARLIER_PASSWORD, SECRET_FIELDS } from '../shared/itemTypes.js'
import { DEFAULT_GENERATOR as DEFAULTS, GENERATOR_LIMITS, SEPARATORS, type GeneratorOptions } from '../shared/generatePassword.js'

/** Any hyphenated UUID (what PostgreSQL's uuid type stores), whatever its version. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The canonical (lowercase) form of a UUID, as the database writes it, or null: a malformed id must never reach PostgreSQL. */
export function toId(raw: unknown): string | null {
  return typeof raw === 'string' && UUID_RE.test(raw) ? raw.toLowerCase() : null
}

const FOLDER_NAME_MESSAGE = `Folder names are 1 to ${FOLDER_NAME_MAX} characters.`

// A UUID has no room for odd characters: the regex alone refuses them, with the same message.
const folderId = z
  .string({ error: 'Choose a folder.' })
  .trim()
  .regex(UUID_RE, 'Choose a folder.')
  .transform((id) => id.toLowerCase())

/** An optional text field: missing (an empty form field may be left out) means ''. */
const optionalText = (max: number, message: string, lines: typeof singleLine = singleLine) =>
  lines(z.string({ error: message }).max(max, message)).default('')

export const folderSchema = z.object({
  name: singleLine(
    z
      .string({ error: FOLDER_NAME_MESSAGE })
      .trim()
      .min(1, FOLDER_NAME_MESSAGE)
      .max(FOLDER_NAME_MAX, FOLDER_NAME_MESSAGE),
  ),
})

export const WEBSITE_MESSAGE = 'Enter a web address like example.com or https://example.com/login.'

/**
 * The Website field (docs/features/strength-meter-generator-and-pending.md): empty; a URI with a scheme ("https://…", an app's
 * "androidapp://…", "mailto:…") that parses; or a bare host as people type it ("example.com",
 * "example.com/login"), read as https, which needs a dot (or is localhost), so a word or a
 * sentence is refused. No spaces anywhere. Only http(s) ever becomes a link (safeHref).
 */
export function isWebsite(raw: string): boolean {
  const url = raw.trim()
  if (url === '') return true
  if (/\s/.test(url)) return false
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(url)
  let parsed: URL
  try {
    parsed = new URL(withScheme ? url : `https://${url}`)
  } catch {
    return false
  }
  if (withScheme) return !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || parsed.host !== ''
  return parsed.hostname === 'localhost' || /\.[a-z0-9-]*[a-z0-9]$/i.test(parsed.hostname)
}

export const ROTATE_DAYS_MESSAGE = `Choose how often, or enter a number of days from 1 to ${ROTATE_DAYS_MAX.toLocaleString('en-US')}.`

/**
 * The reminder from the form's two controls: the select `rotate_days` ('' none, a number of days,
 * or 'custom') and the number `rotate_days_custom`, read only when the select says 'custom'
 * (without JavaScript both are visible: the select decides). Undefined when invalid.
 */
export function rotateDaysOf(choice: string, custom: string): number | null | undefined {
  const raw = choice === 'custom' ? custom : choice
  if (choice === '' || choice === 'none') return null
  if (!/^\d{1,5}$/.test(raw)) return undefined
  const days = Number(raw)
  return days >= 1 && days <= ROTATE_DAYS_MAX ? days : undefined
}

/** The item form's fields as posted (see itemFieldsSchema). */
const itemFieldsShape = z.object({
  name: singleLine(
    z
      .string({ error: 'Enter a name for this item.' })
      .trim()
      .min(1, 'Enter a name for this item.')
      .max(ITEM_LIMITS.name, `Names are at most ${ITEM_LIMITS.name} characters.`),
  ),
  username: optionalText(ITEM_LIMITS.username, `Usernames are at most ${ITEM_LIMITS.username} characters.`),
  password: optionalText(ITEM_LIMITS.password, `Passwords are at most ${ITEM_LIMITS.password.toLocaleString('en-US')} characters.`),
  url: optionalText(ITEM_LIMITS.url, `Web addresses are at most ${ITEM_LIMITS.url.toLocaleString('en-US')} characters.`).refine(isWebsite, WEBSITE_MESSAGE),
  note: optionalText(ITEM_LIMITS.note, `Notes are at most ${ITEM_LIMITS.note.toLocaleString('en-US')} characters.`, multiLine),
  rotate_days: z.string({ error: ROTATE_DAYS_MESSAGE }).trim().default(''),
  rotate_days_custom: z.string({ error: ROTATE_DAYS_MESSAGE }).trim().default(''),
  // The authenticator key (ADR 030): '' or a key otpauth reads, stored normalised.
  totp: optionalText(TOTP_KEY_MAX, TOTP_KEY_MESSAGE).transform((v, ctx) => {
    if (v.trim() === '') return ''
    const key = parseTotpKey(v)
    if (key) return key.stored
    ctx.addIssue({ code: 'custom', message: TOTP_KEY_MESSAGE })
    return z.NEVER
  }),
})

/** rotate_days and rotate_days_custom become rotateDays (ItemInput), the message beside rotate_days. */
function withRotateDays<T extends { rotate_days: string; rotate_days_custom: string }>(schema: z.ZodType<T>) {
  return schema
    .superRefine((v, ctx) => {
      if (rotateDaysOf(v.rotate_days, v.rotate_days_custom) === undefined) ctx.addIssue({ code: 'custom', path: ['rotate_days'], message: ROTATE_DAYS_MESSAGE })
    })
    .transform(({ rotate_days, rotate_days_custom, ...rest }) => ({ ...rest, rotateDays: rotateDaysOf(rotate_days, rotate_days_custom) ?? null }))
}

/** A login's fields (what is encrypted) and its rotation reminder: a CSV import's rows, and the login part of the item form (schemas/items.ts). */
export const itemFieldsSchema = withRotateDays(itemFieldsShape)

const wholeNumber = (limits: { min: number; max: number }, fallback: number, message: string) =>
  z
    .string({ error: message })
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : Number(v.trim())))
    .pipe(z.number({ error: message }).int(message).min(limits.min, message).max(limits.max, message))
const checkbox = z.unknown().optional().transform((v) => v !== undefined)

const LENGTH_MESSAGE = `Choose a length from ${GENERATOR_LIMITS.length.min} to ${GENERATOR_LIMITS.length.max}.`
const WORDS_MESSAGE = `Choose from ${GENERATOR_LIMITS.words.min} to ${GENERATOR_LIMITS.words.max} words.`

/**
 * The generator's options, fields of the item form (gen_*) read by its no-JavaScript "Generate".
 * A form without them (an older page, a script) gets the defaults; with them, an unticked
 * checkbox is simply absent.
 */
export const generatorSchema = z
  .object({
    gen_mode: z.enum(['characters', 'passphrase'], { error: 'Choose characters or words.' }).optional(),
    gen_length: wholeNumber(GENERATOR_LIMITS.length, 20, LENGTH_MESSAGE),
    gen_lower: checkbox,
    gen_upper: checkbox,
    gen_digits: checkbox,
    gen_symbols: checkbox,
    gen_words: wholeNumber(GENERATOR_LIMITS.words, 5, WORDS_MESSAGE),
    gen_separator: z
      .enum(SEPARATORS.map((s) => s.value) as [string, ...string[]], { error: 'Choose a separator from the list.' })
      .default('-'),
  })
  .transform(
    (v): GeneratorOptions =>
      v.gen_mode === undefined
        ? { ...DEFAULTS, length: v.gen_length, words: v.gen_words, separator: v.gen_separator }
        : {
            mode: v.gen_mode,
            length: v.gen_length,
            lower: v.gen_lower,
            upper: v.gen_upper,
            digits: v.gen_digits,
            symbols: v.gen_symbols,
            words: v.gen_words,
            separator: v.gen_separator,
          },
  )
  .refine((o) => o.mode === 'passphrase' || o.lower || o.upper || o.digits || o.symbols, {
    path: ['gen_lower'],
    message: 'Choose at least one kind of character.',
  })

/** POST /dashboard/items/:id/move */
export const moveSchema = z.object({ folder_id: folderId })

export type FolderInput = z.infer<typeof folderSchema>
export type ItemFieldsInput = z.infer<typeof itemFieldsSchema>
export type MoveInput = z.infer<typeof moveSchema>
export type GeneratorInput = z.infer<typeof generatorSchema>

const COPYABLE_SECRETS = Object.values(SECRET_FIELDS).flat()
const COPY_MESSAGE = 'Choose a field of this item to copy.'
/** POST /dashboard/items/:id/copy: which one field to send (ADR 030). */
export const copySchema = z.object({
  // username, a type's secret field (shared/itemTypes.ts SECRET_FIELDS) or a hidden custom field (field_<index>).
  field: z
    .string({ error: COPY_MESSAGE })
    .refine((f) => f === 'username' || (COPYABLE_SECRETS as readonly string[]).includes(f) || CUSTOM_SECRET.test(f) || EARLIER_PASSWORD.test(f), COPY_MESSAGE),
})
