// How names are ordered, searched, compared and shown: one place for the list's natural order,
// the search fold, folder-name identity and hosts in Unicode (docs/decisions/023).
//
// Everything here is built once per process and reused: an Intl.Collator costs about 30 µs to
// make, and the list compares thousands of names per cold view.
import { domainToUnicode } from 'node:url'

/**
 * Natural, locale-aware order: "site 2" before "site 10", "F2" before "F10", "éclair" beside
 * "eclair", case ignored. 'en' rather than the process locale, so the order is the same on every
 * server (the list indexes are stored sorted in it, ADR 020).
 */
export const nameCollator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

/**
 * A key whose plain string order is nameCollator's for the names that hold only ASCII letters,
 * digits and spaces (most item and folder names), or null for any other name. In the collator's
 * order (CLDR root, non-ignorable) a space sorts before digits and digits before letters, case
 * aside; a run of digits sorts by its value. So the key lower-cases the letters and writes each
 * run of digits, leading zeros dropped, behind one character that grows with its length ('1' + n,
 * below any letter): "site 16" -> "site 216", "site 112" -> "site 3112". Comparing two keys with
 * < is several times cheaper than nameCollator.compare, which the cold list would otherwise call
 * some 10,000 times at 1,000 items. names.test.ts checks the two orders agree.
 */
export function sortKey(name: string): string | null {
  if (!SIMPLE.test(name)) return null
  return name.toLowerCase().replace(DIGITS, (run) => {
    const digits = run.replace(LEADING_ZEROS, '') || '0'
    return String.fromCharCode(0x30 + digits.length) + digits
  })
}
// Up to 48 digits the length character stays below 'a' (0x61).
const SIMPLE = /^[A-Za-z0-9 ]*$/
const DIGITS = /[0-9]{1,48}/g
const LEADING_ZEROS = /^0+/

/** Compares two names with their keys (sortKey, computed once per name): nameCollator's order. */
export function compareNameKeys(a: string, aKey: string | null, b: string, bKey: string | null): number {
  if (aKey !== null && bKey !== null) return aKey < bKey ? -1 : aKey > bKey ? 1 : 0
  return nameCollator.compare(a, b)
}

const COMBINING_MARKS = /\p{M}+/gu
/**
 * The form search compares: decomposed (NFD), combining marks removed, lower-cased without a
 * locale ("Café" and "CAFE" both give "cafe"). Made only when a search needs it.
 */
export function fold(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase()
}

/**
 * What makes two folder names of one owner the same folder: trimmed, NFC, lower-cased. The
 * database enforces it with a unique index on the same expression
 * (migrations/20261206200000-unique-folder-names.cjs); this form is what the app stores.
 */
export const folderName = (name: string) => name.normalize('NFC').trim()

/**
 * A host as people read it: "xn--caf-dma.example" -> "café.example". Only hosts with a punycode
 * label are converted (the rest pass through untouched, at the cost of one substring search).
 */
export function unicodeHost(host: string): string {
  if (!host.includes('xn--')) return host
  return domainToUnicode(host) || host
}
