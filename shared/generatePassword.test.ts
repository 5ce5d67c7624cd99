import { describe, expect, it } from 'vitest'
import { CHARACTER_SETS, DEFAULT_GENERATOR, generatePassphrase, generatePassword } from './generatePassword'
import { PASSPHRASE_WORDS } from './passphraseWords'

describe('generatePassword', () => {
  it('makes the asked length from the chosen classes only, each of them present', () => {
    for (let i = 0; i < 200; i++) {
      const p = generatePassword({ length: 32, lower: true, upper: true, digits: true, symbols: false })
      expect(p).toHaveLength(32)
      expect(p).toMatch(/^[a-zA-Z0-9]+$/)
      expect(p).toMatch(/[a-z]/)
      expect(p).toMatch(/[A-Z]/)
      expect(p).toMatch(/[0-9]/)
    }
  })

  it('clamps lengths to 8..128 and falls back to lowercase when no class is chosen', () => {
    expect(generatePassword({ ...DEFAULT_GENERATOR, length: 3 })).toHaveLength(8)
    expect(generatePassword({ ...DEFAULT_GENERATOR, length: 500 })).toHaveLength(128)
    expect(generatePassword({ length: 12, lower: false, upper: false, digits: false, symbols: false })).toMatch(/^[a-z]{12}$/)
  })

  it('draws every character of the pool about equally often (rejection sampling, no modulo bias)', () => {
    const pool = CHARACTER_SETS.digits
    const counts = new Map<string, number>()
    for (let i = 0; i < 500; i++) for (const c of generatePassword({ length: 64, lower: false, upper: false, digits: true, symbols: false })) counts.set(c, (counts.get(c) ?? 0) + 1)
    expect([...counts.keys()].sort().join('')).toBe(pool)
    const expected = (500 * 64) / pool.length
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.1) // 4,000 draws each: 0.1 is over 6 standard deviations
  })
})

describe('generatePassphrase', () => {
  it('uses the EFF list: 7,776 distinct words', () => {
    expect(PASSPHRASE_WORDS).toHaveLength(7776)
    expect(new Set(PASSPHRASE_WORDS).size).toBe(7776)
  })

  it('joins the asked number of list words with the separator', () => {
    const words = new Set(PASSPHRASE_WORDS)
    // Split on a separator no list word contains (four have a hyphen: "t-shirt").
    for (const separator of [' ', '.', '_']) {
      const parts = generatePassphrase(PASSPHRASE_WORDS, { words: 5, separator }).split(separator)
      expect(parts).toHaveLength(5)
      for (const w of parts) expect(words.has(w)).toBe(true)
    }
    expect(generatePassphrase(PASSPHRASE_WORDS, { words: 5, separator: '-' })).toMatch(/^[a-z]+(-[a-z]+){4,}$/)
    expect(generatePassphrase(PASSPHRASE_WORDS, { words: 1, separator: ' ' }).split(' ')).toHaveLength(3)
    expect(generatePassphrase(PASSPHRASE_WORDS, { words: 40, separator: ' ' }).split(' ')).toHaveLength(12)
  })
})
