// Ciphertexts and folder keys changed behind the app's back: a tampered item or folder key breaks
// only what it covers, the rest of the vault still lists and reads, and an unreadable item can be
// overwritten or deleted but not moved.
import { afterAll, describe, expect, it } from 'vitest'
import * as crypto from '../../server/lib/crypto.js'
import { ValidationError } from '../../server/lib/errors.js'
import { createTestContext, itemFields as fields, registerUser } from '../helpers/context.js'
import { expectError, personalId, rawItem } from '../helpers/vault.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

describe('unreadable ciphertexts', () => {
  it('a ciphertext copied onto another item breaks that item only', async () => {
    const u = await registerUser(ctx, 'Tampered')
    const personal = await personalId(ctx, u)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const a = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Source', password: 'password123' }) })
    const b = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Victim', password: 'password123' }) })
    const c = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Bystander' }) })
    const d = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Flipped' }) })
    await ctx.sequelize.query('UPDATE items SET ciphertext = (SELECT ciphertext FROM items WHERE id = :a) WHERE id = :b', {
      replacements: { a: a.id, b: b.id },
    })
    // A flipped bit in another row.
    const raw = (await rawItem(ctx, d.id))!.ciphertext
    raw[raw.length - 1] ^= 1
    await ctx.models.Item.update({ ciphertext: raw }, { where: { id: d.id } })

    const page = await vault.listVault(u.viewer, {})
    const byId = Object.fromEntries(page.items.map((r) => [r.id, r]))
    expect(byId[b.id]).toEqual({ id: b.id, folderId: personal, folderName: 'Personal', name: '', username: '', host: '', weak: false, reused: false, unreadable: true, updatedAt: expect.any(Date), favourite: false, passwordChangedAt: expect.any(Date), rotateDays: null, unscored: undefined, type: 'login' })
    expect(byId[d.id].unreadable).toBe(true)
    expect(byId[a.id]).toMatchObject({ name: 'Source', unreadable: false, reused: false })
    expect(byId[c.id]).toMatchObject({ name: 'Bystander', unreadable: false })
    expect(page.counts).toMatchObject({ items: 4, unreadable: 2, weak: 1, reused: 0 })
    expect((await vault.listVault(u.viewer, { q: 'victim' })).total).toBe(0)

    const item = await vault.getItem(u.viewer, b.id)
    expect(item).toMatchObject({ unreadable: true, fields: { name: '', username: '', password: '', url: '', note: '' }, weak: false })
    expect((await vault.listHealth(u.viewer)).unreadable.map((r) => r.id).sort()).toEqual([b.id, d.id].sort())

    // An unreadable item cannot be moved (nothing to re-encrypt) and blocks deleting its folder...
    await expectError(vault.moveItem(u.viewer, d.id, personal), ValidationError)
    const err = (await expectError(vault.deleteFolder(u.viewer, work), ValidationError)) as ValidationError
    expect(err.fields._form).toMatch(/could not be decrypted/)
    expect(await ctx.models.Item.count({ where: { folderId: work } })).toBe(2)
    // ...but can be overwritten or deleted.
    await vault.updateItem(u.viewer, b.id, fields({ name: 'Repaired' }))
    expect((await vault.getItem(u.viewer, b.id)).fields.name).toBe('Repaired')
    await vault.deleteItem(u.viewer, d.id)
    expect(await vault.deleteFolder(u.viewer, work)).toEqual({ movedItems: 1 })
    expect((await vault.listVault(u.viewer, {})).counts).toMatchObject({ items: 3, unreadable: 0 })
  })

  it('a folder key that cannot be opened breaks that folder only', async () => {
    const u = await registerUser(ctx, 'Bad key')
    const personal = await personalId(ctx, u)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Fine' }) })
    await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Lost' }) })
    // Swap in the Personal folder's sealed key: wrong AAD for this folder.
    const p = await ctx.models.FolderMembership.findOne({ where: { folderId: personal, userId: u.user.id } })
    await ctx.models.FolderMembership.update({ sealedKey: p!.sealedKey }, { where: { folderId: work, userId: u.user.id } })
    const page = await vault.listVault(u.viewer, {})
    expect(page.items.map((r) => [r.name, r.unreadable])).toEqual([
      ['', true],
      ['Fine', false],
    ])
    // A wrong vault key (a corrupted session) breaks everything but still lists.
    const wrong = await vault.listVault({ userId: u.user.id, vaultKey: crypto.randomKey() }, {})
    expect(wrong.items.every((r) => r.unreadable)).toBe(true)
  })
})
