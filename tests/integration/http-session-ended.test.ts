// A form sent from a session that ended elsewhere (logged out on another device, expired) is told
// "You were logged out", not the CSRF message: without JavaScript it goes to log in and back to the
// form's page, with JavaScript it gets 401 `loggedOut` and a fresh token from GET /session/csrf after
// logging in again. A forged token still gets the CSRF refusal. Also the time zone route.
import { afterAll, describe, expect, it } from 'vitest'
import { BASE_URL, Client, JSON_HEADERS, csrfFrom, session, textOf } from '../helpers/http.js'
import { createTestContext, registerUser } from '../helpers/context.js'
import { testRedis } from '../helpers/redisClient.js'

const { redis, prefix } = testRedis()
const db = createTestContext()
afterAll(() => db.sequelize.close())

const CSRF_MESSAGE = 'This form has expired or was sent from another site'
const LOGGED_OUT = 'You were logged out'

/** A logged-in session on `page`, its form token, then the session ended elsewhere (its key deleted). */
async function endedSession(page: string) {
  const u = await registerUser(db, 'ended')
  const s = await session(u, page)
  expect(await redis.del(`${prefix}sess:${s.client.cookie('nid.sid')!}`)).toBe(1)
  return { u, ...s }
}

describe('a form from a session that ended elsewhere', () => {
  it('is sent to log in, back to its page, with "You were logged out" (no JavaScript)', async () => {
    const s = await endedSession('/dashboard/items/new')
    const res = await s.client.request('/dashboard/folders', {
      method: 'POST',
      form: { _csrf: s.token, name: 'After the end' },
      headers: { referer: `${BASE_URL}/dashboard/items/new?folder=abc` },
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/dashboard/items/new?folder=abc')}`)
    const login = await s.client.get(res.headers.get('location')!)
    const text = textOf(await login.text())
    expect(text).toContain(LOGGED_OUT)
    expect(text).not.toContain(CSRF_MESSAGE)
    expect(await db.models.Folder.count({ where: { name: 'After the end' } })).toBe(0)
  })

  it('a Referer from another site never becomes the way back', async () => {
    const s = await endedSession('/dashboard')
    const res = await s.client.request('/dashboard/folders', {
      method: 'POST',
      form: { _csrf: s.token, name: 'x' },
      headers: { referer: `${BASE_URL}//evil.example/x` },
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard')
  })

  it('gets 401 with loggedOut (JavaScript), then logs in again and the same form goes through with a fresh token', async () => {
    const s = await endedSession('/dashboard')
    const res = await s.post('/dashboard/folders', { name: 'Sent again' }, { json: true })
    expect(res.status).toBe(401)
    const json = (await res.json()) as { ok: boolean; loggedOut?: boolean; error: string }
    expect(json).toMatchObject({ ok: false, loggedOut: true })
    expect(json.error).toContain(LOGGED_OUT)

    // The log-in-again dialog: a token for the anonymous form, the login, a token for the new session.
    const anon = await s.client.get('/session/csrf', { headers: JSON_HEADERS })
    expect(anon.headers.get('cache-control')).toContain('no-store')
    const { token: loginToken } = (await anon.json()) as { token: string }
    const login = await s.client.request('/login', { method: 'POST', form: { _csrf: loginToken, email: s.u.email, password: s.u.password }, headers: JSON_HEADERS })
    expect(login.status).toBe(200)
    const { token } = (await (await s.client.get('/session/csrf')).json()) as { token: string }
    const again = await s.client.request('/dashboard/folders', { method: 'POST', form: { _csrf: token, name: 'Sent again' }, headers: JSON_HEADERS })
    expect(again.status).toBe(200)
    expect(await db.models.Folder.count({ where: { name: 'Sent again', ownerId: s.u.user.id } })).toBe(1)
  })

  it('a forged token is still refused as CSRF, logged in or not', async () => {
    const s = await endedSession('/dashboard')
    const forged = await s.client.request('/dashboard/folders', { method: 'POST', form: { _csrf: 'A'.repeat(86), name: 'x' } })
    expect(forged.status).toBe(403)
    expect(textOf(await forged.text())).toContain(CSRF_MESSAGE)
    // Another site's form with this browser's own token: the Origin check still refuses it.
    const crossSite = await s.client.request('/dashboard/folders', { method: 'POST', form: { _csrf: s.token, name: 'x' }, origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)
  })
})

describe('the time zone', () => {
  it('is detected at login (when none is set), chosen by POST /dashboard/settings/time-zone, refused when unknown', async () => {
    const u = await registerUser(db, 'zone')
    const c = new Client()
    const _csrf = await c.csrf('/login')
    const login = await c.request('/login', { method: 'POST', form: { _csrf, email: u.email, password: u.password, time_zone: 'Asia/Tokyo' } })
    expect(login.status).toBe(303)
    expect((await db.models.User.findByPk(u.user.id))!.timeZone).toBe('Asia/Tokyo')

    const token = csrfFrom(await (await c.get('/dashboard')).text())
    const bad = await c.request('/dashboard/settings/time-zone', { method: 'POST', form: { _csrf: token, time_zone: 'Mars/Olympus' }, headers: JSON_HEADERS })
    expect(bad.status).toBe(422)
    expect(((await bad.json()) as { errors: Record<string, string> }).errors.time_zone).toBeTruthy()
    const set = await c.request('/dashboard/settings/time-zone', { method: 'POST', form: { _csrf: token, time_zone: 'America/New_York' } })
    expect(set.status).toBe(303)
    expect((await db.models.User.findByPk(u.user.id))!.timeZone).toBe('America/New_York')

    // A later login from another zone does not override the chosen one.
    const other = new Client()
    const t2 = await other.csrf('/login')
    await other.request('/login', { method: 'POST', form: { _csrf: t2, email: u.email, password: u.password, time_zone: 'Europe/Paris' } })
    expect((await db.models.User.findByPk(u.user.id))!.timeZone).toBe('America/New_York')
  })
})
