// An expired invitation's sealed copy of the folder key (issue 17.6): the sweep drops the copy and
// marks the folder, the next view re-keys it once (even with two workers sweeping and viewing in
// parallel), and cancelling, inviting again, a later rotation or deleting the account all hold.
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { ForbiddenError, NotFoundError } from '../../server/lib/errors.js'
import { createTestContext } from '../helpers/context.js'
import { ageInvitation, captureBefore, currentKeyOf, decryptAll, folderWithItems, itemRows, membershipRow, openSealedKey, share, shown } from '../helpers/sharing.js'
import { expectError, verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
// Another Sequelize pool on the same database: a second worker. Both close at the very end:
// initModels binds the shared model classes to the last Sequelize instance.
const otherWorker = createTestContext()
const { vault, sharing } = ctx.services
afterAll(async () => {
  await ctx.sequelize.close()
  await otherWorker.sequelize.close()
})

describe('an expired invitation’s sealed copy (issue 17.6)', () => {
  async function rekeyDue(folderId: string) {
    const [row] = await ctx.sequelize.query<{ due: boolean }>('SELECT key_rotation_due_at IS NOT NULL AS due FROM folders WHERE id = :folderId', {
      replacements: { folderId },
      type: QueryTypes.SELECT,
    })
    return row!.due
  }

  /**
   * A folder of `owner` with 3 items, an accepted member, a live invitation and one invitation
   * aged past expiry; what the expired invitee's copy opens before anything happens.
   */
  async function lapsedFolder(label: string) {
    const owner = await verifiedUser(ctx, `${label} Owner`)
    const member = await verifiedUser(ctx, `${label} Member`)
    const waiting = await verifiedUser(ctx, `${label} Waiting`)
    const lapsed = await verifiedUser(ctx, `${label} Lapsed`)
    const { folderId } = await folderWithItems(ctx, owner, label, 3)
    await share(ctx, owner, member, folderId, 'view')
    await sharing.invite(owner.viewer, folderId, { email: waiting.email, permission: 'edit' })
    await sharing.invite(owner.viewer, folderId, { email: lapsed.email, permission: 'view' })
    const before = await captureBefore(ctx, folderId, lapsed, owner)
    await ageInvitation(ctx, folderId, lapsed.user.id)
    return { owner, member, waiting, lapsed, folderId, before }
  }

  /** The folder has a new key: every item re-encrypted, everyone who stays reads everything, the lapsed copy nothing. */
  async function expectRekeyed(f: Awaited<ReturnType<typeof lapsedFolder>>) {
    const after = await itemRows(ctx, f.folderId)
    expect(after.map((r) => r.id)).toEqual(f.before.items.map((r) => r.id))
    for (const [i, row] of after.entries()) {
      expect(row.ciphertext.equals(f.before.items[i]!.ciphertext), `item ${row.id} re-encrypted`).toBe(false)
      expect(row.updated_at.getTime()).toBe(f.before.items[i]!.updated_at.getTime())
    }
    const newKey = await currentKeyOf(ctx, f.owner, f.folderId)
    expect(newKey.equals(f.before.oldKey)).toBe(false)
    for (const u of [f.owner, f.member, f.waiting]) {
      const k = await currentKeyOf(ctx, u, f.folderId)
      expect(k.equals(newKey), `${u.user.name} holds the new key`).toBe(true)
      expect((await decryptAll(ctx, k, f.folderId)).map(shown)).toEqual(f.before.plain)
    }
    // The copy the expired invitation held, opened with the invitee's own private key, opens nothing current...
    const oldKey = await openSealedKey(ctx, f.lapsed, f.folderId, f.before.oldSealed)
    expect(oldKey.equals(f.before.oldKey)).toBe(true)
    expect(await decryptAll(ctx, oldKey, f.folderId)).toEqual(after.map(() => null))
    // ...and is no longer in the database: the row stays for the owner's list, without a key.
    const row = await membershipRow(ctx, f.folderId, f.lapsed.user.id)
    expect(row).toMatchObject({ status: 'pending', sealed_key: null })
    expect(await rekeyDue(f.folderId)).toBe(false)
    const page = await vault.listVault(f.member.viewer, { folderId: f.folderId })
    expect(page.items.map((i) => i.unreadable)).toEqual([false, false, false])
  }

  it('the next view of the folder page re-keys the folder (lazily), once', async () => {
    const f = await lapsedFolder('Lazy')
    const list = await sharing.listMembers(f.owner.viewer, f.folderId)
    await expectRekeyed(f)
    // The owner sees it as expired; a member does not see it at all.
    expect(list.members.map((m) => [m.name, m.status])).toEqual([
      ['Lazy Owner', 'accepted'],
      ['Lazy Member', 'accepted'],
      ['Lazy Waiting', 'pending'],
      ['Lazy Lapsed', 'expired'],
    ])
    const lapsedEntry = list.members.find((m) => m.userId === f.lapsed.user.id)!
    expect(lapsedEntry.expiresAt!.getTime()).toBeLessThan(Date.now())
    expect((await sharing.listMembers(f.member.viewer, f.folderId)).members.map((m) => m.status)).toEqual(['accepted', 'accepted'])
    // Nothing more is due: further views change nothing.
    const settled = await itemRows(ctx, f.folderId)
    await sharing.listMembers(f.owner.viewer, f.folderId)
    expect(await itemRows(ctx, f.folderId)).toEqual(settled)
    // Still not acceptable, nor counted.
    await expectError(sharing.accept(f.lapsed.viewer, f.folderId), NotFoundError)
    expect((await vault.listFolders(f.owner.viewer)).folders.find((x) => x.id === f.folderId)).toMatchObject({ memberCount: 2 })
  })

  it('a member’s view re-keys it too (any accepted member holds the key)', async () => {
    const f = await lapsedFolder('Member View')
    await sharing.listMembers(f.member.viewer, f.folderId)
    await expectRekeyed(f)
  })

  it('the sweep removes the copy at once and marks the folder; the next view re-keys it', async () => {
    const f = await lapsedFolder('Swept')
    // (The test servers sweep too, every 15 minutes: one of theirs may come first.)
    await sharing.sweepExpiredInvitations()
    // The sweep holds no key: nothing re-encrypted yet, but the copy is gone and the folder marked.
    expect(await itemRows(ctx, f.folderId)).toEqual(f.before.items)
    expect(await membershipRow(ctx, f.folderId, f.lapsed.user.id)).toMatchObject({ status: 'pending', sealed_key: null })
    expect(await rekeyDue(f.folderId)).toBe(true)
    expect(await sharing.sweepExpiredInvitations()).not.toContain(f.folderId)
    await sharing.listMembers(f.owner.viewer, f.folderId)
    await expectRekeyed(f)
  })

  it('two sweeps in parallel (two workers) mark each folder once; two views in parallel re-key it once; the folder stays consistent', async () => {
    const folders = [await lapsedFolder('Parallel A'), await lapsedFolder('Parallel B'), await lapsedFolder('Parallel C')]
    const ids = folders.map((f) => f.folderId)
    const results = await Promise.all([sharing.sweepExpiredInvitations(), otherWorker.services.sharing.sweepExpiredInvitations(), sharing.sweepExpiredInvitations()])
    // No folder marked twice; each one marked (by these sweeps, or by a test server's own sweep).
    const marked = results.flat().filter((id) => ids.includes(id))
    expect(new Set(marked).size).toBe(marked.length)
    for (const f of folders) {
      expect(await itemRows(ctx, f.folderId)).toEqual(f.before.items)
      expect(await rekeyDue(f.folderId)).toBe(true)
    }
    for (const f of folders) {
      const rekeyed = await Promise.all([
        sharing.rekeyIfDue(f.owner.viewer, f.folderId),
        otherWorker.services.sharing.rekeyIfDue(f.member.viewer, f.folderId),
        sharing.rekeyIfDue(f.member.viewer, f.folderId),
      ])
      expect(rekeyed.filter(Boolean)).toHaveLength(1)
      await expectRekeyed(f)
    }
  })

  it('a sweep racing the accept of an invitation that has not expired leaves it alone', async () => {
    const owner = await verifiedUser(ctx, 'Sweep Race Owner')
    const { folderId } = await folderWithItems(ctx, owner, 'Sweep Race', 2)
    for (let round = 0; round < 3; round++) {
      const invitee = await verifiedUser(ctx, `Sweep Race Invitee ${round}`)
      await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
      await ageInvitation(ctx, folderId, invitee.user.id, 6.99)
      const [accepted, swept] = await Promise.all([sharing.accept(invitee.viewer, folderId), sharing.sweepExpiredInvitations()])
      expect(accepted.folderId).toBe(folderId)
      expect(swept).not.toContain(folderId)
      expect((await vault.listVault(invitee.viewer, { folderId })).items.map((i) => i.unreadable)).toEqual([false, false])
    }
  })

  it('an invitation whose copy is gone cannot be accepted, even inside its 7 days (a transaction started before the expiry)', async () => {
    const owner = await verifiedUser(ctx, 'Emptied Owner')
    const invitee = await verifiedUser(ctx, 'Emptied Invitee')
    const { folderId } = await folderWithItems(ctx, owner, 'Emptied', 1)
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
    await ctx.sequelize.query('UPDATE folder_memberships SET sealed_key = NULL WHERE folder_id = :folderId AND user_id = :userId', {
      replacements: { folderId, userId: invitee.user.id },
    })
    await expectError(sharing.accept(invitee.viewer, folderId), NotFoundError)
    expect(await sharing.listShares(invitee.viewer)).toEqual({ pending: [], accepted: [] })
    expect((await membershipRow(ctx, folderId, invitee.user.id))!.status).toBe('pending')
  })

  it('the owner cancels an expired invitation: with its copy still there the key rotates; without, the row just goes', async () => {
    const f = await lapsedFolder('Cancel')
    const cancelled = await sharing.removeMember(f.owner.viewer, f.folderId, f.lapsed.user.id)
    expect(cancelled).toMatchObject({ name: 'Cancel Lapsed', wasPending: true, expired: true })
    expect(await membershipRow(ctx, f.folderId, f.lapsed.user.id)).toBeNull()
    const after = await itemRows(ctx, f.folderId)
    expect(after.every((r, i) => !r.ciphertext.equals(f.before.items[i]!.ciphertext))).toBe(true)
    expect(await decryptAll(ctx, f.before.oldKey, f.folderId)).toEqual(after.map(() => null))

    // Another one, swept and re-keyed already: cancelling deletes the row and re-encrypts nothing.
    const other = await verifiedUser(ctx, 'Cancel Other')
    await sharing.invite(f.owner.viewer, f.folderId, { email: other.email, permission: 'view' })
    await ageInvitation(ctx, f.folderId, other.user.id)
    await sharing.sweepExpiredInvitations()
    await sharing.listMembers(f.owner.viewer, f.folderId)
    const settled = await itemRows(ctx, f.folderId)
    expect((await sharing.listMembers(f.owner.viewer, f.folderId)).members.find((m) => m.userId === other.user.id)?.status).toBe('expired')
    await sharing.removeMember(f.owner.viewer, f.folderId, other.user.id)
    expect(await membershipRow(ctx, f.folderId, other.user.id)).toBeNull()
    expect(await itemRows(ctx, f.folderId)).toEqual(settled)
    expect((await sharing.listMembers(f.owner.viewer, f.folderId)).members.map((m) => m.userId)).not.toContain(other.user.id)
    // A member still cannot cancel anything.
    await expectError(sharing.removeMember(f.member.viewer, f.folderId, f.waiting.user.id), ForbiddenError)
  })

  it('inviting the same person again after the sweep re-keys first and sends the new key', async () => {
    const f = await lapsedFolder('Again')
    await sharing.sweepExpiredInvitations()
    await sharing.invite(f.owner.viewer, f.folderId, { email: f.lapsed.email, permission: 'edit' })
    expect(await rekeyDue(f.folderId)).toBe(false)
    await sharing.accept(f.lapsed.viewer, f.folderId)
    const newKey = await currentKeyOf(ctx, f.lapsed, f.folderId)
    expect(newKey.equals(await currentKeyOf(ctx, f.owner, f.folderId))).toBe(true)
    expect((await decryptAll(ctx, newKey, f.folderId)).map(shown)).toEqual(f.before.plain)
    expect(await decryptAll(ctx, f.before.oldKey, f.folderId)).toEqual([null, null, null])
    expect((await vault.listFolders(f.waiting.viewer)).pendingInvitations).toBe(1)
  })

  it('any later rotation (a member leaving) drops the expired copy too, and keeps the row for the owner', async () => {
    const f = await lapsedFolder('Leaving')
    await sharing.leave(f.member.viewer, f.folderId)
    expect(await membershipRow(ctx, f.folderId, f.lapsed.user.id)).toMatchObject({ status: 'pending', sealed_key: null })
    expect(await decryptAll(ctx, f.before.oldKey, f.folderId)).toEqual([null, null, null])
    expect(await rekeyDue(f.folderId)).toBe(false)
  })

  it('an invitee whose expired invitation was emptied can still delete their account', async () => {
    const f = await lapsedFolder('Deleting')
    await sharing.sweepExpiredInvitations()
    expect(await ctx.services.account.deleteAccount(f.lapsed.viewer, f.lapsed.password)).toMatchObject({ left: 0 })
    expect(await membershipRow(ctx, f.folderId, f.lapsed.user.id)).toBeNull()
  })
})
