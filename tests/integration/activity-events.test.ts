// What the security activity log records (issue 25), driven through HTTP as a browser would and
// read back through the service as the account's owner: sign-ins and new devices, a burst of wrong
// passwords (bounded rows, one alert mail), reveals and copies seen by the folder's owner and not
// by other members, sharing on both sides, and nothing of it in clear in the table.
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { Client, JSON_HEADERS, session } from '../helpers/http.js'
import { createTestContext, itemFields, type RegisteredUser } from '../helpers/context.js'
import { verifiedUser } from '../helpers/vault.js'
import { folderWithItems, share } from '../helpers/sharing.js'
import { mailTo } from '../helpers/mail.js'
import type { ActivityKind } from '../../shared/activity.js'

const db = createTestContext()
afterAll(() => db.sequelize.close())

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

async function events(u: RegisteredUser, query: { folderId?: string; kinds?: ActivityKind[] } = {}) {
  return (await db.services.activity.list(u.viewer, { page: 1, ...query })).rows
}

const kindsOf = (rows: { kind: string }[]) => rows.map((r) => r.kind)

async function loginAs(u: RegisteredUser, userAgent: string) {
  const c = new Client()
  const res = await c.post('/login', { email: u.email, password: u.password }, { headers: { 'user-agent': userAgent } })
  expect(res.status).toBe(303)
  return c
}

describe('the activity a user sees of their account', () => {
  it('each sign-in, with its device; a browser never seen before is a new device once', async () => {
    const u = await verifiedUser(db, 'Activity Signin')
    await loginAs(u, FIREFOX)
    await loginAs(u, FIREFOX)
    await loginAs(u, SAFARI)
    const rows = await events(u)
    expect(kindsOf(rows)).toEqual(['device_new', 'signin', 'signin', 'device_new', 'signin'])
    expect(rows[0]!.details.device).toBe('Mobile Safari on iOS')
    expect(rows[1]!.details.device).toBe('Mobile Safari on iOS')
    expect(rows[2]!.details.device).toBe('Firefox on Linux')
    expect(rows.every((r) => typeof r.details.ip === 'string' && r.details.ip !== '')).toBe(true)
  })

  it('fifty parallel wrong passwords: bounded rows, and one alert mail', async () => {
    const u = await verifiedUser(db, 'Activity Burst')
    const c = new Client()
    await c.csrf('/login') // one anonymous cookie for all fifty, as one browser tab would have
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => c.post('/login', { email: u.email, password: 'wrong horse battery' }, { headers: { 'user-agent': FIREFOX } }).then((r) => r.status)),
    )
    // 5 wrong passwords per address per 15 minutes (SPEC 4), then 429.
    expect(statuses.filter((s) => s === 422)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(45)

    const [stored] = await db.sequelize.query<{ n: number; attempts: number }>(
      'SELECT count(*)::int AS n, sum(count)::int AS attempts FROM activity_events WHERE reader_id = :id',
      { replacements: { id: u.user.id }, type: QueryTypes.SELECT },
    )
    // Every attempt is counted; past ten of a kind in a window they share one counter row.
    expect(stored!.attempts).toBe(50)
    expect(stored!.n).toBeLessThanOrEqual(5 + 10 + 1)
    const rows = await events(u)
    expect(rows.filter((r) => r.kind === 'signin_failed_password').reduce((n, r) => n + r.count, 0)).toBe(5)
    expect(rows.filter((r) => r.kind === 'signin_limited').reduce((n, r) => n + r.count, 0)).toBe(45)
    expect(rows.find((r) => r.count > 1)?.details.device).toBe('Firefox on Linux')

    // The alert goes out after the response: wait for it, then make sure there is only one.
    let alerts: Awaited<ReturnType<typeof mailTo>> = []
    for (let i = 0; i < 50 && alerts.length === 0; i++) {
      alerts = (await mailTo(u.email)).filter((m) => /wrong master passwords/i.test(m.subject))
      await new Promise((r) => setTimeout(r, 100))
    }
    await new Promise((r) => setTimeout(r, 500))
    alerts = (await mailTo(u.email)).filter((m) => /wrong master passwords/i.test(m.subject))
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!.body).toContain('/dashboard/activity')
    expect(alerts[0]!.body).not.toContain('wrong horse battery')
  })

  it('an export is in the log, with its format', async () => {
    const u = await verifiedUser(db, 'Activity Export')
    const s = await session(u, '/dashboard/settings/data')
    const res = await s.post('/dashboard/export', { password: u.password, format: 'csv' })
    expect(res.status).toBe(200)
    await res.text()
    const exported = (await events(u)).find((r) => r.kind === 'export')
    expect(exported?.details.detail).toBe('CSV')
  })
})

describe('the activity of a shared folder', () => {
  it('reveals and copies are seen by the owner and the one who did it, never by another member', async () => {
    const owner = await verifiedUser(db, 'Activity Owner')
    const member = await verifiedUser(db, 'Activity Member')
    const other = await verifiedUser(db, 'Activity Other')
    const { folderId, itemIds } = await folderWithItems(db, owner, 'Team', 2)
    await share(db, owner, member, folderId, 'view')
    await share(db, owner, other, folderId, 'view')

    const s = await session(member)
    const page = await s.get(`/dashboard/items/${itemIds[0]}?reveal=password`)
    expect(page.status).toBe(200)
    await page.text()
    const copied = await s.post(`/dashboard/items/${itemIds[1]}/copy`, { field: 'password' }, { json: true })
    expect(copied.status).toBe(200)
    // Copying the username is not a secret leaving the server.
    expect((await s.post(`/dashboard/items/${itemIds[1]}/copy`, { field: 'username' }, { json: true })).status).toBe(200)
    // Opening the item without asking for a secret records nothing.
    await (await s.get(`/dashboard/items/${itemIds[1]}`)).text()

    const seen = (await events(owner, { folderId, kinds: ['item_revealed', 'item_copied'] })).map((r) => ({
      kind: r.kind,
      item: r.details.itemId,
      name: r.details.itemName,
      who: r.details.actorEmail,
      what: r.details.detail,
    }))
    expect(seen).toEqual([
      { kind: 'item_copied', item: itemIds[1], name: 'Team item 1', who: member.email, what: 'password' },
      { kind: 'item_revealed', item: itemIds[0], name: 'Team item 0', who: member.email, what: 'password' },
    ])
    expect(kindsOf(await events(member, { kinds: ['item_revealed', 'item_copied'] }))).toEqual(['item_copied', 'item_revealed'])
    expect(await events(other, { kinds: ['item_revealed', 'item_copied'] })).toEqual([])

    // Nothing that names the item, the member or where they were is in clear in the table.
    const dump = await db.sequelize.query<{ row: string }>(
      'SELECT e::text AS row FROM activity_events e WHERE reader_id IN (:ids)',
      { replacements: { ids: [owner.user.id, member.user.id] }, type: QueryTypes.SELECT },
    )
    expect(dump.length).toBeGreaterThan(0)
    const text = dump.map((d) => d.row).join('\n')
    for (const clear of ['Team item', member.email, '127.0.0.1']) expect(text).not.toContain(clear)
    for (const clear of ['Team item', member.email, '127.0.0.1']) expect(text).not.toContain(Buffer.from(clear).toString('hex'))
  })

  it('joining, a permission change and leaving are in the logs of both sides; item changes in the owner’s', async () => {
    const owner = await verifiedUser(db, 'Activity Share Owner')
    const member = await verifiedUser(db, 'Activity Share Member')
    const { folderId } = await folderWithItems(db, owner, 'Shared', 0)
    const o = await session(owner, `/dashboard/folders/${folderId}`)
    expect((await o.post(`/dashboard/folders/${folderId}/members`, { email: member.email, permission: 'edit' })).status).toBe(303)
    const m = await session(member, '/dashboard/shares')
    expect((await m.post(`/dashboard/shares/${folderId}/accept`)).status).toBe(303)
    await db.services.vault.createItem(member.viewer, { folderId, ...itemFields({ name: 'Added by the member' }) })
    expect((await o.post(`/dashboard/folders/${folderId}/members/${member.user.id}`, { permission: 'view' })).status).toBe(303)
    expect((await m.post(`/dashboard/shares/${folderId}/leave`)).status).toBe(303)

    const ownerRows = await events(owner, { folderId })
    expect(kindsOf(ownerRows)).toEqual(['share_left', 'share_permission', 'item_added', 'share_accepted', 'share_invited'])
    expect(ownerRows[2]!.details).toMatchObject({ itemName: 'Added by the member', actorEmail: member.email })
    expect(ownerRows[0]!.details).toMatchObject({ folderName: 'Shared', actorEmail: member.email })
    expect(ownerRows[1]!.details).toMatchObject({ permission: 'view', targetEmail: member.email })
    expect(kindsOf(await events(member, { kinds: ['share_invited', 'share_accepted', 'share_permission', 'share_left'] }))).toEqual([
      'share_left',
      'share_permission',
      'share_accepted',
      'share_invited',
    ])
  })

  it('a member or an invitee who deletes their account: the owner’s log says who left or declined, and why', async () => {
    const owner = await verifiedUser(db, 'Activity Deletion Owner')
    const member = await verifiedUser(db, 'Activity Deleted Member')
    const invitee = await verifiedUser(db, 'Activity Deleted Invitee')
    const { folderId } = await folderWithItems(db, owner, 'Left Behind', 1)
    await db.services.sharing.invite(owner.viewer, folderId, { email: member.email, permission: 'view' })
    await db.services.sharing.accept(member.viewer, folderId)
    await db.services.sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'edit' })
    for (const u of [member, invitee]) {
      const h = await session(u, '/dashboard/settings/data')
      expect((await h.post('/dashboard/settings/delete-account', { password: u.password })).status).toBe(303)
    }
    const rows = (await events(owner, { folderId })).filter((r) => r.kind === 'share_left' || r.kind === 'share_declined')
    expect(rows.map((r) => [r.kind, r.details.actorEmail, r.details.detail])).toEqual([
      ['share_declined', invitee.email, 'deleted their account'],
      ['share_left', member.email, 'deleted their account'],
    ])
    expect(rows[1]!.details).toMatchObject({ folderName: 'Left Behind', actorName: 'Activity Deleted Member' })
  })

  it('trash, restore and delete forever are recorded for the owner', async () => {
    const owner = await verifiedUser(db, 'Activity Trash')
    const { folderId, itemIds } = await folderWithItems(db, owner, 'Bin', 1)
    await db.services.vault.deleteItem(owner.viewer, itemIds[0]!)
    await db.services.trash.restoreItem(owner.viewer, itemIds[0]!)
    await db.services.vault.deleteItem(owner.viewer, itemIds[0]!)
    await db.services.trash.purgeItem(owner.viewer, itemIds[0]!)
    const rows = await events(owner, { folderId })
    expect(kindsOf(rows)).toEqual(['item_purged', 'item_trashed', 'item_restored', 'item_trashed', 'item_added'])
    expect(rows.every((r) => r.details.itemName === 'Bin item 0')).toBe(true)
  })
})

it('copy and reveal answers are JSON or HTML as before, never cached', async () => {
  const u = await verifiedUser(db, 'Activity No Store')
  const { itemIds } = await folderWithItems(db, u, 'Cache', 1)
  const s = await session(u)
  const res = await s.client.request(`/dashboard/items/${itemIds[0]}/copy`, { method: 'POST', form: { _csrf: s.token, field: 'password' }, headers: JSON_HEADERS })
  expect(res.headers.get('cache-control')).toMatch(/no-store/)
  const page = await s.get(`/dashboard/items/${itemIds[0]}?reveal=password`)
  expect(page.headers.get('cache-control')).toMatch(/no-store/)
})
