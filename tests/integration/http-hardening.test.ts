// Attacks on the login budget and on sessions, against the two running servers (shared Redis):
// parallel bursts against the limits, a revoked session that a request in flight tries to write
// back, sessions past their absolute lifetime, and CSRF cookie pairs planted from elsewhere.
import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { Client, PASSWORD, csrfFrom, recoveryCodeIn, textOf, trickledPost } from '../helpers/http.js'
import { createRedisKv } from '../../server/lib/kv.js'
import { createSessionIndex } from '../../server/session/store.js'
import { latestVerificationLink, mailTo } from '../helpers/mail.js'
import { redisEnv } from '../helpers/redis.js'

const { redisUrl, prefix } = redisEnv()
const redis = new Redis(redisUrl)
const kv = createRedisKv(redisUrl, prefix)
await kv.whenReady(10_000)
const index = createSessionIndex(kv)
afterAll(async () => {
  redis.disconnect()
  await kv.close()
})

const sessionKey = (sid: string) => `${prefix}sess:${sid}`
const WRONG = 'not the password at all 123'

function expectSentToLogin(res: Response) {
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
}

async function readSession(sid: string) {
  const raw = await redis.get(sessionKey(sid))
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : null
}

async function patchSession(sid: string, patch: Record<string, unknown>) {
  const s = await readSession(sid)
  await redis.set(sessionKey(sid), JSON.stringify({ ...s, ...patch }), 'KEEPTTL')
}

/** The same anonymous form token for many posts at once, as a script replaying one page would. */
async function burst(c: Client, path: string, forms: Record<string, string>[]) {
  const _csrf = await c.csrf(path === '/recover' ? '/recover' : '/login')
  return Promise.all(forms.map((form) => c.request(path, { method: 'POST', form: { _csrf, ...form } })))
}

describe('the login budget under parallel requests', () => {
  it('checks at most 5 passwords of a 30-request burst for one email; the right one, sent last, gets 429', async () => {
    const { email } = await new Client().register('Burst Target')
    const forms = [...Array.from({ length: 29 }, () => ({ email, password: WRONG })), { email, password: PASSWORD }]
    const statuses = (await burst(new Client(), '/login', forms)).map((r) => r.status)
    const checked = statuses.filter((s) => s !== 429)
    expect(checked.length).toBeLessThanOrEqual(5)
    expect(statuses.at(-1)).toBe(429)
    expect(statuses.filter((s) => s === 303)).toHaveLength(0)
    // And the budget stays spent: even the right password now waits.
    const after = await new Client().login(email)
    expect(after.status).toBe(429)
    expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('a successful login clears the count of failures for that email', async () => {
    const { email } = await new Client().register('Clears Count')
    const c = new Client()
    for (let i = 0; i < 4; i++) expect((await c.login(email, WRONG)).status).toBe(422)
    expect((await c.login(email)).status).toBe(303)
    for (let i = 0; i < 4; i++) expect((await new Client().login(email, WRONG)).status).toBe(422)
    expect((await new Client().login(email)).status).toBe(303)
  })

  it('recovery has its own budget: a burst of wrong recovery codes is checked 5 times, and the owner can still log in', async () => {
    const { email } = await new Client().register('Recovery Target')
    const guess = { email, recovery_code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG', new_password: 'amber cactus lantern 77 orbit', new_password_confirm: 'amber cactus lantern 77 orbit' }
    const statuses = (await burst(new Client(), '/recover', Array.from({ length: 20 }, () => guess))).map((r) => r.status)
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15)
    // Guessing recovery codes did not lock the owner out of logging in.
    expect((await new Client().login(email)).status).toBe(303)
  })

  it('the right recovery code with a new password too easy to guess costs no attempt: the owner can try again and again', async () => {
    const c = new Client()
    const { email } = await c.register('Weak Then Strong')
    const code = recoveryCodeIn(await (await c.get('/register/recovery-code')).text())!
    expect(code).toBeTruthy()
    const weak = 'password1234'
    for (let i = 0; i < 7; i++) {
      const res = await new Client().post('/recover', { email, recovery_code: code, new_password: weak, new_password_confirm: weak }, { tokenPage: '/recover' })
      expect(res.status, `attempt ${i + 1}`).toBe(422)
      expect(textOf(await res.text())).toContain('too easy to guess')
    }
    const strong = 'amber cactus lantern 77 orbit'
    const done = await new Client().post('/recover', { email, recovery_code: code, new_password: strong, new_password_confirm: strong }, { tokenPage: '/recover' })
    expect(done.status).toBe(303)
    expect((await new Client().login(email, strong)).status).toBe(303)
  })

  it('ten parallel verification resends send one mail', async () => {
    const c = new Client()
    const { email } = await c.register('Resend Burst')
    // Registration sent one (after its response): count what the burst adds.
    await latestVerificationLink(email)
    const before = (await mailTo(email)).length
    const _csrf = await c.csrf('/dashboard')
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => c.request('/verify/resend', { method: 'POST', form: { _csrf } })))).map((r) => r.status)
    expect(statuses.filter((s) => s === 303).length).toBeLessThanOrEqual(1)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9)
    await new Promise((r) => setTimeout(r, 300))
    expect((await mailTo(email)).length - before).toBeLessThanOrEqual(1)
  })
})

describe('revocation sticks', () => {
  it('a request in flight while its session is revoked does not write the session back', async () => {
    const c = new Client()
    const { email } = await c.register('Trickle Victim')
    const sid = c.cookie('nid.sid')!
    // Make the next request renew "last seen", so koa-session has a change to write back.
    await patchSession(sid, { seenAt: Date.now() - 5 * 60_000 })
    const _csrf = await c.csrf('/dashboard')
    const uid = (await readSession(sid))!.uid as string

    // A form POST whose body arrives over two seconds; the session is revoked in the middle.
    await trickledPost(c, '/dashboard/folders', { _csrf, name: 'Trickled folder' }, async () => {
      await index.revokeUserSessions(uid)
      expect(await redis.exists(sessionKey(sid))).toBe(0)
    }, 2000)
    // Nothing brought it back: not in Redis, and the browser is logged out.
    expect(await redis.exists(sessionKey(sid))).toBe(0)
    const res = await c.get('/dashboard')
    expectSentToLogin(res)
    expect(email).toContain('@')
  })

  it('a verification link opened after a session was revoked does not revive it', async () => {
    const c = new Client()
    const { email } = await c.register('Verify After Revoke')
    const sid = c.cookie('nid.sid')!
    const uid = (await readSession(sid))!.uid as string
    // Another session of the same user is revoked between the index read and the write.
    await redis.del(sessionKey(sid))
    const link = await latestVerificationLink(email)
    const verify = await new Client().get(new URL(link).pathname + new URL(link).search)
    expect(verify.status).toBe(303)
    expect(await redis.exists(sessionKey(sid))).toBe(0)
    expect(uid).toBeTruthy()
  })
})

describe('the absolute session lifetime', () => {
  it('ends a session 24 hours after login without "remember me", however recently it was used', async () => {
    const c = new Client()
    await c.register('Day Session')
    const sid = c.cookie('nid.sid')!
    expect((await c.get('/dashboard')).status).toBe(200)
    // Used a minute ago, logged in 23 h ago: still valid.
    await patchSession(sid, { createdAt: Date.now() - 23 * 3600_000, seenAt: Date.now() - 60_000 })
    expect((await c.get('/dashboard')).status).toBe(200)
    // Logged in 24 h and a minute ago: over, even though it was used a minute ago.
    await patchSession(sid, { createdAt: Date.now() - 24 * 3600_000 - 60_000, seenAt: Date.now() - 60_000 })
    const res = await c.get('/dashboard')
    expectSentToLogin(res)
    expect(await redis.exists(sessionKey(sid))).toBe(0)
  })

  it('lets a "remember me" session live 30 days from login, and no longer', async () => {
    const setup = new Client()
    const { email } = await setup.register('Month Session')
    const c = new Client()
    const _csrf = await c.csrf()
    expect((await c.request('/login', { method: 'POST', form: { _csrf, email, password: PASSWORD, remember: 'on' } })).status).toBe(303)
    const sid = c.cookie('nid.sid')!
    await patchSession(sid, { createdAt: Date.now() - 29 * 24 * 3600_000, seenAt: Date.now() - 60_000 })
    expect((await c.get('/dashboard')).status).toBe(200)
    // The Redis TTL never outlives the absolute end either.
    expect(await redis.pttl(sessionKey(sid))).toBeLessThanOrEqual(12 * 3600_000)
    await patchSession(sid, { createdAt: Date.now() - 30 * 24 * 3600_000 - 60_000, seenAt: Date.now() - 60_000 })
    expectSentToLogin(await c.get('/dashboard'))
  })

  it('refuses a session that carries no login time', async () => {
    const c = new Client()
    await c.register('No Login Time')
    const sid = c.cookie('nid.sid')!
    const s = await readSession(sid)
    delete s!.createdAt
    await redis.set(sessionKey(sid), JSON.stringify(s), 'KEEPTTL')
    expectSentToLogin(await c.get('/dashboard'))
  })
})

describe('CSRF tokens', () => {
  it('are bound to the session: an attacker planting their own CSRF cookie pair and token changes nothing', async () => {
    const victim = new Client()
    await victim.register('Csrf Victim')
    // The attacker's own, perfectly valid anonymous pair: seed cookie, its signature, its token.
    const attacker = new Client()
    const attackerToken = await attacker.csrf('/login')
    for (const name of ['nid.csrf', 'nid.csrf.sig']) victim.jar.set(name, attacker.cookie(name)!)

    const res = await victim.request('/dashboard/folders', { method: 'POST', form: { _csrf: attackerToken, name: 'Planted' } })
    expect(res.status).toBe(403)
    const page = textOf(await (await victim.get('/dashboard')).text())
    expect(page).not.toContain('Planted')
  })

  it('are masked afresh in every response, and each rendering verifies', async () => {
    const c = new Client()
    await c.register('Csrf Masked')
    const a = csrfFrom(await (await c.get('/dashboard')).text())
    const b = csrfFrom(await (await c.get('/dashboard')).text())
    expect(a).not.toBe(b)
    for (const [token, name] of [[a, 'Masked A'], [b, 'Masked B']] as const) {
      const res = await c.request('/dashboard/folders', { method: 'POST', form: { _csrf: token, name } })
      expect(res.status).toBe(303)
    }
    // A token cut or altered is refused.
    const bad = await c.request('/dashboard/folders', { method: 'POST', form: { _csrf: a.slice(0, -2), name: 'Bad' } })
    expect(bad.status).toBe(403)
  })

  it('a token from before login does not work after it', async () => {
    const setup = new Client()
    const { email } = await setup.register('Csrf Login')
    const c = new Client()
    const before = await c.csrf('/login')
    expect((await c.request('/login', { method: 'POST', form: { _csrf: before, email, password: PASSWORD } })).status).toBe(303)
    const res = await c.request('/dashboard/folders', { method: 'POST', form: { _csrf: before, name: 'Stale token' } })
    expect(res.status).toBe(403)
  })
})

describe('the recovery code', () => {
  it('leaves the session once the user confirms saving it', async () => {
    const c = new Client()
    await c.register('Saved Code')
    const sid = c.cookie('nid.sid')!
    expect((await readSession(sid))!.rc).toBeTruthy()
    const saved = await c.post('/register/recovery-code', { saved: 'on' }, { tokenPage: '/register/recovery-code' })
    expect(saved.status).toBe(303)
    expect((await readSession(sid))!.rc).toBeUndefined()
    // And the page no longer shows one.
    const again = await c.get('/register/recovery-code')
    expect(textOf(await again.text())).not.toMatch(/[0-9A-Z]{4}(-[0-9A-Z]{4}){6}/)
  })
})
