// Session lifetime (SPEC section 4): a browser-session cookie without "remember me", 30 days with
// it, and a 12 h idle timeout either way, kept in Redis as the key's TTL and checked on use.
import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { Client, PASSWORD } from '../helpers/http.js'

const redisUrl = process.env.REDIS_URL
const prefix = process.env.REDIS_PREFIX
if (!redisUrl || !prefix) throw new Error('REDIS_URL and REDIS_PREFIX are not set: run the suite with `npm test`')
const redis = new Redis(redisUrl)
afterAll(() => redis.disconnect())

const HOUR = 3600 * 1000
const DAY = 24 * HOUR

/** The Set-Cookie line for `name` in a response (the Client keeps only values). */
function setCookie(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`))
}
function expiresIn(line: string): number | null {
  const m = /;\s*expires=([^;]+)/i.exec(line)
  return m ? new Date(m[1]!).getTime() - Date.now() : null
}

async function loggedIn(remember: boolean) {
  const c = new Client()
  const { email } = await c.register('Lifetime')
  const fresh = new Client()
  const res = await fresh.post('/login', { email, password: PASSWORD, ...(remember ? { remember: 'on' } : {}) })
  expect(res.status).toBe(303)
  return { c: fresh, res }
}

describe('session lifetime', () => {
  it('without "remember me" both session cookies end with the browser session', async () => {
    const { res } = await loggedIn(false)
    for (const name of ['nid.sid', 'nid.sk']) {
      const line = setCookie(res, name)!
      expect(line).toMatch(/httponly/i)
      expect(line).toMatch(/samesite=lax/i)
      expect(expiresIn(line)).toBeNull()
    }
  })

  it('with "remember me" they last 30 days', async () => {
    const { res } = await loggedIn(true)
    for (const name of ['nid.sid', 'nid.sk']) {
      const ms = expiresIn(setCookie(res, name)!)
      expect(ms).toBeGreaterThan(29 * DAY)
      expect(ms).toBeLessThanOrEqual(30 * DAY + 60_000)
    }
  })

  it('the session in Redis expires after 12 idle hours, and a session idle that long is refused', async () => {
    const { c } = await loggedIn(true)
    const sid = c.cookie('nid.sid')!
    const key = `${prefix}sess:${sid}`
    const ttl = await redis.pttl(key)
    expect(ttl).toBeGreaterThan(11 * HOUR)
    expect(ttl).toBeLessThanOrEqual(12 * HOUR)
    expect((await c.get('/dashboard')).status).toBe(200)

    // The session last saw its user 13 hours ago (as if Redis had kept it longer).
    const data = JSON.parse((await redis.get(key))!)
    data.seenAt = Date.now() - 13 * HOUR
    await redis.set(key, JSON.stringify(data), 'PX', HOUR)
    const res = await c.get('/dashboard')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
    expect(await redis.exists(key)).toBe(0)
  })

  it('the vault key in Redis is sealed: the session data alone holds no 32-byte key in clear', async () => {
    const { c } = await loggedIn(false)
    const data = JSON.parse((await redis.get(`${prefix}sess:${c.cookie('nid.sid')!}`))!)
    expect(Object.keys(data).sort()).toEqual(expect.arrayContaining(['uid', 'did', 'vk', 'seenAt']))
    // version byte + nonce + 32-byte key + tag: a sealed value, not a bare key.
    expect(Buffer.from(data.vk, 'base64').length).toBe(1 + 12 + 32 + 16)
    // Without the nid.sk cookie the same session id opens nothing.
    const thief = new Client()
    thief.jar.set('nid.sid', c.cookie('nid.sid')!)
    thief.jar.set('nid.sid.sig', c.cookie('nid.sid.sig')!)
    expect((await thief.get('/dashboard')).status).toBe(302)
  })
})
