// The app serves as fast alone as behind nginx (SPEC section 6): HTML and JSON compressed on the
// fly, hashed assets pre-compressed at build time with immutable caching, and static files only
// under /assets/ (a page request never touches the filesystem).
import { describe, expect, it } from 'vitest'
import { BASE_URL, Client } from '../helpers/http.js'

describe('compression and caching', () => {
  it('compresses pages with brotli or gzip, as the browser asks', async () => {
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
    ]) {
      const res = await fetch(`${BASE_URL}/login`, { headers: { 'accept-encoding': accept } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-encoding')).toBe(encoding)
      expect(res.headers.get('cache-control')).toContain('no-store')
    }
  })

  it('serves hashed assets pre-compressed with a year of immutable caching', async () => {
    const html = await (await new Client().get('/login')).text()
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
    expect(scripts.length).toBeGreaterThan(0)
    const encodings: (string | null)[] = []
    for (const script of scripts) {
      const res = await fetch(`${BASE_URL}${script}`, { headers: { 'accept-encoding': 'br' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/)
      encodings.push(res.headers.get('content-encoding'))
    }
    // Files under 1 KB are not worth compressing; the large chunks (Vue, Vike) come as brotli.
    expect(encodings).toContain('br')
  })

  it('serves no file outside /assets/', async () => {
    for (const path of ['/package.json', '/client/index.html', '/assets/../package.json', '/.env.example']) {
      const res = await fetch(`${BASE_URL}${path}`)
      expect(res.status).toBe(404)
    }
  })
})
