// The app serves as fast alone as behind nginx (SPEC section 6): HTML and JSON compressed on the
// fly, hashed assets pre-compressed at build time with immutable caching, and static files only
// under /assets/ (a page request never touches the filesystem).
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { describe, expect, it } from 'vitest'
import { BASE_URL, Client } from '../helpers/http.js'

/** GET with the path sent exactly as given: fetch() would resolve a literal `..` first. */
function rawGet(rawPath: string): Promise<{ status: number; body: string }> {
  const url = new URL(BASE_URL)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: 'GET', path: rawPath, headers: { 'accept-encoding': 'identity' } }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

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

  it('serves nothing outside dist/client/assets for dot segments, encoded or not', async () => {
    // Files a traversal would reach: the repository's package.json, the server bundle, and
    // dist/client files beside assets/ (Vite's manifest). Their content must not come back.
    const secrets = [readFileSync('package.json', 'latin1').slice(0, 200), readFileSync('dist/server/entry.mjs', 'latin1').slice(0, 200)]
    const paths = [
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/%2e%2e%2fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/.%2e/.%2e/package.json',
      '/assets/%2E%2E/%2E%2E/package.json',
      '/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/assets/%252e%252e/%252e%252e/package.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/%2e%2e/%2e%2e/server/entry.mjs',
      '/assets/..%2f..%2fserver%2fentry.mjs',
      '/assets/%2e%2e/.vite/manifest.json',
      '/assets/%2e%2e/favicon.svg',
      '/assets/%00/../../package.json',
    ]
    for (const path of paths) {
      const res = await rawGet(path)
      expect(res.status, path).toBe(404)
      for (const secret of secrets) expect(res.body, path).not.toContain(secret)
    }
    // The same request shape does reach real assets (the check above is not vacuous).
    const html = await (await new Client().get('/login')).text()
    const asset = html.match(/(?:src|href)="\/assets\/([^"]+\.js)"/)![1]!
    expect((await rawGet(`/assets/${asset}`)).status).toBe(200)
  })
})

