// The activity log's service (issue 25) on the real database: details sealed to each reader (no
// item name, IP or device in clear anywhere in a row), one INSERT per recording, floods bounded
// under parallel calls, filters, paging, the CSV and pruning.
import { parse } from 'csv-parse/sync'
import { QueryTypes } from 'sequelize'
import { afterAll, describe, expect, it } from 'vitest'
import * as crypto from '../lib/crypto.js'
import { ACTIVITY_CSV_COLUMNS, DEFAULT_RETENTION_MS, createActivityService } from './activity.js'
import { ACTIVITY_FILTERS, ACTIVITY_KINDS, ACTIVITY_LABELS, isActivityFilter } from '../../shared/activity.js'
import { countQueries, createTestContext, registerUser, type RegisteredUser } from '../../tests/helpers/context.js'
import { personalId, privateKeyOf } from '../../tests/helpers/vault.js'

const ctx = createTestContext()
const activity = createActivityService(ctx)
afterAll(() => ctx.sequelize.close())

const DAY = 24 * 60 * 60 * 1000
// Awkward on purpose: quotes, a comma, a line break, a NUL, non-Latin letters, an emoji, a formula.
const ITEM_NAME = 'Bank "main", ☃ Ünïcödé\nsecond line \u0000 🦊 =1+1'
const IP = '203.0.113.77'
const DEVICE = 'Firefox on Linux (canary 5e1f)'

async function rawRows(readerId: string) {
  return ctx.sequelize.query<{ id: string; kind: string; count: number; bucket: Date | null; sealed: Buffer; text: string }>(
    'SELECT e.id, e.kind, e.count, e.bucket, e.sealed, e::text AS text FROM activity_events e WHERE reader_id = :readerId ORDER BY at, id',
    { replacements: { readerId }, type: QueryTypes.SELECT },
  )
}

const publicKeyOf = async (u: RegisteredUser) => (await ctx.models.User.findByPk(u.user.id))!.publicKey

describe('shared/activity', () => {
  it('puts every kind in exactly one filter group, with a label', () => {
    const grouped = Object.values(ACTIVITY_FILTERS).flatMap((f) => f.kinds)
    expect([...grouped].sort()).toEqual([...ACTIVITY_KINDS].sort())
    for (const kind of ACTIVITY_KINDS) expect(ACTIVITY_LABELS[kind]).toBeTruthy()
    expect(isActivityFilter('signins')).toBe(true)
    expect(isActivityFilter('toString')).toBe(false)
    expect(isActivityFilter(undefined)).toBe(false)
  })
})

describe('activity service', () => {
  it('records a folder event for two readers in one INSERT and lists it back, details intact', async () => {
    const owner = await registerUser(ctx, 'Activity Owner')
    const actor = await registerUser(ctx, 'Activity Actor')
    const folderId = await personalId(ctx, owner)
    const details = { itemName: ITEM_NAME, folderName: 'Family, "shared"', actorName: 'Ädä <b>', actorEmail: actor.email, ip: IP, device: DEVICE }
    const [ownerKey, actorKey] = [await publicKeyOf(owner), await publicKeyOf(actor)]
    const { count } = await countQueries(ctx, () =>
      activity.record([
        { readerId: owner.user.id, readerPublicKey: ownerKey, kind: 'item_trashed', folderId, details },
        { readerId: actor.user.id, readerPublicKey: actorKey, kind: 'item_trashed', folderId, details },
      ]),
    )
    expect(count).toBe(1)
    // Without the keys at hand: one SELECT for them, still one INSERT.
    expect((await countQueries(ctx, () => activity.record([{ readerId: owner.user.id, kind: 'export', details: { ip: IP } }]))).count).toBe(2)
    expect((await countQueries(ctx, () => activity.record([]))).count).toBe(0)

    const { result: page, count: listQueries } = await countQueries(ctx, () => activity.list(owner.viewer, { page: 1 }))
    expect(listQueries).toBe(1)
    expect(page.total).toBe(2)
    expect(page.pages).toBe(1)
    expect(page.rows.map((r) => r.kind)).toEqual(['export', 'item_trashed'])
    const trashed = page.rows[1]!
    expect(trashed).toMatchObject({ label: ACTIVITY_LABELS.item_trashed, count: 1, details })
    expect(trashed.unreadable).toBeUndefined()
    expect(Number.isNaN(Date.parse(trashed.at))).toBe(false)
    expect((await activity.list(actor.viewer, { page: 1 })).rows[0]!.details).toEqual(details)
    // The owner's view of the folder filters on it.
    expect((await activity.list(owner.viewer, { page: 1, folderId })).rows.map((r) => r.kind)).toEqual(['item_trashed'])
  })

  it('keeps no item name, IP or device in clear anywhere in a row', async () => {
    const u = await registerUser(ctx, 'Activity Dump')
    await activity.record([{ readerId: u.user.id, kind: 'signin_failed_password', details: { ip: IP, device: DEVICE, itemName: ITEM_NAME } }])
    await activity.recordBounded({ readerId: u.user.id, kind: 'signin_failed_code', details: { ip: IP, device: DEVICE } }, { windowMs: DAY, threshold: 0 })
    const rows = await rawRows(u.user.id)
    expect(rows).toHaveLength(2)
    for (const secret of [IP, DEVICE, 'Bank', 'canary 5e1f', '203.0.113']) {
      const hex = Buffer.from(secret).toString('hex')
      for (const r of rows) {
        // The whole row as PostgreSQL prints it (bytea as hex), and the sealed bytes as they are.
        expect(r.text).not.toContain(secret)
        expect(r.text).not.toContain(hex)
        expect(r.sealed.includes(Buffer.from(secret))).toBe(false)
      }
    }
  })

  it("another user's key opens no row, and a row moved to another log or relabelled shows as unreadable", async () => {
    const alice = await registerUser(ctx, 'Activity Alice')
    const bob = await registerUser(ctx, 'Activity Bob')
    await activity.record([{ readerId: alice.user.id, kind: 'signin', details: { ip: IP } }])
    const [row] = await rawRows(alice.user.id)
    const bobKey = await privateKeyOf(ctx, bob)
    for (const aad of [crypto.activityAad(alice.user.id, 'signin'), crypto.activityAad(bob.user.id, 'signin')]) {
      expect(() => crypto.openSealed(bobKey, row!.sealed, aad)).toThrow(crypto.DecryptionError)
    }
    const aliceKey = await privateKeyOf(ctx, alice)
    expect(JSON.parse(crypto.openSealed(aliceKey, row!.sealed, crypto.activityAad(alice.user.id, 'signin')).toString())).toEqual({ ip: IP })
    expect(() => crypto.openSealed(aliceKey, row!.sealed, crypto.activityAad(alice.user.id, 'signin_failed_password'))).toThrow(crypto.DecryptionError)

    // Copied into Bob's log: listed, but as unreadable, never thrown.
    await ctx.models.ActivityEvent.create({ readerId: bob.user.id, folderId: null, kind: row!.kind, sealed: row!.sealed })
    const bobs = await activity.list(bob.viewer, { page: 1 })
    expect(bobs.rows).toHaveLength(1)
    expect(bobs.rows[0]).toMatchObject({ kind: 'signin', details: {}, unreadable: true })

    // A failed sign-in made to look like a success.
    await activity.record([{ readerId: alice.user.id, kind: 'signin_failed_password', details: { ip: IP } }])
    await ctx.sequelize.query(`UPDATE activity_events SET kind = 'signin' WHERE reader_id = :id AND kind = 'signin_failed_password'`, {
      replacements: { id: alice.user.id },
    })
    const alices = await activity.list(alice.viewer, { page: 1 })
    expect(alices.rows.map((r) => r.unreadable ?? false).sort()).toEqual([false, true])

    // The wrong vault key: every row unreadable, nothing thrown.
    const wrong = await activity.list({ userId: alice.user.id, vaultKey: crypto.randomKey() }, { page: 1 })
    expect(wrong.rows.every((r) => r.unreadable && Object.keys(r.details).length === 0)).toBe(true)
  })

  it('a burst of 50 parallel wrong passwords stores `threshold` rows and one counter row, each attempt numbered once', async () => {
    const u = await registerUser(ctx, 'Activity Flood')
    const threshold = 5
    const windowMs = 60 * 60 * 1000
    const start = Math.floor(Date.now() / windowMs) * windowMs
    const ordinals = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        activity.recordBounded(
          { readerId: u.user.id, kind: 'signin_failed_password', details: { ip: `198.51.100.${i}`, device: DEVICE }, at: new Date(start + 1000 + i) },
          { windowMs, threshold },
        ),
      ),
    )
    expect([...ordinals].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    const rows = await rawRows(u.user.id)
    const singles = rows.filter((r) => r.bucket === null)
    const counters = rows.filter((r) => r.bucket !== null)
    expect(singles).toHaveLength(threshold)
    expect(singles.every((r) => r.count === 1)).toBe(true)
    expect(counters).toHaveLength(1)
    expect(counters[0]!.count).toBe(50 - threshold)
    expect(new Date(counters[0]!.bucket!).getTime()).toBe(start)

    // The page shows the counter row with its count, readable.
    const page = await activity.list(u.viewer, { page: 1 })
    expect(page.total).toBe(threshold + 1)
    expect(page.rows[0]).toMatchObject({ kind: 'signin_failed_password', count: 50 - threshold })
    expect(page.rows[0]!.details.device).toBe(DEVICE)

    // The next window starts over: an individual row, no crossing.
    const next = await activity.recordBounded(
      { readerId: u.user.id, kind: 'signin_failed_password', details: { ip: IP }, at: new Date(start + windowMs + 1) },
      { windowMs, threshold },
    )
    expect(next).toBe(1)
    expect((await rawRows(u.user.id)).filter((r) => r.bucket === null)).toHaveLength(threshold + 1)
    // Another kind has its own count.
    expect(await activity.recordBounded({ readerId: u.user.id, kind: 'signin_failed_code', details: {}, at: new Date(start + 2) }, { windowMs, threshold })).toBe(1)
  })

  it('filters by kinds and pages newest first', async () => {
    const u = await registerUser(ctx, 'Activity Pages')
    const base = Date.now() - DAY
    const kinds = ['signin', 'device_new', 'password_changed', 'signin', 'export', 'signin_failed_password', 'signin'] as const
    await activity.record(kinds.map((kind, i) => ({ readerId: u.user.id, kind, details: { detail: `event ${i}` }, at: new Date(base + i * 1000) })))

    const signins = await activity.list(u.viewer, { page: 1, kinds: ACTIVITY_FILTERS.signins.kinds })
    expect(signins.rows.map((r) => r.details.detail)).toEqual(['event 6', 'event 5', 'event 3', 'event 0'])
    expect(signins.total).toBe(4)
    expect((await activity.list(u.viewer, { page: 1, kinds: ['export'] })).rows.map((r) => r.kind)).toEqual(['export'])

    const seen: string[] = []
    for (const n of [1, 2, 3]) {
      const page = await activity.list(u.viewer, { page: n, perPage: 3 })
      expect(page).toMatchObject({ page: n, pages: 3, total: 7 })
      seen.push(...page.rows.map((r) => r.details.detail!))
    }
    expect(seen).toEqual(['event 6', 'event 5', 'event 4', 'event 3', 'event 2', 'event 1', 'event 0'])
    // Past the last page: no rows, the total still right; nonsense page numbers read as page 1.
    expect(await activity.list(u.viewer, { page: 9, perPage: 3 })).toMatchObject({ rows: [], page: 9, pages: 3, total: 7 })
    expect((await activity.list(u.viewer, { page: Number.NaN })).page).toBe(1)
    expect((await activity.list(u.viewer, { page: 1, perPage: 10_000 })).rows).toHaveLength(7)
  })

  it('downloads CSV: every column, quoted where needed, formulas defused', async () => {
    const u = await registerUser(ctx, 'Activity Csv')
    const at = new Date(Date.now() - 60_000)
    await activity.record([
      { readerId: u.user.id, kind: 'item_trashed', details: { itemName: ITEM_NAME, folderName: '@SUM(A1)', actorName: 'Bob', actorEmail: 'bob@example.test', device: '-2+3', ip: IP }, at },
      { readerId: u.user.id, kind: 'share_invited', details: { targetEmail: 'carol@example.test', permission: 'view', detail: '+cmd, "x"' }, at: new Date(at.getTime() + 1) },
    ])
    const text = await activity.csv(u.viewer)
    expect(text.startsWith(`${ACTIVITY_CSV_COLUMNS.join(',')}\r\n`)).toBe(true)
    const records = parse(text, { columns: true }) as Record<string, string>[]
    expect(records).toEqual([
      { time: new Date(at.getTime() + 1).toISOString(), event: ACTIVITY_LABELS.share_invited, count: '1', device: '', ip: '', item: '', folder: '', who: '', detail: `'+cmd, "x"; to carol@example.test; permission: view` },
      { time: at.toISOString(), event: ACTIVITY_LABELS.item_trashed, count: '1', device: "'-2+3", ip: IP, item: ITEM_NAME, folder: "'@SUM(A1)", who: 'Bob <bob@example.test>', detail: '' },
    ])
    // Only the kinds asked for.
    expect(parse(await activity.csv(u.viewer, { kinds: ['item_trashed'] }), { columns: true })).toHaveLength(1)
  })

  it('prunes only rows older than the retention, with the clock moved', async () => {
    const u = await registerUser(ctx, 'Activity Prune')
    const now = Date.now()
    await activity.record([
      { readerId: u.user.id, kind: 'signin', details: { detail: 'old' }, at: new Date(now - 200 * DAY) },
      { readerId: u.user.id, kind: 'signin', details: { detail: 'recent' }, at: new Date(now - 10 * DAY) },
      { readerId: u.user.id, kind: 'signin', details: { detail: 'today' }, at: new Date(now) },
    ])
    const left = async () => (await activity.list(u.viewer, { page: 1 })).rows.map((r) => r.details.detail)
    // Past the retention a row is no longer listed, even before it is pruned.
    expect(await left()).toEqual(['today', 'recent'])
    expect(await activity.prune(new Date(now))).toBeGreaterThanOrEqual(1)
    expect(await rawRows(u.user.id)).toHaveLength(2)
    // 175 days on, the row from 10 days ago is past 180 days; today's is not.
    expect(DEFAULT_RETENTION_MS).toBe(180 * DAY)
    await activity.prune(new Date(now + 175 * DAY))
    expect(await rawRows(u.user.id)).toHaveLength(1)
    expect(await left()).toEqual(['today'])

    // The retention is configurable: an hour here.
    const short = createActivityService({ ...ctx, retentionMs: 60 * 60 * 1000 })
    await activity.record([{ readerId: u.user.id, kind: 'signin', details: { detail: 'earlier' }, at: new Date(now - 2 * 60 * 60 * 1000) }])
    expect((await short.list(u.viewer, { page: 1 })).rows.map((r) => r.details.detail)).toEqual(['today'])
    await short.prune(new Date(now))
    expect(await rawRows(u.user.id)).toHaveLength(1)
  })
})
