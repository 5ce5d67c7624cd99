// Isomorphic password generator (server for the no-JavaScript "Generate" button, browser for the
// in-place one). Uses the Web Crypto getRandomValues available in both; rejection sampling keeps
// every character equally likely.
export interface GeneratorOptions {
  length: number
  lower: boolean
  upper: boolean
  digits: boolean
  symbols: boolean
}

export const DEFAULT_GENERATOR: GeneratorOptions = { length: 20, lower: true, upper: true, digits: true, symbols: true }

const SETS = {
  lower: 'abcdefghijkmnopqrstuvwxyz',
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  digits: '23456789',
  symbols: '!#$%&*+-=?@^_~',
} as const

function randomIndex(n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n
  const buf = new Uint32Array(1)
  for (;;) {
    globalThis.crypto.getRandomValues(buf)
    if (buf[0]! < limit) return buf[0]! % n
  }
}

export function generatePassword(opts: GeneratorOptions = DEFAULT_GENERATOR): string {
  const chosen = (Object.keys(SETS) as (keyof typeof SETS)[]).filter((k) => opts[k])
  const sets = chosen.length ? chosen.map((k) => SETS[k]) : [SETS.lower]
  const length = Math.min(128, Math.max(Math.max(8, sets.length), Math.floor(opts.length) || 20))
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
