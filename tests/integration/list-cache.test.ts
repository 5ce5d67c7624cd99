// The decrypted list cache (ADR 005) against every column of items: a write to any column of any
// item, one present today or one a later release adds (trash, favourites), makes the next list
// read that folder again. The cache key is the item rows' version (access.ts versionAgg),
// which the test reads column names for from the table itself, so a new column is covered here
// without anyone remembering to add it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { createTestContext, itemFields, registerUser } from '../helpers/context.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

/** SQL queries one call makes. */
async function queriesOf(call: () => Promise<unknown>) {
  const before = ctx.counter.count
  await call()
  return ctx.counter.count - before
}

describe('the list cache and the columns of items', () => {
  let u: Awaited<ReturnType<typeof registerUser>>
  let itemId: string
  let columns: string[]
  beforeAll(async () => {
    u = await registerUser(ctx, 'Cache Watcher')
    const personal = (await ctx.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } }))!.id
    itemId = (await vault.createItem(u.viewer, { folderId: personal, ...itemFields({ name: 'Bank' }) })).id
    await vault.createItem(u.viewer, { folderId: personal, ...itemFields({ name: 'Mail' }) })
    const rows = await ctx.sequelize.query<{ name: string }>(
      "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'items' ORDER BY ordinal_position",
      { type: QueryTypes.SELECT },
    )
    columns = rows.map((r) => r.name)
  })

  it('knows the columns it is checking', () => {
    expect(columns).toEqual(expect.arrayContaining(['id', 'folder_id', 'ciphertext', 'created_at', 'updated_at']))
  })

  it('reads the folder again after an UPDATE of any one column, even to the same value', async () => {
    for (const column of columns) {
      await vault.listVault(u.viewer)
      expect(await queriesOf(() => vault.listVault(u.viewer)), `cached before ${column}`).toBe(1)
      await ctx.sequelize.query(`UPDATE items SET "${column}" = "${column}" WHERE id = :itemId`, { replacements: { itemId }, type: QueryTypes.UPDATE })
      // The memberships query, then the changed folder's list index: the cached entries were not trusted.
      expect(await queriesOf(() => vault.listVault(u.viewer)), `after an UPDATE of items.${column}`).toBe(2)
    }
  })

  it('shows a change made behind its back at once, not a minute later', async () => {
    await vault.listVault(u.viewer)
    await ctx.sequelize.query("UPDATE items SET updated_at = '2020-01-02T03:04:05Z' WHERE id = :itemId", { replacements: { itemId }, type: QueryTypes.UPDATE })
    // The list index describes the old time, so this folder is decrypted from its items.
    await ctx.sequelize.query('UPDATE folders SET list_index_digest = NULL WHERE owner_id = :userId', { replacements: { userId: u.user.id }, type: QueryTypes.UPDATE })
    const page = await vault.listVault(u.viewer, { sort: 'changed', dir: 'asc' })
    expect(page.items[0]).toMatchObject({ id: itemId, updatedAt: new Date('2020-01-02T03:04:05Z') })
  })
})
