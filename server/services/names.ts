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
 * A key whose plain string order is nameCollator's, for the names made only of printable ASCII
 * (most item and folder names: "GitHub", "Gmail (work)", "amazon.com", "site 16"), or null for
 * any other name. In the collator's order (CLDR root, non-ignorable, base strength) a space sorts
 * first, then punctuation and symbols in an order of their own, then digits, then letters, case
 * aside, and a run of digits sorts by its value. The key lower-cases the letters, writes the
 * space and each punctuation mark as a character below '0' that keeps the collator's order of
 * them (taken from the collator itself when the module loads), and writes each run of digits,
 * leading zeros dropped, behind one character that grows with its length (from '1', below any
 * letter): "site 16" -> "site 216", "site 112" -> "site 3112". Comparing two keys with < costs a
 * fraction of nameCollator.compare, which a cold list at 1,000 items would otherwise call some
 * 10,000 times. names.test.ts checks on random names that the two orders agree.
 */
export function sortKey(name: string): string | null {
  // One pass over the code units (a regular expression with a callback cost more than it saved).
  let key = ''
  const n = name.length
  let i = 0
  while (i < n) {
    const c = name.charCodeAt(i)
    if (c >= 0x61 && c <= 0x7a) {
      let j = i + 1
      while (j < n && isLower(name.charCodeAt(j))) j++
      key += name.slice(i, j)
      i = j
    } else if (c >= 0x30 && c <= 0x39) {
      let j = i
      while (j < n && name.charCodeAt(j) === 0x30) j++ // leading zeros
      let k = j
      while (k < n && isDigit(name.charCodeAt(k))) k++
      // Past 47 digits the length character would reach the letters: leave it to the collator.
      if (k - i > 47) return null
      key += k === j ? '10' : String.fromCharCode(0x30 + k - j) + name.slice(j, k)
      i = k
    } else if (c >= 0x41 && c <= 0x5a) {
      key += String.fromCharCode(c + 0x20)
      i++
    } else if (c >= 0x20 && c <= 0x7e) {
      key += MARKS[c]!
      i++
    } else return null
  }
  return key
}
const isLower = (c: number) => c >= 0x61 && c <= 0x7a
const isDigit = (c: number) => c >= 0x30 && c <= 0x39
/** The space and each punctuation mark, by code, to a key character (0x01 ...) in the collator's order of them. */
const MARKS = new Array<string>(0x7f).fill('') // filled first: a packed array, not a dictionary of holes
for (const [i, c] of [' ', ...[...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'].sort(nameCollator.compare)].entries()) MARKS[c.charCodeAt(0)] = String.fromCharCode(1 + i)

/** Compares two names with their keys (sortKey, computed once per name): nameCollator's order. */
export function compareNameKeys(a: string, aKey: string | null, b: string, bKey: string | null): number {
  if (aKey !== null && bKey !== null) return aKey < bKey ? -1 : aKey > bKey ? 1 : 0
  return nameCollator.compare(a, b)
}

const COMBINING_MARKS = /\p{M}+/gu
const NON_ASCII = /[^\x00-\x7f]/
/**
 * The form search compares: lower-cased without a locale, decomposed (NFD), combining marks
 * removed ("Café" and "CAFE" both give "cafe"). Made only when a search needs it; ASCII text (most
 * of it) only needs the lower-casing, several times cheaper than the normalization.
 */
export function fold(text: string): string {
  const lower = text.toLowerCase()
  return NON_ASCII.test(text) ? lower.normalize('NFD').replace(COMBINING_MARKS, '') : lower
}

/**
 * The name the app stores: trimmed, otherwise as typed, so an export gives back the very code
 * points (a backup must round-trip). What makes two names of one owner the same folder (trimmed,
 * NFC, lower-cased) is the unique index's expression (migrations/20261206200100-unique-folder-names.cjs).
 */
export const folderName = (name: string) => name.trim()

/**
 * A host as people read it: "xn--caf-dma.example" -> "café.example". Only hosts with a punycode
 * label are converted (the rest pass through untouched, at the cost of one substring search).
 */
export function unicodeHost(host: string): string {
  if (!host.includes('xn--')) return host
  return domainToUnicode(host) || host
}
