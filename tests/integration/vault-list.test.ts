// The item list: pages, the default order, the counts of weak, reused and unreadable items, and the
// sort and filter of issue 10 (the vault service's orders and filters, what the list pages' parse
// of their GET parameters (listQuery) makes of values it does not know, the query count, and the
// pages' answer to any GET parameters).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import type { PageContextServer } from 'vike/types'
import { listQuery } from '../../pages/dashboard/vaultData.js'
import type { ListOptions } from '../../server/services/vault.js'
import * as crypto from '../../server/lib/crypto.js'
import { NotFoundError } from '../../server/lib/errors.js'
import type { ItemFields } from '../../shared/contract.js'
import { createTestContext, itemFields as fields, registerUser } from '../helpers/context.js'
import { Client, textOf } from '../helpers/http.js'
import { ITEM_PASSWORD } from '../helpers/canaries.js'
import { expectError, listWithSidebar, personalId, seedItems } from '../helpers/vault.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

type Registered = Awaited<ReturnType<typeof registerUser>>

/** Inserts encrypted items with a given last change, straight into the table (before any list). */
async function seed(u: Registered, folderId: string, list: (Partial<ItemFields> & { name: string; changed: string })[]) {
  const user = await ctx.models.User.findByPk(u.user.id)
  const m = await ctx.models.FolderMembership.findOne({ where: { folderId, userId: u.user.id } })
  const priv = crypto.open(u.vaultKey, user!.privateKeyWrapped, Buffer.from('private-key'))
  const key = crypto.openSealed(priv, m!.sealedKey, crypto.folderKeyAad(folderId, u.user.id))
  const ids: string[] = []
  for (const { changed, ...over } of list) {
    const id = randomUUID()
    const f = fields(over)
    const ciphertext = crypto.encryptJson(key, { ...f, score: f.password === 'qwerty' ? 0 : 4 }, crypto.itemAad(id, folderId))
    await ctx.sequelize.query('INSERT INTO items (id, folder_id, ciphertext, created_at, updated_at) VALUES (:id, :folderId, :ciphertext, :changed, :changed)', {
      replacements: { id, folderId, ciphertext, changed },
      type: QueryTypes.INSERT,
    })
    ids.push(id)
  }
  return ids
}

const names = (page: { items: { name: string }[] }) => page.items.map((r) => r.name)
/** A list page's GET parameters as the page parses them. */
const parsed = (search: Record<string, string>) => listQuery({ urlParsed: { search } } as unknown as PageContextServer)

describe('listVault: sort and filter', () => {
  let u: Registered
  let personal: string
  let work: string
  beforeAll(async () => {
    u = await registerUser(ctx, 'Lister')
    personal = (await ctx.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } }))!.id
    work = (await vault.createFolder(u.viewer, 'Work')).id
    await seed(u, personal, [
      { name: 'Bank', changed: '2026-03-01T10:00:00Z', password: 'qwerty' },
      { name: 'mail', changed: '2026-01-15T10:00:00Z', password: 'mail only lantern orbit 7' },
      { name: 'Zoo', changed: '2026-05-20T10:00:00Z', password: 'shared secret horse battery' },
    ])
    await seed(u, work, [
      { name: 'Jira', changed: '2026-04-02T10:00:00Z', password: 'shared secret horse battery' },
      { name: 'Asana', changed: '2026-02-10T10:00:00Z', password: 'asana only mosaic velvet 9' },
    ])
  })

  it('sorts by name (the default), folder (the sidebar order, then name) and last change, each way', async () => {
    const byName = await vault.listVault(u.viewer, {})
    expect(names(byName)).toEqual(['Asana', 'Bank', 'Jira', 'mail', 'Zoo'])
    expect(byName).toMatchObject({ sort: 'name', dir: 'asc', filter: null })
    expect(names(await vault.listVault(u.viewer, { sort: 'name', dir: 'desc' }))).toEqual(['Zoo', 'mail', 'Jira', 'Bank', 'Asana'])

    expect(names(await vault.listVault(u.viewer, { sort: 'folder' }))).toEqual(['Bank', 'mail', 'Zoo', 'Asana', 'Jira'])
    expect(names(await vault.listVault(u.viewer, { sort: 'folder', dir: 'desc' }))).toEqual(['Jira', 'Asana', 'Zoo', 'mail', 'Bank'])

    // Last change: newest first unless asked otherwise; each row carries its date.
    const changed = await vault.listVault(u.viewer, { sort: 'changed' })
    expect(changed).toMatchObject({ sort: 'changed', dir: 'desc' })
    expect(names(changed)).toEqual(['Zoo', 'Jira', 'Bank', 'Asana', 'mail'])
    expect(changed.items[0]!.updatedAt).toEqual(new Date('2026-05-20T10:00:00Z'))
    expect(names(await vault.listVault(u.viewer, { sort: 'changed', dir: 'asc' }))).toEqual(['mail', 'Asana', 'Bank', 'Jira', 'Zoo'])
  })

  it('an edit moves the item to the top of "last change" (the cached list sees it)', async () => {
    const isolated = await registerUser(ctx, 'Editor')
    const home = (await ctx.models.Folder.findOne({ where: { ownerId: isolated.user.id, isPersonal: true } }))!.id
    const [old] = await seed(isolated, home, [
      { name: 'Old', changed: '2025-01-01T00:00:00Z' },
      { name: 'Newer', changed: '2026-01-01T00:00:00Z' },
    ])
    expect(names(await vault.listVault(isolated.viewer, { sort: 'changed' }))).toEqual(['Newer', 'Old'])
    await vault.updateItem(isolated.viewer, old!, fields({ name: 'Old' }))
    expect(names(await vault.listVault(isolated.viewer, { sort: 'changed' }))).toEqual(['Old', 'Newer'])
  })

  it('filters weak, reused and unreadable items, with search, in any order', async () => {
    const weak = await vault.listVault(u.viewer, { filter: 'weak' })
    expect(names(weak)).toEqual(['Bank'])
    expect(weak).toMatchObject({ filter: 'weak', total: 1 })
    expect(weak.counts.items).toBe(5) // counts stay over the whole vault
    expect(names(await vault.listVault(u.viewer, { filter: 'reused' }))).toEqual(['Jira', 'Zoo'])
    expect(names(await vault.listVault(u.viewer, { filter: 'reused', sort: 'changed' }))).toEqual(['Zoo', 'Jira'])
    expect(names(await vault.listVault(u.viewer, { filter: 'reused', q: 'zo' }))).toEqual(['Zoo'])
    expect(names(await vault.listVault(u.viewer, { filter: 'reused', folderId: work }))).toEqual(['Jira'])
    expect((await vault.listVault(u.viewer, { filter: 'unreadable' })).items).toEqual([])
  })

  it('falls back to the defaults for values it does not know; a folder has no folder order', async () => {
    for (const bad of ['NAME', 'updated_at', "name'; DROP TABLE items --", '', ' folder']) {
      const page = await vault.listVault(u.viewer, parsed({ sort: bad, dir: bad, filter: bad }))
      expect(page).toMatchObject({ sort: 'name', dir: 'asc', filter: null, total: 5 })
    }
    // A valid order with an unknown direction takes that order's own default.
    expect(await vault.listVault(u.viewer, parsed({ sort: 'changed', dir: 'up' }))).toMatchObject({ sort: 'changed', dir: 'desc' })
    const inFolder = await vault.listVault(u.viewer, { folderId: personal, sort: 'folder', dir: 'desc' })
    expect(inFolder).toMatchObject({ sort: 'name', dir: 'desc' })
    expect(names(inFolder)).toEqual(['Zoo', 'mail', 'Bank'])
  })

  it('costs the same queries whatever the order and filter: one when the list is cached', async () => {
    await vault.listVault(u.viewer, {})
    const orders: ListOptions[] = [{ sort: 'folder' }, { sort: 'changed', dir: 'asc' }, { filter: 'weak' }, { filter: 'reused', sort: 'changed', q: 'j' }]
    for (const opts of orders) {
      const before = ctx.counter.count
      await vault.listVault(u.viewer, opts)
      expect(ctx.counter.count - before, JSON.stringify(opts)).toBe(1)
    }
  })
})

describe('list pages over HTTP: any sort, dir and filter parameter', () => {
  it('answers 200 with the list (never a 500), and the header marks the applied order', async () => {
    const client = new Client()
    const { email } = await client.register('Http Lister')
    await client.login(email)
    const bad = encodeURIComponent('<script>x</script>')
    for (const qs of [`sort=${bad}&dir=${bad}&filter=${bad}`, 'sort=folder&sort=changed', 'filter[]=weak', 'dir=asc&dir=desc', `sort=${'x'.repeat(5000)}`]) {
      const res = await client.get(`/dashboard?${qs}`)
      expect(res.status, qs).toBe(200)
      expect(textOf(await res.text())).toContain('All items')
    }
    // An empty vault has no header; with one item the order shows as aria-sort.
    const user = await ctx.models.User.findOne({ where: { email } })
    const folder = await ctx.models.Folder.findOne({ where: { ownerId: user!.id, isPersonal: true } })
    const item = { folder_id: folder!.id, name: 'Only', username: 'me', password: 'qwerty', url: '', note: '' }
    const created = await client.post('/dashboard/items', item, { tokenPage: '/dashboard/items/new' })
    expect(created.status).toBe(303)
    const html = await (await client.get('/dashboard?sort=changed&dir=asc')).text()
    expect(html).toMatch(/role="columnheader"[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*href="\/dashboard\?sort=changed"/)
  })
})

const collator = new Intl.Collator('en', { sensitivity: 'accent' })

describe('listVault', () => {
  it('paginates 100 per page, clamps the page, sorts by name and filters by q', async () => {
    const u = await registerUser(ctx, 'Pager')
    const personal = await personalId(ctx, u)
    // 250 items, shuffled names, mixed case.
    const names = Array.from({ length: 250 }, (_, i) => `${i % 2 ? 'item' : 'Item'} ${String(i).padStart(3, '0')}`)
    const shuffled = [...names].sort(() => Math.random() - 0.5)
    await seedItems(
      ctx,
      u,
      personal,
      shuffled.map((name, i) => fields({ name, username: i === 7 ? 'needle-user' : 'user', url: i === 9 ? 'https://NeedleSite.example' : '' })),
    )

    const p1 = await vault.listVault(u.viewer, {})
    expect(p1).toMatchObject({ total: 250, page: 1, pageCount: 3, pageSize: 100 })
    expect(p1.items).toHaveLength(100)
    const p3 = await vault.listVault(u.viewer, { page: 3 })
    expect(p3.items).toHaveLength(50)
    expect((await vault.listVault(u.viewer, { page: 99 })).page).toBe(3)
    expect((await vault.listVault(u.viewer, { page: 0 })).page).toBe(1)
    expect((await vault.listVault(u.viewer, { page: -4 })).page).toBe(1)
    // What the page parses from a page parameter that is no number.
    for (const page of ['NaN', 'abc', '', '-1']) expect((await vault.listVault(u.viewer, parsed({ page }))).page).toBe(1)
    expect((await vault.listVault(u.viewer, parsed({ page: '3' }))).page).toBe(3)

    const all = [...p1.items, ...(await vault.listVault(u.viewer, { page: 2 })).items, ...p3.items]
    expect(new Set(all.map((r) => r.id)).size).toBe(250)
    expect(all.map((r) => r.name)).toEqual([...names].sort((a, b) => collator.compare(a, b)))

    // q: name, username, url; case-insensitive; counts still cover everything.
    const byName = await vault.listVault(u.viewer, { q: 'ITEM 12' })
    expect(byName.items.map((r) => r.name)).toEqual(['Item 120', 'item 121', 'Item 122', 'item 123', 'Item 124', 'item 125', 'Item 126', 'item 127', 'Item 128', 'item 129'])
    expect(byName.total).toBe(10)
    expect(byName.pageCount).toBe(1)
    expect(byName.counts.items).toBe(250)
    expect((await vault.listVault(u.viewer, { q: 'needle-USER' })).total).toBe(1)
    expect((await vault.listVault(u.viewer, { q: ' needlesite ' })).total).toBe(1)
    const none = await vault.listVault(u.viewer, { q: 'no such thing', page: 5 })
    expect(none).toMatchObject({ total: 0, page: 1, pageCount: 1, items: [] })
  })

  it('sorts case-insensitively, then by id; folders Personal first, then by name', async () => {
    const u = await registerUser(ctx, 'Sorter')
    const personal = await personalId(ctx, u)
    const { id: zeta } = await vault.createFolder(u.viewer, 'zeta')
    await vault.createFolder(u.viewer, 'Alpha')
    await vault.createFolder(u.viewer, 'beta')
    const ids = await seedItems(ctx, u, personal, ['banana', 'Apple', 'cherry', 'apple', 'Äpfel'].map((name) => fields({ name })))
    await seedItems(ctx, u, zeta, [fields({ name: 'Blueberry' })])
    const page = await listWithSidebar(vault, u.viewer, {})
    // 'Äpfel' < 'Apple' (f < p comes before the accent); 'Apple' and 'apple' tie, then id decides.
    expect(page.items.map((r) => r.name.toLowerCase())).toEqual(['äpfel', 'apple', 'apple', 'banana', 'blueberry', 'cherry'])
    expect(page.items.slice(1, 3).map((r) => r.id)).toEqual([ids[1], ids[3]].sort())
    expect(page.folders.map((f) => f.name)).toEqual(['Personal', 'Alpha', 'beta', 'zeta'])
    expect(page.folders[0]).toEqual({
      id: personal,
      name: 'Personal',
      isPersonal: true,
      role: 'owner',
      permission: 'edit',
      ownerName: 'Sorter',
      shared: false,
      memberCount: 0,
      itemCount: 5,
      issues: 5, // the seeded items share one password: all reused
      favourites: 0, // none starred (issue 21)
    })
    expect(page.folders.find((f) => f.id === zeta)!.itemCount).toBe(1)
    expect(await vault.listFolders(u.viewer)).toEqual({ folders: page.folders, pendingInvitations: 0 })
  })

  it('counts weak, reused, password-less and unreadable items over the whole vault', async () => {
    const u = await registerUser(ctx, 'Health')
    const personal = await personalId(ctx, u)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const a = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'A', password: 'password123' }) })
    const b = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'B', password: 'password123' }) })
    const c = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'C', password: ITEM_PASSWORD }) })
    const d = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'D', password: 'another ' + ITEM_PASSWORD }) })
    const e = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'E', password: 'another ' + ITEM_PASSWORD }) })
    const f = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'F', password: '' }) })
    // A weak password that is weak because of the item's own name (user inputs).
    const g = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'correcthorsebatterystaple', username: 'x', password: 'correcthorsebatterystaple' }) })

    const page = await listWithSidebar(vault, u.viewer, { folderId: work })
    expect(page.items.map((r) => r.id).sort()).toEqual([b.id, c.id, g.id].sort())
    expect(page.counts).toEqual({ items: 7, folders: 2, weak: 3, reused: 4, unreadable: 0, noPassword: 1, favourites: 0, types: { login: 7 } })
    const all = (await vault.listVault(u.viewer, {})).items
    const flags = Object.fromEntries(all.map((r) => [r.id, [r.weak, r.reused]]))
    expect(flags[a.id]).toEqual([true, true])
    expect(flags[b.id]).toEqual([true, true])
    expect(flags[c.id]).toEqual([false, false])
    expect(flags[d.id]).toEqual([false, true])
    expect(flags[e.id]).toEqual([false, true])
    expect(flags[f.id]).toEqual([false, false]) // no password: neither weak nor reused
    expect(flags[g.id]).toEqual([true, false])

    const health = await vault.listHealth(u.viewer)
    expect(health.counts).toEqual(page.counts)
    expect(health.weak.map((r) => r.name)).toEqual(['A', 'B', 'correcthorsebatterystaple'])
    expect(health.reused.map((group) => group.map((r) => r.name))).toEqual([['A', 'B'], ['D', 'E']])
    expect(health.issues).toBe(6) // A, B, D, E, F and the weak g: C is fine
    // The sidebar sums its folders' counts: Personal holds A, D, E, F; Work B and g.
    const issuesOf = (id: string) => page.folders.find((f) => f.id === id)!.issues
    expect([issuesOf(personal), issuesOf(work)]).toEqual([4, 2])
    expect(health.noPassword.map((r) => r.name)).toEqual(['F'])
    expect(health.unreadable).toEqual([])
  })

  // The page parses the folder id of its path (any case: http-validation.test.ts).
  it('filters by folder; a foreign or malformed folder id is NotFound', async () => {
    const u = await registerUser(ctx, 'Filter')
    const other = await registerUser(ctx, 'Other')
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'In work' }) })
    await vault.createItem(u.viewer, { folderId: await personalId(ctx, u), ...fields({ name: 'In personal' }) })
    const page = await vault.listVault(u.viewer, { folderId: work })
    expect(page.items.map((r) => r.name)).toEqual(['In work'])
    expect(page.counts.items).toBe(2)
    expect((await vault.listVault(u.viewer, { folderId: '' })).total).toBe(2)
    await expectError(vault.listVault(u.viewer, { folderId: await personalId(ctx, other) }), NotFoundError)
    await expectError(vault.listVault(u.viewer, { folderId: randomUUID() }), NotFoundError)
    await expectError(vault.listVault(u.viewer, { folderId: "x' OR 1=1 --" }), NotFoundError)
  })
})
