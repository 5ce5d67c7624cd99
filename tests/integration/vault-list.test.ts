// The item list's sort and filter (issue 10): the vault service's orders and filters, what it does
// with values it does not know, its query count, and the pages' answer to any GET parameters.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import * as crypto from '../../server/lib/crypto.js'
import type { ItemFields } from '../../shared/contract.js'
import { createTestContext, itemFields as fields, registerUser } from '../helpers/context.js'
import { Client, textOf } from '../helpers/http.js'

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
      const page = await vault.listVault(u.viewer, { sort: bad, dir: bad, filter: bad })
      expect(page).toMatchObject({ sort: 'name', dir: 'asc', filter: null, total: 5 })
    }
    // A valid order with an unknown direction takes that order's own default.
    expect(await vault.listVault(u.viewer, { sort: 'changed', dir: 'up' })).toMatchObject({ sort: 'changed', dir: 'desc' })
    const inFolder = await vault.listVault(u.viewer, { folderId: personal, sort: 'folder', dir: 'desc' })
    expect(inFolder).toMatchObject({ sort: 'name', dir: 'desc' })
    expect(names(inFolder)).toEqual(['Zoo', 'mail', 'Bank'])
  })

  it('costs the same queries whatever the order and filter: one when the list is cached', async () => {
    await vault.listVault(u.viewer, {})
    for (const opts of [{ sort: 'folder' }, { sort: 'changed', dir: 'asc' }, { filter: 'weak' }, { filter: 'reused', sort: 'changed', q: 'j' }]) {
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
