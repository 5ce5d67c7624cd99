// The item page's vault-wide facts (a reader's reusedBy): reuse counted over every folder the viewer
// can open, the sidebar from the same load, and no query beyond the memberships one while the
// decrypted list is cached.
import { afterAll, describe, expect, it } from 'vitest'
import { createVaultService } from '../../server/services/vault.js'
import { countQueries, createTestContext, itemFields, registerUser } from '../helpers/context.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())
const SHARED = 'quartz lantern mosaic orbit velvet'

describe('reusedBy', () => {
  it('counts the other items with the same password across folders, with the sidebar folders, in one query when cached', async () => {
    const vault = createVaultService(ctx.deps)
    const u = await registerUser(ctx, 'Health Hana')
    const personal = (await vault.listFolders(u.viewer)).folders[0]!.id
    const work = (await vault.createFolder(u.viewer, 'Work')).id
    const add = async (folderId: string, name: string, password: string) => (await vault.createItem(u.viewer, { folderId, ...itemFields({ name, password }) })).id
    const a = await add(personal, 'A', SHARED)
    await add(personal, 'B', SHARED)
    await add(work, 'C', SHARED)
    const lone = await add(work, 'Lone', 'cobalt meadow tundra 7 ferret')
    const empty = await add(work, 'Empty', '')

    // An item page's reads: the item's reuse and the sidebar, through one reader (one load).
    const itemPage = async (itemId: string) => {
      const reader = vault.reader(u.viewer)
      const [reusedBy, { folders }] = await Promise.all([reader.reusedBy(itemId), reader.folders()])
      return { reusedBy, folders }
    }
    const first = await countQueries(ctx, () => itemPage(a))
    expect(first.result.reusedBy).toBe(2)
    expect(first.result.folders.map((f) => f.name)).toEqual(['Personal', 'Work'])
    expect(first.count).toBe(2) // memberships + the items of the folders not yet decrypted

    const cached = await countQueries(ctx, () => itemPage(lone))
    expect(cached.result.reusedBy).toBe(0)
    expect(cached.count).toBe(1)
    expect(await vault.reader(u.viewer).reusedBy(empty)).toBe(0)

    // Someone else's item tells nothing.
    const other = await registerUser(ctx, 'Other Olga')
    expect(await vault.reader(other.viewer).reusedBy(a)).toBe(0)
  })
})
