// What every response shares, and what only some callers may see: the cross-origin isolation
// headers on pages, assets, health checks and error answers alike; /metrics only to loopback (a
// request on this host that no proxy forwarded) or to the bearer token METRICS_TOKEN, else the
// 404 any unknown path gets; and no item field in the flash cookie.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_URL, Client, csrfFrom, textOf } from '../helpers/http.js'
import { startServer } from '../helpers/server.js'

const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}

function expectIsolation(what: string, res: Response) {
  for (const [name, value] of Object.entries(ISOLATION)) expect(res.headers.get(name), `${name} on ${what} (${res.status})`).toBe(value)
}

const isMetrics = (text: string) => /^# TYPE http_requests_total counter$/m.test(text)

describe('cross-origin isolation headers', () => {
  it('on a page, its assets, the favicon, health checks and metrics', async () => {
    const page = await fetch(`${BASE_URL}/login`)
    expect(page.status).toBe(200)
    expectIsolation('a page', page)
    const html = await page.text()
    const assets = [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!))]
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true)
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true)
    for (const asset of [...assets, '/favicon.svg']) {
      // Brotli and identity: the pre-compressed file and the plain one are served by different paths.
      for (const encoding of ['br', 'identity']) {
        const res = await fetch(`${BASE_URL}${asset}`, { headers: { 'accept-encoding': encoding } })
        expect(res.status, asset).toBe(200)
        expectIsolation(`${asset} (${encoding})`, res)
      }
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${BASE_URL}${path}`)
      expect(res.status, path).toBe(200)
      expectIsolation(path, res)
    }
  })

  it('on a redirect, 404s (page, asset, JSON), a CSRF refusal, a malformed body and a 413', async () => {
    const redirect = await fetch(`${BASE_URL}/dashboard`, { redirect: 'manual' })
    expect(redirect.headers.get('location')).toMatch(/^\/login/)
    expectIsolation('a redirect', redirect)

    for (const [path, headers] of [
      ['/no-such-page', {}],
      ['/assets/no-such-file.js', {}],
      ['/no-such-page', { accept: 'application/json' }],
    ] as const) {
      const res = await fetch(`${BASE_URL}${path}`, { headers })
      expect(res.status, path).toBe(404)
      expectIsolation(`404 ${path}`, res)
    }

    const c = new Client()
    const _csrf = await c.csrf('/login')
    const forbidden = await c.request('/login', { form: { email: 'x@example.test', password: 'whatever password' } })
    expect(forbidden.status).toBe(403)
    expectIsolation('a CSRF refusal', forbidden)

    const malformed = await c.request('/login', { method: 'POST', body: '{"email": ', headers: { 'content-type': 'application/json', accept: 'application/json' } })
    expect(malformed.status).toBe(400)
    expectIsolation('a malformed body', malformed)

    const big = 'x'.repeat(1024 * 1024 + 1024)
    const tooLarge = await c.request('/login', { form: { _csrf, email: 'big@example.test', password: 'whatever password', note: big } })
    expect(tooLarge.status).toBe(413)
    expectIsolation('a 413 page', tooLarge)
    expect(textOf(await tooLarge.text())).toContain('That request is too large.')
    const tooLargeJson = await c.request('/login', {
      method: 'POST',
      body: JSON.stringify({ _csrf, note: big }),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    })
    expect(tooLargeJson.status).toBe(413)
    expectIsolation('a 413 JSON answer', tooLargeJson)
  })
})

describe('/metrics on the test servers (no METRICS_TOKEN)', () => {
  it('answers loopback with no proxy header', async () => {
    const res = await fetch(`${BASE_URL}/metrics`)
    expect(res.status).toBe(200)
    expect(isMetrics(await res.text())).toBe(true)
  })

  it('is a plain 404, like any unknown path, for a request a proxy forwarded', async () => {
    const unknown = textOf(await (await fetch(`${BASE_URL}/no-such-page`)).text())
    const forwarded: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.9' },
      // Spoofing loopback in the header changes nothing: it is there, so someone was forwarded.
      { 'x-forwarded-for': '127.0.0.1' },
      { forwarded: 'for=203.0.113.9' },
      { 'x-real-ip': '203.0.113.9' },
      { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer anything-at-all-0123456789' },
    ]
    for (const headers of forwarded) {
      const res = await fetch(`${BASE_URL}/metrics`, { headers })
      expect(res.status, JSON.stringify(headers)).toBe(404)
      const text = await res.text()
      expect(isMetrics(text)).toBe(false)
      expect(textOf(text)).toBe(unknown)
    }
  })
})

describe('/metrics with METRICS_TOKEN, behind a trusted proxy', () => {
  const token = `metrics-${randomBytes(16).toString('hex')}`
  let url = ''
  let stop: () => Promise<unknown> = async () => {}

  beforeAll(async () => {
    // Its own server: the shared ones have no token. TRUST_PROXY on: ctx.ip then follows
    // X-Forwarded-For, which must not open /metrics.
    const s = await startServer({ TRUST_PROXY: 'true', METRICS_TOKEN: token, LOG_LEVEL: 'warn' })
    url = s.url
    stop = s.stop
  }, 90_000)
  afterAll(() => stop())

  const metrics = (headers: Record<string, string>) => fetch(`${url}/metrics`, { headers })

  it('answers the right bearer token, also for a forwarded request', async () => {
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`]) {
      const res = await metrics({ 'x-forwarded-for': '203.0.113.9', authorization })
      expect(res.status, authorization).toBe(200)
      expect(isMetrics(await res.text())).toBe(true)
      expectIsolation('/metrics with a token', res)
    }
  })

  it('is 404 for a wrong, partial or misplaced token, or none', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789abcdef',
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Basic ${Buffer.from(`metrics:${token}`).toString('base64')}`,
      token,
      'Bearer ',
    ]) {
      const headers: Record<string, string> = { 'x-forwarded-for': '127.0.0.1' }
      if (authorization !== undefined) headers.authorization = authorization
      const res = await metrics(headers)
      expect(res.status, String(authorization)).toBe(404)
      expect(isMetrics(await res.text())).toBe(false)
    }
  })

  it('still answers loopback without a token', async () => {
    expect((await metrics({})).status).toBe(200)
  })
})

describe('the flash cookie', () => {
  it('after adding an item says so without any of its fields (it is signed, not encrypted)', async () => {
    const c = new Client()
    await c.register('Flash User')
    expect((await c.post('/register/recovery-code', { saved: 'on' }, { tokenPage: '/register/recovery-code' })).status).toBe(303)
    const form = await (await c.get('/dashboard/items/new')).text()
    const folderId = form.match(/name="folder_id"[\s\S]*?<option value="([0-9a-f-]{36})"/)?.[1]
    expect(folderId).toBeTruthy()
    const tag = randomBytes(6).toString('hex')
    const item = {
      name: `Flash Bank ${tag}`,
      username: `flash-user-${tag}`,
      password: `flash-pass-${tag}-Xy9!`,
      url: `https://flash-${tag}.example/login`,
      note: `flash note ${tag}`,
    }
    const res = await c.request('/dashboard/items', { form: { _csrf: csrfFrom(form), folder_id: folderId!, ...item } })
    expect(res.status).toBe(303)
    const cookie = c.cookie('nid.flash')
    expect(cookie).toBeTruthy()
    const decoded = Buffer.from(cookie!, 'base64url').toString('utf8')
    expect(JSON.parse(decoded)).toEqual({ type: 'success', message: 'Item added to your vault.' })
    expect(decoded).not.toContain(tag)
    const next = textOf(await (await c.get(res.headers.get('location')!)).text())
    expect(next).toContain('Item added to your vault.')
    expect(next).toContain(item.name) // the page itself shows the item, from the vault
  })
})
