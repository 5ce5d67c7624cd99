// Folders through the vault service: create, rename, the Personal folder that stays, deleting a
// folder (its items move to Personal, re-encrypted), the folder limit and the item limit per folder.
import { afterAll, describe, expect, it } from 'vitest'
import * as crypto from '../../server/lib/crypto.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../../server/lib/errors.js'
import type { ItemFields } from '../../shared/contract.js'
import { createTestContext, itemFields as fields, registerUser, TEST_LIMITS } from '../helpers/context.js'
import { addMember, expectError, folderKeyOf, personalId, rawItem, listWithSidebar } from '../helpers/vault.js'

const ctx = createTestContext()
const small = createTestContext({ ...TEST_LIMITS, itemsPerFolder: 3 })
const vault = ctx.services.vault
afterAll(async () => {
  await ctx.sequelize.close()
  await small.sequelize.close()
})

describe('folders', () => {
  // The names as the route parsed them: trimming and the name's messages are http-validation.test.ts's.
  it('creates, renames and lists folders', async () => {
    const u = await registerUser(ctx, 'Folders')
    const { id } = await vault.createFolder(u.viewer, 'Finance')
    expect(await vault.getFolder(u.viewer, id)).toEqual({
      id,
      name: 'Finance',
      isPersonal: false,
      role: 'owner',
      permission: 'edit',
      ownerName: 'Folders',
      shared: false,
      memberCount: 0,
      itemCount: 0,
    })
    await vault.renameFolder(u.viewer, id, 'Money')
    expect((await vault.getFolder(u.viewer, id)).name).toBe('Money')
  })

  it('refuses to rename or delete the Personal folder', async () => {
    const u = await registerUser(ctx, 'Keeper')
    const personal = await personalId(ctx, u)
    const rename = await expectError(vault.renameFolder(u.viewer, personal, 'Mine'), ForbiddenError)
    expect(rename.message).toBe('The Personal folder cannot be renamed.')
    const del = await expectError(vault.deleteFolder(u.viewer, personal), ForbiddenError)
    expect(del.message).toBe('The Personal folder cannot be deleted.')
    expect((await vault.getFolder(u.viewer, personal)).name).toBe('Personal')
  })

  it('deletes a folder, moving its items to Personal re-encrypted, in one transaction', async () => {
    const u = await registerUser(ctx, 'Deleter')
    const friend = await registerUser(ctx, 'Friend')
    const personal = await personalId(ctx, u)
    const { id: old } = await vault.createFolder(u.viewer, 'Old')
    await addMember(ctx, u, friend, old, 'edit')
    const kept = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Kept' }) })
    const moved = await Promise.all(
      ['One', 'Two', 'Three'].map((name) => vault.createItem(u.viewer, { folderId: old, ...fields({ name, note: name }) })),
    )
    expect((await vault.getFolder(u.viewer, old)).shared).toBe(true)

    expect(await vault.deleteFolder(u.viewer, old)).toEqual({ movedItems: 3 })
    expect(await ctx.models.Folder.findByPk(old)).toBeNull()
    expect(await ctx.models.FolderMembership.count({ where: { folderId: old } })).toBe(0)
    const personalKey = await folderKeyOf(ctx, u, personal)
    for (const { id } of moved) {
      const raw = (await rawItem(ctx, id))!
      expect(raw.folder_id).toBe(personal)
      expect(crypto.decryptJson<ItemFields>(personalKey, raw.ciphertext, crypto.itemAad(id, personal)).note).toBe(
        (await vault.getItem(u.viewer, id)).fields.name,
      )
    }
    const page = await listWithSidebar(vault, u.viewer, {})
    expect(page.items.map((r) => r.name)).toEqual(['Kept', 'One', 'Three', 'Two'])
    expect(page.items.every((r) => r.folderId === personal && !r.unreadable)).toBe(true)
    expect(page.folders.map((f) => f.name)).toEqual(['Personal'])
    expect(page.folders[0].itemCount).toBe(4)
    expect(kept.id).toBeTruthy()
    // The former member lost access along with the folder.
    await expectError(vault.getItem(friend.viewer, moved[0].id), NotFoundError)
    expect((await vault.listVault(friend.viewer, {})).counts.items).toBe(0)
    // An empty folder deletes too.
    const { id: empty } = await vault.createFolder(u.viewer, 'Empty')
    expect(await vault.deleteFolder(u.viewer, empty)).toEqual({ movedItems: 0 })
  })

  it('refuses the 101st folder (Personal counts)', async () => {
    const u = await registerUser(ctx, 'Hoarder')
    for (let i = 1; i < TEST_LIMITS.foldersPerUser; i++) await vault.createFolder(u.viewer, `Folder ${i}`)
    expect(await ctx.models.Folder.count({ where: { ownerId: u.user.id } })).toBe(100)
    const err = (await expectError(vault.createFolder(u.viewer, 'One too many'), ValidationError)) as ValidationError
    expect(err.fields).toEqual({ name: 'You can have at most 100 folders.' })
    expect(await ctx.models.Folder.count({ where: { ownerId: u.user.id } })).toBe(100)
    // Folders shared with the user do not count against their own limit.
    const other = await registerUser(ctx, 'Sharer')
    const { id } = await vault.createFolder(other.viewer, 'Shared')
    await addMember(ctx, other, u, id, 'edit')
    expect((await vault.listFolders(u.viewer)).folders.length).toBe(101)
  })
})

describe('item limit per folder', () => {
  const svc = small.services.vault

  it('refuses a create, a move or a folder deletion that would go over the limit', async () => {
    const u = await registerUser(small, 'Limited')
    const personal = await personalId(small, u)
    for (const name of ['a', 'b', 'c']) await svc.createItem(u.viewer, { folderId: personal, ...fields({ name }) })
    const err = (await expectError(svc.createItem(u.viewer, { folderId: personal, ...fields() }), ValidationError)) as ValidationError
    expect(Object.keys(err.fields)).toEqual(['folder_id'])
    expect(err.fields.folder_id).toMatch(/maximum of 3 items/)

    const { id: side } = await svc.createFolder(u.viewer, 'Side')
    const { id: s1 } = await svc.createItem(u.viewer, { folderId: side, ...fields({ name: 's1' }) })
    await expectError(svc.moveItem(u.viewer, s1, personal), ValidationError)
    expect((await rawItem(small, s1))!.folder_id).toBe(side)
    const del = (await expectError(svc.deleteFolder(u.viewer, side), ValidationError)) as ValidationError
    expect(del.fields._form).toMatch(/Personal folder cannot take/)
    expect(await small.models.Folder.findByPk(side)).not.toBeNull()
  })

  it('holds under concurrent creates', async () => {
    const u = await registerUser(small, 'Racer')
    const personal = await personalId(small, u)
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => svc.createItem(u.viewer, { folderId: personal, ...fields({ name: `r${i}` }) })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ValidationError)
    expect(await small.models.Item.count({ where: { folderId: personal } })).toBe(3)
  })
})
