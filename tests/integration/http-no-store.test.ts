// Responses that hold secrets must not land in the browser's disk cache (issue 17, finding 8).
// The HTML of a page was already `no-store`, but the `index.pageContext.json` that Vike's client
// router fetches on a client-side navigation carries the same data (an item's password, the
// one-time recovery code) and had no Cache-Control at all. Every response to a logged-in or
// half-logged-in session, or to a request with a session cookie, and every pageContext.json, now
// carries `no-store`; hashed assets keep their year of immutable caching.
import { afterAll, describe, expect, it } from 'vitest'
import { BASE_URL, Client, PASSWORD, csrfFrom } from '../helpers/http.js'
import { personalId } from '../helpers/vault.js'
import { createTestContext, itemFields } from '../helpers/context.js'

const db = createTestContext()
afterAll(() => db.sequelize.close())

const JSON_ACCEPT = { accept: 'application/json' }
const RECOVERY_CODE = /[0-9A-Z]{4}(-[0-9A-Z]{4}){6}/

/** Where Vike's client router asks for a page's data (vike's getPageContextRequestUrl). */
const pageContextUrl = (path: string) => `${path.replace(/\/$/, '')}/index.pageContext.json`

function expectNoStore(res: Response, what: string) {
  expect(res.headers.get('cache-control') ?? '(no Cache-Control)', what).toMatch(/(^|,\s*)no-store(,|$)/)
}

async function loggedIn(tag: string) {
  const c = new Client()
  const account = await c.register(`No Store ${tag}`)
  const { user, vaultKey } = (await db.services.users.authenticate(account.email, PASSWORD))!
  const viewer = { userId: user.id, vaultKey }
  const personal = await personalId(db, { user })
  return { c, account, viewer, personal }
}

describe('Cache-Control: no-store on what holds secrets', () => {
  it("an item page's pageContext.json (its password inside) is not stored", async () => {
    const u = await loggedIn('item')
    const password = 'no-store item pw 7Qx lantern'
    const { id } = await db.services.vault.createItem(u.viewer, { folderId: u.personal, ...itemFields({ name: 'Cached?', password }) })

    // The password is sent only when revealed (SPEC 3b): that is the request that must not be stored.
    const res = await u.c.get(`${pageContextUrl(`/dashboard/items/${id}`)}?reveal=password`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/json/)
    const body = await res.text()
    // The URL is the one the client router fetches: it answers with this item's data.
    expect(body).toContain('Cached?')
    expect(body).toContain(password)
    expectNoStore(res, 'item pageContext.json')
    // The same page as HTML, for comparison (it always was).
    expectNoStore(await u.c.get(`/dashboard/items/${id}`), 'item page')
  })

  it("the recovery-code page's pageContext.json (the one-time code inside) is not stored", async () => {
    const c = new Client()
    await c.register('No Store Recovery')
    const res = await c.get(pageContextUrl('/register/recovery-code'))
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(RECOVERY_CODE)
    expectNoStore(res, 'recovery-code pageContext.json')
  })

  it('a JSON action answer and a 303 to a logged-in session are not stored', async () => {
    const u = await loggedIn('actions')
    const token = csrfFrom(await (await u.c.get('/dashboard')).text())
    const json = await u.c.request('/dashboard/folders', { method: 'POST', form: { _csrf: token, name: 'Json folder' }, headers: JSON_ACCEPT })
    expect(json.status).toBe(200)
    expect((await json.json()).ok).toBe(true)
    expectNoStore(json, 'JSON action')

    const redirect = await u.c.request('/dashboard/folders', { method: 'POST', form: { _csrf: token, name: 'Form folder' } })
    expect(redirect.status).toBe(303)
    expectNoStore(redirect, '303 after a form post')

    // A refused action (422 JSON) too: it may echo what was typed.
    const refused = await u.c.request('/dashboard/folders', { method: 'POST', form: { _csrf: token, name: '' }, headers: JSON_ACCEPT })
    expect(refused.status).toBe(422)
    expectNoStore(refused, '422 JSON')
  })

  it('a request that carries a session cookie gets no-store even once the session is gone; anonymous pageContext.json too', async () => {
    const u = await loggedIn('logout')
    const token = csrfFrom(await (await u.c.get('/dashboard')).text())
    const cookies = u.c.cookieHeader()
    const logout = await u.c.request('/logout', { method: 'POST', form: { _csrf: token } })
    expect(logout.status).toBe(303)
    expectNoStore(logout, 'logout 303')
    // The old cookies, replayed after logout: the request is anonymous now, its answer still not stored.
    const stale = await fetch(`${BASE_URL}/dashboard`, { headers: { cookie: cookies }, redirect: 'manual' })
    expect(stale.status).toBe(303)
    expectNoStore(stale, 'redirect of a stale session')

    const anonymous = await new Client().get(pageContextUrl('/about'))
    expect(anonymous.status).toBe(200)
    expectNoStore(anonymous, 'anonymous pageContext.json')
  })

  it('hashed assets stay immutable for a logged-in browser', async () => {
    const u = await loggedIn('assets')
    const html = await (await u.c.get('/dashboard')).text()
    const script = html.match(/(?:src|href)="(\/assets\/[^"]+\.js)"/)?.[1]
    expect(script).toBeTruthy()
    const res = await u.c.get(script!)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toMatch(/immutable/)
    expect(res.headers.get('cache-control')).not.toMatch(/no-store/)
  })
})
