import { describe, expect, it } from 'vitest'
import { hostOf, safeHref } from './itemCrypto.js'

describe('item URLs', () => {
  it('hostOf and safeHref read URLs as typed, and never link to script', () => {
    expect(hostOf('https://Accounts.Example.com/login?x=1')).toBe('accounts.example.com')
    expect(hostOf('example.com/login')).toBe('example.com')
    expect(hostOf('  localhost:3000  ')).toBe('localhost')
    expect(hostOf('ftp://files.example')).toBe('files.example')
    for (const bad of ['', '   ', 'not a url', 'mailto:me@example.com', 'javascript:alert(1)', 'http://']) expect(hostOf(bad)).toBe('')
    expect(safeHref('example.com')).toBe('https://example.com/')
    expect(safeHref('http://example.com/a')).toBe('http://example.com/a')
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', 'ftp://files.example', 'vbscript:x', '']) {
      expect(safeHref(bad)).toBeNull()
    }
  })
})
