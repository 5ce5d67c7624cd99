// Security over HTTP against the running server: Origin / Sec-Fetch-Site checks on POST,
// security headers with a CSP nonce, health and metrics, body limits, no stack traces.
import { describe, expect, it } from 'vitest'
import { BASE_URL, Client, SECOND_URL, textOf, uniqueEmail } from '../helpers/http.js'

const CSRF_MESSAGE = 'This form has expired or was sent from another site, so nothing was changed.'
const STACK_TRACE = /\n\s+at .+[(:]\d+|node_modules|\.ts:\d+|\bError: /

describe('POST origin checks (CSRF defence in depth)', () => {
  // A login with a valid token but wrong credentials: 422 when the request passes the CSRF
  // checks, 403 when it does not. The 422 controls prove the token itself was fine.
  async function attempt(headers: Record<string, string>, origin: string | null) {
    const c = new Client()
    const _csrf = await c.csrf('/login')
    return c.request('/login', { form: { _csrf, email: uniqueEmail('origin'), password: 'wrong password here' }, origin, headers })
  }

  it('accepts the app origin, or only a same-origin Referer', async () => {
    expect((await attempt({}, BASE_URL)).status).toBe(422)
    expect((await attempt({ referer: `${BASE_URL}/login` }, null)).status).toBe(422)
    expect((await attempt({ 'sec-fetch-site': 'same-origin' }, BASE_URL)).status).toBe(422)
  })

  it('refuses a POST with neither Origin nor Referer, even with a valid token', async () => {
    const res = await attempt({}, null)
    expect(res.status).toBe(403)
    const html = await res.text()
    expect(textOf(html)).toContain(CSRF_MESSAGE)
    expect(html).not.toMatch(STACK_TRACE)
  })

  it('refuses a POST from another origin', async () => {
    expect((await attempt({}, 'http://evil.example')).status).toBe(403)
    expect((await attempt({ referer: 'http://evil.example/login' }, null)).status).toBe(403)
    // A look-alike: the app origin as a prefix of another host.
    expect((await attempt({ referer: `${BASE_URL}.evil.example/login` }, null)).status).toBe(403)
    // The other server is another origin (a different port).
    expect((await attempt({}, SECOND_URL)).status).toBe(403)
  })

  it('refuses a POST the browser marks as cross-site, even with the right Origin', async () => {
    expect((await attempt({ 'sec-fetch-site': 'cross-site' }, BASE_URL)).status).toBe(403)
    expect((await attempt({ 'sec-fetch-site': 'same-site' }, BASE_URL)).status).toBe(403)
  })

  it('refuses a POST without the token, or with a forged one, even from the right origin', async () => {
    const c = new Client()
    await c.csrf('/login')
    const none = await c.request('/login', { form: { email: uniqueEmail('token'), password: 'whatever password' } })
    expect(none.status).toBe(403)
    const forged = await c.request('/login', { form: { _csrf: 'A'.repeat(43), email: uniqueEmail('token'), password: 'whatever password' } })
    expect(forged.status).toBe(403)
    // A token is bound to its own cookie: another visitor's token does not work with mine.
    const other = await new Client().csrf('/login')
    const foreign = await c.request('/login', { form: { _csrf: other, email: uniqueEmail('token'), password: 'whatever password' } })
    expect(foreign.status).toBe(403)
  })

  it('a logged-in user is not logged out by a cross-site POST, and gets JSON when asking for it', async () => {
    const c = new Client()
    const user = await c.register('Cross Site')
    const _csrf = await c.csrf('/dashboard')
    const evil = await c.request('/logout', { form: { _csrf }, origin: 'http://evil.example', headers: { accept: 'application/json' } })
    expect(evil.status).toBe(403)
    expect(await evil.json()).toEqual({ ok: false, error: expect.stringContaining('sent from another site') })
    const still = await c.get('/dashboard')
    expect(still.status).toBe(200)
    expect(textOf(await still.text())).toContain(user.name)
  })
})

describe('security headers, health and metrics', () => {
  it('a page carries a nonce-based CSP whose nonce is on every script, and the other headers', async () => {
    const res = await new Client().get('/login')
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy') ?? ''
    const nonce = csp.match(/script-src [^;]*'nonce-([A-Za-z0-9_+/=-]+)'/)?.[1]
    expect(nonce, csp).toBeTruthy()
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("base-uri 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toMatch(/^(same-origin|no-referrer|strict-origin(-when-cross-origin)?)$/)
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-request-id')).toBeTruthy()
    expect(res.headers.get('cache-control')).toContain('no-store')

    const html = await res.text()
    const scripts = html.match(/<script\b[^>]*>/g) ?? []
    expect(scripts.length).toBeGreaterThan(0)
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`)
    // A fresh nonce per response.
    const again = (await new Client().get('/login')).headers.get('content-security-policy')
    expect(again).not.toBe(csp)
  })

  it('error pages carry the security headers too', async () => {
    const res = await new Client().get('/no-such-page')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(textOf(await res.text())).toContain('Not found')
  })

  it('/healthz, /readyz and /metrics answer', async () => {
    const c = new Client()
    const health = await c.get('/healthz')
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ ok: true })

    const ready = await c.get('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ ok: true, postgres: true, redis: true })

    const metrics = await c.get('/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toContain('text/plain')
    const text = await metrics.text()
    expect(text).toMatch(/^# TYPE http_requests_total counter$/m)
    expect(text).toMatch(/^http_requests_total\{method="GET",status="200"\} \d+/m)
    // The health checks make no session.
    expect(c.cookie('nid.sid')).toBeUndefined()
  })
})

describe('request bodies', () => {
  const big = 'x'.repeat(1024 * 1024 + 1024)

  it('a form body over 1 MB gets 413 and a page with no stack trace', async () => {
    const c = new Client()
    const _csrf = await c.csrf('/login')
    const res = await c.request('/login', { form: { _csrf, email: uniqueEmail('big'), password: 'whatever password', note: big } })
    expect(res.status).toBe(413)
    const html = await res.text()
    expect(textOf(html)).toContain('That request is too large.')
    expect(html).not.toMatch(STACK_TRACE)
    expect(html).not.toContain('PayloadTooLargeError')
  })

  it('a JSON body over 1 MB gets a 413 JSON answer with no stack trace', async () => {
    const c = new Client()
    await c.csrf('/login')
    const res = await c.request('/login', {
      method: 'POST',
      body: JSON.stringify({ email: uniqueEmail('big'), note: big }),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    })
    expect(res.status).toBe(413)
    const body = await res.text()
    expect(JSON.parse(body)).toEqual({ ok: false, error: 'That request is too large.' })
    expect(body).not.toMatch(STACK_TRACE)
  })

  it('a malformed JSON body gets 400 with no stack trace', async () => {
    const c = new Client()
    await c.csrf('/login')
    const res = await c.request('/login', {
      method: 'POST',
      body: '{"email": ',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    })
    expect(res.status).toBe(400)
    const body = await res.text()
    expect(body).not.toMatch(STACK_TRACE)
    expect(JSON.parse(body)).toMatchObject({ ok: false })
  })

  it('the server still answers after refusing them', async () => {
    expect((await new Client().get('/healthz')).status).toBe(200)
  })
})
