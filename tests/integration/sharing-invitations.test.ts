// Invitations through the sharing service: who can be invited and with which message, parallel
// invitations of one person, expiry after 7 days, and the member limit (live invitations count).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ForbiddenError, NotFoundError, ValidationError } from '../../server/lib/errors.js'
import { parseForm } from '../../server/lib/validate.js'
import { inviteSchema } from '../../schemas/sharing.js'
import { createTestContext, registerUser, TEST_LIMITS, type RegisteredUser } from '../helpers/context.js'
import { currentKeyOf, folderWithItems, membershipRow, membershipRows, openSealedKey, share } from '../helpers/sharing.js'
import { expectError, expectFieldError, personalId, verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
// 3 people per folder, the owner included. Both contexts close at the very end: initModels binds
// the shared model classes to the last Sequelize instance, so closing one early breaks the other.
const small = createTestContext({ ...TEST_LIMITS, membersPerFolder: 3 })
const { vault, sharing } = ctx.services
afterAll(async () => {
  await ctx.sequelize.close()
  await small.sequelize.close()
})

/** The invitation form as the route parses it (the email trimmed and lower-cased); its messages: http-validation.test.ts. */
const asParsed = (form: { email: string; permission: string }) => parseForm(inviteSchema, form)

const NO_ACCOUNT = 'No NucleusID account with a verified email uses this address. Ask them to register and verify their email first.'

describe('invitations: who can be invited, with which message', () => {
  let owner: RegisteredUser
  let bob: RegisteredUser
  let folderId: string

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Invite Owner')
    bob = await verifiedUser(ctx, 'Invite Bob')
    folderId = (await vault.createFolder(owner.viewer, 'Team')).id
  })

  it('an unknown address gets a message at the email field, and nothing is stored', async () => {
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: 'nobody-here@example.test', permission: 'view' }), 'email', NO_ACCOUNT)
    expect(await membershipRows(ctx, folderId)).toHaveLength(1)
  })

  it('an unverified invitee gets the same message (no account enumeration of unverified users)', async () => {
    const unverified = await registerUser(ctx, 'Unverified Invitee')
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: unverified.email, permission: 'view' }), 'email', NO_ACCOUNT)
    expect(await membershipRow(ctx, folderId, unverified.user.id)).toBeNull()
  })

  it('an unverified owner cannot invite anyone', async () => {
    const unverifiedOwner = await registerUser(ctx, 'Unverified Owner')
    const { id } = await vault.createFolder(unverifiedOwner.viewer, 'Mine')
    await expectFieldError(sharing.invite(unverifiedOwner.viewer, id, { email: bob.email, permission: 'edit' }), 'email', /Verify your own email/)
    expect(await membershipRow(ctx, id, bob.user.id)).toBeNull()
  })

  it('inviting yourself is refused at the email field (any letter case)', async () => {
    await expectFieldError(sharing.invite(owner.viewer, folderId, asParsed({ email: owner.email.toUpperCase(), permission: 'edit' })), 'email', /already have this folder/)
  })

  it('invites by email in any letter case; then "already invited"; after accepting, "already a member"', async () => {
    const res = await sharing.invite(owner.viewer, folderId, asParsed({ email: `  ${bob.email.toUpperCase()} `, permission: 'view' }))
    expect(res.invitee.email).toBe(bob.email)
    expect(res.folderName).toBe('Team')
    const row = await membershipRow(ctx, folderId, bob.user.id)
    expect(row).toMatchObject({ status: 'pending', permission: 'view' })
    // The invitation carries the folder key sealed to Bob: it opens the owner's key.
    expect((await openSealedKey(ctx, bob, folderId, row!.sealed_key)).equals(await currentKeyOf(ctx, owner, folderId))).toBe(true)

    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: bob.email, permission: 'edit' }), 'email', 'Invite Bob is already invited to this folder.')
    // Pending: Bob sees it under Shares but not in his vault yet.
    expect((await sharing.listShares(bob.viewer)).pending.map((s) => s.folderId)).toEqual([folderId])
    expect((await vault.listFolders(bob.viewer)).folders.map((f) => f.id)).not.toContain(folderId)

    await sharing.accept(bob.viewer, folderId)
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: bob.email, permission: 'edit' }), 'email', 'Invite Bob is already a member of this folder.')
    expect((await membershipRows(ctx, folderId)).length).toBe(2)
    // Accepting twice is not possible.
    await expectError(sharing.accept(bob.viewer, folderId), NotFoundError)
  })

  it('the Personal folder cannot be shared', async () => {
    const err = await expectError(sharing.invite(owner.viewer, await personalId(ctx, owner), { email: bob.email, permission: 'view' }), ForbiddenError)
    expect(err.message).toMatch(/Personal folder cannot be shared/)
    expect(await membershipRow(ctx, await personalId(ctx, owner), bob.user.id)).toBeNull()
  })

  it("someone else's folder or a malformed id: NotFoundError", async () => {
    const stranger = await verifiedUser(ctx, 'Stranger')
    await expectError(sharing.invite(stranger.viewer, folderId, { email: bob.email, permission: 'view' }), NotFoundError)
    await expectError(sharing.invite(owner.viewer, 'not-a-uuid', { email: bob.email, permission: 'view' }), NotFoundError)
    await expectError(sharing.listMembers(stranger.viewer, folderId), NotFoundError)
  })

  it('10 parallel invitations of the same person make exactly one row', async () => {
    const carol = await verifiedUser(ctx, 'Parallel Carol')
    const { id } = await vault.createFolder(owner.viewer, 'Parallel')
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => sharing.invite(owner.viewer, id, { email: carol.email, permission: 'view' })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(ValidationError)
        expect((r.reason as ValidationError).fields.email).toBe('Parallel Carol is already invited to this folder.')
      }
    }
    const rows = await membershipRows(ctx, id)
    expect(rows.filter((r) => r.user_id === carol.user.id)).toHaveLength(1)
    expect((await sharing.listShares(carol.viewer)).pending.filter((s) => s.folderId === id)).toHaveLength(1)
  })
})

describe('invitations expire after 7 days', () => {
  it('an invitation 8 days old is not listed, cannot be accepted or declined, and can be sent again', async () => {
    const owner = await verifiedUser(ctx, 'Expiry Owner')
    const dave = await verifiedUser(ctx, 'Expiry Dave')
    const { folderId } = await folderWithItems(ctx, owner, 'Expiring', 1)
    await sharing.invite(owner.viewer, folderId, { email: dave.email, permission: 'edit' })
    expect((await sharing.listShares(dave.viewer)).pending).toHaveLength(1)
    await ctx.sequelize.query("UPDATE folder_memberships SET invited_at = now() - interval '8 days' WHERE folder_id = :folderId AND user_id = :userId", {
      replacements: { folderId, userId: dave.user.id },
    })

    expect(await sharing.listShares(dave.viewer)).toEqual({ pending: [], accepted: [] })
    expect((await vault.listFolders(dave.viewer)).pendingInvitations).toBe(0)
    // The owner sees it as expired (to cancel or send again), not as a pending invitation.
    expect((await sharing.listMembers(owner.viewer, folderId)).members.map((m) => [m.userId, m.status])).toEqual([
      [owner.user.id, 'accepted'],
      [dave.user.id, 'expired'],
    ])
    expect((await vault.listFolders(owner.viewer)).folders.find((f) => f.id === folderId)).toMatchObject({ memberCount: 0, shared: false })
    const err = await expectError(sharing.accept(dave.viewer, folderId), NotFoundError)
    expect(err.message).toMatch(/expired/)
    await expectError(sharing.decline(dave.viewer, folderId), NotFoundError)
    await expectError(sharing.changePermission(owner.viewer, folderId, dave.user.id, { permission: 'view' }), NotFoundError)
    expect((await vault.listFolders(dave.viewer)).folders.map((f) => f.id)).not.toContain(folderId)

    // Sent again: a fresh invitation that can be accepted and opens the items.
    await sharing.invite(owner.viewer, folderId, { email: dave.email, permission: 'view' })
    const pending = (await sharing.listShares(dave.viewer)).pending
    expect(pending.map((s) => [s.folderId, s.permission])).toEqual([[folderId, 'view']])
    expect(pending[0]!.expiresAt!.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000)
    await sharing.accept(dave.viewer, folderId)
    const page = await vault.listVault(dave.viewer, { folderId })
    expect(page.items.map((i) => [i.name, i.unreadable])).toEqual([['Expiring item 0', false]])
    expect(await membershipRows(ctx, folderId)).toHaveLength(2)
  })
})

describe('the member limit', () => {
  it('counts accepted members and live invitations; a full folder says so at the email field', async () => {
    const owner = await verifiedUser(small, 'Limit Owner')
    const a = await verifiedUser(small, 'Limit A')
    const b = await verifiedUser(small, 'Limit B')
    const c = await verifiedUser(small, 'Limit C')
    const { id: folderId } = await small.services.vault.createFolder(owner.viewer, 'Small')
    await share(small, owner, a, folderId, 'view')
    await small.services.sharing.invite(owner.viewer, folderId, { email: b.email, permission: 'view' }) // pending counts
    await expectFieldError(
      small.services.sharing.invite(owner.viewer, folderId, { email: c.email, permission: 'view' }),
      'email',
      'A folder can be shared with at most 2 people, and this one is full.',
    )
    expect(await membershipRow(ctx, folderId, c.user.id)).toBeNull()
    expect((await small.services.sharing.listMembers(owner.viewer, folderId)).limit).toBe(3)

    // An expired invitation frees its place.
    await small.sequelize.query("UPDATE folder_memberships SET invited_at = now() - interval '8 days' WHERE folder_id = :folderId AND user_id = :userId", {
      replacements: { folderId, userId: b.user.id },
    })
    await small.services.sharing.invite(owner.viewer, folderId, { email: c.email, permission: 'edit' })
    // Full again; removing someone frees a place.
    await expectFieldError(small.services.sharing.invite(owner.viewer, folderId, { email: b.email, permission: 'view' }), 'email', /at most 2 people/)
    await small.services.sharing.removeMember(owner.viewer, folderId, a.user.id)
    await small.services.sharing.invite(owner.viewer, folderId, { email: b.email, permission: 'view' })
    expect((await membershipRows(ctx, folderId)).map((r) => r.user_id).sort()).toEqual([owner.user.id, b.user.id, c.user.id].sort())
  })

  it('parallel invitations of different people never overfill the folder', async () => {
    const owner = await verifiedUser(small, 'Limit Race Owner')
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => verifiedUser(small, `Limit Race ${i}`)))
    const { id: folderId } = await small.services.vault.createFolder(owner.viewer, 'Race')
    const results = await Promise.allSettled(people.map((p) => small.services.sharing.invite(owner.viewer, folderId, { email: p.email, permission: 'view' })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    expect(await membershipRows(ctx, folderId)).toHaveLength(3)
  })
})
