// The auth actions over HTTP: enhanced (JSON) answers, redirects after login, and the
// verification-resend limit.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Client, textOf, uniqueEmail } from '../helpers/http.js'

const JSON_ACCEPT = { accept: 'application/json' }
const WRONG_CREDENTIALS = 'Email or password is incorrect.'

async function verificationMailsTo(email: string): Promise<number> {
  const dir = process.env.MAIL_DIR
  if (!dir) throw new Error('MAIL_DIR is not set: run the suite with `npm test`')
  let count = 0
  for (const name of (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.eml'))) {
    const raw = await readFile(path.join(dir, name), 'utf8')
    if (new RegExp(`^To: .*${email.replace(/[.+]/g, '\\$&')}`, 'im').test(raw) && /^Subject: Verify your NucleusID email/im.test(raw)) count++
  }
  return count
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000) {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) return false
    await new Promise((r) => setTimeout(r, 100))
  }
  return true
}

describe('enhanced (JSON) login', () => {
  it('answers {ok:true, redirect} on success and logs the client in', async () => {
    const user = await new Client().register('Json Login')
    const c = new Client()
    const res = await c.post('/login', { email: user.email, password: user.password }, { headers: JSON_ACCEPT })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(await res.json()).toEqual({ ok: true, redirect: '/dashboard' })
    expect(c.cookie('nid.sid')).toBeTruthy()
    const dash = await c.get('/dashboard')
    expect(dash.status).toBe(200)
    expect(textOf(await dash.text())).toContain(user.name)
  })

  it('follows a same-site next, and ignores one that leaves the site', async () => {
    const user = await new Client().register('Json Next')
    const cases: [string, string][] = [
      ['/dashboard/settings', '/dashboard/settings'],
      ['//evil.example/steal', '/dashboard'],
      ['/\\evil.example', '/dashboard'],
      ['https://evil.example/', '/dashboard'],
    ]
    for (const [next, expected] of cases) {
      const c = new Client()
      const res = await c.post('/login', { email: user.email, password: user.password, next }, { headers: JSON_ACCEPT })
      expect(await res.json(), next).toEqual({ ok: true, redirect: expected })
    }
  })

  it('answers 422 {ok:false, errors:{password}} for a wrong password and for an unknown email alike', async () => {
    const user = await new Client().register('Json Wrong')
    for (const email of [user.email, uniqueEmail('nobody')]) {
      const c = new Client()
      const res = await c.post('/login', { email, password: 'not the password at all' }, { headers: JSON_ACCEPT })
      expect(res.status).toBe(422)
      const body = await res.json()
      expect(body).toMatchObject({ ok: false, errors: { password: WRONG_CREDENTIALS } })
      expect(Object.keys(body.errors)).toEqual(['password'])
      expect(c.cookie('nid.sid')).toBeUndefined()
    }
  })

  it('answers 422 with a message per field for invalid input', async () => {
    const c = new Client()
    const res = await c.post('/register', { name: '', email: 'not-an-email', password: 'short', password_confirm: 'short' }, { headers: JSON_ACCEPT, tokenPage: '/register' })
    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.ok).toBe(false)
    expect(body.errors).toMatchObject({
      name: 'Enter your name.',
      email: expect.stringContaining('valid email'),
      password: 'Use at least 12 characters.',
    })
  })

  it('answers 401 JSON to an anonymous POST /verify/resend', async () => {
    const c = new Client()
    const res = await c.post('/verify/resend', {}, { headers: JSON_ACCEPT })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(await res.json()).toMatchObject({ ok: false, error: expect.any(String) })
  })

  it('the plain-form login answers 303 to the dashboard, or re-renders the form with 422', async () => {
    const user = await new Client().register('Form Login')
    const bad = await new Client().post('/login', { email: user.email, password: 'not the password at all' })
    expect(bad.status).toBe(422)
    const html = await bad.text()
    expect(textOf(html)).toContain(WRONG_CREDENTIALS)
    expect(html).toContain(`value="${user.email}"`)
    expect(html).not.toContain('not the password at all')

    const good = await new Client().post('/login', { email: user.email.toUpperCase(), password: user.password })
    expect(good.status).toBe(303)
    expect(good.headers.get('location')).toBe('/dashboard')
  })
})

describe('pages that need a login', () => {
  it('send an anonymous visitor to the login page with 303 See Other (SPEC 3), keeping where it was going', async () => {
    const res = await new Client().get('/dashboard')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
    const deeper = await new Client().get('/dashboard/items/new?folder=x')
    expect(deeper.status).toBe(303)
    expect(deeper.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/dashboard/items/new?folder=x')}`)
  })

  it('the recovery-code page without a login also answers 303 to /login', async () => {
    const res = await new Client().get('/register/recovery-code')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
  })
})

describe('verification email resend', () => {
  it('a second resend within a minute gets 429 and says when to retry', async () => {
    const c = new Client()
    const user = await c.register('Resend Twice')
    expect(await waitFor(async () => (await verificationMailsTo(user.email)) === 1)).toBe(true)

    const first = await c.post('/verify/resend', {}, { tokenPage: '/dashboard' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/dashboard')
    const dash = await c.get('/dashboard')
    expect(textOf(await dash.text())).toContain(`We sent a new verification link to ${user.email}.`)
    expect(await waitFor(async () => (await verificationMailsTo(user.email)) === 2)).toBe(true)

    const second = await c.post('/verify/resend', {}, { tokenPage: '/dashboard' })
    expect(second.status).toBe(429)
    const retryAfter = Number(second.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    const text = textOf(await second.text())
    expect(text).toMatch(/Too many attempts\. Try again in \d+ (seconds|minute)\./)

    // The JSON variant says the same.
    const json = await c.post('/verify/resend', {}, { tokenPage: '/dashboard', headers: JSON_ACCEPT })
    expect(json.status).toBe(429)
    expect(await json.json()).toMatchObject({ ok: false, error: expect.stringMatching(/Try again in/) })

    // No third mail was sent.
    await new Promise((r) => setTimeout(r, 300))
    expect(await verificationMailsTo(user.email)).toBe(2)
  })
})
