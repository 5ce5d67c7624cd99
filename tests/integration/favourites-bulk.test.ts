// Favourites and bulk actions (issue 21): a star is per user; the list (and its cache) shows a
// star or an unstar at once, with no query more (at most 3 for a dashboard, at 0, 200 and 1,000
// items); parallel stars leave one row; bulk actions report what they did not do and why, never
// half done, and refuse a form of more than a page of ids (413) or without what it needs (422).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { QueryTypes } from 'sequelize'
import { BASE_URL, expectStatus, session, textOf } from '../helpers/http.js'
import { countQueries, createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { addMember, expectError, listWithSidebar, personalId, seedItems } from '../helpers/vault.js'
import { ForbiddenError, NotFoundError } from '../../server/lib/errors.js'
import { bulkMessage } from '../../server/services/bulk.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

const stars = async (userId: string) =>
  (await ctx.sequelize.query<{ item_id: string }>('SELECT item_id FROM item_favourites WHERE user_id = :userId ORDER BY item_id', { replacements: { userId }, type: QueryTypes.SELECT })).map(
    (r) => r.item_id,
  )

describe('stars', () => {
  let alice: RegisteredUser
  let bob: RegisteredUser
  let shared: string
  let sharedItem: string
  let own: string

  beforeAll(async () => {
    alice = await registerUser(ctx, 'Alice Star')
    bob = await registerUser(ctx, 'Bob Star')
    shared = (await vault.createFolder(alice.viewer, 'Team')).id
    sharedItem = (await vault.createItem(alice.viewer, { folderId: shared, ...itemFields({ name: 'Team Wiki' }) })).id
    own = (await vault.createItem(alice.viewer, { folderId: await personalId(ctx, alice), ...itemFields({ name: 'Diary' }) })).id
    // Bob only views the folder: a star is his own, so he may star.
    await addMember(ctx, alice, bob, shared, 'view')
  })

  it('are per user: a shared item starred by one member is not starred for the other', async () => {
    await vault.listVault(alice.viewer) // both lists cached before the star
    await vault.listVault(bob.viewer)
    await vault.setFavourite(bob.viewer, sharedItem, true)
    const bobList = await listWithSidebar(vault, bob.viewer)
    expect(bobList.items.find((r) => r.id === sharedItem)?.favourite).toBe(true)
    expect(bobList.counts.favourites).toBe(1)
    expect(bobList.folders.find((f) => f.id === shared)?.favourites).toBe(1)
    const aliceList = await listWithSidebar(vault, alice.viewer)
    expect(aliceList.items.find((r) => r.id === sharedItem)?.favourite).toBeFalsy()
    expect(aliceList.counts.favourites).toBe(0)
    expect((await vault.getItem(bob.viewer, sharedItem)).favourite).toBe(true)
    expect((await vault.getItem(alice.viewer, sharedItem)).favourite).toBe(false)
    await vault.setFavourite(bob.viewer, sharedItem, false)
  })

  it('show in the cached list at once, filter it and sort first on request', async () => {
    await vault.listVault(alice.viewer)
    await vault.setFavourite(alice.viewer, own, true)
    let page = await vault.listVault(alice.viewer, { filter: 'favourites' })
    expect(page.items.map((r) => r.id)).toEqual([own])
    expect(page.counts.favourites).toBe(1)
    // "Diary" sorts before "Team Wiki" by name; starring the wiki instead puts it first on request.
    await vault.setFavourite(alice.viewer, own, false)
    await vault.setFavourite(alice.viewer, sharedItem, true)
    page = await vault.listVault(alice.viewer)
    expect(page.items.map((r) => r.id)).toEqual([own, sharedItem])
    page = await vault.listVault(alice.viewer, { favouritesFirst: true })
    expect(page.items.map((r) => r.id)).toEqual([sharedItem, own])
    expect(page.favouritesFirst).toBe(true)
    await vault.setFavourite(alice.viewer, sharedItem, false)
    page = await vault.listVault(alice.viewer, { filter: 'favourites' })
    expect(page.items).toEqual([])
    expect(page.counts.favourites).toBe(0)
  })

  it('are idempotent, and 50 parallel stars of one item leave one row', async () => {
    await Promise.all(Array.from({ length: 50 }, () => vault.setFavourite(alice.viewer, own, true)))
    expect(await stars(alice.user.id)).toEqual([own])
    await vault.setFavourite(alice.viewer, own, false)
    await vault.setFavourite(alice.viewer, own, false)
    expect(await stars(alice.user.id)).toEqual([])
  })

  it("404 for another user's item, a trashed one or a malformed id", async () => {
    await expectError(vault.setFavourite(bob.viewer, own, true), NotFoundError)
    await expectError(vault.setFavourite(alice.viewer, 'not-an-id', true), NotFoundError)
    await expectError(vault.setFavourite(alice.viewer, randomUUID(), true), NotFoundError)
    const doomed = (await vault.createItem(alice.viewer, { folderId: shared, ...itemFields({ name: 'Doomed' }) })).id
    await vault.deleteItem(alice.viewer, doomed)
    await expectError(vault.setFavourite(alice.viewer, doomed, true), NotFoundError)
    expect(await stars(bob.user.id)).toEqual([])
  })
})

describe('the dashboard with favourites', () => {
  it('costs at most 3 queries at 0, 200 and 1,000 items, cold and cached', { timeout: 120_000 }, async () => {
    for (const n of [0, 200, 1000]) {
      const u = await registerUser(ctx, `Count ${n}`)
      const personal = await personalId(ctx, u)
      const ids = await seedItems(
        ctx,
        u,
        personal,
        Array.from({ length: n }, (_, i) => itemFields({ name: `Site ${i}` })),
      )
      if (n > 0) await vault.setFavourites(u.viewer, ids.slice(0, 10), true)
      const cold = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, { filter: 'favourites' }))
      expect(cold.count, `cold, ${n} items`).toBeLessThanOrEqual(3)
      expect(cold.result.total).toBe(Math.min(n, 10))
      const warm = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, { favouritesFirst: true }))
      expect(warm.count, `cached, ${n} items`).toBeLessThanOrEqual(3)
      if (n > 0) {
        await vault.setFavourite(u.viewer, ids[0]!, false)
        const after = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, { filter: 'favourites' }))
        expect(after.count, `after an unstar, ${n} items`).toBeLessThanOrEqual(3)
        expect(after.result.total).toBe(9)
      }
    }
  })
})

describe('bulk actions', () => {
  let alice: RegisteredUser
  let bob: RegisteredUser
  let personal: string
  let work: string
  let archive: string
  let bobsFolder: string
  let mine: string[]
  let viewOnly: string
  let foreign: string

  beforeAll(async () => {
    alice = await registerUser(ctx, 'Alice Bulk')
    bob = await registerUser(ctx, 'Bob Bulk')
    personal = await personalId(ctx, alice)
    work = (await vault.createFolder(alice.viewer, 'Work')).id
    archive = (await vault.createFolder(alice.viewer, 'Archive')).id
    mine = [
      (await vault.createItem(alice.viewer, { folderId: personal, ...itemFields({ name: 'One' }) })).id,
      (await vault.createItem(alice.viewer, { folderId: work, ...itemFields({ name: 'Two' }) })).id,
      (await vault.createItem(alice.viewer, { folderId: work, ...itemFields({ name: 'Three' }) })).id,
    ]
    bobsFolder = (await vault.createFolder(bob.viewer, 'Bob Shared')).id
    viewOnly = (await vault.createItem(bob.viewer, { folderId: bobsFolder, ...itemFields({ name: 'Bob Item' }) })).id
    foreign = (await vault.createItem(bob.viewer, { folderId: await personalId(ctx, bob), ...itemFields({ name: 'Bob Private' }) })).id
    await addMember(ctx, bob, alice, bobsFolder, 'view')
  })

  it('move across two folders: re-encrypted into the target, the view-only item refused, foreign and malformed ids gone', async () => {
    const result = await vault.bulkAction(alice.viewer, 'move', [...mine, viewOnly, foreign, 'nonsense'], archive)
    expect(result.done).toBe(3)
    expect(result.refused).toEqual(
      expect.arrayContaining([
        { id: viewOnly, reason: 'view-only' },
        { id: foreign, reason: 'gone' },
        { id: 'nonsense', reason: 'gone' },
      ]),
    )
    expect(result.refused).toHaveLength(3)
    const list = await vault.listVault(alice.viewer, { folderId: archive })
    expect(list.items.map((r) => r.name).sort()).toEqual(['One', 'Three', 'Two'])
    for (const id of mine) expect((await vault.getItem(alice.viewer, id)).fields.name).not.toBe('')
    expect((await vault.getItem(bob.viewer, viewOnly)).folderId).toBe(bobsFolder)
    expect(bulkMessage('move', result, 'Archive')).toBe('3 items moved to Archive. 3 were not: 1 because you can only view it; 2 because they are gone or no longer shared with you.')
    expect(bulkMessage('move', { done: 3, refused: [{ id: viewOnly, reason: 'view-only' }] }, 'Work')).toBe('3 items moved to Work. 1 was not: you can only view it.')
  })

  it('into a view-only folder: refused whole (403), nothing moved', async () => {
    await expectError(vault.bulkAction(alice.viewer, 'move', mine, bobsFolder), ForbiddenError)
    await expectError(vault.bulkAction(alice.viewer, 'move', mine, randomUUID()), NotFoundError)
    const list = await vault.listVault(alice.viewer, { folderId: archive })
    expect(list.total).toBe(3)
  })

  it('star, unstar and trash report the view-only and foreign ones', async () => {
    let result = await vault.bulkAction(alice.viewer, 'star', [...mine, viewOnly, foreign], undefined)
    // Starring is the viewer's own: a view member may star.
    expect(result.done).toBe(4)
    expect(result.refused).toEqual([{ id: foreign, reason: 'gone' }])
    expect((await vault.listVault(alice.viewer, { filter: 'favourites' })).total).toBe(4)
    result = await vault.bulkAction(alice.viewer, 'unstar', [mine[0]!], undefined)
    expect(result.done).toBe(1)
    result = await vault.bulkAction(alice.viewer, 'trash', [mine[0]!, viewOnly, foreign], undefined)
    expect(result.done).toBe(1)
    expect(result.refused).toEqual(expect.arrayContaining([{ id: viewOnly, reason: 'view-only' }, { id: foreign, reason: 'gone' }]))
    const page = await vault.listVault(alice.viewer)
    expect(page.items.some((r) => r.id === mine[0])).toBe(false)
    expect(page.items.some((r) => r.id === viewOnly)).toBe(true)
    // A trashed favourite leaves the count.
    expect(page.counts.favourites).toBe(3)
  })

  describe('over HTTP', () => {
    let http: Awaited<ReturnType<typeof session>>
    beforeAll(async () => {
      http = await session(alice)
    })
    const form = (pairs: [string, string][]) => new URLSearchParams([['_csrf', http.token], ...pairs]).toString()
    const post = (pairs: [string, string][]) => http.raw('/dashboard/items/bulk', form(pairs), 'application/x-www-form-urlencoded')

    it('a form of 10,000 ids is 413 with a page that says why, and changes nothing', async () => {
      const ids = Array.from({ length: 10_000 }, () => ['ids', randomUUID()] as [string, string])
      const html = await expectStatus(await post([...ids, ['ids', mine[1]!], ['bulk_action', 'trash']]), 413, 'bulk form')
      expect(textOf(html)).toContain('at most 100 items')
      const html101 = await expectStatus(await post([...ids.slice(0, 100), ['ids', mine[1]!], ['bulk_action', 'trash']]), 413, 'bulk form')
      expect(textOf(html101)).toContain('at most 100 items')
      expect((await vault.getItem(alice.viewer, mine[1]!)).id).toBe(mine[1])
    })

    it('an unknown action or a move without a folder is 422', async () => {
      await expectStatus(await post([['ids', mine[1]!], ['bulk_action', 'explode'], ['next', '/dashboard']]), 422, 'unknown action')
      const html = await expectStatus(await post([['ids', mine[1]!], ['bulk_action', 'move'], ['next', '/dashboard']]), 422, 'move without folder')
      expect(textOf(html)).toContain('Choose a folder to move the items to.')
    })

    it('stars through the form, back to the list (next) with a flash of counts, never names', async () => {
      const res = await post([['ids', mine[1]!], ['ids', foreign], ['ids', 'x'], ['bulk_action', 'unstar'], ['next', '/dashboard?filter=favourites']])
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/dashboard?filter=favourites')
      const text = textOf(await (await http.get('/dashboard?filter=favourites')).text())
      expect(text).toContain('1 item unstarred. 2 were not: they are gone or no longer shared with you.')
      expect(text).not.toContain('Bob Private')
    })

    it('the row star posts favourite=1|0 and returns to a safe next', async () => {
      let res = await http.post(`/dashboard/items/${mine[2]}/favourite`, { favourite: '1', next: '/dashboard?sort=changed' })
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/dashboard?sort=changed')
      expect((await vault.getItem(alice.viewer, mine[2]!)).favourite).toBe(true)
      res = await http.post(`/dashboard/items/${mine[2]}/favourite`, { favourite: '0', next: 'https://evil.example/' })
      expect(res.headers.get('location')).toBe('/dashboard')
      res = await http.post(`/dashboard/items/${mine[2]}/favourite`, { favourite: '0' })
      expect(res.headers.get('location')).toBe(`/dashboard/items/${mine[2]}`)
      expect((await vault.getItem(alice.viewer, mine[2]!)).favourite).toBe(false)
      await expectStatus(await http.post(`/dashboard/items/${foreign}/favourite`, { favourite: '1' }), 404, 'star')
      await expectStatus(await http.post('/dashboard/items/bulk-not-an-id/favourite', { favourite: '1' }), 404, 'star')
      await expectStatus(await http.post(`/dashboard/items/${mine[2]}/favourite`, { favourite: 'yes' }), 422, 'bad favourite')
      await expectStatus(await http.post(`/dashboard/items/${foreign}/favourite`, { favourite: 'yes' }), 404, 'bad favourite, foreign item')
    })

    it('the list renders stars and the bulk form for a page with every box ticked (?select=all)', async () => {
      const html = await (await http.get(`${''}/dashboard?select=all`, BASE_URL)).text()
      expect(html).toContain('action="/dashboard/items/bulk"')
      expect(html).toMatch(/<input type="checkbox" name="ids" value="[0-9a-f-]{36}" checked/)
      expect(html).toContain('aria-label="Star Two"')
      expect(html).toContain('Favourites')
      // Selection mode only: the everyday list carries stars but no checkbox and no bulk bar.
      const plain = await (await http.get('/dashboard', BASE_URL)).text()
      expect(plain).toContain('aria-label="Star Two"')
      expect(plain).not.toContain('name="ids"')
      expect(plain).not.toContain('name="bulk_action"')
      expect(plain).toContain('href="/dashboard?select=1"')
      const selecting = await (await http.get('/dashboard?select=1', BASE_URL)).text()
      expect(selecting).toMatch(/<input type="checkbox" name="ids" value="[0-9a-f-]{36}" aria-label=/)
      expect(selecting).toContain('name="bulk_action"')
    })
  })
})
