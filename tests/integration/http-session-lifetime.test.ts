// Session lifetime (SPEC section 4): a browser-session cookie without "remember me", 30 days with
// it, and a 12 h idle timeout either way, kept in Redis as the key's TTL and checked on use.
import { afterAll, describe, expect, it } from 'vitest'
import { Client, PASSWORD } from '../helpers/http.js'
import { createTestContext, registerUser } from '../helpers/context.js'
import { testRedis } from '../helpers/redisClient.js'

const { redis, prefix } = testRedis()
const db = createTestContext()
afterAll(() => db.sequelize.close())

/** Every value stored under a Redis key, whatever its type, as bytes. */
async function valuesOf(key: string): Promise<Buffer[]> {
  switch (await redis.type(key)) {
    case 'string': {
      const v = await redis.getBuffer(key)
      return v ? [v] : []
    }
    case 'set':
      return redis.smembersBuffer(key)
    case 'hash':
      return Object.entries(await redis.hgetallBuffer(key)).flatMap(([k, v]) => [Buffer.from(k), v])
    case 'list':
      return redis.lrangeBuffer(key, 0, -1)
    case 'zset':
      return redis.zrangeBuffer(key, 0, -1)
    default:
      return [] // gone meanwhile (expired)
  }
}

async function expectLoggedOut(c: Client) {
  const res = await c.get('/dashboard')
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
}

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
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
    expect(await redis.exists(key)).toBe(0)
  })

  // Reads every key of the suite's Redis prefix: slow when the rest of the suite has filled it.
  it('the vault key is nowhere in Redis in clear, and another session\'s key cookie does not open this session', { timeout: 180_000 }, async () => {
    // A user seeded through the services, so the test knows the vault key the login unlocks.
    const u = await registerUser(db, 'Sealed')
    const vaultKey: Buffer = u.vaultKey
    const c = new Client()
    expect((await c.login(u.email, u.password)).status).toBe(303)
    expect((await c.get('/dashboard')).status).toBe(200)

    const forms = [vaultKey.toString('hex'), vaultKey.toString('base64'), vaultKey.toString('base64url')]
    const found: string[] = []
    let scanned = 0
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      cursor = next
      for (const key of keys) {
        scanned++
        for (const value of await valuesOf(key)) {
          // The raw bytes, and the text encodings a careless write would use (hex in any case).
          if (value.includes(vaultKey)) found.push(`${key}: raw bytes`)
          const text = value.toString('latin1')
          for (const f of forms) if (text.includes(f) || text.toLowerCase().includes(f.toLowerCase())) found.push(`${key}: ${f.length} chars`)
        }
      }
    } while (cursor !== '0')
    expect(scanned).toBeGreaterThan(0)
    expect(found).toEqual([])

    // The session's own data holds the key only sealed: version byte + nonce + key + tag.
    const data = JSON.parse((await redis.get(`${prefix}sess:${c.cookie('nid.sid')!}`))!)
    expect(Buffer.from(data.vk, 'base64').length).toBe(1 + 12 + 32 + 16)

    // The session id without its nid.sk cookie opens nothing.
    const thief = new Client()
    thief.jar.set('nid.sid', c.cookie('nid.sid')!)
    thief.jar.set('nid.sid.sig', c.cookie('nid.sid.sig')!)
    await expectLoggedOut(thief)

    // Nor with the (validly signed) nid.sk pair of another login: that key seals another vault key.
    const other = new Client()
    const o = await registerUser(db, 'Other')
    expect((await other.login(o.email, o.password)).status).toBe(303)
    const swapped = new Client()
    swapped.jar.set('nid.sid', c.cookie('nid.sid')!)
    swapped.jar.set('nid.sid.sig', c.cookie('nid.sid.sig')!)
    swapped.jar.set('nid.sk', other.cookie('nid.sk')!)
    swapped.jar.set('nid.sk.sig', other.cookie('nid.sk.sig')!)
    expect(swapped.cookie('nid.sk')).not.toBe(c.cookie('nid.sk'))
    await expectLoggedOut(swapped)
  })
})
