// Settings at the service and HTTP level: the password change is O(1) and re-encrypts nothing,
// wrong passwords are rate limited under a burst, account deletion leaves no row, device ids of
// other users are 404, and no body a client can send gets a 5xx.
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import * as crypto from '../../server/lib/crypto.js'
import { createRedisKv } from '../../server/lib/kv.js'
import { createDevicesService } from '../../server/services/devices.js'
import { Client, PASSWORD, csrfFrom, recoveryCodeIn, textOf } from '../helpers/http.js'
import { latestVerificationLink, mailTo } from '../helpers/mail.js'
import { createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { personalId } from '../helpers/vault.js'
import { redisEnv } from '../helpers/redis.js'

const { redisUrl, prefix } = redisEnv()
const kv = createRedisKv(redisUrl, prefix)
await kv.whenReady(10_000)
const db = createTestContext()
afterAll(async () => {
  await kv.close()
  await db.sequelize.close()
})

const NEW_PASSWORD = 'copper lantern orbit 91 meadow'

/** Bulk-inserts `n` encrypted items into the user's Personal folder. */
async function seedItems(u: RegisteredUser, n: number) {
  const folderId = await personalId(db, u)
  const m = await db.models.FolderMembership.findOne({ where: { folderId, userId: u.user.id } })
  const priv = crypto.open(u.vaultKey, u.user.privateKeyWrapped, crypto.privateKeyAad())
  const key = crypto.openSealed(priv, m!.sealedKey, crypto.folderKeyAad(folderId, u.user.id))
  const rows = Array.from({ length: n }, (_, i) => {
    const id = randomUUID()
    return { id, folderId, ciphertext: crypto.encryptJson(key, { ...itemFields({ name: `Item ${i}` }), score: 4 }, crypto.itemAad(id, folderId)) }
  })
  await db.models.Item.bulkCreate(rows)
  return folderId
}

const ciphertexts = async (folderId: string) =>
  (await db.models.Item.findAll({ where: { folderId }, order: [['id', 'ASC']] })).map((i) => i.ciphertext.toString('base64'))

async function loggedIn(tag: string) {
  const c = new Client()
  const account = await c.register(`Settings ${tag}`)
  const token = csrfFrom(await (await c.get('/dashboard/settings')).text())
  const user = (await db.models.User.findOne({ where: { email: account.email } }))!
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    c.request(path, { method: 'POST', form: { _csrf: token, ...form }, headers })
  return { c, account, user, token, post }
}

describe('password change', () => {
  it('re-wraps only the vault key: the same queries at 10 and 1,000 items, item ciphertexts byte-identical', async () => {
    const counts: number[] = []
    for (const n of [10, 1000]) {
      const u = await registerUser(db, `Rewrap ${n}`)
      const folderId = await seedItems(u, n)
      const before = await ciphertexts(folderId)
      const oldRecovery = u.user.vaultKeyByRecovery.toString('base64')
      db.counter.count = 0
      const changed = await db.services.account.changePassword(u.viewer, { current: u.password, next: NEW_PASSWORD })
      counts.push(db.counter.count)
      expect(changed).not.toBeNull()
      expect(await ciphertexts(folderId)).toEqual(before)
      const after = (await db.models.User.findByPk(u.user.id))!
      // The recovery code keeps working: its wrapping is untouched.
      expect(after.vaultKeyByRecovery.toString('base64')).toBe(oldRecovery)
      const auth = await db.services.users.authenticate(u.email, NEW_PASSWORD)
      expect(auth?.vaultKey.equals(u.vaultKey)).toBe(true)
      expect(await db.services.users.authenticate(u.email, u.password)).toBeNull()
    }
    expect(counts[0]).toBe(counts[1])
    expect(counts[0]).toBeLessThanOrEqual(3)
  })

  it('refuses a wrong current password and rate limits a burst of 20 parallel posts', async () => {
    const { post, account } = await loggedIn('burst')
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        post('/dashboard/settings/password', { current_password: 'wrong wrong wrong', new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD }, { accept: 'application/json' }),
      ),
    )
    const statuses = results.map((r) => r.status)
    const refused = statuses.filter((s) => s === 422).length
    expect(refused).toBeGreaterThan(0)
    expect(refused).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 429).length).toBe(20 - refused)
    expect(statuses.every((s) => s === 422 || s === 429)).toBe(true)
    const body = await results[statuses.indexOf(422)]!.json()
    expect(body.errors.current_password).toBe('This is not your master password.')
    // The password is unchanged.
    expect(await db.services.users.authenticate(account.email, PASSWORD)).not.toBeNull()
  })

  it('ends every other session (their ids gone from Redis) and gives this one a new id', async () => {
    const { c, post, account } = await loggedIn('sessions')
    const other = new Client()
    expect((await other.login(account.email)).status).toBe(303)
    const otherSid = other.cookie('nid.sid')!
    const mySid = c.cookie('nid.sid')!
    expect(await kv.get(`sess:${otherSid}`)).not.toBeNull()
    const res = await post('/dashboard/settings/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/dashboard/settings/security')
    expect(await kv.get(`sess:${otherSid}`)).toBeNull()
    expect(await kv.get(`sess:${mySid}`)).toBeNull()
    expect(c.cookie('nid.sid')).not.toBe(mySid)
    expect((await c.get('/dashboard')).status).toBe(200)
    expect((await other.get('/dashboard')).status).toBe(303)
  })
})

describe('account deletion', () => {
  it('deletes every row of the user in one transaction; a wrong password deletes nothing', async () => {
    const owner = await registerUser(db, 'Deleted Owner')
    const member = await registerUser(db, 'Kept Member')
    const other = await registerUser(db, 'Other Owner')
    const { id: shared } = await db.services.vault.createFolder(owner.viewer, 'Shared one')
    await db.services.vault.createItem(owner.viewer, { folderId: shared, ...itemFields() })
    await db.services.users.verifyEmail(db.services.users.verificationToken(owner.user))
    await db.services.users.verifyEmail(db.services.users.verificationToken(member.user))
    await db.services.users.verifyEmail(db.services.users.verificationToken(other.user))
    await db.services.sharing.invite(owner.viewer, shared, { email: member.email, permission: 'edit' })
    await db.services.sharing.accept(member.viewer, shared)
    const { id: theirs } = await db.services.vault.createFolder(other.viewer, 'Theirs')
    await db.services.sharing.invite(other.viewer, theirs, { email: owner.email, permission: 'view' })
    await db.services.sharing.accept(owner.viewer, theirs)
    await db.services.devices.create(owner.user.id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', '127.0.0.1')

    expect(await db.services.account.sharedOwnedFolders(owner.user.id)).toEqual([{ id: shared, name: 'Shared one', people: 1 }])
    expect(await db.services.account.deleteAccount(owner.viewer, 'not the password')).toBeNull()
    expect(await db.models.User.findByPk(owner.user.id)).not.toBeNull()

    const result = await db.services.account.deleteAccount(owner.viewer, owner.password)
    expect(result?.deletedShared.map((f) => f.name)).toEqual(['Shared one'])
    expect(result?.left).toBe(1)
    const count = async (sql: string) =>
      (await db.sequelize.query<{ n: number }>(sql, { replacements: { id: owner.user.id, shared }, type: QueryTypes.SELECT }))[0]!.n
    expect(await count('SELECT COUNT(*)::int AS n FROM users WHERE id = :id')).toBe(0)
    expect(await count('SELECT COUNT(*)::int AS n FROM devices WHERE user_id = :id')).toBe(0)
    expect(await count('SELECT COUNT(*)::int AS n FROM folders WHERE owner_id = :id OR id = :shared')).toBe(0)
    expect(await count('SELECT COUNT(*)::int AS n FROM folder_memberships WHERE user_id = :id OR folder_id = :shared')).toBe(0)
    expect(await count('SELECT COUNT(*)::int AS n FROM items WHERE folder_id = :shared')).toBe(0)
    // The folder the owner was a member of stays with its owner, re-keyed and readable.
    const list = await db.services.vault.listFolders(other.viewer)
    expect(list.folders.find((f) => f.id === theirs)?.shared).toBe(false)
    expect((await db.services.vault.listFolders(member.viewer)).folders.find((f) => f.id === shared)).toBeUndefined()
  })
})

describe('settings over HTTP', () => {
  it("another user's device id is 404 and ends nothing", async () => {
    const a = await loggedIn('device-a')
    const b = await loggedIn('device-b')
    const bDevice = (await db.models.Device.findOne({ where: { userId: b.user.id } }))!
    for (const id of [bDevice.id, randomUUID(), 'not-a-uuid', '..%2f..']) {
      expect((await a.post(`/dashboard/settings/devices/${id}/delete`, {})).status).toBe(404)
    }
    expect(await db.models.Device.findByPk(bDevice.id)).not.toBeNull()
    expect((await b.c.get('/dashboard')).status).toBe(200)
    // Its own other device: revoked, logged out at once.
    const second = new Client()
    expect((await second.login(a.account.email)).status).toBe(303)
    const secondDevice = (await db.models.Device.findOne({ where: { userId: a.user.id }, order: [['createdAt', 'DESC']] }))!
    expect((await a.post(`/dashboard/settings/devices/${secondDevice.id}/delete`, {})).status).toBe(303)
    expect((await second.get('/dashboard')).status).toBe(303)
    expect(await db.models.Device.findByPk(secondDevice.id)).toBeNull()
  })

  it('never answers a fuzzed body with a 5xx', async () => {
    const { post, c, token } = await loggedIn('fuzz')
    const paths = ['profile', 'appearance', 'password', 'recovery-code', 'delete-account', 'devices/delete-others'].map((p) => `/dashboard/settings/${p}`)
    const long = 'x'.repeat(20_000)
    const forms: Record<string, string>[] = [
      {},
      { name: '', email: '' },
      { name: long, email: `${long}@example.test`, theme: long },
      { name: '\u0000\r\n', email: 'a@b', theme: 'purple', password: '\u0000', current_password: long, new_password: 'short', new_password_confirm: 'other' },
      { 'name[]': 'a', 'email[x]': 'b', 'theme[]': 'dark', 'password[]': 'p' },
    ]
    for (const path of paths) {
      for (const form of forms) {
        for (const accept of ['text/html', 'application/json']) {
          const res = await post(path, form, { accept })
          expect(res.status, `${path} ${JSON.stringify(form).slice(0, 80)}`).toBeLessThan(500)
        }
      }
      for (const raw of ['{"name":{"a":1},"email":[1,2]}', '{"theme":null,"password":12}', '{"name":"\\ud800","email":"\\udfff@x.y"}', '[1,2,3]', '{bad json']) {
        const res = await c.request(path, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-csrf-token': token, accept: 'application/json' } })
        expect(res.status, `${path} ${raw}`).toBeLessThan(500)
      }
    }
    // Still logged in: none of those deleted the account or ended the session.
    expect((await c.get('/dashboard/settings')).status).toBe(200)
  })
})

describe('email change', () => {
  it('keeps the old email until the link for the new one is opened; a later change or cancel voids the link', async () => {
    const u = await registerUser(db, 'Email Mover')
    const taken = await registerUser(db, 'Email Holder')
    const change = (input: { name: string; email: string }) => db.services.account.updateProfile(u.viewer, { ...input, password: u.password }).then((r) => r!)
    // Without the master password, or with a wrong one, a new email is refused and nothing changes.
    expect(await db.services.account.updateProfile(u.viewer, { name: u.user.name, email: `nopass-${u.email}` })).toBeNull()
    expect(await db.services.account.updateProfile(u.viewer, { name: u.user.name, email: `nopass-${u.email}`, password: 'wrong password 123' })).toBeNull()
    expect((await db.models.User.findByPk(u.user.id))!.pendingEmail).toBeNull()
    await expect(change({ name: u.user.name, email: taken.email.toUpperCase() })).rejects.toMatchObject({
      fields: { email: 'This email address belongs to another account.' },
    })

    const first = `first-${u.email}`
    const second = `second-${u.email}`
    expect((await change({ name: u.user.name, email: first })).pendingEmail).toBe(first)
    const firstLink = db.services.users.verificationToken({ id: u.user.id, email: first })
    expect((await db.models.User.findByPk(u.user.id))!.email).toBe(u.email)
    // A second change: the first link stops working.
    await change({ name: u.user.name, email: second })
    const secondLink = db.services.users.verificationToken({ id: u.user.id, email: second })
    expect(await db.services.users.verifyEmail(firstLink)).toBeNull()
    // Cancelled (back to the current address): the second link stops working too.
    expect((await change({ name: u.user.name, email: u.email })).cancelled).toBe(true)
    expect(await db.services.users.verifyEmail(secondLink)).toBeNull()
    expect((await db.models.User.findByPk(u.user.id))!.email).toBe(u.email)

    await change({ name: 'Email Moved', email: second })
    const verified = await db.services.users.verifyEmail(db.services.users.verificationToken({ id: u.user.id, email: second }))
    expect(verified?.email).toBe(second)
    const after = (await db.models.User.findByPk(u.user.id))!
    expect([after.email, after.pendingEmail, after.name, after.verifiedAt !== null]).toEqual([second, null, 'Email Moved', true])
    expect(await db.services.users.authenticate(second, u.password)).not.toBeNull()
    expect(await db.services.users.authenticate(u.email, u.password)).toBeNull()
  })

  it('answers a taken address with a message next to the field (JSON) and regenerates the session id on a change', async () => {
    const other = await registerUser(db, 'Http Holder')
    const { c, post, account } = await loggedIn('email-http')
    const res = await post('/dashboard/settings/profile', { name: 'Settings email-http', email: other.email, password: account.password }, { accept: 'application/json' })
    expect(res.status).toBe(422)
    expect((await res.json()).errors.email).toBe('This email address belongs to another account.')
    const before = c.cookie('nid.sid')
    const ok = await post('/dashboard/settings/profile', { name: 'Settings email-http', email: `new-${other.email}`, password: account.password })
    expect(ok.status).toBe(303)
    expect(c.cookie('nid.sid')).not.toBe(before)
    expect(await kv.get(`sess:${before}`)).toBeNull()
    expect((await c.get('/dashboard/settings')).status).toBe(200)
  })
})

describe('appearance', () => {
  it('is carried by the session: every session of the user renders it on <html>', async () => {
    const { c, post, account } = await loggedIn('theme')
    const other = new Client()
    await other.login(account.email)
    expect(await (await other.get('/dashboard')).text()).not.toMatch(/<html[^>]*data-theme=/)
    expect((await post('/dashboard/settings/appearance', { theme: 'dark' })).status).toBe(303)
    expect((await post('/dashboard/settings/appearance', { theme: 'purple' })).status).toBe(422)
    for (const client of [c, other]) expect(await (await client.get('/dashboard')).text()).toMatch(/<html[^>]*data-theme="dark"/)
    // A new login reads it from the user row.
    const third = new Client()
    await third.login(account.email)
    expect(await (await third.get('/dashboard')).text()).toMatch(/<html[^>]*data-theme="dark"/)
  })
})

describe('settings pages (ADR 022)', () => {
  it('each section is a page of its own; a success redirects to its page, a refusal re-renders it with an error summary', async () => {
    const { c, post, account } = await loggedIn('pages')
    for (const [path, heading] of [
      ['/dashboard/settings', 'Account'],
      ['/dashboard/settings/account', 'Account'],
      ['/dashboard/settings/appearance', 'Appearance'],
      ['/dashboard/settings/security', 'Security'],
      ['/dashboard/settings/devices', 'Devices'],
      ['/dashboard/settings/data', 'Data'],
    ] as const) {
      const res = await c.get(path)
      expect(res.status, path).toBe(200)
      const html = await res.text()
      expect(html, path).toMatch(new RegExp(`<h1[^>]*>${heading}</h1>`))
      expect(html, path).toMatch(/<a href="\/dashboard\/settings\/security"[^>]*>Security<\/a>/)
    }
    const old = await c.get('/dashboard/settings/two-factor')
    expect(old.status).toBe(302)
    expect(old.headers.get('location')).toBe('/dashboard/settings/security')

    const where = async (path: string, form: Record<string, string>) => {
      const res = await post(path, form)
      expect(res.status, path).toBe(303)
      return res.headers.get('location')
    }
    expect(await where('/dashboard/settings/profile', { name: 'Settings pages', email: account.email })).toBe('/dashboard/settings')
    expect(await where('/dashboard/settings/appearance', { theme: 'dark' })).toBe('/dashboard/settings/appearance')
    expect(await where('/dashboard/settings/devices/delete-others', {})).toBe('/dashboard/settings/devices')

    // A wrong password: the Security page, not the whole of settings, with the summary linking to the field.
    const refused = await post('/dashboard/settings/password', { current_password: 'not my password at all', new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD })
    expect(refused.status).toBe(422)
    const html = await refused.text()
    expect(html).toMatch(/<h1[^>]*>Security<\/h1>/)
    expect(html).not.toContain('name="email"')
    expect(html).toMatch(/data-testid="error-summary"[\s\S]*<a href="#f-password-current_password"[^>]*>This is not your master password\.<\/a>/)
    expect(html.match(/<input[^>]*id="f-password-current_password"[^>]*>/)![0]).toContain('aria-invalid="true"')
    const wrongDelete = await post('/dashboard/settings/delete-account', { password: 'not my password at all' })
    expect(wrongDelete.status).toBe(422)
    expect(await wrongDelete.text()).toContain('href="#f-delete-account-password"')
  })

  it('a new recovery code: downloadable as a file while it is shown, confirmed only with the box ticked', async () => {
    const { c, post, account } = await loggedIn('code-download')
    expect(await (await post('/dashboard/settings/recovery-code', { password: account.password })).headers.get('location')).toBe('/dashboard/settings/recovery-code')
    const shown = await (await c.get('/dashboard/settings/recovery-code')).text()
    const code = recoveryCodeIn(shown)!
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/)
    // The groups are spans that never break: the text between them has no space.
    expect(shown).toMatch(/<span class="group"[^>]*>[0-9A-Z]{4}-<\/span><wbr[^>]*>/)

    const file = await post('/dashboard/settings/recovery-code/download', {})
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(file.headers.get('cache-control')).toBe('no-store')
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="nucleusid-recovery-code-\d{4}-\d{2}-\d{2}\.txt"$/)
    expect(file.headers.get('set-cookie') ?? '').not.toContain(code)
    expect(await file.text()).toContain(code)

    const unticked = await post('/dashboard/settings/recovery-code/saved', {})
    expect(unticked.status).toBe(422)
    expect(recoveryCodeIn(await unticked.text())).toBe(code)
    const json = await post('/dashboard/settings/recovery-code/saved', {}, { accept: 'application/json' })
    expect(json.status).toBe(422)
    expect((await json.json()).errors.saved).toMatch(/Tick the box/)
    const saved = await post('/dashboard/settings/recovery-code/saved', { saved: 'on' })
    expect(saved.headers.get('location')).toBe('/dashboard/settings/security')
    // Gone: neither the page nor the download has it any more.
    expect((await c.get('/dashboard/settings/recovery-code')).status).toBe(302)
    const after = await post('/dashboard/settings/recovery-code/download', {})
    expect(after.status).toBe(303)
    expect(await after.text()).not.toContain(code)
  })

  it('registration: the vault opens only once "I have saved my recovery code" is ticked', async () => {
    const c = new Client()
    await c.register('Settings saved box')
    const refused = await c.post('/register/recovery-code', {}, { tokenPage: '/register/recovery-code' })
    expect(refused.status).toBe(422)
    expect(textOf(await refused.text())).toContain('Tick the box once you have saved your recovery code')
    const ok = await c.post('/register/recovery-code', { saved: 'on' }, { tokenPage: '/register/recovery-code' })
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toBe('/dashboard')
  })
})

describe('devices', () => {
  it('lists a logged-out session as ended, not as a device to log out', async () => {
    const { c, user, account } = await loggedIn('ended')
    const other = new Client()
    expect((await other.login(account.email)).status).toBe(303)
    const token = csrfFrom(await (await other.get('/dashboard')).text())
    expect((await other.request('/logout', { method: 'POST', form: { _csrf: token } })).status).toBe(303)
    // The service as the server builds it, with the sessions' store.
    const devices = await createDevicesService(db.models, kv).list(user.id)
    expect(devices).toHaveLength(2)
    expect(devices.filter((d) => d.active)).toHaveLength(1)
    const html = await (await c.get('/dashboard/settings/devices')).text()
    expect(html.match(/data-testid="this-device"/g)).toHaveLength(1)
    expect(html).not.toMatch(/data-testid="device"/)
    expect(html.match(/data-testid="ended-device"/g)).toHaveLength(1)
    expect(html).not.toContain('/delete-others')
    const ended = devices.find((d) => !d.active)!
    expect(html).not.toContain(`/dashboard/settings/devices/${ended.id}/delete`)
  })
})

describe('email change mail', () => {
  it('the new address gets its own text, and the old one is told once the change is done', async () => {
    const { post, account } = await loggedIn('mail-change')
    const newEmail = `moved-${account.email}`
    expect((await post('/dashboard/settings/profile', { name: 'Settings mail-change', email: newEmail, password: account.password })).status).toBe(303)
    const link = await latestVerificationLink(newEmail)
    const [confirm] = await mailTo(newEmail)
    expect(confirm!.subject).toBe('Confirm your new NucleusID email address')
    expect(confirm!.body).toContain(`from ${account.email} to this address`)
    expect(confirm!.body).not.toContain('finish setting up')
    expect((await new Client().get(link.replace(/^https?:\/\/[^/]+/, ''))).status).toBe(303)
    let notice
    for (let i = 0; i < 50 && !notice; i++) {
      notice = (await mailTo(account.email)).find((m) => m.subject === 'Your NucleusID email address was changed')
      if (!notice) await new Promise((r) => setTimeout(r, 100))
    }
    expect(notice!.body).toContain(`was changed to ${newEmail}`)
    expect(notice!.body).toContain("If this wasn't you")
  })
})
