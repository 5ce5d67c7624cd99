// names.ts: natural order, its fast sort keys (which must agree with the collator exactly), the
// search fold, folder-name identity and Unicode hosts.
import { describe, expect, it } from 'vitest'
import { compareNameKeys, fold, folderName, nameCollator, sortKey, unicodeHost } from './names.js'

const sortNames = (names: string[]) => [...names].sort((a, b) => compareNameKeys(a, sortKey(a), b, sortKey(b)))

describe('natural order', () => {
  it('sorts numbers by value, case and accents aside', () => {
    expect(sortNames(['site 112', 'site 16', 'site 0', 'site 2'])).toEqual(['site 0', 'site 2', 'site 16', 'site 112'])
    expect(sortNames(['F10', 'F2', 'F1'])).toEqual(['F1', 'F2', 'F10'])
    expect(sortNames(['zeta', 'Éclair', 'eclair 2', 'Apple'])).toEqual(['Apple', 'Éclair', 'eclair 2', 'zeta'])
  })

  it('sort keys order ASCII names exactly as the collator does (random names of letters, digits, spaces and marks)', () => {
    const alphabet = 'aAbBzZ0019   .-_()&+/@$~!\'"#%*,:;<=>?[\\]^`{|}'
    let seed = 42
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const name = () => Array.from({ length: 1 + Math.floor(random() * 7) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
    const disagree: string[] = []
    for (let i = 0; i < 20_000; i++) {
      const a = name()
      const b = i % 3 === 0 ? `${a}${name()}` : name()
      const ka = sortKey(a)!
      const kb = sortKey(b)!
      const fast = ka < kb ? -1 : ka > kb ? 1 : 0
      if (fast !== Math.sign(nameCollator.compare(a, b))) disagree.push(`${JSON.stringify(a)} ${JSON.stringify(b)}`)
    }
    expect(disagree).toEqual([])
    // Long runs of digits, leading zeros.
    for (const [a, b] of [['x 007', 'x 7'], ['x 1234567890123456789', 'x 99'], ['x 0', 'x 00'], ['a 1b', 'a 01c']]) {
      expect(Math.sign(compareNameKeys(a!, sortKey(a!), b!, sortKey(b!))), `${a} ${b}`).toBe(Math.sign(nameCollator.compare(a!, b!)))
    }
  })

  it('leaves other names to the collator', () => {
    expect(sortKey('café')).toBeNull()
    expect(sortKey('Ärzte')).toBeNull()
    expect(sortKey('x'.repeat(10) + '1'.repeat(60))).toBeNull()
    const names = ['b.example', 'a-site', 'Ärzte', 'a site', 'Émile (work)', 'emile (home) 2', 'émile 10', 'x'.repeat(3) + '9'.repeat(60), 'xxx 1']
    expect(sortNames(names)).toEqual([...names].sort(nameCollator.compare))
  })
})

describe('search fold, folder names, hosts', () => {
  it('folds accents and case away', () => {
    expect(fold('Café CRÈME')).toBe('cafe creme')
    expect(fold('Cafe\u0301')).toBe('cafe')
    expect(fold('İstanbul').startsWith('i')).toBe(true)
  })

  it('stores folder names trimmed, as typed otherwise (an export gives back the same code points)', () => {
    expect(folderName('  Cafe\u0301 ')).toBe('Cafe\u0301')
  })

  it('shows punycode hosts in Unicode and leaves others alone', () => {
    expect(unicodeHost('xn--caf-dma.example')).toBe('café.example')
    expect(unicodeHost('login.example.com')).toBe('login.example.com')
    expect(unicodeHost('')).toBe('')
  })
})
