// The per-process list cache of two "workers" (two vault services over one database) after
// membership and key changes made through the other: removal, re-invitation, rotation, rename.
import { afterAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../server/lib/errors.js'
import { createVaultService } from '../../server/services/vault.js'
import { createTestContext, itemFields as fields } from '../helpers/context.js'
import { folderWithItems, share } from '../helpers/sharing.js'
import { expectError, verifiedUser, listWithSidebar } from '../helpers/vault.js'

const ctx = createTestContext()
const { sharing } = ctx.services
afterAll(() => ctx.sequelize.close())

describe('the list cache of two workers', () => {
  // Two vault services over the same database, as two worker processes would have.
  const workerA = createVaultService(ctx.deps)
  const workerB = createVaultService(ctx.deps)

  it('a member removed through B no longer sees the folder through A; added back, it appears; changes after rotation show', async () => {
    const owner = await verifiedUser(ctx, 'Cache Owner')
    const member = await verifiedUser(ctx, 'Cache Member')
    const { folderId, itemIds } = await folderWithItems(ctx, owner, 'Cached', 3)
    await share(ctx, owner, member, folderId, 'view')

    const first = await listWithSidebar(workerA, member.viewer)
    expect(first.folders.map((f) => f.id)).toContain(folderId)
    expect(first.items.filter((i) => i.folderId === folderId)).toHaveLength(3)
    expect(workerA.listCacheStats().lists).toBeGreaterThan(0)

    // Removed on the other worker (its own sharing service; the rotation happens there).
    await sharing.removeMember(owner.viewer, folderId, member.user.id)
    await workerB.listVault(owner.viewer)
    const afterRemoval = await listWithSidebar(workerA, member.viewer)
    expect(afterRemoval.folders.map((f) => f.id)).not.toContain(folderId)
    expect(afterRemoval.items.some((i) => i.folderId === folderId)).toBe(false)
    expect(afterRemoval.counts.items).toBe(0)
    await expectError(workerA.listVault(member.viewer, { folderId }), NotFoundError)

    // Invited and accepted again: it appears through A, decrypted with the new key.
    await share(ctx, owner, member, folderId, 'edit')
    const back = await listWithSidebar(workerA, member.viewer)
    expect(back.folders.find((f) => f.id === folderId)).toMatchObject({ permission: 'edit', itemCount: 3 })
    expect(back.items.filter((i) => i.folderId === folderId).map((i) => [i.name, i.unreadable]).sort()).toEqual([
      ['Cached item 0', false],
      ['Cached item 1', false],
      ['Cached item 2', false],
    ])

    // Someone else removed (rotation again), then the owner changes an item through B.
    const third = await verifiedUser(ctx, 'Cache Third')
    await share(ctx, owner, third, folderId, 'view')
    expect((await workerA.listVault(third.viewer)).items.filter((i) => i.folderId === folderId)).toHaveLength(3)
    await sharing.removeMember(owner.viewer, folderId, third.user.id)
    await workerB.updateItem(owner.viewer, itemIds[1]!, fields({ name: 'Renamed by owner', username: 'new-user' }))
    const changed = await workerA.listVault(member.viewer, { folderId })
    expect(changed.items.map((i) => [i.name, i.username, i.unreadable]).sort()).toEqual([
      ['Cached item 0', 'user0', false],
      ['Cached item 2', 'user2', false],
      ['Renamed by owner', 'new-user', false],
    ])
    expect((await workerA.listFolders(third.viewer)).folders.map((f) => f.id)).not.toContain(folderId)

    // A member who left through the service is gone from A's view too.
    await sharing.leave(member.viewer, folderId)
    expect((await workerA.listVault(member.viewer)).items.some((i) => i.folderId === folderId)).toBe(false)
    // The owner's own list on A is right after all that.
    const ownerView = await listWithSidebar(workerA, owner.viewer, { folderId })
    expect(ownerView.items.map((i) => i.name).sort()).toEqual(['Cached item 0', 'Cached item 2', 'Renamed by owner'])
    expect(ownerView.folders.find((f) => f.id === folderId)).toMatchObject({ shared: false, memberCount: 0 })
  })

  it('a folder renamed by the owner shows its new name to a member through the other worker', async () => {
    const owner = await verifiedUser(ctx, 'Cache Rename Owner')
    const member = await verifiedUser(ctx, 'Cache Rename Member')
    const { folderId } = await folderWithItems(ctx, owner, 'Old Name', 1)
    await share(ctx, owner, member, folderId, 'view')
    expect((await workerA.listVault(member.viewer)).items.find((i) => i.folderId === folderId)!.folderName).toBe('Old Name')
    await workerB.renameFolder(owner.viewer, folderId, 'New Name')
    const page = await listWithSidebar(workerA, member.viewer)
    expect(page.folders.find((f) => f.id === folderId)!.name).toBe('New Name')
    expect(page.items.find((i) => i.folderId === folderId)!.folderName).toBe('New Name')
  })
})
