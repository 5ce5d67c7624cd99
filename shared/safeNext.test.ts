import { describe, expect, it } from 'vitest'
import { safeNext } from './safeNext'

const UUID = '3f0c1e9a-7b2d-4c5e-9f10-2a3b4c5d6e7f'

describe('safeNext', () => {
  // Each of these would leave the site, or could once decoded or parsed again.
  it.each([
    ['protocol-relative', '//evil.example'],
    ['slash backslash', '/\\evil.example'],
    ['double backslash', '\\\\evil.example'],
    ['encoded slashes', '/%2f%2fevil.example'],
    ['encoded backslash', '/%5cevil.example'],
    ['encoded slash, upper case', '/%2F..'],
    ['absolute URL', 'https://evil.example/x'],
    ['scheme without slashes', 'http:evil.example'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['tab (the URL parser drops it: //evil.example)', '/\t/evil.example'],
    ['newline (the URL parser drops it: //evil.example)', '/\n/evil.example'],
    ['NUL', '/dashboard\u0000'],
    ['DEL', '/dashboard\u007f'],
    ['leading space', ' /dashboard'],
    ['header injection', '/dashboard\r\nSet-Cookie: x=1'],
    ['empty', ''],
    ['relative path', 'dashboard'],
    ['too long', `/dashboard?q=${'a'.repeat(2048)}`],
  ])('refuses %s', (_name, next) => {
    expect(safeNext(next)).toBe('/dashboard')
  })

  // Each of these passes every check on the raw string, but its dot segments collapse into a path
  // that starts with "//" (another host to a browser, or to safeNext applied a second time).
  it.each([
    ['dot segment', '/.//evil.example'],
    ['double-dot segment above the root', '/..//evil.example'],
    ['encoded dot', '/%2e//evil.example'],
    ['encoded dot, upper case', '/%2E//evil.example'],
    ['encoded double dot', '/%2e%2e//x'],
    ['mixed encoded and plain dots', '/.%2e//evil.example'],
    ['a segment and its double dot', '/dashboard/..//evil.example'],
    ['several levels up', '/a/b/../..//evil.example/path?q=1'],
    ['dot segment then backslash', '/./\\x'],
    ['dot segment with a tab inside', '/./\t/evil.example'],
    ['dot segment with a newline inside', '/.\n//evil.example'],
    ['dot segments with a carriage return inside', '/..\r//evil.example'],
  ])('refuses %s, which normalises to a protocol-relative URL', (_name, next) => {
    expect(safeNext(next)).toBe('/dashboard')
    // Whatever it returns stays on this origin when used as a Location, once or twice.
    expect(new URL(safeNext(safeNext(next)), 'https://app.example').origin).toBe('https://app.example')
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an array (repeated query parameter)', ['/dashboard/folders/x', '//evil.example']],
    ['a number', 42],
    ['an object', { toString: () => '/dashboard/shares' }],
  ])('refuses %s', (_name, next) => {
    expect(safeNext(next)).toBe('/dashboard')
  })

  it.each([
    '/dashboard',
    `/dashboard/items/${UUID}`,
    '/dashboard?q=git%20hub&page=2',
    '/dashboard/folders/x#top',
    `/dashboard/items/${UUID}/edit`,
    '/',
    // Encoded slashes in the query are data, not a path: a search for "a/b" survives the login.
    '/dashboard?q=a%2Fb',
    '/login?next=%2Fdashboard%2Fshares',
  ])('keeps %s', (next) => {
    expect(safeNext(next)).toBe(next)
  })

  it('returns the normalised path of the resolved URL', () => {
    expect(safeNext('/dashboard/folders/../shares')).toBe('/dashboard/shares')
    expect(safeNext('/dashboard?q=git hub')).toBe('/dashboard?q=git%20hub')
    expect(safeNext('/dashboard/é')).toBe('/dashboard/%C3%A9')
    // A double slash further in is a path on this origin: kept, normalised.
    expect(safeNext('/dashboard/.//x')).toBe('/dashboard//x')
    expect(safeNext('/./dashboard')).toBe('/dashboard')
  })

  it('accepts a value of exactly the maximum length', () => {
    const next = `/dashboard?q=${'a'.repeat(2048 - '/dashboard?q='.length)}`
    expect(next).toHaveLength(2048)
    expect(safeNext(next)).toBe(next)
  })
})
