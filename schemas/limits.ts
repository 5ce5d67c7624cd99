// How long each form field may be: the schemas beside this file refuse more, and the pages' fields
// take their maxlength from here, so the two cannot drift. No zod here: the browser bundle imports
// this file, and a schema module would bring zod (about 27 KB gzip) into every page that does.
// Every page, in fact: the sidebar imports it, and its chunk is every page's. Keep it to numbers.
export const USER_NAME_MAX = 100
export const EMAIL_MAX = 254
export const MIN_PASSWORD = 12
export const MAX_PASSWORD = 1024
export const RECOVERY_CODE_MAX = 100
/** The code field holds 6 digits and the spaces apps show ("123 456"); the schema checks the digits. */
export const TOTP_CODE_FIELD_MAX = 12

export const FOLDER_NAME_MAX = 64
export const ITEM_LIMITS = { name: 200, username: 200, password: 1000, url: 2048, note: 10_000 } as const
/** An item's authenticator key: a base32 secret or an otpauth://totp/ URI (issue 21). */
export const TOTP_KEY_MAX = 2048

/** Issue 23 (item types): a card's, an identity's and a custom field's short text fields. */
export const TYPE_FIELD_MAX = 200
/** An SSH key as text (a 16,384-bit RSA private key in PEM is about 12,600 characters). */
export const SSH_KEY_MAX = 16_384
/** Custom fields per item, and each one's name and value. */
export const CUSTOM_FIELDS_MAX = 100
export const CUSTOM_FIELD_VALUE_MAX = 5_000
/** Web addresses per login (the first included). */
export const URLS_MAX = 20
