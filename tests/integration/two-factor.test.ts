// Two-factor authentication over HTTP (issue 9): the half-logged-in session reaches nothing but
// /login/2fa and /logout, the second step has its own attempt limit that holds under a burst,
// a code is accepted once even by parallel requests, the secret is stored sealed, and no body
// sent to the new routes gets a 5xx.
import { randomBytes } from 'node:crypto'
import * as OTPAuth from 'otpauth'
import { QueryTypes } from 'sequelize'
import { afterAll, describe, expect, it } from 'vitest'
import { Client, csrfFrom, textOf } from '../helpers/http.js'
import { createTestContext, registerUser } from '../helpers/context.js'
import { mailTo } from '../helpers/mail.js'
import * as crypto from '../../server/lib/crypto.js'

const db = createTestContext()
afterAll(() => db.sequelize.close())

const JSON_ACCEPT = { accept: 'application/json' }
const PERIOD_MS = 30_000

/** Waits until a message to `to` with this subject has been written (mail goes out after the response). */
async function mailArrives(to: string, subject: string, timeoutMs = 5000) {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if ((await mailTo(to)).some((m) => m.subject === subject)) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

const totpOf = (base32: string) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(base32), period: 30, digits: 6, algorithm: 'SHA1' })
const codeAt = (base32: string, timestamp: number) => totpOf(base32).generate({ timestamp })
/** A code none of the window's steps produce (the window is the previous, current and next step). */
function wrongCode(base32: string): string {
  const now = Date.now()
  const taken = new Set([-1, 0, 1].map((d) => codeAt(base32, now + d * PERIOD_MS)))
  for (let n = 0; ; n++) {
    const c = String((123_456 + n * 7919) % 1_000_000).padStart(6, '0')
    if (!taken.has(c)) return c
  }
}

/** A user with two-factor on, enabled with the PREVIOUS step's code: the current one is still unused. */
async function userWithTwoFactor(name: string) {
  const u = await registerUser(db, name)
  const secret = new OTPAuth.Secret({ size: 20 }).base32
  const earlier = Date.now() - PERIOD_MS
  await db.services.twoFactor.enable(u.viewer, { secret, code: codeAt(secret, earlier), password: u.password }, earlier)
  return { ...u, secret }
}

/** Logs in with the password only: the session is half logged in. */
async function halfLoggedIn(u: { email: string; password: string }) {
  const c = new Client()
  const res = await c.login(u.email, u.password)
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe('/login/2fa')
  expect(c.cookie('nid.sid')).toBeTruthy()
  return c
}

async function tokenOf(c: Client) {
  return csrfFrom(await (await c.get('/login/2fa')).text())
}

const PASSWORD_KNOWN = 'Someone entered your NucleusID master password'

describe('a half-logged-in session', () => {
  it('reaches /login/2fa and nothing else: pages 303, actions 303 or 401; no device yet', async () => {
    const u = await userWithTwoFactor('Half Logged')
    const c = await halfLoggedIn(u)

    const page = await c.get('/login/2fa')
    expect(page.status).toBe(200)
    expect(textOf(await page.text())).toContain('Enter your two-factor code')

    for (const path of ['/dashboard', '/dashboard/shares', '/dashboard/items/new', '/dashboard/settings/security', '/register/recovery-code']) {
      const res = await c.get(path)
      expect(res.status, path).toBe(303)
      expect(res.headers.get('location'), path).toMatch(/^\/login(\/2fa)?(\?|$)/)
    }
    const _csrf = await tokenOf(c)
    const actions: [string, Record<string, string>][] = [
      ['/dashboard/folders', { name: 'Sneaky' }],
      ['/dashboard/items', { folder_id: randomBytes(16).toString('hex'), name: 'x', username: '', password: '', url: '', note: '' }],
      ['/dashboard/settings/2fa/disable', { password: u.password }],
      ['/dashboard/settings/2fa/enable', { secret: u.secret, code: '123456', password: u.password }],
      ['/register/recovery-code', {}],
      ['/verify/resend', {}],
    ]
    for (const [path, form] of actions) {
      const asForm = await c.request(path, { method: 'POST', form: { _csrf, ...form } })
      expect([303, 401], path).toContain(asForm.status)
      if (asForm.status === 303) expect(asForm.headers.get('location'), path).toMatch(/^\/login/)
      const asJson = await c.request(path, { method: 'POST', form: { _csrf, ...form }, headers: JSON_ACCEPT })
      expect(asJson.status, path).toBe(401)
    }
    // Still on: nothing above turned it off, and no device exists before the second factor.
    expect((await db.models.User.findByPk(u.user.id))!.totpSecretSealed).not.toBeNull()
    expect(await db.models.Device.count({ where: { userId: u.user.id } })).toBe(0)
  })

  it('a wrong code answers 422 next to the field; the right one logs in with a new session id and a device', async () => {
    const u = await userWithTwoFactor('Second Step')
    const c = new Client()
    const login = await c.post('/login?next=%2Fdashboard%2Fshares', { email: u.email, password: u.password, next: '/dashboard/shares' })
    expect(login.headers.get('location')).toBe('/login/2fa')
    const halfSid = c.cookie('nid.sid')
    // No login yet, so no new-login notice either.
    await new Promise((r) => setTimeout(r, 300))
    expect((await mailTo(u.email)).filter((m) => m.subject === 'New login to NucleusID')).toHaveLength(0)

    const wrong = await c.post('/login/2fa', { code: wrongCode(u.secret) }, { headers: JSON_ACCEPT, tokenPage: '/login/2fa' })
    expect(wrong.status).toBe(422)
    expect((await wrong.json()).errors.code).toMatch(/not right/)
    // Someone has the password: the owner is told, with where it came from; nobody is logged in.
    expect(await mailArrives(u.email, PASSWORD_KNOWN)).toBe(true)
    const notice = (await mailTo(u.email)).find((m) => m.subject === PASSWORD_KNOWN)!
    expect(notice.body.replace(/\s+/g, ' ')).toMatch(/entered correctly from .+ \(IP [0-9a-f:.]+\), but the two-factor code after it was wrong/)
    const wrongHtml = await c.post('/login/2fa', { code: 'abc' }, { tokenPage: '/login/2fa' })
    expect(wrongHtml.status).toBe(422)
    expect(textOf(await wrongHtml.text())).toContain('Enter the 6-digit code from your authenticator app.')

    const ok = await c.post('/login/2fa', { code: codeAt(u.secret, Date.now()) }, { tokenPage: '/login/2fa' })
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toBe('/dashboard/shares')
    expect(c.cookie('nid.sid')).not.toBe(halfSid)
    expect((await c.get('/dashboard')).status).toBe(200)
    expect(await db.models.Device.count({ where: { userId: u.user.id } })).toBe(1)
    expect(await mailArrives(u.email, 'New login to NucleusID')).toBe(true)
    // Done: the second step is no longer there.
    expect((await c.get('/login/2fa')).headers.get('location')).toBe('/dashboard')
  })

  it('without a pending login, /login/2fa sends to /login (page and form) or answers 401 (JSON)', async () => {
    const c = new Client()
    expect((await c.get('/login/2fa')).headers.get('location')).toBe('/login')
    const _csrf = await c.csrf('/login')
    expect((await c.request('/login/2fa', { method: 'POST', form: { _csrf, code: '123456' } })).headers.get('location')).toBe('/login')
    expect((await c.request('/login/2fa', { method: 'POST', form: { _csrf, code: '123456' }, headers: JSON_ACCEPT })).status).toBe(401)
  })
})

describe('the second step under pressure', () => {
  it('20 parallel wrong codes: at most 5 are checked, the rest get 429, and then the right code is refused too', async () => {
    const u = await userWithTwoFactor('Burst')
    const c = await halfLoggedIn(u)
    const _csrf = await tokenOf(c)
    const code = wrongCode(u.secret)
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => c.request('/login/2fa', { method: 'POST', form: { _csrf, code }, headers: JSON_ACCEPT }).then((r) => r.status)),
    )
    expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15)
    expect(statuses.every((s) => s === 422 || s === 429)).toBe(true)
    // The right password then wrong codes: the owner hears of it, once for the whole burst.
    expect(await mailArrives(u.email, PASSWORD_KNOWN)).toBe(true)
    await new Promise((r) => setTimeout(r, 500))
    expect((await mailTo(u.email)).filter((m) => m.subject === PASSWORD_KNOWN)).toHaveLength(1)
    // The limit is per user: a new login does not get a new budget.
    const again = await halfLoggedIn(u)
    const blocked = await again.request('/login/2fa', { method: 'POST', form: { _csrf: await tokenOf(again), code: codeAt(u.secret, Date.now()) } })
    expect(blocked.status).toBe(429)
  })

  it('two parallel posts of one valid code: exactly one logs in', async () => {
    const u = await userWithTwoFactor('Replay')
    const [a, b] = [await halfLoggedIn(u), await halfLoggedIn(u)]
    const [ta, tb] = [await tokenOf(a), await tokenOf(b)]
    const code = codeAt(u.secret, Date.now())
    const [ra, rb] = await Promise.all([
      a.request('/login/2fa', { method: 'POST', form: { _csrf: ta, code }, headers: JSON_ACCEPT }),
      b.request('/login/2fa', { method: 'POST', form: { _csrf: tb, code }, headers: JSON_ACCEPT }),
    ])
    expect([ra.status, rb.status].sort()).toEqual([200, 422])
    // And the same code later, from a third login, is refused as well.
    const c = await halfLoggedIn(u)
    const late = await c.request('/login/2fa', { method: 'POST', form: { _csrf: await tokenOf(c), code }, headers: JSON_ACCEPT })
    expect(late.status).toBe(422)
  })
})

describe('turning it on and off over HTTP', () => {
  it('stores the secret sealed (no base32 text, no raw bytes), regenerates the session, and needs the password to turn off', async () => {
    const u = await registerUser(db, 'Sealed Secret')
    const c = new Client()
    expect((await c.login(u.email, u.password)).headers.get('location')).toBe('/dashboard')
    const html = await (await c.get('/dashboard/settings/security')).text()
    const secret = html.match(/name="secret" value="([A-Z2-7]{32})"/)?.[1]
    expect(secret).toBeTruthy()
    expect(html).toContain('<img')
    const _csrf = csrfFrom(html)
    const before = c.cookie('nid.sid')

    // A wrong code keeps the same secret on the re-rendered page (the user has scanned it).
    const wrong = await c.request('/dashboard/settings/2fa/enable', { method: 'POST', form: { _csrf, secret: secret!, code: wrongCode(secret!), password: u.password } })
    expect(wrong.status).toBe(422)
    const again = await wrong.text()
    expect(again).toContain(`name="secret" value="${secret}"`)
    expect(textOf(again)).toContain('That code is not right')
    expect(again).not.toMatch(/name="code"[^>]*value="\d/)

    const on = await c.request('/dashboard/settings/2fa/enable', { method: 'POST', form: { _csrf, secret: secret!, code: codeAt(secret!, Date.now()), password: u.password } })
    expect(on.status).toBe(303)
    expect(on.headers.get('location')).toBe('/dashboard/settings/security')
    expect(c.cookie('nid.sid')).not.toBe(before)
    expect(await mailArrives(u.email, 'Two-factor authentication turned on')).toBe(true)

    const [row] = await db.sequelize.query<{ totp_secret_sealed: Buffer; totp_last_step: number }>(
      'SELECT totp_secret_sealed, totp_last_step FROM users WHERE id = :id',
      { replacements: { id: u.user.id }, type: QueryTypes.SELECT },
    )
    const sealed = row!.totp_secret_sealed
    const raw = Buffer.from(OTPAuth.Secret.fromBase32(secret!).bytes)
    expect(sealed.includes(Buffer.from(secret!))).toBe(false)
    expect(sealed.includes(raw)).toBe(false)
    expect(sealed.toString('latin1')).not.toContain(secret!.slice(0, 8))
    expect(crypto.open(u.vaultKey, sealed, crypto.totpSecretAad(u.user.id)).equals(raw)).toBe(true)
    // Bound to the user: the same sealed value does not open as another user's.
    expect(() => crypto.open(u.vaultKey, sealed, crypto.totpSecretAad(randomBytes(16).toString('hex')))).toThrow()
    expect(row!.totp_last_step).toBeGreaterThan(0)

    const page = await (await c.get('/dashboard/settings/security')).text()
    expect(page).not.toContain(secret!)
    const token = csrfFrom(page)
    const bad = await c.request('/dashboard/settings/2fa/disable', { method: 'POST', form: { _csrf: token, password: 'not my password at all' }, headers: JSON_ACCEPT })
    expect(bad.status).toBe(422)
    expect((await bad.json()).errors).toEqual({ password: 'This is not your master password.' })
    const sid = c.cookie('nid.sid')
    const off = await c.request('/dashboard/settings/2fa/disable', { method: 'POST', form: { _csrf: token, password: u.password }, headers: JSON_ACCEPT })
    expect(await off.json()).toEqual({ ok: true, redirect: '/dashboard/settings/security' })
    expect(c.cookie('nid.sid')).not.toBe(sid)
    expect((await db.models.User.findByPk(u.user.id))!.totpSecretSealed).toBeNull()
    expect(await mailArrives(u.email, 'Two-factor authentication turned off')).toBe(true)
    // A password login is a full login again.
    expect((await new Client().login(u.email, u.password)).headers.get('location')).toBe('/dashboard')
  })

  it('recovery turns two-factor off', async () => {
    const u = await userWithTwoFactor('Recover Off')
    const c = new Client()
    const res = await c.post('/recover', {
      email: u.email,
      recovery_code: u.recoveryCode,
      new_password: 'amber tundra velvet 42 harpoon',
      new_password_confirm: 'amber tundra velvet 42 harpoon',
    }, { tokenPage: '/recover' })
    expect(res.status).toBe(303)
    expect((await db.models.User.findByPk(u.user.id))!.totpSecretSealed).toBeNull()
    expect(await mailArrives(u.email, 'Your NucleusID master password was reset')).toBe(true)
    const notice = (await mailTo(u.email)).find((m) => m.subject === 'Your NucleusID master password was reset')!
    expect(notice.body.replace(/\s+/g, ' ')).toContain('Two-factor authentication was turned off')
    expect((await new Client().login(u.email, 'amber tundra velvet 42 harpoon')).headers.get('location')).toBe('/dashboard')
  })
})

describe('fuzzed bodies on the two-factor routes', () => {
  const junk: unknown[] = [
    '', ' ', '0', '-1', '1e309', 'null', '[]', '{}', '%00', '\u0000', '\ud800', '💥'.repeat(300), 'a'.repeat(70_000),
    '12 34 56', '１２３４５６', '<script>alert(1)</script>', '../../etc/passwd', "' OR 1=1 --",
  ]
  const jsonJunk: unknown[] = [null, 0, 123456, true, [], ['123456'], { code: '1' }, '\ud800', 1e309]

  it('never answers 5xx, as a half-logged-in session or logged in', async () => {
    const u = await userWithTwoFactor('Fuzz Half')
    const half = await halfLoggedIn(u)
    const plain = await registerUser(db, 'Fuzz Full')
    const full = new Client()
    await full.login(plain.email, plain.password)
    const targets: [Client, string, string[]][] = [
      [half, '/login/2fa', ['code']],
      [full, '/dashboard/settings/2fa/enable', ['secret', 'code', 'password', 'back']],
      [full, '/dashboard/settings/2fa/disable', ['password', 'back']],
    ]
    for (const [c, path, fields] of targets) {
      const _csrf = csrfFrom(await (await c.get(c === half ? '/login/2fa' : '/dashboard/settings/security')).text())
      for (const value of junk) {
        for (const field of fields) {
          const res = await c.request(path, { method: 'POST', form: { _csrf, [field]: String(value) } })
          expect(res.status, `${path} ${field}=${String(value).slice(0, 20)}`).toBeLessThan(500)
          // qs-style nesting
          const nested = await c.request(path, { method: 'POST', body: `_csrf=${encodeURIComponent(_csrf)}&${field}[x]=1&${field}[]=2`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
          expect(nested.status, `${path} ${field}[]`).toBeLessThan(500)
        }
      }
      for (const value of jsonJunk) {
        for (const field of fields) {
          const body = `{"_csrf":${JSON.stringify(_csrf)},${JSON.stringify(field)}:${value === 1e309 ? '1e309' : JSON.stringify(value)}}`
          const res = await c.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...JSON_ACCEPT } })
          expect(res.status, `${path} json ${field}`).toBeLessThan(500)
        }
      }
      const broken = await c.request(path, { method: 'POST', body: '{"_csrf": ', headers: { 'content-type': 'application/json' } })
      expect(broken.status).toBeLessThan(500)
    }
    // The junk did not turn two-factor off or on.
    expect((await db.models.User.findByPk(u.user.id))!.totpSecretSealed).not.toBeNull()
    expect((await db.models.User.findByPk(plain.user.id))!.totpSecretSealed).toBeNull()
  }, 120_000)
})
