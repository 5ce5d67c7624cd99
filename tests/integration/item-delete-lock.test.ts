// Deleting an item takes the folder lock and checks the member's permission under it, as every
// other item write does (server/services/access.ts, the locking convention). So a member's delete
// that overlaps the owner downgrading them to view, or removing them, is ordered after that change
// and refused, never carried out once the change has committed.
//
// Deterministic: the test itself holds the owner's transaction open with the folder row locked
// (what changePermission and removeMember do first) and the change written, starts the member's
// delete over HTTP, waits until PostgreSQL shows the delete waiting on that transaction, commits,
// and then expects the refusal. Before the fix the delete did not wait: it deleted at once.
// Then a plain race of the real HTTP actions, 20 rounds, for consistency.
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes, type Transaction } from 'sequelize'
import { session, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, type RegisteredUser } from '../helpers/context.js'
import { share } from '../helpers/sharing.js'
import { verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

/** An owner's folder shared with `member` for edit, holding one item. */
async function sharedFolder(tag: string) {
  const owner = await verifiedUser(ctx, `Lock Owner ${tag}`)
  const member = await verifiedUser(ctx, `Lock Member ${tag}`)
  const folderId = (await ctx.services.vault.createFolder(owner.viewer, `Locked ${tag}`)).id
  await share(ctx, owner, member, folderId, 'edit')
  return { owner, member, folderId, post: (await session(member)).post }
}

type MemberPost = Awaited<ReturnType<typeof session>>['post']

const newItem = async (owner: RegisteredUser, folderId: string, name: string) =>
  (await ctx.services.vault.createItem(owner.viewer, { folderId, ...itemFields({ name }) })).id

/** The item is live: deleting moves it to the trash (issue 21), so the row stays with deleted_at set. */
const itemExists = async (id: string) => (await ctx.models.Item.count({ where: { id, deletedAt: null } })) === 1

/** Backends (other than the holder's own) that PostgreSQL shows waiting for `holderPid`. */
async function waitingOn(holderPid: number) {
  const rows = await ctx.sequelize.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE :holderPid = ANY(pg_blocking_pids(pid))', {
    replacements: { holderPid },
    type: QueryTypes.SELECT,
  })
  return rows.length
}

/**
 * Opens the owner's side by hand: the folder row locked FOR UPDATE (as changePermission and
 * removeMember lock it first), then `change` written in the same transaction, not yet committed.
 */
async function ownerTransaction(folderId: string, change: (t: Transaction) => Promise<unknown>) {
  const t = await ctx.sequelize.transaction()
  const [{ pid }] = await ctx.sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT, transaction: t })
  await ctx.sequelize.query('SELECT id FROM folders WHERE id = :folderId FOR UPDATE', { replacements: { folderId }, transaction: t })
  await change(t)
  return { t, pid: pid! }
}

/** Starts `request` and resolves once it waits on `pid`'s lock, or once it has answered (it did not wait). */
async function startedAndWaiting(request: Promise<Response>, pid: number) {
  let answered = false
  void request.then(() => (answered = true), () => (answered = true))
  for (let i = 0; i < 200 && !answered; i++) {
    if ((await waitingOn(pid)) > 0) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return false
}

/**
 * The member's delete of `itemId`, sent while the owner's transaction (above) holds the folder lock
 * with `change` written; the owner commits once the delete waits for it, or once it has answered.
 */
async function deleteDuringChange(post: MemberPost, folderId: string, itemId: string, change: (t: Transaction) => Promise<unknown>) {
  const { t, pid } = await ownerTransaction(folderId, change)
  const deleting = post(`/dashboard/items/${itemId}/delete`)
  let waited: boolean
  try {
    waited = await startedAndWaiting(deleting, pid)
  } finally {
    await t.commit()
  }
  return { waited, res: await deleting }
}

describe("a member's delete overlapping the owner's change of their access", () => {
  it('downgraded to view while the delete waits for the folder lock: refused 403, the item stays', async () => {
    const { member, folderId, owner, post } = await sharedFolder('downgrade')
    for (let round = 0; round < 3; round++) {
      const itemId = await newItem(owner, folderId, `Kept ${round}`)
      await ctx.models.FolderMembership.update({ permission: 'edit' }, { where: { folderId, userId: member.user.id } })
      const { waited, res } = await deleteDuringChange(post, folderId, itemId, (transaction) =>
        ctx.models.FolderMembership.update({ permission: 'view' }, { where: { folderId, userId: member.user.id }, transaction }),
      )
      const body = textOf(await res.text())
      // Before the fix it did not wait for the lock and deleted with the old permission (303).
      expect(waited, `round ${round}: the delete waited for the owner's transaction (${res.status})`).toBe(true)
      expect(res.status, `round ${round}: ${body.slice(0, 200)}`).toBe(403)
      expect(body).toContain('view-only')
      expect(await itemExists(itemId), `round ${round}`).toBe(true)
    }
  })

  it('removed while the delete waits for the folder lock: refused 404, the item stays', async () => {
    for (let round = 0; round < 3; round++) {
      const { member, folderId, owner, post } = await sharedFolder(`removal ${round}`)
      const itemId = await newItem(owner, folderId, `Kept ${round}`)
      const { waited, res } = await deleteDuringChange(post, folderId, itemId, (transaction) =>
        ctx.models.FolderMembership.destroy({ where: { folderId, userId: member.user.id }, transaction }),
      )
      expect(waited, `round ${round}: the delete waited for the owner's transaction (${res.status})`).toBe(true)
      expect(res.status, `round ${round}`).toBe(404)
      expect(await itemExists(itemId), `round ${round}`).toBe(true)
    }
  })

  it('the lock is not a refusal: an edit member whose access did not change deletes once the lock is free', async () => {
    const { folderId, owner, post } = await sharedFolder('unchanged')
    const itemId = await newItem(owner, folderId, 'Goes')
    const { waited, res } = await deleteDuringChange(post, folderId, itemId, async () => {})
    expect(waited).toBe(true)
    expect(res.status).toBe(303)
    expect(await itemExists(itemId)).toBe(false)
  })

  it('20 rounds of the real actions at once (downgrade, then removal): either the delete came first or it is refused', async () => {
    const { member, folderId, owner } = await sharedFolder('race')
    const ownerPost = (await session(owner)).post
    const memberPost = (await session(member)).post
    for (let round = 0; round < 20; round++) {
      const removal = round % 2 === 1
      // An edit member again: back in through the real invitation flow after a removal.
      const [updated] = await ctx.models.FolderMembership.update({ permission: 'edit' }, { where: { folderId, userId: member.user.id } })
      if (updated === 0) await share(ctx, owner, member, folderId, 'edit')
      const itemId = await newItem(owner, folderId, `Race ${round}`)
      const change = removal
        ? ownerPost(`/dashboard/folders/${folderId}/members/${member.user.id}/delete`)
        : ownerPost(`/dashboard/folders/${folderId}/members/${member.user.id}`, { permission: 'view' })
      const [changed, deleted] = await Promise.all([change, memberPost(`/dashboard/items/${itemId}/delete`)])
      const what = `round ${round} (${removal ? 'removal' : 'downgrade'}): change ${changed.status}, delete ${deleted.status}`
      expect(changed.status, what).toBe(303)
      expect([303, removal ? 404 : 403], what).toContain(deleted.status)
      expect(await itemExists(itemId), what).toBe(deleted.status !== 303)
    }
  }, 120_000)
})
