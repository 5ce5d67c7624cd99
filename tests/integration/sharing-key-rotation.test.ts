// Removing anyone from a shared folder (removal, cancelled invitation, leave, decline) re-keys it:
// the departed person's old sealed key, opened with their own private key, decrypts no current
// item, while everyone who stays reads everything. Also the owner deleting a shared folder, and
// races (accept or leave against removal, a write during a removal).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../server/lib/errors.js'
import { decryptItem } from '../../server/services/itemCrypto.js'
import { createTestContext, itemFields as fields, type RegisteredUser } from '../helpers/context.js'
import { captureBefore, currentKeyOf, decryptAll, expectRotatedAway, folderWithItems, itemRows, membershipRow, membershipRows, openSealedKey, share } from '../helpers/sharing.js'
import { expectError, personalId, verifiedUser, listWithSidebar } from '../helpers/vault.js'

const ctx = createTestContext()
const { vault, sharing } = ctx.services
afterAll(() => ctx.sequelize.close())

/** A folder of `n` items, its owner and a member who stays through every departure (the keeper). */
async function folderWithKeeper(tag: string, folderName: string, n: number, keeperPermission: 'view' | 'edit') {
  const owner = await verifiedUser(ctx, `${tag} Owner`)
  const keeper = await verifiedUser(ctx, `${tag} Keeper`)
  const { folderId } = await folderWithItems(ctx, owner, folderName, n)
  await share(ctx, owner, keeper, folderId, keeperPermission)
  return { owner, keeper, folderId }
}

describe('removing anyone rotates the folder key', () => {
  let owner: RegisteredUser
  let keeper: RegisteredUser
  let folderId: string

  beforeAll(async () => {
    ;({ owner, keeper, folderId } = await folderWithKeeper('Rotate', 'Rotating', 4, 'edit'))
  })

  it('removeMember: the removed member’s old key opens nothing, owner and the other member read everything', async () => {
    const gone = await verifiedUser(ctx, 'Rotate Removed')
    await share(ctx, owner, gone, folderId, 'view')
    // Seen once by the member: the service's list cache holds their entries.
    expect((await vault.listVault(gone.viewer, { folderId })).total).toBe(4)
    const before = await captureBefore(ctx, folderId, gone, owner)
    const res = await sharing.removeMember(owner.viewer, folderId, gone.user.id)
    expect(res).toMatchObject({ name: 'Rotate Removed', wasPending: false, expired: false })
    await expectRotatedAway(ctx, folderId, before, gone, [owner, keeper])
  })

  it('cancelling an invitation rotates too (the invitation carried a sealed key)', async () => {
    const invitee = await verifiedUser(ctx, 'Rotate Cancelled')
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'edit' })
    const before = await captureBefore(ctx, folderId, invitee, owner)
    expect(await sharing.removeMember(owner.viewer, folderId, invitee.user.id)).toEqual({ name: 'Rotate Cancelled', wasPending: true, expired: false })
    await expectRotatedAway(ctx, folderId, before, invitee, [owner, keeper])
  })

  it('leave: the leaver’s old key opens nothing; the rest read everything', async () => {
    const leaver = await verifiedUser(ctx, 'Rotate Leaver')
    await share(ctx, owner, leaver, folderId, 'edit')
    const before = await captureBefore(ctx, folderId, leaver, keeper)
    expect(await sharing.leave(leaver.viewer, folderId)).toMatchObject({ folderName: 'Rotating' })
    await expectRotatedAway(ctx, folderId, before, leaver, [owner, keeper])
    await expectError(sharing.leave(leaver.viewer, folderId), NotFoundError)
  })

  it('decline: the invitation’s sealed key opens nothing afterwards; a pending invitation of someone else is re-sealed', async () => {
    const decliner = await verifiedUser(ctx, 'Rotate Decliner')
    const waiting = await verifiedUser(ctx, 'Rotate Waiting')
    await sharing.invite(owner.viewer, folderId, { email: decliner.email, permission: 'view' })
    await sharing.invite(owner.viewer, folderId, { email: waiting.email, permission: 'view' })
    const before = await captureBefore(ctx, folderId, decliner, owner)
    expect(await sharing.decline(decliner.viewer, folderId)).toEqual({ folderName: 'Rotating' })
    await expectRotatedAway(ctx, folderId, before, decliner, [owner, keeper, waiting])
    // The other invitee still accepts and reads everything with the new key.
    await sharing.accept(waiting.viewer, folderId)
    const page = await vault.listVault(waiting.viewer, { folderId })
    expect(page.total).toBe(before.items.length)
    expect(page.items.every((i) => !i.unreadable)).toBe(true)
    await expectError(sharing.decline(decliner.viewer, folderId), NotFoundError)
  })

  it('after rotation the owner and members keep writing with the new key; the removed member cannot come back with the old one', async () => {
    const gone = await verifiedUser(ctx, 'Rotate Returning')
    await share(ctx, owner, gone, folderId, 'edit')
    const oldSealed = (await membershipRow(ctx, folderId, gone.user.id))!.sealed_key
    await sharing.removeMember(owner.viewer, folderId, gone.user.id)
    const { id } = await vault.createItem(keeper.viewer, { folderId, ...fields({ name: 'After rotation' }) })
    expect((await vault.getItem(owner.viewer, id)).fields.name).toBe('After rotation')
    const oldKey = await openSealedKey(ctx, gone, folderId, oldSealed)
    const [row] = (await itemRows(ctx, folderId)).filter((r) => r.id === id)
    expect(decryptItem(oldKey, id, folderId, row!.ciphertext)).toBeNull()
    await expectError(vault.createItem(gone.viewer, { folderId, ...fields({ name: 'Intruder' }) }), NotFoundError)
    await expectError(vault.updateItem(gone.viewer, id, fields({ name: 'Intruder' })), NotFoundError)
  })
})

describe('the owner deletes a shared folder', () => {
  it('members and invitees lose it at once; its items go to the owner’s Personal folder, re-encrypted there', async () => {
    const owner = await verifiedUser(ctx, 'Delete Owner')
    const member = await verifiedUser(ctx, 'Delete Member')
    const invitee = await verifiedUser(ctx, 'Delete Invitee')
    const { folderId, itemIds } = await folderWithItems(ctx, owner, 'Doomed Team', 2)
    await share(ctx, owner, member, folderId, 'edit')
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
    const memberKey = await currentKeyOf(ctx, member, folderId)
    expect(await vault.deleteFolder(owner.viewer, folderId)).toEqual({ movedItems: 2 })

    expect(await membershipRows(ctx, folderId)).toEqual([])
    for (const u of [member, invitee]) {
      const page = await listWithSidebar(vault, u.viewer)
      expect(page.folders.map((f) => f.id)).not.toContain(folderId)
      expect(page.items.some((i) => itemIds.includes(i.id))).toBe(false)
      expect(await sharing.listShares(u.viewer)).toEqual({ pending: [], accepted: [] })
      for (const id of itemIds) await expectError(vault.getItem(u.viewer, id), NotFoundError)
    }
    await expectError(sharing.accept(invitee.viewer, folderId), NotFoundError)
    await expectError(sharing.leave(member.viewer, folderId), NotFoundError)
    const personal = await personalId(ctx, owner)
    for (const id of itemIds) {
      const item = await vault.getItem(owner.viewer, id)
      expect(item).toMatchObject({ folderId: personal, unreadable: false })
    }
    // The member's copy of the deleted folder's key opens none of them where they are now.
    expect((await decryptAll(ctx, memberKey, personal)).every((p) => p === null)).toBe(true)
  })
})

describe('races', () => {
  it('accept and removeMember of the same invitee at once: never a row left, always rotated, everyone else reads everything', async () => {
    const { owner, keeper, folderId } = await folderWithKeeper('Race', 'Race', 3, 'view')
    for (let round = 0; round < 5; round++) {
      const invitee = await verifiedUser(ctx, `Race Invitee ${round}`)
      await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'edit' })
      const before = await captureBefore(ctx, folderId, invitee, owner)
      const [accepted, removed] = await Promise.allSettled([sharing.accept(invitee.viewer, folderId), sharing.removeMember(owner.viewer, folderId, invitee.user.id)])
      // Whichever ran first, the removal finds a live row (pending or accepted) and succeeds.
      expect(removed.status, `round ${round}: removeMember ${removed.status === 'rejected' ? String(removed.reason) : ''}`).toBe('fulfilled')
      if (accepted.status === 'rejected') expect(accepted.reason).toBeInstanceOf(NotFoundError)
      await expectRotatedAway(ctx, folderId, before, invitee, [owner, keeper])
    }
  })

  it('leave and removeMember of the same member at once: one of them wins, the state is consistent', async () => {
    const { owner, keeper, folderId } = await folderWithKeeper('Race2', 'Race2', 2, 'edit')
    for (let round = 0; round < 3; round++) {
      const member = await verifiedUser(ctx, `Race2 Member ${round}`)
      await share(ctx, owner, member, folderId, 'edit')
      const before = await captureBefore(ctx, folderId, member, owner)
      const results = await Promise.allSettled([sharing.leave(member.viewer, folderId), sharing.removeMember(owner.viewer, folderId, member.user.id)])
      // Whichever runs second finds no row.
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(NotFoundError)
      await expectRotatedAway(ctx, folderId, before, member, [owner, keeper])
    }
  })

  it('an item written while a member is removed is still readable by everyone who stays', async () => {
    const { owner, keeper, folderId } = await folderWithKeeper('Race3', 'Race3', 2, 'edit')
    for (let round = 0; round < 3; round++) {
      const member = await verifiedUser(ctx, `Race3 Member ${round}`)
      await share(ctx, owner, member, folderId, 'view')
      const oldKey = await currentKeyOf(ctx, member, folderId)
      const [created] = await Promise.all([
        vault.createItem(keeper.viewer, { folderId, ...fields({ name: `Concurrent ${round}` }) }),
        sharing.removeMember(owner.viewer, folderId, member.user.id),
      ])
      const key = await currentKeyOf(ctx, owner, folderId)
      expect((await decryptAll(ctx, key, folderId)).every((p) => p !== null)).toBe(true)
      expect((await decryptAll(ctx, await currentKeyOf(ctx, keeper, folderId), folderId)).every((p) => p !== null)).toBe(true)
      expect((await vault.getItem(owner.viewer, created.id)).fields.name).toBe(`Concurrent ${round}`)
      // Whichever came first, the old key opens nothing current.
      expect((await decryptAll(ctx, oldKey, folderId)).every((p) => p === null)).toBe(true)
    }
  })
})
