// The sharing service against the real database, through its real functions only (invite,
// accept, decline, leave, changePermission, removeMember): who may invite whom and with which
// message, what a view-only member is refused, invitation expiry, the member limit, and above all
// that removing anyone (removal, leave, decline) re-keys the folder so that the departed person's
// old sealed key, opened with their own private key, decrypts no current item, while everyone
// who stays still reads everything. Also: races (accept vs removal, parallel invitations) and
// the per-process list cache of two "workers" after membership and key changes.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import * as crypto from '../../server/lib/crypto.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../../server/lib/errors.js'
import { createVaultService } from '../../server/services/vault.js'
import { decryptItem, type ItemPlaintext } from '../../server/services/itemCrypto.js'
import { createTestContext, itemFields, registerUser, TEST_KDF, TEST_LIMITS } from '../helpers/context.js'

type Ctx = ReturnType<typeof createTestContext>
type Registered = Awaited<ReturnType<typeof registerUser>>

const ctx = createTestContext()
// 3 people per folder, the owner included. Both contexts close at the very end: initModels binds
// the shared model classes to the last Sequelize instance, so closing one early breaks the other.
const small = createTestContext({ ...TEST_LIMITS, membersPerFolder: 3 })
const { vault, sharing } = ctx.services
afterAll(async () => {
  await ctx.sequelize.close()
  await small.sequelize.close()
})

const fields = itemFields

async function expectError(promise: Promise<unknown>, type: abstract new (...a: never[]) => Error) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(type)
  return err as Error
}

async function expectFieldError(promise: Promise<unknown>, field: string, message: string | RegExp) {
  const err = (await expectError(promise, ValidationError)) as ValidationError
  if (typeof message === 'string') expect(err.fields[field]).toBe(message)
  else expect(err.fields[field]).toMatch(message)
  return err
}

/** A registered user whose email is verified (what sharing requires on both sides). */
async function verifiedUser(c: Ctx, name: string) {
  const u = await registerUser(c, name)
  await c.sequelize.query('UPDATE users SET verified_at = now() WHERE id = :id', { replacements: { id: u.user.id } })
  return u
}

async function personalId(u: Registered, c: Ctx = ctx) {
  const f = await c.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } })
  return f!.id
}

/** A folder of `owner` with `n` items created through the service. */
async function folderWithItems(owner: Registered, name: string, n: number, c: Ctx = ctx) {
  const { id } = await c.services.vault.createFolder(owner.viewer, name)
  const itemIds: string[] = []
  for (let i = 0; i < n; i++) {
    itemIds.push((await c.services.vault.createItem(owner.viewer, { folderId: id, ...fields({ name: `${name} item ${i}`, username: `user${i}` }) })).id)
  }
  return { folderId: id, itemIds }
}

/** Invites and accepts through the service. */
async function share(owner: Registered, member: Registered, folderId: string, permission: 'view' | 'edit', c: Ctx = ctx) {
  await c.services.sharing.invite(owner.viewer, folderId, { email: member.email, permission })
  await c.services.sharing.accept(member.viewer, folderId)
}

async function membershipRow(folderId: string, userId: string) {
  const [row] = await ctx.sequelize.query<{ sealed_key: Buffer; status: string; permission: string }>(
    'SELECT sealed_key, status::text AS status, permission::text AS permission FROM folder_memberships WHERE folder_id = :folderId AND user_id = :userId',
    { replacements: { folderId, userId }, type: QueryTypes.SELECT },
  )
  return row ?? null
}

async function membershipRows(folderId: string) {
  return ctx.sequelize.query<{ user_id: string; sealed_key: Buffer; status: string }>(
    'SELECT user_id, sealed_key, status::text AS status FROM folder_memberships WHERE folder_id = :folderId ORDER BY user_id',
    { replacements: { folderId }, type: QueryTypes.SELECT },
  )
}

async function itemRows(folderId: string) {
  return ctx.sequelize.query<{ id: string; ciphertext: Buffer; updated_at: Date }>(
    'SELECT id, ciphertext, updated_at FROM items WHERE folder_id = :folderId ORDER BY id',
    { replacements: { folderId }, type: QueryTypes.SELECT },
  )
}

/** The user's X25519 private key, unwrapped with their vault key (what their password opens). */
async function privateKeyOf(u: Registered) {
  const user = await ctx.models.User.findByPk(u.user.id)
  return crypto.open(u.vaultKey, user!.privateKeyWrapped, crypto.privateKeyAad())
}

/** Opens a sealed folder key as its holder would. */
async function openSealedKey(u: Registered, folderId: string, sealed: Buffer) {
  return crypto.openSealed(await privateKeyOf(u), sealed, crypto.folderKeyAad(folderId, u.user.id))
}

/** The folder key `u` holds now, from the database. */
async function currentKeyOf(u: Registered, folderId: string) {
  const row = await membershipRow(folderId, u.user.id)
  expect(row, `${u.user.id} has a membership row`).not.toBeNull()
  return openSealedKey(u, folderId, row!.sealed_key)
}

/** Decrypts every current item of a folder with `key`; null entries are items it does not open. */
async function decryptAll(key: Buffer, folderId: string) {
  const rows = await itemRows(folderId)
  return rows.map((r) => decryptItem(key, r.id, folderId, r.ciphertext))
}

const shown = (p: ItemPlaintext | null) => (p ? { name: p.name, username: p.username, password: p.password } : null)

/** What every test of a departure checks: captured before, compared after. */
async function captureBefore(folderId: string, departing: Registered, stayer: Registered) {
  const items = await itemRows(folderId)
  const oldSealed = (await membershipRow(folderId, departing.user.id))!.sealed_key
  const oldKey = await openSealedKey(departing, folderId, oldSealed)
  const plain = (await decryptAll(await currentKeyOf(stayer, folderId), folderId)).map(shown)
  // The capture itself works: the departing person's key opens everything now.
  expect((await decryptAll(oldKey, folderId)).map(shown)).toEqual(plain)
  expect(plain.every((p) => p !== null)).toBe(true)
  return { items, oldSealed, oldKey, plain }
}

async function expectRotatedAway(
  folderId: string,
  before: Awaited<ReturnType<typeof captureBefore>>,
  departed: Registered,
  remaining: Registered[],
) {
  // The departed person has no row and sees nothing.
  expect(await membershipRow(folderId, departed.user.id)).toBeNull()
  const theirs = await vault.listVault(departed.viewer)
  expect(theirs.folders.map((f) => f.id)).not.toContain(folderId)
  expect(theirs.items.some((i) => i.folderId === folderId)).toBe(false)
  for (const item of before.items) await expectError(vault.getItem(departed.viewer, item.id), NotFoundError)
  const shares = await sharing.listShares(departed.viewer)
  expect([...shares.pending, ...shares.accepted].map((s) => s.folderId)).not.toContain(folderId)

  // Every item was re-encrypted, and none of them was "changed" by anyone.
  const after = await itemRows(folderId)
  expect(after.map((r) => r.id)).toEqual(before.items.map((r) => r.id))
  for (const [i, row] of after.entries()) {
    expect(row.ciphertext.equals(before.items[i]!.ciphertext), `item ${row.id} re-encrypted`).toBe(false)
    expect(row.updated_at.getTime(), `item ${row.id} updated_at`).toBe(before.items[i]!.updated_at.getTime())
  }

  // The old sealed key, opened with the departed user's own private key, opens no current item.
  const oldKeyAgain = await openSealedKey(departed, folderId, before.oldSealed)
  expect(oldKeyAgain.equals(before.oldKey)).toBe(true)
  expect(await decryptAll(before.oldKey, folderId)).toEqual(after.map(() => null))

  // Everyone who stays holds the same new key, which opens every item to its old content.
  let newKey: Buffer | null = null
  for (const u of remaining) {
    const k = await currentKeyOf(u, folderId)
    expect(k.equals(before.oldKey)).toBe(false)
    if (newKey) expect(k.equals(newKey)).toBe(true)
    newKey = k
    expect((await decryptAll(k, folderId)).map(shown)).toEqual(before.plain)
    // ...and through the service too (an invitee still pending reads nothing yet).
    if ((await membershipRow(folderId, u.user.id))!.status !== 'accepted') continue
    const page = await vault.listVault(u.viewer, { folderId })
    expect(page.items.filter((i) => i.broken)).toEqual([])
    expect(page.items.map((i) => i.name).sort()).toEqual(before.plain.map((p) => p!.name).sort())
    const detail = await vault.getItem(u.viewer, after[0]!.id)
    expect(detail.broken).toBe(false)
  }
  // No one else holds a row in the folder.
  expect((await membershipRows(folderId)).map((r) => r.user_id).sort()).toEqual(remaining.map((u) => u.user.id).sort())
}

const NO_ACCOUNT = 'No NucleusID account with a verified email uses this address. Ask them to register and verify their email first.'

describe('invitations: who can be invited, with which message', () => {
  let owner: Registered
  let bob: Registered
  let folderId: string

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Invite Owner')
    bob = await verifiedUser(ctx, 'Invite Bob')
    folderId = (await vault.createFolder(owner.viewer, 'Team')).id
  })

  it('an unknown address gets a message at the email field, and nothing is stored', async () => {
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: 'nobody-here@example.test', permission: 'view' }), 'email', NO_ACCOUNT)
    expect(await membershipRows(folderId)).toHaveLength(1)
  })

  it('an unverified invitee gets the same message (no account enumeration of unverified users)', async () => {
    const unverified = await registerUser(ctx, 'Unverified Invitee')
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: unverified.email, permission: 'view' }), 'email', NO_ACCOUNT)
    expect(await membershipRow(folderId, unverified.user.id)).toBeNull()
  })

  it('an unverified owner cannot invite anyone', async () => {
    const unverifiedOwner = await registerUser(ctx, 'Unverified Owner')
    const { id } = await vault.createFolder(unverifiedOwner.viewer, 'Mine')
    await expectFieldError(sharing.invite(unverifiedOwner.viewer, id, { email: bob.email, permission: 'edit' }), 'email', /Verify your own email/)
    expect(await membershipRow(id, bob.user.id)).toBeNull()
  })

  it('inviting yourself is refused at the email field (any letter case)', async () => {
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: owner.email.toUpperCase(), permission: 'edit' }), 'email', /already have this folder/)
  })

  it('invalid email or permission: a message per field', async () => {
    const err = await expectFieldError(sharing.invite(owner.viewer, folderId, { email: 'not an email', permission: 'admin' }), 'email', /valid email/)
    expect((err as ValidationError).fields.permission).toMatch(/Can view|Can edit/)
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: ['a@b.c'], permission: 'view' }), 'email', /.+/)
  })

  it('invites by email in any letter case; then "already invited"; after accepting, "already a member"', async () => {
    const res = await sharing.invite(owner.viewer, folderId, { email: `  ${bob.email.toUpperCase()} `, permission: 'view' })
    expect(res.invitee.email).toBe(bob.email)
    expect(res.folderName).toBe('Team')
    const row = await membershipRow(folderId, bob.user.id)
    expect(row).toMatchObject({ status: 'pending', permission: 'view' })
    // The invitation carries the folder key sealed to Bob: it opens the owner's key.
    expect((await openSealedKey(bob, folderId, row!.sealed_key)).equals(await currentKeyOf(owner, folderId))).toBe(true)

    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: bob.email, permission: 'edit' }), 'email', 'Invite Bob is already invited to this folder.')
    // Pending: Bob sees it under Shares but not in his vault yet.
    expect((await sharing.listShares(bob.viewer)).pending.map((s) => s.folderId)).toEqual([folderId])
    expect((await vault.listVault(bob.viewer)).folders.map((f) => f.id)).not.toContain(folderId)

    await sharing.accept(bob.viewer, folderId)
    await expectFieldError(sharing.invite(owner.viewer, folderId, { email: bob.email, permission: 'edit' }), 'email', 'Invite Bob is already a member of this folder.')
    expect((await membershipRows(folderId)).length).toBe(2)
    // Accepting twice is not possible.
    await expectError(sharing.accept(bob.viewer, folderId), NotFoundError)
  })

  it('the Personal folder cannot be shared', async () => {
    const err = await expectError(sharing.invite(owner.viewer, await personalId(owner), { email: bob.email, permission: 'view' }), ForbiddenError)
    expect(err.message).toMatch(/Personal folder cannot be shared/)
    expect(await membershipRow(await personalId(owner), bob.user.id)).toBeNull()
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
    const rows = await membershipRows(id)
    expect(rows.filter((r) => r.user_id === carol.user.id)).toHaveLength(1)
    expect((await sharing.listShares(carol.viewer)).pending.filter((s) => s.folderId === id)).toHaveLength(1)
  })
})

describe("the owner's powers are the owner's alone", () => {
  let owner: Registered
  let member: Registered
  let other: Registered
  let folderId: string
  let itemIds: string[]

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Powers Owner')
    member = await verifiedUser(ctx, 'Powers Member')
    other = await verifiedUser(ctx, 'Powers Other')
    ;({ folderId, itemIds } = await folderWithItems(owner, 'Powers', 2))
    await share(owner, member, folderId, 'edit')
    await share(owner, other, folderId, 'view')
  })

  it('a member (even with edit) cannot invite, change permissions or remove: ForbiddenError, nothing changes', async () => {
    const outsider = await verifiedUser(ctx, 'Powers Outsider')
    const before = await membershipRows(folderId)
    await expectError(sharing.invite(member.viewer, folderId, { email: outsider.email, permission: 'edit' }), ForbiddenError)
    await expectError(sharing.changePermission(member.viewer, folderId, other.user.id, { permission: 'edit' }), ForbiddenError)
    await expectError(sharing.changePermission(member.viewer, folderId, member.user.id, { permission: 'edit' }), ForbiddenError)
    await expectError(sharing.removeMember(member.viewer, folderId, other.user.id), ForbiddenError)
    await expectError(sharing.removeMember(other.viewer, folderId, member.user.id), ForbiddenError)
    await expectError(sharing.removeMember(member.viewer, folderId, owner.user.id), ForbiddenError)
    const after = await membershipRows(folderId)
    expect(after.map((r) => [r.user_id, r.sealed_key.toString('hex')])).toEqual(before.map((r) => [r.user_id, r.sealed_key.toString('hex')]))
    expect((await membershipRow(folderId, other.user.id))!.permission).toBe('view')
    expect(await membershipRow(folderId, outsider.user.id)).toBeNull()
  })

  it('a member cannot rename or delete the folder', async () => {
    await expectError(vault.renameFolder(member.viewer, folderId, 'Hijacked'), ForbiddenError)
    await expectError(vault.deleteFolder(member.viewer, folderId), ForbiddenError)
    await expectError(vault.deleteFolder(other.viewer, folderId), ForbiddenError)
    const f = await vault.getFolder(owner.viewer, folderId)
    expect(f.name).toBe('Powers')
    expect((await itemRows(folderId)).map((r) => r.id).sort()).toEqual([...itemIds].sort())
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
    await expectFieldError(sharing.changePermission(owner.viewer, folderId, other.user.id, { permission: 'owner' }), 'permission', /.+/)
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
    const summary = (await vault.listVault(owner.viewer)).folders.find((f) => f.id === folderId)!
    expect(summary).toMatchObject({ shared: true, memberCount: 3 })
  })
})

describe('accepting shows the folder and its items; view-only is enforced', () => {
  let owner: Registered
  let viewerU: Registered
  let editor: Registered
  let folderId: string
  let itemIds: string[]
  let viewerPersonal: string
  let viewerOwnItem: string

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'View Owner')
    viewerU = await verifiedUser(ctx, 'View Only')
    editor = await verifiedUser(ctx, 'View Editor')
    ;({ folderId, itemIds } = await folderWithItems(owner, 'Read Only Team', 3))
    viewerPersonal = await personalId(viewerU)
    viewerOwnItem = (await vault.createItem(viewerU.viewer, { folderId: viewerPersonal, ...fields({ name: 'Viewer own' }) })).id
  })

  it('accept makes the folder and every item visible in listVault, decrypted', async () => {
    await sharing.invite(owner.viewer, folderId, { email: viewerU.email, permission: 'view' })
    expect((await vault.listVault(viewerU.viewer)).items.map((i) => i.id)).toEqual([viewerOwnItem])
    const res = await sharing.accept(viewerU.viewer, folderId)
    expect(res).toEqual({ folderId, folderName: 'Read Only Team' })
    const page = await vault.listVault(viewerU.viewer)
    const folder = page.folders.find((f) => f.id === folderId)
    expect(folder).toMatchObject({ name: 'Read Only Team', role: 'member', permission: 'view', ownerName: 'View Owner', itemCount: 3, shared: true })
    expect(page.items.filter((i) => i.folderId === folderId).map((i) => [i.name, i.broken]).sort()).toEqual([
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
      expect(item.broken).toBe(false)
      expect(item.permission).toBe('view')
      expect(item.fields.password).toBe(fields().password)
    }
    expect((await vault.listVault(viewerU.viewer, { folderId })).total).toBe(3)
  })

  it('a view-only member cannot create, update, delete or move (either way): ForbiddenError, nothing changes', async () => {
    const before = await itemRows(folderId)
    await expectError(vault.createItem(viewerU.viewer, { folderId, ...fields({ name: 'Sneaky' }) }), ForbiddenError)
    await expectError(vault.updateItem(viewerU.viewer, itemIds[0]!, fields({ name: 'Defaced' })), ForbiddenError)
    await expectError(vault.deleteItem(viewerU.viewer, itemIds[1]!), ForbiddenError)
    await expectError(vault.moveItem(viewerU.viewer, itemIds[2]!, viewerPersonal), ForbiddenError)
    await expectError(vault.moveItem(viewerU.viewer, viewerOwnItem, folderId), ForbiddenError)
    expect(await itemRows(folderId)).toEqual(before)
    expect((await vault.getItem(viewerU.viewer, viewerOwnItem)).folderId).toBe(viewerPersonal)
  })

  it('an edit member creates, updates, deletes and moves within and between the folders they can edit', async () => {
    await share(owner, editor, folderId, 'edit')
    const second = await verifiedUser(ctx, 'Second Owner')
    const { folderId: otherShared } = await folderWithItems(second, 'Second Team', 1)
    await share(second, editor, otherShared, 'edit')
    const editorPersonal = await personalId(editor)

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

describe('invitations expire after 7 days', () => {
  it('an invitation 8 days old is not listed, cannot be accepted or declined, and can be sent again', async () => {
    const owner = await verifiedUser(ctx, 'Expiry Owner')
    const dave = await verifiedUser(ctx, 'Expiry Dave')
    const { folderId } = await folderWithItems(owner, 'Expiring', 1)
    await sharing.invite(owner.viewer, folderId, { email: dave.email, permission: 'edit' })
    expect((await sharing.listShares(dave.viewer)).pending).toHaveLength(1)
    await ctx.sequelize.query("UPDATE folder_memberships SET invited_at = now() - interval '8 days' WHERE folder_id = :folderId AND user_id = :userId", {
      replacements: { folderId, userId: dave.user.id },
    })

    expect(await sharing.listShares(dave.viewer)).toEqual({ pending: [], accepted: [] })
    expect((await vault.listVault(dave.viewer)).pendingInvitations).toBe(0)
    // The owner sees it as expired (to cancel or send again), not as a pending invitation.
    expect((await sharing.listMembers(owner.viewer, folderId)).members.map((m) => [m.userId, m.status])).toEqual([
      [owner.user.id, 'accepted'],
      [dave.user.id, 'expired'],
    ])
    expect((await vault.listVault(owner.viewer)).folders.find((f) => f.id === folderId)).toMatchObject({ memberCount: 0, shared: false })
    const err = await expectError(sharing.accept(dave.viewer, folderId), NotFoundError)
    expect(err.message).toMatch(/expired/)
    await expectError(sharing.decline(dave.viewer, folderId), NotFoundError)
    await expectError(sharing.changePermission(owner.viewer, folderId, dave.user.id, { permission: 'view' }), NotFoundError)
    expect((await vault.listVault(dave.viewer)).folders.map((f) => f.id)).not.toContain(folderId)

    // Sent again: a fresh invitation that can be accepted and opens the items.
    await sharing.invite(owner.viewer, folderId, { email: dave.email, permission: 'view' })
    const pending = (await sharing.listShares(dave.viewer)).pending
    expect(pending.map((s) => [s.folderId, s.permission])).toEqual([[folderId, 'view']])
    expect(pending[0]!.expiresAt!.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000)
    await sharing.accept(dave.viewer, folderId)
    const page = await vault.listVault(dave.viewer, { folderId })
    expect(page.items.map((i) => [i.name, i.broken])).toEqual([['Expiring item 0', false]])
    expect(await membershipRows(folderId)).toHaveLength(2)
  })
})

describe('the member limit', () => {
  it('counts accepted members and live invitations; a full folder says so at the email field', async () => {
    const owner = await verifiedUser(small, 'Limit Owner')
    const a = await verifiedUser(small, 'Limit A')
    const b = await verifiedUser(small, 'Limit B')
    const c = await verifiedUser(small, 'Limit C')
    const { id: folderId } = await small.services.vault.createFolder(owner.viewer, 'Small')
    await share(owner, a, folderId, 'view', small)
    await small.services.sharing.invite(owner.viewer, folderId, { email: b.email, permission: 'view' }) // pending counts
    await expectFieldError(
      small.services.sharing.invite(owner.viewer, folderId, { email: c.email, permission: 'view' }),
      'email',
      'A folder can be shared with at most 2 people, and this one is full.',
    )
    expect(await membershipRow(folderId, c.user.id)).toBeNull()
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
    expect((await membershipRows(folderId)).map((r) => r.user_id).sort()).toEqual([owner.user.id, b.user.id, c.user.id].sort())
  })

  it('parallel invitations of different people never overfill the folder', async () => {
    const owner = await verifiedUser(small, 'Limit Race Owner')
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => verifiedUser(small, `Limit Race ${i}`)))
    const { id: folderId } = await small.services.vault.createFolder(owner.viewer, 'Race')
    const results = await Promise.allSettled(people.map((p) => small.services.sharing.invite(owner.viewer, folderId, { email: p.email, permission: 'view' })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    expect(await membershipRows(folderId)).toHaveLength(3)
  })
})

describe('removing anyone rotates the folder key', () => {
  let owner: Registered
  let keeper: Registered
  let folderId: string

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Rotate Owner')
    keeper = await verifiedUser(ctx, 'Rotate Keeper')
    ;({ folderId } = await folderWithItems(owner, 'Rotating', 4))
    await share(owner, keeper, folderId, 'edit')
  })

  it('removeMember: the removed member’s old key opens nothing, owner and the other member read everything', async () => {
    const gone = await verifiedUser(ctx, 'Rotate Removed')
    await share(owner, gone, folderId, 'view')
    // Seen once by the member: the service's list cache holds their entries.
    expect((await vault.listVault(gone.viewer, { folderId })).total).toBe(4)
    const before = await captureBefore(folderId, gone, owner)
    const res = await sharing.removeMember(owner.viewer, folderId, gone.user.id)
    expect(res).toEqual({ name: 'Rotate Removed', wasPending: false, expired: false })
    await expectRotatedAway(folderId, before, gone, [owner, keeper])
  })

  it('cancelling an invitation rotates too (the invitation carried a sealed key)', async () => {
    const invitee = await verifiedUser(ctx, 'Rotate Cancelled')
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'edit' })
    const before = await captureBefore(folderId, invitee, owner)
    expect(await sharing.removeMember(owner.viewer, folderId, invitee.user.id)).toEqual({ name: 'Rotate Cancelled', wasPending: true, expired: false })
    await expectRotatedAway(folderId, before, invitee, [owner, keeper])
  })

  it('leave: the leaver’s old key opens nothing; the rest read everything', async () => {
    const leaver = await verifiedUser(ctx, 'Rotate Leaver')
    await share(owner, leaver, folderId, 'edit')
    const before = await captureBefore(folderId, leaver, keeper)
    expect(await sharing.leave(leaver.viewer, folderId)).toEqual({ folderName: 'Rotating' })
    await expectRotatedAway(folderId, before, leaver, [owner, keeper])
    await expectError(sharing.leave(leaver.viewer, folderId), NotFoundError)
  })

  it('decline: the invitation’s sealed key opens nothing afterwards; a pending invitation of someone else is re-sealed', async () => {
    const decliner = await verifiedUser(ctx, 'Rotate Decliner')
    const waiting = await verifiedUser(ctx, 'Rotate Waiting')
    await sharing.invite(owner.viewer, folderId, { email: decliner.email, permission: 'view' })
    await sharing.invite(owner.viewer, folderId, { email: waiting.email, permission: 'view' })
    const before = await captureBefore(folderId, decliner, owner)
    expect(await sharing.decline(decliner.viewer, folderId)).toEqual({ folderName: 'Rotating' })
    await expectRotatedAway(folderId, before, decliner, [owner, keeper, waiting])
    // The other invitee still accepts and reads everything with the new key.
    await sharing.accept(waiting.viewer, folderId)
    const page = await vault.listVault(waiting.viewer, { folderId })
    expect(page.total).toBe(before.items.length)
    expect(page.items.every((i) => !i.broken)).toBe(true)
    await expectError(sharing.decline(decliner.viewer, folderId), NotFoundError)
  })

  it('after rotation the owner and members keep writing with the new key; the removed member cannot come back with the old one', async () => {
    const gone = await verifiedUser(ctx, 'Rotate Returning')
    await share(owner, gone, folderId, 'edit')
    const oldSealed = (await membershipRow(folderId, gone.user.id))!.sealed_key
    await sharing.removeMember(owner.viewer, folderId, gone.user.id)
    const { id } = await vault.createItem(keeper.viewer, { folderId, ...fields({ name: 'After rotation' }) })
    expect((await vault.getItem(owner.viewer, id)).fields.name).toBe('After rotation')
    const oldKey = await openSealedKey(gone, folderId, oldSealed)
    const [row] = (await itemRows(folderId)).filter((r) => r.id === id)
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
    const { folderId, itemIds } = await folderWithItems(owner, 'Doomed Team', 2)
    await share(owner, member, folderId, 'edit')
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
    const memberKey = await currentKeyOf(member, folderId)
    expect(await vault.deleteFolder(owner.viewer, folderId)).toEqual({ movedItems: 2 })

    expect(await membershipRows(folderId)).toEqual([])
    for (const u of [member, invitee]) {
      const page = await vault.listVault(u.viewer)
      expect(page.folders.map((f) => f.id)).not.toContain(folderId)
      expect(page.items.some((i) => itemIds.includes(i.id))).toBe(false)
      expect(await sharing.listShares(u.viewer)).toEqual({ pending: [], accepted: [] })
      for (const id of itemIds) await expectError(vault.getItem(u.viewer, id), NotFoundError)
    }
    await expectError(sharing.accept(invitee.viewer, folderId), NotFoundError)
    await expectError(sharing.leave(member.viewer, folderId), NotFoundError)
    const personal = await personalId(owner)
    for (const id of itemIds) {
      const item = await vault.getItem(owner.viewer, id)
      expect(item).toMatchObject({ folderId: personal, broken: false })
    }
    // The member's copy of the deleted folder's key opens none of them where they are now.
    expect((await decryptAll(memberKey, personal)).every((p) => p === null)).toBe(true)
  })
})

describe('an expired invitation’s sealed copy (issue 17.6)', () => {
  /** Ages an invitation past its expiry, as 8 days of waiting would. */
  async function age(folderId: string, userId: string, days = 8) {
    await ctx.sequelize.query(`UPDATE folder_memberships SET invited_at = now() - interval '${days} days' WHERE folder_id = :folderId AND user_id = :userId`, {
      replacements: { folderId, userId },
    })
  }

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
    const { folderId } = await folderWithItems(owner, label, 3)
    await share(owner, member, folderId, 'view')
    await sharing.invite(owner.viewer, folderId, { email: waiting.email, permission: 'edit' })
    await sharing.invite(owner.viewer, folderId, { email: lapsed.email, permission: 'view' })
    const before = await captureBefore(folderId, lapsed, owner)
    await age(folderId, lapsed.user.id)
    return { owner, member, waiting, lapsed, folderId, before }
  }

  /** The folder has a new key: every item re-encrypted, everyone who stays reads everything, the lapsed copy nothing. */
  async function expectRekeyed(f: Awaited<ReturnType<typeof lapsedFolder>>) {
    const after = await itemRows(f.folderId)
    expect(after.map((r) => r.id)).toEqual(f.before.items.map((r) => r.id))
    for (const [i, row] of after.entries()) {
      expect(row.ciphertext.equals(f.before.items[i]!.ciphertext), `item ${row.id} re-encrypted`).toBe(false)
      expect(row.updated_at.getTime()).toBe(f.before.items[i]!.updated_at.getTime())
    }
    const newKey = await currentKeyOf(f.owner, f.folderId)
    expect(newKey.equals(f.before.oldKey)).toBe(false)
    for (const u of [f.owner, f.member, f.waiting]) {
      const k = await currentKeyOf(u, f.folderId)
      expect(k.equals(newKey), `${u.user.name} holds the new key`).toBe(true)
      expect((await decryptAll(k, f.folderId)).map(shown)).toEqual(f.before.plain)
    }
    // The copy the expired invitation held, opened with the invitee's own private key, opens nothing current...
    const oldKey = await openSealedKey(f.lapsed, f.folderId, f.before.oldSealed)
    expect(oldKey.equals(f.before.oldKey)).toBe(true)
    expect(await decryptAll(oldKey, f.folderId)).toEqual(after.map(() => null))
    // ...and is no longer in the database: the row stays for the owner's list, without a key.
    const row = await membershipRow(f.folderId, f.lapsed.user.id)
    expect(row).toMatchObject({ status: 'pending', sealed_key: null })
    expect(await rekeyDue(f.folderId)).toBe(false)
    const page = await vault.listVault(f.member.viewer, { folderId: f.folderId })
    expect(page.items.map((i) => i.broken)).toEqual([false, false, false])
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
    const settled = await itemRows(f.folderId)
    await sharing.listMembers(f.owner.viewer, f.folderId)
    expect(await itemRows(f.folderId)).toEqual(settled)
    // Still not acceptable, nor counted.
    await expectError(sharing.accept(f.lapsed.viewer, f.folderId), NotFoundError)
    expect((await vault.listVault(f.owner.viewer)).folders.find((x) => x.id === f.folderId)).toMatchObject({ memberCount: 2 })
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
    expect(await itemRows(f.folderId)).toEqual(f.before.items)
    expect(await membershipRow(f.folderId, f.lapsed.user.id)).toMatchObject({ status: 'pending', sealed_key: null })
    expect(await rekeyDue(f.folderId)).toBe(true)
    expect(await sharing.sweepExpiredInvitations()).not.toContain(f.folderId)
    await sharing.listMembers(f.owner.viewer, f.folderId)
    await expectRekeyed(f)
  })

  it('two sweeps in parallel (two workers) mark each folder once; two views in parallel re-key it once; the folder stays consistent', async () => {
    const folders = [await lapsedFolder('Parallel A'), await lapsedFolder('Parallel B'), await lapsedFolder('Parallel C')]
    const ids = folders.map((f) => f.folderId)
    // `small` is another Sequelize pool on the same database: another worker.
    const results = await Promise.all([sharing.sweepExpiredInvitations(), small.services.sharing.sweepExpiredInvitations(), sharing.sweepExpiredInvitations()])
    // No folder marked twice; each one marked (by these sweeps, or by a test server's own sweep).
    const marked = results.flat().filter((id) => ids.includes(id))
    expect(new Set(marked).size).toBe(marked.length)
    for (const f of folders) {
      expect(await itemRows(f.folderId)).toEqual(f.before.items)
      expect(await rekeyDue(f.folderId)).toBe(true)
    }
    for (const f of folders) {
      const rekeyed = await Promise.all([
        sharing.rekeyIfDue(f.owner.viewer, f.folderId),
        small.services.sharing.rekeyIfDue(f.member.viewer, f.folderId),
        sharing.rekeyIfDue(f.member.viewer, f.folderId),
      ])
      expect(rekeyed.filter(Boolean)).toHaveLength(1)
      await expectRekeyed(f)
    }
  })

  it('a sweep racing the accept of an invitation that has not expired leaves it alone', async () => {
    const owner = await verifiedUser(ctx, 'Sweep Race Owner')
    const { folderId } = await folderWithItems(owner, 'Sweep Race', 2)
    for (let round = 0; round < 3; round++) {
      const invitee = await verifiedUser(ctx, `Sweep Race Invitee ${round}`)
      await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
      await age(folderId, invitee.user.id, 6.99)
      const [accepted, swept] = await Promise.all([sharing.accept(invitee.viewer, folderId), sharing.sweepExpiredInvitations()])
      expect(accepted.folderId).toBe(folderId)
      expect(swept).not.toContain(folderId)
      expect((await vault.listVault(invitee.viewer, { folderId })).items.map((i) => i.broken)).toEqual([false, false])
    }
  })

  it('an invitation whose copy is gone cannot be accepted, even inside its 7 days (a transaction started before the expiry)', async () => {
    const owner = await verifiedUser(ctx, 'Emptied Owner')
    const invitee = await verifiedUser(ctx, 'Emptied Invitee')
    const { folderId } = await folderWithItems(owner, 'Emptied', 1)
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
    await ctx.sequelize.query('UPDATE folder_memberships SET sealed_key = NULL WHERE folder_id = :folderId AND user_id = :userId', {
      replacements: { folderId, userId: invitee.user.id },
    })
    await expectError(sharing.accept(invitee.viewer, folderId), NotFoundError)
    expect(await sharing.listShares(invitee.viewer)).toEqual({ pending: [], accepted: [] })
    expect((await membershipRow(folderId, invitee.user.id))!.status).toBe('pending')
  })

  it('the owner cancels an expired invitation: with its copy still there the key rotates; without, the row just goes', async () => {
    const f = await lapsedFolder('Cancel')
    const cancelled = await sharing.removeMember(f.owner.viewer, f.folderId, f.lapsed.user.id)
    expect(cancelled).toEqual({ name: 'Cancel Lapsed', wasPending: true, expired: true })
    expect(await membershipRow(f.folderId, f.lapsed.user.id)).toBeNull()
    const after = await itemRows(f.folderId)
    expect(after.every((r, i) => !r.ciphertext.equals(f.before.items[i]!.ciphertext))).toBe(true)
    expect(await decryptAll(f.before.oldKey, f.folderId)).toEqual(after.map(() => null))

    // Another one, swept and re-keyed already: cancelling deletes the row and re-encrypts nothing.
    const other = await verifiedUser(ctx, 'Cancel Other')
    await sharing.invite(f.owner.viewer, f.folderId, { email: other.email, permission: 'view' })
    await age(f.folderId, other.user.id)
    await sharing.sweepExpiredInvitations()
    await sharing.listMembers(f.owner.viewer, f.folderId)
    const settled = await itemRows(f.folderId)
    expect((await sharing.listMembers(f.owner.viewer, f.folderId)).members.find((m) => m.userId === other.user.id)?.status).toBe('expired')
    await sharing.removeMember(f.owner.viewer, f.folderId, other.user.id)
    expect(await membershipRow(f.folderId, other.user.id)).toBeNull()
    expect(await itemRows(f.folderId)).toEqual(settled)
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
    const newKey = await currentKeyOf(f.lapsed, f.folderId)
    expect(newKey.equals(await currentKeyOf(f.owner, f.folderId))).toBe(true)
    expect((await decryptAll(newKey, f.folderId)).map(shown)).toEqual(f.before.plain)
    expect(await decryptAll(f.before.oldKey, f.folderId)).toEqual([null, null, null])
    expect((await vault.listVault(f.waiting.viewer)).pendingInvitations).toBe(1)
  })

  it('any later rotation (a member leaving) drops the expired copy too, and keeps the row for the owner', async () => {
    const f = await lapsedFolder('Leaving')
    await sharing.leave(f.member.viewer, f.folderId)
    expect(await membershipRow(f.folderId, f.lapsed.user.id)).toMatchObject({ status: 'pending', sealed_key: null })
    expect(await decryptAll(f.before.oldKey, f.folderId)).toEqual([null, null, null])
    expect(await rekeyDue(f.folderId)).toBe(false)
  })

  it('an invitee whose expired invitation was emptied can still delete their account', async () => {
    const f = await lapsedFolder('Deleting')
    await sharing.sweepExpiredInvitations()
    expect(await ctx.services.account.deleteAccount(f.lapsed.viewer, f.lapsed.password)).toMatchObject({ left: 0 })
    expect(await membershipRow(f.folderId, f.lapsed.user.id)).toBeNull()
  })
})

describe('races', () => {
  it('accept and removeMember of the same invitee at once: never a row left, always rotated, everyone else reads everything', async () => {
    const owner = await verifiedUser(ctx, 'Race Owner')
    const keeper = await verifiedUser(ctx, 'Race Keeper')
    const { folderId } = await folderWithItems(owner, 'Race', 3)
    await share(owner, keeper, folderId, 'view')
    for (let round = 0; round < 5; round++) {
      const invitee = await verifiedUser(ctx, `Race Invitee ${round}`)
      await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'edit' })
      const before = await captureBefore(folderId, invitee, owner)
      const [accepted, removed] = await Promise.allSettled([sharing.accept(invitee.viewer, folderId), sharing.removeMember(owner.viewer, folderId, invitee.user.id)])
      // Whichever ran first, the removal finds a live row (pending or accepted) and succeeds.
      expect(removed.status, `round ${round}: removeMember ${removed.status === 'rejected' ? String(removed.reason) : ''}`).toBe('fulfilled')
      if (accepted.status === 'rejected') expect(accepted.reason).toBeInstanceOf(NotFoundError)
      await expectRotatedAway(folderId, before, invitee, [owner, keeper])
    }
  })

  it('leave and removeMember of the same member at once: one of them wins, the state is consistent', async () => {
    const owner = await verifiedUser(ctx, 'Race2 Owner')
    const keeper = await verifiedUser(ctx, 'Race2 Keeper')
    const { folderId } = await folderWithItems(owner, 'Race2', 2)
    await share(owner, keeper, folderId, 'edit')
    for (let round = 0; round < 3; round++) {
      const member = await verifiedUser(ctx, `Race2 Member ${round}`)
      await share(owner, member, folderId, 'edit')
      const before = await captureBefore(folderId, member, owner)
      const results = await Promise.allSettled([sharing.leave(member.viewer, folderId), sharing.removeMember(owner.viewer, folderId, member.user.id)])
      // Whichever runs second finds no row.
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(NotFoundError)
      await expectRotatedAway(folderId, before, member, [owner, keeper])
    }
  })

  it('an item written while a member is removed is still readable by everyone who stays', async () => {
    const owner = await verifiedUser(ctx, 'Race3 Owner')
    const keeper = await verifiedUser(ctx, 'Race3 Keeper')
    const { folderId } = await folderWithItems(owner, 'Race3', 2)
    await share(owner, keeper, folderId, 'edit')
    for (let round = 0; round < 3; round++) {
      const member = await verifiedUser(ctx, `Race3 Member ${round}`)
      await share(owner, member, folderId, 'view')
      const oldKey = await currentKeyOf(member, folderId)
      const [created] = await Promise.all([
        vault.createItem(keeper.viewer, { folderId, ...fields({ name: `Concurrent ${round}` }) }),
        sharing.removeMember(owner.viewer, folderId, member.user.id),
      ])
      const key = await currentKeyOf(owner, folderId)
      expect((await decryptAll(key, folderId)).every((p) => p !== null)).toBe(true)
      expect((await decryptAll(await currentKeyOf(keeper, folderId), folderId)).every((p) => p !== null)).toBe(true)
      expect((await vault.getItem(owner.viewer, created.id)).fields.name).toBe(`Concurrent ${round}`)
      // Whichever came first, the old key opens nothing current.
      expect((await decryptAll(oldKey, folderId)).every((p) => p === null)).toBe(true)
    }
  })
})

describe('the list cache of two workers', () => {
  // Two vault services over the same database, as two worker processes would have.
  const deps = { sequelize: ctx.sequelize, models: ctx.models, kdf: TEST_KDF, tokenKeys: [Buffer.alloc(32, 7)], limits: TEST_LIMITS }
  const workerA = createVaultService(deps)
  const workerB = createVaultService(deps)

  it('a member removed through B no longer sees the folder through A; added back, it appears; changes after rotation show', async () => {
    const owner = await verifiedUser(ctx, 'Cache Owner')
    const member = await verifiedUser(ctx, 'Cache Member')
    const { folderId, itemIds } = await folderWithItems(owner, 'Cached', 3)
    await share(owner, member, folderId, 'view')

    const first = await workerA.listVault(member.viewer)
    expect(first.folders.map((f) => f.id)).toContain(folderId)
    expect(first.items.filter((i) => i.folderId === folderId)).toHaveLength(3)
    expect(workerA.listCacheStats().lists).toBeGreaterThan(0)

    // Removed on the other worker (its own sharing service; the rotation happens there).
    await sharing.removeMember(owner.viewer, folderId, member.user.id)
    await workerB.listVault(owner.viewer)
    const afterRemoval = await workerA.listVault(member.viewer)
    expect(afterRemoval.folders.map((f) => f.id)).not.toContain(folderId)
    expect(afterRemoval.items.some((i) => i.folderId === folderId)).toBe(false)
    expect(afterRemoval.counts.items).toBe(0)
    await expectError(workerA.listVault(member.viewer, { folderId }), NotFoundError)

    // Invited and accepted again: it appears through A, decrypted with the new key.
    await share(owner, member, folderId, 'edit')
    const back = await workerA.listVault(member.viewer)
    expect(back.folders.find((f) => f.id === folderId)).toMatchObject({ permission: 'edit', itemCount: 3 })
    expect(back.items.filter((i) => i.folderId === folderId).map((i) => [i.name, i.broken]).sort()).toEqual([
      ['Cached item 0', false],
      ['Cached item 1', false],
      ['Cached item 2', false],
    ])

    // Someone else removed (rotation again), then the owner changes an item through B.
    const third = await verifiedUser(ctx, 'Cache Third')
    await share(owner, third, folderId, 'view')
    expect((await workerA.listVault(third.viewer)).items.filter((i) => i.folderId === folderId)).toHaveLength(3)
    await sharing.removeMember(owner.viewer, folderId, third.user.id)
    await workerB.updateItem(owner.viewer, itemIds[1]!, fields({ name: 'Renamed by owner', username: 'new-user' }))
    const changed = await workerA.listVault(member.viewer, { folderId })
    expect(changed.items.map((i) => [i.name, i.username, i.broken]).sort()).toEqual([
      ['Cached item 0', 'user0', false],
      ['Cached item 2', 'user2', false],
      ['Renamed by owner', 'new-user', false],
    ])
    expect((await workerA.listVault(third.viewer)).folders.map((f) => f.id)).not.toContain(folderId)

    // A member who left through the service is gone from A's view too.
    await sharing.leave(member.viewer, folderId)
    expect((await workerA.listVault(member.viewer)).items.some((i) => i.folderId === folderId)).toBe(false)
    // The owner's own list on A is right after all that.
    const ownerView = await workerA.listVault(owner.viewer, { folderId })
    expect(ownerView.items.map((i) => i.name).sort()).toEqual(['Cached item 0', 'Cached item 2', 'Renamed by owner'])
    expect(ownerView.folders.find((f) => f.id === folderId)).toMatchObject({ shared: false, memberCount: 0 })
  })

  it('a folder renamed by the owner shows its new name to a member through the other worker', async () => {
    const owner = await verifiedUser(ctx, 'Cache Rename Owner')
    const member = await verifiedUser(ctx, 'Cache Rename Member')
    const { folderId } = await folderWithItems(owner, 'Old Name', 1)
    await share(owner, member, folderId, 'view')
    expect((await workerA.listVault(member.viewer)).items.find((i) => i.folderId === folderId)!.folderName).toBe('Old Name')
    await workerB.renameFolder(owner.viewer, folderId, 'New Name')
    const page = await workerA.listVault(member.viewer)
    expect(page.folders.find((f) => f.id === folderId)!.name).toBe('New Name')
    expect(page.items.find((i) => i.folderId === folderId)!.folderName).toBe('New Name')
  })
})
