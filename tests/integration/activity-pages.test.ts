// The activity pages (issue 25, ADR 037) over HTTP against the running servers, with events seeded
// through the real service (the recording of events by the routes is another change): the list and
// its details, the kind filter, paging links, the CSV download, a folder's log for its owner only
// (404 for a stranger and for a member of the shared folder), and query values that never 500.
// Sign-ins of these tests may add rows of their own once the routes record them: counts are taken
// within a filter or a folder they cannot reach, or bounded by a page.
import { parse } from 'csv-parse/sync'
import { QueryTypes } from 'sequelize'
import { afterAll, describe, expect, it } from 'vitest'
import { LEAK, session, textOf, Client } from '../helpers/http.js'
import { createTestContext, registerUser, type RegisteredUser } from '../helpers/context.js'
import { share } from '../helpers/sharing.js'
import { personalId, verifiedUser } from '../helpers/vault.js'
import { ACTIVITY_CSV_COLUMNS } from '../../server/services/activity.js'
import type { ActivityEventInput } from '../../server/services/types.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())
const { activity } = ctx.services

const MINUTE = 60_000
/** Rows of the page's event list. */
const rowsIn = (html: string) => [...html.matchAll(/<li class="event[" ]/g)].length

/** `n` item events in `folderId` of `u`'s log, a minute apart, ending `endAgo` minutes ago. */
async function itemEvents(u: RegisteredUser, n: number, opts: { folderId?: string; folderName?: string; prefix?: string; endAgo?: number } = {}) {
  const now = Date.now() - (opts.endAgo ?? 0) * MINUTE
  const events: ActivityEventInput[] = Array.from({ length: n }, (_, i) => ({
    readerId: u.user.id,
    kind: i % 2 ? 'item_copied' : 'item_revealed',
    folderId: opts.folderId ?? null,
    details: { itemName: `${opts.prefix ?? 'Item'} ${i}`, folderName: opts.folderName, actorName: 'Ada Member', actorEmail: 'ada@example.test' },
    at: new Date(now - (n - i) * MINUTE),
  }))
  await activity.record(events)
}

describe('/dashboard/activity', () => {
  it('lists the viewer’s events newest first with their details, a counter row’s count and an unreadable row', async () => {
    const u = await registerUser(ctx, 'Activity Page')
    await activity.record([
      { readerId: u.user.id, kind: 'device_new', details: { device: 'Firefox on Linux', ip: '203.0.113.9' }, at: new Date(Date.now() - 30 * MINUTE) },
      { readerId: u.user.id, kind: 'share_invited', details: { folderName: 'Family', targetEmail: 'bob@example.test', permission: 'edit' }, at: new Date(Date.now() - 20 * MINUTE) },
    ])
    for (let i = 0; i < 12; i++) {
      await activity.recordBounded({ readerId: u.user.id, kind: 'signin_failed_password', details: { ip: '198.51.100.4', device: 'curl' } }, { threshold: 0 })
    }
    // A row whose sealed details are junk: listed by its kind and time, saying it cannot be opened.
    await ctx.sequelize.query(`INSERT INTO activity_events (reader_id, kind, at, sealed) VALUES (:id, 'export', now() - interval '1 hour', '\\x00ff'::bytea)`, {
      replacements: { id: u.user.id },
      type: QueryTypes.INSERT,
    })
    const s = await session(u)
    const res = await s.get('/dashboard/activity')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('no-store')
    const html = await res.text()
    const text = textOf(html)
    expect(text).toContain('New device')
    expect(text).toContain('Firefox on Linux')
    expect(text).toContain('203.0.113.9')
    expect(text).toContain('Invitation to a folder')
    expect(text).toContain('to bob@example.test · Can edit')
    expect(text).toMatch(/Sign-in failed: wrong password ×12/)
    expect(text).toContain('Vault exported')
    expect(text).toContain('Its details could not be opened.')
    // Newest first: the counter row (now), the invitation (20 min), the device (30 min), the export (1 h).
    // (The test's own login records a sign-in and a device of its own, newer than all of these.)
    const order = ['Sign-in failed: wrong password', 'Invitation to a folder', 'Firefox on Linux', 'Vault exported'].map((l) => text.indexOf(l))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    // Times in the viewer's zone (UTC until one is known), and the download link with the filter.
    expect(text).toMatch(/\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/)
    expect(html).toContain('href="/dashboard/activity.csv"')
    // The sidebar leads here, marked as the current page.
    expect(html).toMatch(/<a href="\/dashboard\/activity" aria-current="page"/)
  })

  it('says what will appear here when there is nothing yet', async () => {
    const u = await registerUser(ctx, 'Activity Empty')
    const s = await session(u)
    // Filters no sign-in can fill (logging in may record one once the routes record events).
    const html = await (await s.get('/dashboard/activity?kind=administrator')).text()
    expect(textOf(html)).toMatch(/Nothing in “Administrator” in the last \d+ days\./)
    expect(html).toContain('href="/dashboard/activity"')
    expect(textOf(await (await s.get('/dashboard/activity?kind=items')).text())).toContain('Nothing in “Items”')
    const quiet = await registerUser(ctx, 'Activity Never')
    const c = new Client()
    expect((await c.login(quiet.email, quiet.password)).status).toBe(303)
    // Nothing recorded by the test itself: the page says what will be listed (or, once sign-ins are
    // recorded, lists this one).
    const text = textOf(await (await c.get('/dashboard/activity')).text())
    if (!text.includes('Signed in')) expect(text).toContain('No activity yet.')
  })

  it('filters by kind, keeps the filter in the paging links and the CSV link, and pages at 100', async () => {
    const u = await registerUser(ctx, 'Activity Paging')
    await itemEvents(u, 130, { prefix: 'Paged' })
    await activity.record([{ readerId: u.user.id, kind: 'password_changed', details: { ip: '192.0.2.1' } }])
    const s = await session(u)

    const first = await (await s.get('/dashboard/activity?kind=items')).text()
    expect(rowsIn(first)).toBe(100)
    expect(textOf(first)).toContain('130 events in Items')
    expect(textOf(first)).not.toContain('Master password changed')
    expect(first).toContain('href="/dashboard/activity?kind=items&amp;page=2"')
    expect(first).toContain('href="/dashboard/activity.csv?kind=items"')
    expect(first).toMatch(/<option value="items" selected/)
    // Newest first: the last seeded is on page 1, the first on page 2.
    expect(textOf(first)).toContain('Paged 129')
    expect(textOf(first)).not.toContain('Paged 0 ')

    const second = await (await s.get('/dashboard/activity?kind=items&page=2')).text()
    expect(rowsIn(second)).toBe(30)
    expect(textOf(second)).toContain('Page 2 of 2')
    expect(second).toContain('href="/dashboard/activity?kind=items"')
    expect(textOf(second)).toContain('Paged 0 ')

    const account = textOf(await (await s.get('/dashboard/activity?kind=account')).text())
    expect(account).toContain('Master password changed')
    expect(account).not.toContain('Paged')

    // Past the end: no rows, and a way back.
    const past = await (await s.get('/dashboard/activity?kind=items&page=9')).text()
    expect(rowsIn(past)).toBe(0)
    expect(textOf(past)).toContain('This page is past the end of the list.')
  })

  it('never answers an unknown or malformed query value with an error: the filter falls back to every event, the page to the first', async () => {
    const u = await registerUser(ctx, 'Activity Fuzz')
    await itemEvents(u, 3, { prefix: 'Fuzz' })
    const s = await session(u)
    const values = [
      'kind=bogus',
      'kind=toString',
      'kind=__proto__',
      'kind=constructor',
      'kind=',
      'kind=items&kind=signins',
      'kind[]=items',
      'kind=%00',
      'kind=%E0%A4%A',
      `kind=${'x'.repeat(5000)}`,
      'page=0',
      'page=-1',
      'page=abc',
      'page=1e9',
      'page=99999999999999999999',
      'page=2.5',
      'page[]=2',
    ]
    for (const q of values) {
      const res = await s.get(`/dashboard/activity?${q}`)
      expect(res.status, q).toBe(200)
      const html = await res.text()
      expect(html, q).not.toMatch(LEAK)
      if (q.startsWith('kind=') && q !== 'kind=items&kind=signins') expect(textOf(html), q).toContain('Fuzz 2')
    }
    // A repeated parameter counts once: its first value.
    expect(await (await s.get('/dashboard/activity?kind=items&kind=signins')).text()).toMatch(/<option value="items" selected/)
    for (const q of values.filter((v) => v.startsWith('kind'))) {
      const res = await s.get(`/dashboard/activity.csv?${q}`)
      expect(res.status, q).toBe(200)
      expect(await res.text(), q).toContain('Fuzz 2')
    }
    // Paths the page's route glob matches that are no page of it.
    for (const path of ['/dashboard/xactivity', '/dashboard/shares/activity', `/dashboard/folders/${await personalId(ctx, u)}/x/activity`, '/dashboard/folders/not-an-id/activity']) {
      const res = await s.get(path)
      expect(res.status, path).toBe(404)
      expect(await res.text(), path).not.toMatch(LEAK)
    }
  })

  it('asks a logged-out visitor to log in, for the page and the file', async () => {
    const c = new Client()
    const page = await c.get('/dashboard/activity?kind=items')
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/dashboard/activity?kind=items')}`)
    const file = await c.get('/dashboard/activity.csv')
    expect(file.status).toBe(303)
    expect(file.headers.get('location')).toMatch(/^\/login\?next=/)
  })
})

describe('/dashboard/activity.csv', () => {
  it('downloads every event of the filter as CSV: header, rows newest first, attachment, never cached', async () => {
    const u = await registerUser(ctx, 'Activity Csv')
    await itemEvents(u, 120, { prefix: 'Csv', folderName: 'Work' })
    await activity.record([{ readerId: u.user.id, kind: 'two_factor_on', details: { ip: '192.0.2.7', device: 'Chrome on macOS' } }])
    const s = await session(u)
    const res = await s.get('/dashboard/activity.csv?kind=items')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="nucleusid-activity-${new Date().toISOString().slice(0, 10)}.csv"`)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const [header, ...rows] = parse(await res.text()) as string[][]
    expect(header).toEqual([...ACTIVITY_CSV_COLUMNS])
    // Every event, not a page of 100.
    expect(rows).toHaveLength(120)
    const record = Object.fromEntries(header!.map((h, i) => [h, rows[0]![i]]))
    expect(record).toMatchObject({ event: 'Secret copied', count: '1', item: 'Csv 119', folder: 'Work', who: 'Ada Member <ada@example.test>' })
    expect(rows.map((r) => r[1])).not.toContain('Two-factor turned on')

    const all = parse(await (await s.get('/dashboard/activity.csv')).text()) as string[][]
    expect(all.slice(1).map((r) => r[1])).toContain('Two-factor turned on')
    expect(all.length).toBeGreaterThanOrEqual(122)
  })
})

describe('/dashboard/folders/:id/activity', () => {
  it('shows the owner the folder’s events only; a stranger and a member of the shared folder get 404', async () => {
    const owner = await verifiedUser(ctx, 'Activity Owner')
    const member = await verifiedUser(ctx, 'Activity Member')
    const stranger = await registerUser(ctx, 'Activity Stranger')
    const { id: family } = await ctx.services.vault.createFolder(owner.viewer, 'Family')
    const { id: work } = await ctx.services.vault.createFolder(owner.viewer, 'Work')
    await share(ctx, owner, member, family, 'edit')
    await itemEvents(owner, 4, { folderId: family, folderName: 'Family', prefix: 'Fam' })
    await itemEvents(owner, 2, { folderId: work, folderName: 'Work', prefix: 'Job' })
    await activity.record([{ readerId: owner.user.id, kind: 'share_left', folderId: family, details: { folderName: 'Family', actorName: 'Ada Member' } }])

    const s = await session(owner)
    const res = await s.get(`/dashboard/folders/${family}/activity`)
    expect(res.status).toBe(200)
    const html = await res.text()
    const text = textOf(html)
    expect(text).toContain('Activity of “Family”')
    for (const name of ['Fam 0', 'Fam 3', 'Member left a folder', 'Ada Member']) expect(text).toContain(name)
    expect(text).not.toContain('Job 0')
    // The folder's filter: its items or its members.
    expect(rowsIn(await (await s.get(`/dashboard/folders/${family}/activity?kind=sharing`)).text())).toBeGreaterThanOrEqual(1)
    expect(textOf(await (await s.get(`/dashboard/folders/${family}/activity?kind=sharing`)).text())).not.toContain('Fam 0')
    // An upper-case id is the same folder.
    expect((await s.get(`/dashboard/folders/${family.toUpperCase()}/activity`)).status).toBe(200)
    // The folder page links to it, for its owner.
    expect(await (await s.get(`/dashboard/folders/${family}`)).text()).toContain(`href="/dashboard/folders/${family}/activity"`)

    const m = await session(member)
    expect((await m.get(`/dashboard/folders/${family}`)).status).toBe(200)
    expect(await (await m.get(`/dashboard/folders/${family}`)).text()).not.toContain(`/dashboard/folders/${family}/activity`)
    const refused = await m.get(`/dashboard/folders/${family}/activity`)
    expect(refused.status).toBe(404)
    expect(textOf(await refused.text())).not.toContain('Fam 0')

    const x = await session(stranger)
    for (const id of [family, work, '00000000-0000-4000-8000-000000000000']) {
      const r = await x.get(`/dashboard/folders/${id}/activity`)
      expect(r.status, id).toBe(404)
      expect(textOf(await r.text())).not.toContain('Fam 0')
    }
  })

  it('says what will appear when a folder has no events yet', async () => {
    const u = await registerUser(ctx, 'Activity Quiet')
    const { id } = await ctx.services.vault.createFolder(u.viewer, 'Quiet')
    const s = await session(u)
    const text = textOf(await (await s.get(`/dashboard/folders/${id}/activity`)).text())
    expect(text).toContain('Nothing has happened in this folder yet.')
  })
})
