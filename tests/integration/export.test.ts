// The vault export over HTTP and at the service level: the CSV and its headers, a bounded number
// of queries whatever the vault's size, wrong passwords refused and rate limited under a burst,
// the notice mail, and the refusals every POST gets (no CSRF token, another origin, no session).
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { Client, PASSWORD, csrfFrom, textOf } from '../helpers/http.js'
import { mailTo } from '../helpers/mail.js'
import { personalId } from '../helpers/vault.js'
import { createTestContext, itemFields } from '../helpers/context.js'

const db = createTestContext()
afterAll(() => db.sequelize.close())

const HEADER = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp'

/** A registered, logged-in client with its vault key (for seeding through the services). */
async function loggedIn(tag: string) {
  const c = new Client()
  const account = await c.register(`Export ${tag}`)
  const token = csrfFrom(await (await c.get('/dashboard/settings')).text())
  const { user, vaultKey } = (await db.services.users.authenticate(account.email, PASSWORD))!
  const viewer = { userId: user.id, vaultKey }
  const personal = await personalId(db, { user })
  const exportWith = (password: string, headers: Record<string, string> = {}) =>
    c.request('/dashboard/export', { method: 'POST', form: { _csrf: token, password }, headers })
  return { c, account, viewer, personal, token, exportWith }
}

describe('export', () => {
  it('answers a right password with the CSV in Bitwarden layout, as an attachment nobody caches', async () => {
    const u = await loggedIn('csv')
    const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work, "old"')
    await db.services.vault.createItem(u.viewer, { folderId: u.personal, ...itemFields({ name: 'Bank', note: 'line one\nline "two", three' }) })
    await db.services.vault.createItem(u.viewer, { folderId: work, ...itemFields({ name: 'Wiki', username: 'ada', password: 'pa,ss"word', url: 'https://wiki.example' }) })

    const res = await u.exportWith(PASSWORD)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="nucleusid-export-${new Date().toISOString().slice(0, 10)}.csv"`)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const text = await res.text()
    expect(text.split('\r\n')[0]).toBe(HEADER)
    const rows = parse(text, { columns: true }) as Record<string, string>[]
    expect(rows).toEqual([
      { folder: '', favorite: '', type: 'login', name: 'Bank', notes: 'line one\nline "two", three', fields: '', reprompt: '0', login_uri: 'https://example.com/login', login_username: 'someone@example.test', login_password: itemFields().password, login_totp: '' },
      { folder: 'Work, "old"', favorite: '', type: 'login', name: 'Wiki', notes: '', fields: '', reprompt: '0', login_uri: 'https://wiki.example', login_username: 'ada', login_password: 'pa,ss"word', login_totp: '' },
    ])
  })

  it('an empty vault exports the header row alone', async () => {
    const u = await loggedIn('empty')
    const res = await u.exportWith(PASSWORD)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(`${HEADER}\r\n`)
  })

  it('costs the same two queries at 10 and 300 items (user; items with their folder keys, one snapshot) and caches nothing', async () => {
    const counts: number[] = []
    for (const n of [10, 300]) {
      const u = await loggedIn(`queries-${n}`)
      const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
      for (let i = 0; i < n; i++) {
        await db.services.vault.createItem(u.viewer, { folderId: i % 2 ? work : u.personal, ...itemFields({ name: `Item ${i}`, password: `pw ${i}` }) })
      }
      const before = db.counter.count
      const cached = db.services.vault.listCacheStats()
      const records = await db.services.exporter.exportVault(u.viewer, PASSWORD)
      counts.push(db.counter.count - before)
      expect([...records!]).toHaveLength(n)
      // Nothing of the export is kept: the decrypted list cache is not touched.
      expect(db.services.vault.listCacheStats()).toEqual(cached)
    }
    // One statement reads the items and the sealed keys of their folders: one snapshot, so a key
    // rotation committing meanwhile cannot pair old keys with new ciphertexts (issue 17.7).
    expect(counts).toEqual([2, 2])
  }, 120_000)

  it('refuses to write a file that would lack an item: nothing downloaded, the count and where they are listed, the budget untouched', async () => {
    const u = await loggedIn('unreadable')
    const [bank, wiki] = await Promise.all(['Bank', 'Wiki'].map((name) => db.services.vault.createItem(u.viewer, { folderId: u.personal, ...itemFields({ name }) })))
    // Wiki's row gets Bank's ciphertext: bound (AAD) to another item id, it no longer decrypts.
    await db.sequelize.query('UPDATE items SET ciphertext = (SELECT ciphertext FROM items WHERE id = :bank) WHERE id = :wiki', { replacements: { bank: bank!.id, wiki: wiki!.id } })

    await expect(db.services.exporter.exportVault(u.viewer, PASSWORD)).rejects.toMatchObject({ unreadable: 1, total: 2 })
    const MESSAGE = '1 item of your vault cannot be decrypted, so the file would miss it: nothing was exported.'
    const page = await u.exportWith(PASSWORD)
    expect(page.status).toBe(422)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-disposition')).toBeNull()
    const html = await page.text()
    expect(textOf(html)).toContain(MESSAGE)
    expect(textOf(html)).toContain('The Health page lists it under “Unreadable”')
    expect(html).not.toContain(itemFields().password)
    // The password was right: more tries than the settings budget (5) are all answered, never 429.
    for (let i = 0; i < 6; i++) {
      const json = await u.exportWith(PASSWORD, { accept: 'application/json' })
      expect(json.status).toBe(422)
      expect((await json.json()).message).toContain(MESSAGE)
    }
    // A wrong password is still a wrong password first.
    expect((await (await u.exportWith('not my master password', { accept: 'application/json' })).json()).errors.password).toBe('This is not your master password.')
  })

  it('refuses when a whole folder cannot be opened (its sealed key does not open), naming every item of it', async () => {
    const u = await loggedIn('folder-key')
    const { id: work } = await db.services.vault.createFolder(u.viewer, 'Work')
    await db.services.vault.createItem(u.viewer, { folderId: u.personal, ...itemFields({ name: 'Mine' }) })
    for (const name of ['One', 'Two', 'Three']) await db.services.vault.createItem(u.viewer, { folderId: work, ...itemFields({ name }) })
    // The Work key sealed for this user replaced by the Personal one (bound to another folder):
    // what a member whose copy of the key went missing would see. Before, the file simply had no Work.
    await db.sequelize.query(
      `UPDATE folder_memberships SET sealed_key = (SELECT sealed_key FROM folder_memberships WHERE folder_id = :personal AND user_id = :userId)
       WHERE folder_id = :work AND user_id = :userId`,
      { replacements: { personal: u.personal, work, userId: u.viewer.userId } },
    )
    await expect(db.services.exporter.exportVault(u.viewer, PASSWORD)).rejects.toMatchObject({ unreadable: 3, total: 4 })
    const json = await u.exportWith(PASSWORD, { accept: 'application/json' })
    expect(json.status).toBe(422)
    expect(json.headers.get('content-disposition')).toBeNull()
    expect((await json.json()).message).toMatch(/^3 items of your vault cannot be decrypted, so the file would miss them: nothing was exported\./)
  })

  it('refuses a wrong password with the message next to the field (page and JSON), nothing downloaded', async () => {
    const u = await loggedIn('wrong')
    const page = await u.exportWith('not my master password')
    expect(page.status).toBe(422)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-disposition')).toBeNull()
    const html = await page.text()
    expect(textOf(html)).toContain('This is not your master password.')
    expect(html).not.toContain('not my master password')
    const json = await u.exportWith('still not it', { accept: 'application/json' })
    expect(json.status).toBe(422)
    expect(await json.json()).toEqual({ ok: false, errors: { password: 'This is not your master password.' }, message: 'This is not your master password.' })
    const empty = await u.exportWith('', { accept: 'application/json' })
    expect(empty.status).toBe(422)
    expect((await empty.json()).errors.password).toBe('Enter your master password to export your vault.')
  })

  it('checks at most 5 of a burst of 12 wrong passwords, the rest get 429 with the wait; then even the right one waits', async () => {
    const u = await loggedIn('burst')
    const results = await Promise.all(Array.from({ length: 12 }, () => u.exportWith('wrong wrong wrong', { accept: 'application/json' })))
    const statuses = results.map((r) => r.status)
    const checked = statuses.filter((s) => s === 422).length
    expect(checked).toBeGreaterThan(0)
    expect(checked).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - checked)
    const limited = results[statuses.indexOf(429)]!
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await limited.json()).error).toMatch(/Too many attempts\. Try again in \d+ minutes?\./)
    const page = await u.exportWith(PASSWORD)
    expect(page.status).toBe(429)
    expect(page.headers.get('content-disposition')).toBeNull()
  })

  it('mails the owner a notice naming the device, never an item', async () => {
    const u = await loggedIn('mail')
    await db.services.vault.createItem(u.viewer, { folderId: u.personal, ...itemFields({ name: 'Secret site' }) })
    const res = await u.exportWith(PASSWORD, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' })
    expect(res.status).toBe(200)
    await res.text()
    let mail
    for (let i = 0; i < 50 && !mail; i++) {
      mail = (await mailTo(u.account.email)).find((m) => m.subject === 'Your NucleusID vault was exported')
      if (!mail) await new Promise((r) => setTimeout(r, 100))
    }
    expect(mail!.body).toMatch(/from Firefox[^\n]* on Linux \(IP [^)]+\)/)
    expect(mail!.body).not.toContain('Secret site')
    expect(mail!.body).not.toContain(itemFields().password)
  })

  it('refuses a post without the CSRF token, from another origin, or without a session', async () => {
    const u = await loggedIn('refusals')
    const noToken = await u.c.request('/dashboard/export', { method: 'POST', form: { password: PASSWORD } })
    expect(noToken.status).toBe(403)
    expect(noToken.headers.get('content-disposition')).toBeNull()
    const foreign = await u.c.request('/dashboard/export', { method: 'POST', form: { _csrf: u.token, password: PASSWORD }, origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    // Another user's token with this session: refused too (the token is bound to the session).
    const other = await loggedIn('refusals-other')
    const swapped = await u.c.request('/dashboard/export', { method: 'POST', form: { _csrf: other.token, password: PASSWORD } })
    expect(swapped.status).toBe(403)

    const anonymous = new Client()
    const token = await anonymous.csrf('/login')
    const page = await anonymous.request('/dashboard/export', { method: 'POST', form: { _csrf: token, password: PASSWORD } })
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toMatch(/^\/login\?next=/)
    const json = await anonymous.request('/dashboard/export', { method: 'POST', form: { _csrf: token, password: PASSWORD }, headers: { accept: 'application/json' } })
    expect(json.status).toBe(401)
  })
})
