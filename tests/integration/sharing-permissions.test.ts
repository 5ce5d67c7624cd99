// What the owner and the members of a shared folder may do: the owner's powers are the owner's
// alone, permissions apply at once, accepting shows the folder decrypted, a view-only member is
// refused every write and an editing member moves items between the folders they can edit.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ForbiddenError, NotFoundError } from '../../server/lib/errors.js'
import { createTestContext, itemFields as fields, type RegisteredUser } from '../helpers/context.js'
import { folderWithItems, itemRows, membershipRow, membershipRows, share } from '../helpers/sharing.js'
import { expectError, personalId, verifiedUser, listWithSidebar } from '../helpers/vault.js'

const ctx = createTestContext()
const { vault, sharing } = ctx.services
afterAll(() => ctx.sequelize.close())

describe("the owner's powers are the owner's alone", () => {
  let owner: RegisteredUser
  let member: RegisteredUser
  let other: RegisteredUser
  let folderId: string
  let itemIds: string[]

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Powers Owner')
    member = await verifiedUser(ctx, 'Powers Member')
    other = await verifiedUser(ctx, 'Powers Other')
    ;({ folderId, itemIds } = await folderWithItems(ctx, owner, 'Powers', 2))
    await share(ctx, owner, member, folderId, 'edit')
    await share(ctx, owner, other, folderId, 'view')
  })

  it('a member (even with edit) cannot invite, change permissions or remove: ForbiddenError, nothing changes', async () => {
    const outsider = await verifiedUser(ctx, 'Powers Outsider')
    const before = await membershipRows(ctx, folderId)
    await expectError(sharing.invite(member.viewer, folderId, { email: outsider.email, permission: 'edit' }), ForbiddenError)
    await expectError(sharing.changePermission(member.viewer, folderId, other.user.id, { permission: 'edit' }), ForbiddenError)
    await expectError(sharing.changePermission(member.viewer, folderId, member.user.id, { permission: 'edit' }), ForbiddenError)
    await expectError(sharing.removeMember(member.viewer, folderId, other.user.id), ForbiddenError)
    await expectError(sharing.removeMember(other.viewer, folderId, member.user.id), ForbiddenError)
    await expectError(sharing.removeMember(member.viewer, folderId, owner.user.id), ForbiddenError)
    const after = await membershipRows(ctx, folderId)
    expect(after.map((r) => [r.user_id, r.sealed_key.toString('hex')])).toEqual(before.map((r) => [r.user_id, r.sealed_key.toString('hex')]))
    expect((await membershipRow(ctx, folderId, other.user.id))!.permission).toBe('view')
    expect(await membershipRow(ctx, folderId, outsider.user.id)).toBeNull()
  })

  it('a member cannot rename or delete the folder', async () => {
    await expectError(vault.renameFolder(member.viewer, folderId, 'Hijacked'), ForbiddenError)
    await expectError(vault.deleteFolder(member.viewer, folderId), ForbiddenError)
    await expectError(vault.deleteFolder(other.viewer, folderId), ForbiddenError)
    const f = await vault.getFolder(owner.viewer, folderId)
    expect(f.name).toBe('Powers')
    expect((await itemRows(ctx, folderId)).map((r) => r.id).sort()).toEqual([...itemIds].sort())
  })

  it('the owner cannot be removed, nor leave, nor be given another permission', async () => {
    await expectError(sharing.removeMember(owner.viewer, folderId, owner.user.id), ForbiddenError)
    await expectError(sharing.leave(owner.viewer, folderId), ForbiddenError)
    await expectError(sharing.changePermission(owner.viewer, folderId, owner.user.id, { permission: 'view' }), ForbiddenError)
    expect((await vault.getFolder(owner.viewer, folderId)).permission).toBe('edit')
  })

  it('the owner changes a permission and it applies at once; an unknown user id is NotFoundError', async () => {
    await expectError(vault.createItem(other.viewer, { folderId, ...fields({ name: 'Not yet' }) }), ForbiddenError)
    await sharing.changePermission(owner.viewer, folderId, other.user.id, { permission: 'edit' })
    const { id } = await vault.createItem(other.viewer, { folderId, ...fields({ name: 'Now allowed' }) })
    expect((await vault.getItem(owner.viewer, id)).fields.name).toBe('Now allowed')
    await sharing.changePermission(owner.viewer, folderId, other.user.id, { permission: 'view' })
    await expectError(vault.updateItem(other.viewer, id, fields({ name: 'Again' })), ForbiddenError)
    await expectError(sharing.changePermission(owner.viewer, folderId, randomUUID(), { permission: 'view' }), NotFoundError)
    // An unknown permission value ('owner' ...) is the route's to refuse: http-sharing.test.ts.
  })

  it('members see accepted members; the owner also sees invitations and may manage', async () => {
    const invitee = await verifiedUser(ctx, 'Powers Invitee')
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
    const asOwner = await sharing.listMembers(owner.viewer, folderId)
    expect(asOwner.canManage).toBe(true)
    expect(asOwner.members.map((m) => [m.name, m.role, m.status])).toEqual([
      ['Powers Owner', 'owner', 'accepted'],
      ['Powers Member', 'member', 'accepted'],
      ['Powers Other', 'member', 'accepted'],
      ['Powers Invitee', 'member', 'pending'],
    ])
    const asMember = await sharing.listMembers(member.viewer, folderId)
    expect(asMember.canManage).toBe(false)
    expect(asMember.members.map((m) => m.name)).toEqual(['Powers Owner', 'Powers Member', 'Powers Other'])
    // The invitee is not yet a member: the member list is not theirs to see.
    await expectError(sharing.listMembers(invitee.viewer, folderId), NotFoundError)
    const summary = (await vault.listFolders(owner.viewer)).folders.find((f) => f.id === folderId)!
    expect(summary).toMatchObject({ shared: true, memberCount: 3 })
  })
})

describe('accepting shows the folder and its items; view-only is enforced', () => {
  let owner: RegisteredUser
  let viewerU: RegisteredUser
  let editor: RegisteredUser
  let folderId: string
  let itemIds: string[]
  let viewerPersonal: string
  let viewerOwnItem: string

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'View Owner')
    viewerU = await verifiedUser(ctx, 'View Only')
    editor = await verifiedUser(ctx, 'View Editor')
    ;({ folderId, itemIds } = await folderWithItems(ctx, owner, 'Read Only Team', 3))
    viewerPersonal = await personalId(ctx, viewerU)
    viewerOwnItem = (await vault.createItem(viewerU.viewer, { folderId: viewerPersonal, ...fields({ name: 'Viewer own' }) })).id
  })

  it('accept makes the folder and every item visible in listVault, decrypted', async () => {
    await sharing.invite(owner.viewer, folderId, { email: viewerU.email, permission: 'view' })
    expect((await vault.listVault(viewerU.viewer)).items.map((i) => i.id)).toEqual([viewerOwnItem])
    const res = await sharing.accept(viewerU.viewer, folderId)
    expect(res).toMatchObject({ folderId, folderName: 'Read Only Team' })
    const page = await listWithSidebar(vault, viewerU.viewer)
    const folder = page.folders.find((f) => f.id === folderId)
    expect(folder).toMatchObject({ name: 'Read Only Team', role: 'member', permission: 'view', ownerName: 'View Owner', itemCount: 3, shared: true })
    expect(page.items.filter((i) => i.folderId === folderId).map((i) => [i.name, i.unreadable]).sort()).toEqual([
      ['Read Only Team item 0', false],
      ['Read Only Team item 1', false],
      ['Read Only Team item 2', false],
    ])
    const shares = await sharing.listShares(viewerU.viewer)
    expect(shares.pending).toEqual([])
    expect(shares.accepted.map((s) => [s.folderId, s.permission, s.ownerEmail])).toEqual([[folderId, 'view', owner.email]])
  })

  it('a view-only member reads every item', async () => {
    for (const id of itemIds) {
      const item = await vault.getItem(viewerU.viewer, id)
      expect(item.unreadable).toBe(false)
      expect(item.permission).toBe('view')
      expect(item.fields.password).toBe(fields().password)
    }
    expect((await vault.listVault(viewerU.viewer, { folderId })).total).toBe(3)
  })

  it('a view-only member cannot create, update, delete or move (either way): ForbiddenError, nothing changes', async () => {
    const before = await itemRows(ctx, folderId)
    await expectError(vault.createItem(viewerU.viewer, { folderId, ...fields({ name: 'Sneaky' }) }), ForbiddenError)
    await expectError(vault.updateItem(viewerU.viewer, itemIds[0]!, fields({ name: 'Defaced' })), ForbiddenError)
    await expectError(vault.deleteItem(viewerU.viewer, itemIds[1]!), ForbiddenError)
    await expectError(vault.moveItem(viewerU.viewer, itemIds[2]!, viewerPersonal), ForbiddenError)
    await expectError(vault.moveItem(viewerU.viewer, viewerOwnItem, folderId), ForbiddenError)
    expect(await itemRows(ctx, folderId)).toEqual(before)
    expect((await vault.getItem(viewerU.viewer, viewerOwnItem)).folderId).toBe(viewerPersonal)
  })

  it('an edit member creates, updates, deletes and moves within and between the folders they can edit', async () => {
    await share(ctx, owner, editor, folderId, 'edit')
    const second = await verifiedUser(ctx, 'Second Owner')
    const { folderId: otherShared } = await folderWithItems(ctx, second, 'Second Team', 1)
    await share(ctx, second, editor, otherShared, 'edit')
    const editorPersonal = await personalId(ctx, editor)

    const { id } = await vault.createItem(editor.viewer, { folderId, ...fields({ name: 'By editor' }) })
    expect((await vault.getItem(owner.viewer, id)).fields.name).toBe('By editor')
    expect((await vault.getItem(viewerU.viewer, id)).fields.name).toBe('By editor')

    await vault.updateItem(editor.viewer, itemIds[0]!, fields({ name: 'Edited by editor', password: 'a new strong pass phrase 42' }))
    expect((await vault.getItem(owner.viewer, itemIds[0]!)).fields).toMatchObject({ name: 'Edited by editor', password: 'a new strong pass phrase 42' })

    // Shared -> another owner's shared folder: re-encrypted there, the second owner reads it, the first no longer.
    await vault.moveItem(editor.viewer, id, otherShared)
    expect((await vault.getItem(second.viewer, id)).fields.name).toBe('By editor')
    await expectError(vault.getItem(owner.viewer, id), NotFoundError)
    // -> the editor's Personal folder: only the editor reads it.
    await vault.moveItem(editor.viewer, id, editorPersonal)
    expect((await vault.getItem(editor.viewer, id)).folderId).toBe(editorPersonal)
    await expectError(vault.getItem(second.viewer, id), NotFoundError)
    // Personal -> shared: the owner reads it again.
    await vault.moveItem(editor.viewer, id, folderId)
    expect((await vault.getItem(owner.viewer, id)).fields.name).toBe('By editor')
    // ...but not into a folder where the editor is view-only.
    await sharing.changePermission(second.viewer, otherShared, editor.user.id, { permission: 'view' })
    await expectError(vault.moveItem(editor.viewer, id, otherShared), ForbiddenError)
    expect((await vault.getItem(owner.viewer, id)).folderId).toBe(folderId)

    await vault.deleteItem(editor.viewer, id)
    await expectError(vault.getItem(owner.viewer, id), NotFoundError)
  })
})
