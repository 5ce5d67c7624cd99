// Who may do what with the vault service: another user's or a malformed id is NotFound and changes
// nothing, a pending invitation gives no access, a view-only member reads but cannot write, an
// editing member writes items but cannot rename or delete the folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ForbiddenError, NotFoundError } from '../../server/lib/errors.js'
import { ITEM_PASSWORD } from '../helpers/canaries.js'
import { createTestContext, itemFields as fields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { addMember, expectError, personalId, rawItem, listWithSidebar } from '../helpers/vault.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

describe('access control', () => {
  let alice: RegisteredUser
  let bob: RegisteredUser
  let alicePersonal: string
  let bobPersonal: string
  let itemId: string
  let folderId: string

  beforeAll(async () => {
    alice = await registerUser(ctx, 'Owner Alice')
    bob = await registerUser(ctx, 'Bob')
    alicePersonal = await personalId(ctx, alice)
    bobPersonal = await personalId(ctx, bob)
    itemId = (await vault.createItem(alice.viewer, { folderId: alicePersonal, ...fields({ name: 'Alice secret' }) })).id
    folderId = (await vault.createFolder(alice.viewer, 'Alice only')).id
  })

  it("gives NotFound for another user's item and folder ids, and changes nothing", async () => {
    const itemBefore = (await rawItem(ctx, itemId))!
    const b = bob.viewer
    await expectError(vault.getItem(b, itemId), NotFoundError)
    await expectError(vault.updateItem(b, itemId, fields({ name: 'pwned' })), NotFoundError)
    await expectError(vault.moveItem(b, itemId, bobPersonal), NotFoundError)
    await expectError(vault.deleteItem(b, itemId), NotFoundError)
    await expectError(vault.createItem(b, { folderId: alicePersonal, ...fields() }), NotFoundError)
    await expectError(vault.createItem(b, { folderId, ...fields() }), NotFoundError)
    await expectError(vault.getFolder(b, folderId), NotFoundError)
    await expectError(vault.renameFolder(b, folderId, 'mine'), NotFoundError)
    await expectError(vault.deleteFolder(b, folderId), NotFoundError)
    await expectError(vault.listVault(b, { folderId }), NotFoundError)
    // Bob moving his own item into Alice's folder.
    const { id: bobItem } = await vault.createItem(b, { folderId: bobPersonal, ...fields({ name: 'Bob item' }) })
    await expectError(vault.moveItem(b, bobItem, folderId), NotFoundError)
    expect((await rawItem(ctx, bobItem))!.folder_id).toBe(bobPersonal)

    const itemAfter = (await rawItem(ctx, itemId))!
    expect(itemAfter.folder_id).toBe(alicePersonal)
    expect(itemAfter.ciphertext.equals(itemBefore.ciphertext)).toBe(true)
    expect((await vault.getFolder(alice.viewer, folderId)).name).toBe('Alice only')
    expect(await ctx.models.Item.count({ where: { folderId } })).toBe(0)
    const bobPage = await listWithSidebar(vault, b, {})
    expect(bobPage.items.map((r) => r.name)).toEqual(['Bob item'])
    expect(bobPage.folders.map((f) => f.id)).toEqual([bobPersonal])
  })

  it('gives NotFound for malformed ids, never a database error', async () => {
    const a = alice.viewer
    for (const bad of ['', 'nope', '123', "1' OR '1'='1", `${itemId}x`, `{${itemId}}`, itemId.replace(/-/g, '')]) {
      await expectError(vault.getItem(a, bad), NotFoundError)
      await expectError(vault.updateItem(a, bad, fields()), NotFoundError)
      await expectError(vault.moveItem(a, bad, alicePersonal), NotFoundError)
      await expectError(vault.moveItem(a, itemId, bad), NotFoundError)
      await expectError(vault.deleteItem(a, bad), NotFoundError)
      await expectError(vault.createItem(a, { folderId: bad, ...fields() }), NotFoundError)
      await expectError(vault.getFolder(a, bad), NotFoundError)
      await expectError(vault.renameFolder(a, bad, 'x'), NotFoundError)
      await expectError(vault.deleteFolder(a, bad), NotFoundError)
    }
    await expectError(vault.listVault(a, { folderId: 'nope' }), NotFoundError)
  })

  it('a pending invitation gives no access', async () => {
    const carol = await registerUser(ctx, 'Carol')
    await addMember(ctx, alice, carol, folderId, 'edit', 'pending')
    await expectError(vault.getFolder(carol.viewer, folderId), NotFoundError)
    await expectError(vault.createItem(carol.viewer, { folderId, ...fields() }), NotFoundError)
    expect((await vault.listFolders(carol.viewer)).folders.map((f) => f.name)).toEqual(['Personal'])
  })
})

describe('shared folders', () => {
  let owner: RegisteredUser
  let viewerUser: RegisteredUser
  let editor: RegisteredUser
  let shared: string
  let itemId: string

  beforeAll(async () => {
    owner = await registerUser(ctx, 'Sharing Owner')
    viewerUser = await registerUser(ctx, 'Viewing Member')
    editor = await registerUser(ctx, 'Editing Member')
    shared = (await vault.createFolder(owner.viewer, 'Team')).id
    itemId = (await vault.createItem(owner.viewer, { folderId: shared, ...fields({ name: 'Team login', password: 'team ' + ITEM_PASSWORD }) })).id
    await addMember(ctx, owner, viewerUser, shared, 'view')
    await addMember(ctx, owner, editor, shared, 'edit')
  })

  it('a view-only member can list and read, but not write', async () => {
    const v = viewerUser.viewer
    const vPersonal = await personalId(ctx, viewerUser)
    const page = await listWithSidebar(vault, v, {})
    expect(page.folders.map((f) => f.name)).toEqual(['Personal', 'Team'])
    expect(page.folders[1]).toEqual({
      id: shared,
      name: 'Team',
      isPersonal: false,
      role: 'member',
      permission: 'view',
      ownerName: 'Sharing Owner',
      shared: true,
      memberCount: 2,
      itemCount: 1,
      issues: 0,
      favourites: 0,
    })
    expect(page.items.map((r) => [r.name, r.folderName, r.unreadable])).toEqual([['Team login', 'Team', false]])
    const item = await vault.getItem(v, itemId)
    expect(item).toMatchObject({ permission: 'view', unreadable: false, fields: { name: 'Team login', password: 'team ' + ITEM_PASSWORD } })

    const before = (await rawItem(ctx, itemId))!
    const { id: own } = await vault.createItem(v, { folderId: vPersonal, ...fields({ name: 'Own' }) })
    const attempts = [
      () => vault.createItem(v, { folderId: shared, ...fields() }),
      () => vault.updateItem(v, itemId, fields({ name: 'changed' })),
      () => vault.moveItem(v, itemId, vPersonal),
      () => vault.moveItem(v, own, shared),
      () => vault.deleteItem(v, itemId),
      () => vault.renameFolder(v, shared, 'Mine now'),
      () => vault.deleteFolder(v, shared),
    ]
    for (const attempt of attempts) await expectError(attempt(), ForbiddenError)
    const after = (await rawItem(ctx, itemId))!
    expect(after.folder_id).toBe(shared)
    expect(after.ciphertext.equals(before.ciphertext)).toBe(true)
    expect((await rawItem(ctx, own))!.folder_id).toBe(vPersonal)
    expect(await ctx.models.Item.count({ where: { folderId: shared } })).toBe(1)
    expect((await vault.getFolder(owner.viewer, shared)).name).toBe('Team')
  })

  it('an editing member can write items but not rename or delete the folder', async () => {
    const e = editor.viewer
    const ePersonal = await personalId(ctx, editor)
    const { id } = await vault.createItem(e, { folderId: shared, ...fields({ name: 'By editor' }) })
    await vault.updateItem(e, id, fields({ name: 'By editor, edited' }))
    // The owner reads what the member wrote: same folder key.
    expect((await vault.getItem(owner.viewer, id)).fields.name).toBe('By editor, edited')
    expect((await vault.getItem(e, id)).permission).toBe('edit')
    // Move out to the editor's own Personal folder and back.
    await vault.moveItem(e, id, ePersonal)
    await expectError(vault.getItem(owner.viewer, id), NotFoundError)
    await vault.moveItem(e, id, shared)
    expect((await vault.getItem(owner.viewer, id)).fields.name).toBe('By editor, edited')
    await expectError(vault.renameFolder(e, shared, 'Renamed'), ForbiddenError)
    await expectError(vault.deleteFolder(e, shared), ForbiddenError)
    expect(await vault.deleteItem(e, id)).toEqual({ folderId: shared })
  })
})
