// Isomorphic password generator (server for the no-JavaScript "Generate" button, browser for the
// in-place one). Uses the Web Crypto getRandomValues available in both; rejection sampling keeps
// every character, and every word of a passphrase, equally likely.
export interface CharacterOptions {
  length: number
  lower: boolean
  upper: boolean
  digits: boolean
  symbols: boolean
}

export interface PassphraseOptions {
  words: number
  separator: string
}

export interface GeneratorOptions extends CharacterOptions, PassphraseOptions {
  mode: 'characters' | 'passphrase'
}

export const GENERATOR_LIMITS = { length: { min: 8, max: 128 }, words: { min: 3, max: 12 } } as const

/** Separators a passphrase may use, with what the option says. */
export const SEPARATORS = [
  { value: '-', label: 'Hyphen (-)' },
  { value: ' ', label: 'Space' },
  { value: '.', label: 'Period (.)' },
  { value: '_', label: 'Underscore (_)' },
] as const

export const DEFAULT_GENERATOR: GeneratorOptions = {
  mode: 'characters',
  length: 20,
  lower: true,
  upper: true,
  digits: true,
  symbols: true,
  words: 5,
  separator: '-',
}

// Look-alikes (l, I, O, 0, 1) are left out so a password can be read off a screen.
export const CHARACTER_SETS = {
  lower: 'abcdefghijkmnopqrstuvwxyz',
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  digits: '23456789',
  symbols: '!#$%&*+-=?@^_~',
} as const

const clamp = (n: number, min: number, max: number, fallback: number) => Math.min(max, Math.max(min, Math.floor(n) || fallback))

/** The number of words a passphrase of `words` gets (out-of-range values are clamped, as generated). */
export const passphraseWordCount = (words: number) => clamp(words, GENERATOR_LIMITS.words.min, GENERATOR_LIMITS.words.max, DEFAULT_GENERATOR.words)

function randomIndex(n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n
  const buf = new Uint32Array(1)
  for (;;) {
    globalThis.crypto.getRandomValues(buf)
    if (buf[0]! < limit) return buf[0]! % n
  }
}

export function generatePassword(opts: CharacterOptions = DEFAULT_GENERATOR): string {
  const chosen = (Object.keys(CHARACTER_SETS) as (keyof typeof CHARACTER_SETS)[]).filter((k) => opts[k])
  const sets = chosen.length ? chosen.map((k) => CHARACTER_SETS[k]) : [CHARACTER_SETS.lower]
  const { min, max } = GENERATOR_LIMITS.length
  const length = clamp(opts.length, Math.max(min, sets.length), max, DEFAULT_GENERATOR.length)
  const all = sets.join('')
  // One character from each chosen class, the rest from all of them, then shuffle.
  const chars = sets.map((s) => s[randomIndex(s.length)]!)
  while (chars.length < length) chars.push(all[randomIndex(all.length)]!)
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1)
    ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
  }
  return chars.join('')
}

/**
 * `words` drawn independently and uniformly from `wordlist` (EFF's 7,776 words: 12.9 bits each;
 * four of them have a hyphen of their own, "t-shirt", which takes nothing from that).
 */
export function generatePassphrase(wordlist: readonly string[], opts: PassphraseOptions = DEFAULT_GENERATOR): string {
  return Array.from({ length: passphraseWordCount(opts.words) }, () => wordlist[randomIndex(wordlist.length)]!).join(opts.separator)
}
