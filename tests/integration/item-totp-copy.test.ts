// Authenticator keys, copying one field and cloning (issue 21, ADR 030), over HTTP as a browser
// and the enhanced pages would: invalid keys are 422 beside the field; the item page shows the
// code otpauth computes; POST /items/:id/copy answers exactly one field, never cached, 404 for what
// is not the viewer's, 422 for an unknown field, 429 past its budget (spent before the work, so
// a parallel burst cannot overrun it), 403 without the CSRF token; a clone carries every field
// into the same folder; and the folder's list index never holds the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as OTPAuth from 'otpauth'
import { BASE_URL, JSON_HEADERS, expectStatus, session, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { folderKeyOf, personalId } from '../helpers/vault.js'
import { openListIndex } from '../../server/services/listIndex.js'
import { decryptItem } from '../../server/services/itemCrypto.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
const URI = `otpauth://totp/ACME%20Co:alice%40example.test?secret=${SECRET}&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60`

/** The codes otpauth gives for this key now and in the neighbouring periods (the page was rendered a moment ago). */
function codesAround(key: { secret: string; algorithm?: string; digits?: number; period?: number }) {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key.secret), algorithm: key.algorithm ?? 'SHA1', digits: key.digits ?? 6, period: key.period ?? 30 })
  const now = Date.now()
  const p = (key.period ?? 30) * 1000
  return [now - p, now, now + p].map((timestamp) => totp.generate({ timestamp }))
}

/** A password long enough to be found only where it is shown. */
const PASSWORD_OF_MANY = 'reveal-budget-7Qx!z9-Wm2#pL4'

const codeOnPage = (html: string) => /data-testid="totp-code"[^>]*>([\d ]+)</.exec(html)?.[1]?.replace(/\s/g, '') ?? null

describe('authenticator keys in the item form', () => {
  let u: RegisteredUser
  let folder: string
  let http: Awaited<ReturnType<typeof session>>
  beforeAll(async () => {
    u = await registerUser(ctx, 'Totp Form')
    folder = await personalId(ctx, u)
    http = await session(u)
  })

  it.each([
    ['letters outside base32', 'JBSWY3DPEHPK3PX1'],
    ['too short', 'JBSWY3DP'],
    ['a hotp link', `otpauth://hotp/x?secret=${SECRET}&counter=1`],
    ['too many digits', `otpauth://totp/x?secret=${SECRET}&digits=9`],
    ['an unknown algorithm', `otpauth://totp/x?secret=${SECRET}&algorithm=MD5`],
    ['a link without a secret', 'otpauth://totp/x?issuer=ACME'],
    ['a web address', 'https://example.com/?secret=JBSWY3DPEHPK3PXP'],
    ['a line break', `${SECRET}\n`],
  ])('refuses %s with 422 beside the field, keeping what was typed', async (_case, totp) => {
    const html = await expectStatus(await http.post('/dashboard/items', { folder_id: folder, ...itemFields({ name: 'Bad key' }), totp }), 422, 'bad key')
    expect(textOf(html)).toMatch(/base32 secret|control characters/)
    expect(html).toContain('id="item-totp-error"')
  })

  it('takes a base32 secret as people type it and shows the code otpauth computes', async () => {
    const typed = SECRET.toLowerCase().replace(/(.{4})/g, '$1 ')
    const res = await http.post('/dashboard/items', { folder_id: folder, ...itemFields({ name: 'Spaced key' }), totp: typed })
    expect(res.status).toBe(303)
    const id = res.headers.get('location')!.split('/').pop()!
    const detail = await vault.getItem(u.viewer, id)
    expect(detail.totp).toBe(SECRET)
    const page = await http.get(`/dashboard/items/${id}`)
    expect(page.headers.get('cache-control')).toMatch(/no-store/)
    const html = await page.text()
    expect(codesAround({ secret: SECRET })).toContain(codeOnPage(html))
    expect(html).not.toContain(SECRET) // the page shows the code, never the key
    // The edit form shows the key, like the password.
    expect(await (await http.get(`/dashboard/items/${id}/edit`)).text()).toContain(`value="${SECRET}"`)
  })

  it('honours an otpauth link’s issuer, digits, period and algorithm', async () => {
    const res = await http.post('/dashboard/items', { folder_id: folder, ...itemFields({ name: 'Uri key' }), totp: URI })
    expect(res.status).toBe(303)
    const id = res.headers.get('location')!.split('/').pop()!
    const stored = (await vault.getItem(u.viewer, id)).totp
    expect(stored).toMatch(/^otpauth:\/\/totp\//)
    expect(decodeURIComponent(stored)).toContain('issuer=ACME Co')
    const code = codeOnPage(await (await http.get(`/dashboard/items/${id}`)).text())
    expect(code).toHaveLength(8)
    expect(codesAround({ secret: SECRET, algorithm: 'SHA256', digits: 8, period: 60 })).toContain(code)
  })
})

describe('POST /dashboard/items/:id/copy', () => {
  let u: RegisteredUser
  let other: RegisteredUser
  let item: string
  let bare: string
  let trashed: string
  let foreign: string
  let http: Awaited<ReturnType<typeof session>>
  beforeAll(async () => {
    u = await registerUser(ctx, 'Copy User')
    other = await registerUser(ctx, 'Copy Other')
    const folder = await personalId(ctx, u)
    item = (await vault.createItem(u.viewer, { folderId: folder, ...itemFields({ name: 'Copied', username: 'copy-me' }), totp: SECRET })).id
    bare = (await vault.createItem(u.viewer, { folderId: folder, ...itemFields({ name: 'No key' }) })).id
    trashed = (await vault.createItem(u.viewer, { folderId: folder, ...itemFields({ name: 'Trashed' }), totp: SECRET })).id
    await vault.deleteItem(u.viewer, trashed)
    foreign = (await vault.createItem(other.viewer, { folderId: await personalId(ctx, other), ...itemFields({ name: 'Theirs' }), totp: SECRET })).id
    http = await session(u)
  })

  const copy = (id: string, field: string) => http.post(`/dashboard/items/${id}/copy`, { field }, { json: true })

  it('answers exactly the one field asked for, never cached', async () => {
    for (const [field, value] of [['username', 'copy-me'], ['password', itemFields().password]] as const) {
      const res = await copy(item, field)
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(await res.json()).toEqual({ ok: true, value })
    }
    const res = await copy(item, 'totp')
    const body = (await res.json()) as { value: string; secondsLeft: number; period: number }
    expect(Object.keys(body).sort()).toEqual(['ok', 'period', 'secondsLeft', 'value'])
    expect(codesAround({ secret: SECRET })).toContain(body.value)
    expect(body.secondsLeft).toBeGreaterThanOrEqual(1)
    expect(body.secondsLeft).toBeLessThanOrEqual(30)
  })

  it('is 404 for a foreign, trashed, unknown or malformed id and 422 for an unknown field or no key', async () => {
    for (const id of [foreign, trashed, '00000000-0000-4000-8000-000000000000', 'not-an-id', `${item}x`]) {
      const res = await copy(id, 'password')
      expect(res.status, id).toBe(404)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(JSON.stringify(await res.json())).not.toContain(itemFields().password)
    }
    for (const field of ['note', 'name', '', 'PASSWORD']) expect((await copy(item, field)).status, field).toBe(422)
    const none = await copy(bare, 'totp')
    expect(none.status).toBe(422)
    expect(((await none.json()) as { error: string }).error).toBe('This item has no authenticator key.')
  })

  it('is 403 without the CSRF token or from another origin', async () => {
    const noToken = await http.client.request(`/dashboard/items/${item}/copy`, { method: 'POST', form: { field: 'password' }, headers: JSON_HEADERS })
    expect(noToken.status).toBe(403)
    expect(await noToken.text()).not.toContain(itemFields().password)
    const elsewhere = await http.client.request(`/dashboard/items/${item}/copy`, { method: 'POST', form: { _csrf: http.token, field: 'password' }, headers: JSON_HEADERS, origin: 'https://evil.example' })
    expect(elsewhere.status).toBe(403)
  })

  it('takes the token from the X-CSRF-Token header, as the page’s script sends it', async () => {
    const res = await http.client.request(`/dashboard/items/${item}/copy`, { method: 'POST', form: { field: 'username' }, headers: { ...JSON_HEADERS, 'x-csrf-token': http.token } })
    expect(res.status).toBe(200)
  })

  it('holds its budget of 300 per user against a parallel burst, then answers 429 JSON', async () => {
    const heavy = await registerUser(ctx, 'Copy Heavy')
    const mine = (await vault.createItem(heavy.viewer, { folderId: await personalId(ctx, heavy), ...itemFields({ name: 'Many', password: PASSWORD_OF_MANY }) })).id
    const h = await session(heavy)
    const send = () => h.post(`/dashboard/items/${mine}/copy`, { field: 'username' }, { json: true })
    let ok = 0
    for (let i = 0; i < 290; i += 29) {
      const batch = await Promise.all(Array.from({ length: 29 }, send))
      ok += batch.filter((r) => r.status === 200).length
    }
    expect(ok).toBe(290)
    const burst = await Promise.all(Array.from({ length: 50 }, send))
    expect(burst.filter((r) => r.status === 200)).toHaveLength(10)
    const refused = burst.filter((r) => r.status === 429)
    expect(refused).toHaveLength(40)
    expect(refused[0]!.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(refused[0]!.headers.get('content-type')).toMatch(/json/)

    // A page asked for a secret (?reveal=, SPEC 3b) spends the same budget: past it, the error
    // page with 429 and Retry-After, and no secret; the page without a secret still opens.
    for (const path of [`/dashboard/items/${mine}?reveal=password`, `/dashboard/items/${mine}/history?reveal=old_0`]) {
      const page = await h.get(path)
      expect(page.status, path).toBe(429)
      expect(page.headers.get('retry-after'), path).toMatch(/^\d+$/)
      const html = await page.text()
      expect(textOf(html), path).toMatch(/Too many/i)
      expect(html, path).not.toContain(PASSWORD_OF_MANY)
    }
    expect((await h.get(`/dashboard/items/${mine}`)).status).toBe(200)
  })

  it('spends a point per page asking for a secret: a parallel burst of reveals stops at the budget', async () => {
    const reader = await registerUser(ctx, 'Reveal Heavy')
    const mine = (await vault.createItem(reader.viewer, { folderId: await personalId(ctx, reader), ...itemFields({ name: 'Shown', password: PASSWORD_OF_MANY }) })).id
    const h = await session(reader)
    for (let i = 0; i < 290; i += 29) {
      const batch = await Promise.all(Array.from({ length: 29 }, () => h.post(`/dashboard/items/${mine}/copy`, { field: 'username' }, { json: true })))
      expect(batch.every((r) => r.status === 200)).toBe(true)
    }
    const burst = await Promise.all(Array.from({ length: 30 }, () => h.get(`/dashboard/items/${mine}?reveal=password`)))
    const shown = await Promise.all(burst.filter((r) => r.status === 200).map((r) => r.text()))
    expect(shown).toHaveLength(10)
    for (const html of shown) expect(html).toContain(PASSWORD_OF_MANY)
    expect(burst.filter((r) => r.status === 429)).toHaveLength(20)
  })
})

describe('clone', () => {
  it('copies every field, the key and rotation period included, into the same folder and opens the copy’s edit form', async () => {
    const u = await registerUser(ctx, 'Clone User')
    const folder = (await vault.createFolder(u.viewer, 'Clone Work')).id
    const fields = itemFields({ name: 'Original', username: 'orig', note: 'line one\nline two', url: 'https://clone.example/login' })
    const id = (await vault.createItem(u.viewer, { folderId: folder, ...fields, totp: SECRET, rotateDays: 90 })).id
    const http = await session(u)
    const res = await http.post(`/dashboard/items/${id}/clone`)
    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    const cloneId = /^\/dashboard\/items\/([0-9a-f-]{36})\/edit$/.exec(location)?.[1]
    expect(cloneId).toBeTruthy()
    expect(cloneId).not.toBe(id)
    const row = await ctx.models.Item.findByPk(cloneId!)
    expect(row!.folderId).toBe(folder)
    const key = await folderKeyOf(ctx, u, folder)
    const original = decryptItem(key, id, folder, (await ctx.models.Item.findByPk(id))!.ciphertext)!
    const copy = decryptItem(key, cloneId!, folder, row!.ciphertext)!
    expect(copy).toEqual({ ...original, name: 'Copy of Original' })
    expect(copy.totp).toBe(SECRET)
    expect(copy.rotateDays).toBe(90)
    expect(textOf(await (await http.get(location)).text())).toContain('Item cloned')
  })

  it('cuts a long name to the limit, and is 404 for another user’s item', async () => {
    const u = await registerUser(ctx, 'Clone Long')
    const other = await registerUser(ctx, 'Clone Other')
    const folder = await personalId(ctx, u)
    const id = (await vault.createItem(u.viewer, { folderId: folder, ...itemFields({ name: 'x'.repeat(200) }) })).id
    const { id: cloneId } = await vault.cloneItem(u.viewer, id)
    expect((await vault.getItem(u.viewer, cloneId)).fields.name).toBe(`Copy of ${'x'.repeat(192)}`)
    const theirs = await session(other)
    expect((await theirs.post(`/dashboard/items/${id}/clone`)).status).toBe(404)
  })
})

describe('the list index and the list', () => {
  it('never hold the authenticator key', async () => {
    const u = await registerUser(ctx, 'Index User')
    const folder = await personalId(ctx, u)
    await vault.createItem(u.viewer, { folderId: folder, ...itemFields({ name: 'Indexed' }), totp: URI })
    await vault.createItem(u.viewer, { folderId: folder, ...itemFields({ name: 'Indexed 2' }), totp: SECRET })
    const [row] = await ctx.sequelize.query<{ listIndex: Buffer }>('SELECT list_index AS "listIndex" FROM folders WHERE id = :folder', { replacements: { folder }, type: 'SELECT' as never })
    const index = openListIndex(await folderKeyOf(ctx, u, folder), folder, row!.listIndex)
    expect(index).not.toBeNull()
    const text = JSON.stringify(index)
    expect(text).toContain('Indexed')
    for (const secret of [SECRET, SECRET.toLowerCase(), 'otpauth', 'ACME']) expect(text).not.toContain(secret)
    const list = await vault.reader(u.viewer).list()
    expect(JSON.stringify(list)).not.toContain(SECRET)
    const http = await session(u)
    const html = await (await http.get('/dashboard')).text()
    expect(html).not.toContain(SECRET)
    expect(BASE_URL).toBeTruthy()
  })
})
