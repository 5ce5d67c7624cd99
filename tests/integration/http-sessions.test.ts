// Sessions over HTTP against the two running servers: shared through Redis, ended everywhere at
// logout, a new id at every login, and no session at all for anonymous visitors.
import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { BASE_URL, Client, SECOND_URL, textOf, uniqueEmail } from '../helpers/http.js'
import { redisEnv } from '../helpers/redis.js'

const { redisUrl, prefix } = redisEnv()
const redis = new Redis(redisUrl)
afterAll(() => redis.disconnect())

const sessionKey = (sid: string) => `${prefix}sess:${sid}`

async function sessionKeys(): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}sess:*`, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  return keys
}

/** A copy of a client's cookies: what a thief (or a second tab) would hold. */
function copyOf(c: Client): Client {
  const copy = new Client()
  for (const [k, v] of c.jar) copy.jar.set(k, v)
  return copy
}

async function expectLoggedOut(c: Client, server: string) {
  const res = await c.get('/dashboard', { server })
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
}

async function expectDashboardOf(c: Client, server: string, user: { name: string; email: string }) {
  const res = await c.get('/dashboard', { server })
  expect(res.status).toBe(200)
  const text = textOf(await res.text())
  expect(text).toContain(user.name)
  expect(text).toContain(user.email)
  expect(text).toContain('All items')
}

describe('sessions shared by the servers', () => {
  it('a session created through BASE_URL is valid on SECOND_URL, and logging out on SECOND_URL ends it on BASE_URL', async () => {
    const c = new Client()
    const user = await c.register('Grace Across')
    // "I have saved it" on the recovery code page.
    const saved = await c.post('/register/recovery-code', { saved: 'on' }, { tokenPage: '/register/recovery-code' })
    expect(saved.status).toBe(303)
    expect(saved.headers.get('location')).toBe('/dashboard')

    await expectDashboardOf(c, BASE_URL, user)
    await expectDashboardOf(c, SECOND_URL, user)

    const held = copyOf(c)
    const out = await c.post('/logout', {}, { server: SECOND_URL, tokenPage: '/dashboard' })
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toBe('/login')
    expect(c.cookie('nid.sid')).toBeUndefined()

    // The session is gone on the server, not just from this client's cookies.
    await expectLoggedOut(c, BASE_URL)
    await expectLoggedOut(held, BASE_URL)
    await expectLoggedOut(held, SECOND_URL)
    expect(await redis.exists(sessionKey(held.cookie('nid.sid')!))).toBe(0)
  })

  it('a login on SECOND_URL is valid on BASE_URL, and logging out on BASE_URL ends it on SECOND_URL', async () => {
    const setup = new Client()
    const user = await setup.register('Linus Reverse')

    const c = new Client()
    const login = await c.login(user.email, user.password, SECOND_URL)
    expect(login.status).toBe(303)
    expect(login.headers.get('location')).toBe('/dashboard')
    await expectDashboardOf(c, BASE_URL, user)

    const held = copyOf(c)
    const out = await c.post('/logout', {}, { tokenPage: '/dashboard' })
    expect(out.status).toBe(303)
    await expectLoggedOut(held, SECOND_URL)
    await expectLoggedOut(held, BASE_URL)
  })

  it('each login gets a new session id; the old one stops working and leaves Redis', async () => {
    const c = new Client()
    const user = await c.register('Fixation Check')
    const first = c.cookie('nid.sid')
    expect(first).toBeTruthy()
    expect(await redis.exists(sessionKey(first!))).toBe(1)
    const held = copyOf(c)

    // Log in again while logged in: a new id.
    const login = await c.login(user.email, user.password)
    expect(login.status).toBe(303)
    const second = c.cookie('nid.sid')
    expect(second).toBeTruthy()
    expect(second).not.toBe(first)
    expect(await redis.exists(sessionKey(first!))).toBe(0)
    expect(await redis.exists(sessionKey(second!))).toBe(1)
    await expectDashboardOf(c, BASE_URL, user)
    await expectLoggedOut(held, BASE_URL)

    // The Redis session holds no plaintext secret: no master password, no vault key in clear.
    const stored = (await redis.get(sessionKey(second!)))!
    expect(stored).not.toContain(user.password)
    expect(JSON.parse(stored)).toMatchObject({ email: user.email, name: user.name })
  })

  it('the session cookie alone, without its per-session key cookie, does not authenticate', async () => {
    const c = new Client()
    const user = await c.register('Split Key')
    await expectDashboardOf(c, BASE_URL, user)
    const noKey = copyOf(c)
    noKey.jar.delete('nid.sk')
    noKey.jar.delete('nid.sk.sig')
    await expectLoggedOut(noKey, BASE_URL)
  })

  it('anonymous visitors, including a failed login, create no session in Redis', async () => {
    const before = new Set(await sessionKeys())
    const c = new Client()
    for (const path of ['/', '/login', '/register', '/no-such-page', '/dashboard']) {
      const res = await c.get(path)
      expect(res.status, path).toBeLessThan(500)
      await res.arrayBuffer()
    }
    const failed = await c.post('/login', { email: uniqueEmail('anon'), password: 'not a real password' })
    expect(failed.status).toBe(422)
    expect(c.cookie('nid.sid')).toBeUndefined()

    // Other test files may log in meanwhile: any new key must belong to a logged-in user.
    const created = (await sessionKeys()).filter((k) => !before.has(k))
    for (const key of created) {
      const value = await redis.get(key)
      if (value === null) continue // expired or logged out since
      expect(JSON.parse(value).uid, `anonymous session ${key}: ${value}`).toBeTruthy()
    }
  })
})
