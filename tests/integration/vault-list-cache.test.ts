// What a list of the vault costs (SQL queries per view) and the per-process cache of decrypted
// lists behind it: an unchanged vault comes from the cache, every change is seen at once, only the
// changed folder is decrypted again, the folder digests, and the byte budget.
import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { createVaultService, LIST_CACHE_MAX_BYTES } from '../../server/services/vault.js'
import { queryMemberships } from '../../server/services/access.js'
import { countQueries, createTestContext, itemFields as fields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { listWithSidebar, personalId, rawItem, seedItems } from '../helpers/vault.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

describe('listVault', () => {
  it('costs at most 3 SQL queries with 0, 1 and 250 items', async () => {
    const u = await registerUser(ctx, 'Counter')
    const personal = await personalId(ctx, u)
    const measured: number[] = []

    let { result, count } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {}))
    expect(result.total).toBe(0)
    expect(result.folders).toHaveLength(1)
    measured.push(count)

    await vault.createItem(u.viewer, { folderId: personal, ...fields() })
    ;({ result, count } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {})))
    expect(result.total).toBe(1)
    measured.push(count)

    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const { id: home } = await vault.createFolder(u.viewer, 'Home')
    await seedItems(ctx, u, personal, Array.from({ length: 99 }, (_, i) => fields({ name: `P ${i}` })))
    await seedItems(ctx, u, work, Array.from({ length: 100 }, (_, i) => fields({ name: `W ${i}` })))
    await seedItems(ctx, u, home, Array.from({ length: 50 }, (_, i) => fields({ name: `H ${i}` })))
    ;({ result, count } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, { q: 'w', folderId: work, page: 2 })))
    expect(result.counts.items).toBe(250)
    measured.push(count)
    ;({ result, count } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {})))
    expect(result.total).toBe(250)
    expect(result.items).toHaveLength(100)
    measured.push(count)

    for (const c of measured) expect(c).toBeLessThanOrEqual(3)
    // A first view of an empty vault: the memberships query alone (on a first view it brings the
    // list indexes along, ADR 020). One item created since: memberships + that folder's index.
    // Items seeded behind the services' back leave their folders' indexes behind: memberships +
    // those folders' items. The last list is unchanged since the one before, so its entries come
    // from the list cache: the memberships query only.
    expect(measured).toEqual([1, 2, 2, 1])
    // The other reads are one query each.
    expect((await countQueries(ctx, () => vault.listFolders(u.viewer))).count).toBe(1)
    expect((await countQueries(ctx, () => vault.getFolder(u.viewer, work))).count).toBe(1)
    expect((await countQueries(ctx, () => vault.getItem(u.viewer, result.items[0].id))).count).toBe(1)
    expect((await countQueries(ctx, () => vault.listHealth(u.viewer))).count).toBe(1)
  })

  it('serves an unchanged vault from the list cache, and sees every change at once', async () => {
    const u = await registerUser(ctx, 'Cache')
    const personal = await personalId(ctx, u)
    const a = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Alpha' }) })
    const b = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Bravo' }) })
    // A first view: the memberships query brings the folder's list index along (ADR 020).
    expect((await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {}))).count).toBe(1)
    expect((await countQueries(ctx, () => vault.listVault(u.viewer, { q: 'alp' }))).count).toBe(1)

    // A change through the service: the next list fetches and decrypts that folder's index.
    await vault.updateItem(u.viewer, a.id, fields({ name: 'Alpha 2' }))
    let { result, count } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {}))
    expect(count).toBe(2)
    expect(result.items.map((i) => i.name)).toEqual(['Alpha 2', 'Bravo'])

    // A ciphertext swapped behind the app's back (same count, same timestamps) is seen at once.
    await ctx.sequelize.query('UPDATE items SET ciphertext = (SELECT ciphertext FROM items WHERE id = :b) WHERE id = :a', {
      replacements: { a: a.id, b: b.id },
    })
    ;({ result, count } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {})))
    expect(count).toBe(2)
    expect(result.counts.unreadable).toBe(1)

    // Another vault key (not this user's) never reads the cached entries.
    const stranger = { userId: u.user.id, vaultKey: Buffer.alloc(32, 9) }
    ;({ result } = await countQueries(ctx, () => listWithSidebar(vault, stranger, {})))
    expect(result.items.every((i) => i.unreadable && i.name === '')).toBe(true)
  })

  it('after a change in one folder, decrypts only that folder and keeps reuse and names right across folders', async () => {
    const u = await registerUser(ctx, 'Per Folder')
    const personal = await personalId(ctx, u)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Bank', password: 'shared secret 123!' }) })
    await seedItems(ctx, u, personal, Array.from({ length: 20 }, (_, i) => fields({ name: `P ${i}`, password: `unique-${i}-Xq9!vR` })))
    const gym = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Gym', password: 'another one 456?' }) })
    let { result } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {}))
    expect(result.counts.reused).toBe(0)

    // Record which folders the list's second query asks for (their list indexes or their items).
    const asked: string[][] = []
    const original = ctx.sequelize.query.bind(ctx.sequelize)
    ctx.sequelize.query = ((sql: string, options?: { replacements?: { indexes?: string[]; items?: string[] } }) => {
      const r = options?.replacements
      if (typeof sql === 'string' && r?.indexes && r.items) asked.push([...r.indexes, ...r.items])
      return original(sql as never, options as never)
    }) as unknown as typeof ctx.sequelize.query
    try {
      // The Work item now uses the Bank password: both are reused, though Personal was not decrypted again.
      await vault.updateItem(u.viewer, gym.id, fields({ name: 'Gym', password: 'shared secret 123!' }))
      let count: number
      ;({ result, count } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {})))
      expect(count).toBe(2)
      expect(asked).toEqual([[work]])
      expect(result.counts.reused).toBe(2)
      expect(result.items.filter((i) => i.reused).map((i) => i.name).sort()).toEqual(['Bank', 'Gym'])

      // And back: no longer reused anywhere.
      await vault.updateItem(u.viewer, gym.id, fields({ name: 'Gym', password: 'different again 789#' }))
      ;({ result } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {})))
      expect(result.counts.reused).toBe(0)
      expect(result.items.some((i) => i.reused)).toBe(false)

      // A renamed folder shows its new name on its rows.
      asked.length = 0
      await vault.renameFolder(u.viewer, work, 'Gym stuff')
      ;({ result } = await countQueries(ctx, () => listWithSidebar(vault, u.viewer, {})))
      expect(asked).toEqual([[work]])
      expect(result.items.find((i) => i.name === 'Gym')?.folderName).toBe('Gym stuff')
      expect(result.counts.items).toBe(22)
    } finally {
      ctx.sequelize.query = original
    }
  })

  it("digests each folder's items with SHA-256 (not md5), and an empty folder has none", async () => {
    const u = await registerUser(ctx, 'Digest')
    const personal = await personalId(ctx, u)
    const { id: empty } = await vault.createFolder(u.viewer, 'Empty')
    const item = await vault.createItem(u.viewer, { folderId: personal, ...fields() })
    const digests = async () => {
      const rows = await queryMemberships(ctx.deps, u.user.id, { withDigest: true })
      return new Map(rows.map((m) => [m.folderId, m.itemsDigest ?? null]))
    }
    const before = await digests()
    expect(before.get(personal)).toMatch(/^[0-9a-f]{64}$/)
    expect(before.get(empty)).toBeNull()
    // The same value computed here: SHA-256 over "id" + hex SHA-256 of the ciphertext, joined by commas in id order.
    const raw = await rawItem(ctx, item.id)
    const expected = createHash('sha256').update(`${item.id}${createHash('sha256').update(raw!.ciphertext).digest('hex')}`).digest('hex')
    expect(before.get(personal)).toBe(expected)
    await vault.updateItem(u.viewer, item.id, fields({ name: 'Changed' }))
    expect((await digests()).get(personal)).not.toBe(before.get(personal))
  })

  it('keeps the decrypted lists under a byte budget: least recently used out first, a list bigger than the budget never in', async () => {
    // Four vaults of 10 identical items: lists of the same estimated size.
    const users: RegisteredUser[] = []
    for (let i = 0; i < 4; i++) {
      const u = await registerUser(ctx, `Budget ${i}`)
      await seedItems(ctx, u, await personalId(ctx, u), Array.from({ length: 10 }, () => fields()))
      users.push(u)
    }
    const roomy = createVaultService(ctx.deps)
    await roomy.listVault(users[0]!.viewer)
    const one = roomy.listCacheStats().bytes
    expect(one).toBeGreaterThan(10 * 500) // counts each entry's objects, not only its strings
    expect(one).toBeLessThan(LIST_CACHE_MAX_BYTES)

    // Room for two and a half lists: after four, the two most recent stay.
    const tight = createVaultService(ctx.deps, { listCacheMaxBytes: Math.floor(one * 2.5) })
    for (const u of users) expect((await countQueries(ctx, () => tight.listVault(u.viewer))).count).toBe(2)
    expect(tight.listCacheStats()).toEqual({ lists: 2, bytes: 2 * one })
    expect((await countQueries(ctx, () => tight.listVault(users[3]!.viewer))).count).toBe(1)
    expect((await countQueries(ctx, () => tight.listVault(users[0]!.viewer))).count).toBe(2)
    expect(tight.listCacheStats().bytes).toBeLessThanOrEqual(Math.floor(one * 2.5))

    // 40 items: bigger than the whole budget, so decrypted on every view; it evicts no one.
    const big = await registerUser(ctx, 'Budget Big')
    await seedItems(ctx, big, await personalId(ctx, big), Array.from({ length: 40 }, () => fields()))
    const before = tight.listCacheStats()
    for (let i = 0; i < 2; i++) {
      const { result, count } = await countQueries(ctx, () => tight.listVault(big.viewer))
      expect(result.total).toBe(40)
      expect(count).toBe(2)
    }
    expect(tight.listCacheStats()).toEqual(before)
    expect((await countQueries(ctx, () => tight.listVault(users[0]!.viewer))).count).toBe(1)
  })
})
