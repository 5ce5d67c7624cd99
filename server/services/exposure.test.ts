// The exposure report (issue 25, ADR 038) on the real database: one report per member's departure,
// written in its transaction, with the folder's live item ids; the owner's checklist ticks itself
// when a password changes after the departure (not before); dismissing and closing; nobody else
// sees or changes a report; the member's name never in clear; and the member's reveals and copies
// read back from the owner's activity log (activity.folderReveals), matched on the sealed actorId.
import { QueryTypes } from 'sequelize'
import { afterAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../lib/errors.js'
import { countQueries, createTestContext, itemFields, type RegisteredUser } from '../../tests/helpers/context.js'
import { folderWithItems, share } from '../../tests/helpers/sharing.js'
import { expectError, verifiedUser } from '../../tests/helpers/vault.js'
import type { Viewer } from './types.js'

const ctx = createTestContext()
const { sharing, vault, exposure, activity, account } = ctx.services
afterAll(() => ctx.sequelize.close())

interface Row {
  id: string
  folderId: string
  ownerId: string
  memberId: string | null
  how: string
  itemIds: string[]
  dismissedItemIds: string[]
  closedAt: Date | null
  text: string
}
const reportRows = (folderId: string) =>
  ctx.sequelize.query<Row>(
    `SELECT r.id, r.folder_id AS "folderId", r.owner_id AS "ownerId", r.member_id AS "memberId", r.how, r.item_ids::text[] AS "itemIds",
            r.dismissed_item_ids::text[] AS "dismissedItemIds", r.closed_at AS "closedAt", r::text AS text
     FROM exposure_reports r WHERE r.folder_id = :folderId ORDER BY r.departed_at`,
    { replacements: { folderId }, type: QueryTypes.SELECT },
  )

/** What the folder page shows its owner: the reports, items looked up in one load of the vault. */
const reportsOf = (viewer: Viewer, folderId: string) => {
  const reader = vault.reader(viewer)
  return exposure.openReports(viewer, folderId, (ids) => reader.itemsById(ids))
}

async function sharedFolder(tag: string, n: number) {
  const owner = await verifiedUser(ctx, `${tag} Owner`)
  const member = await verifiedUser(ctx, `${tag} Member`)
  const { folderId, itemIds } = await folderWithItems(ctx, owner, `${tag} folder`, n)
  await share(ctx, owner, member, folderId, 'edit')
  return { owner, member, folderId, itemIds }
}

const newPassword = (itemId: string, owner: RegisteredUser, name: string) =>
  vault.updateItem(owner.viewer, itemId, itemFields({ name, password: `changed ${itemId.slice(0, 8)} ${Date.now()} violet quantum` }))

describe('recording a departure', () => {
  it('removing a member records exactly one report, with the folder’s live item ids (not the trashed one), in clear nothing but ids', async () => {
    const { owner, member, folderId, itemIds } = await sharedFolder('Removed', 4)
    await vault.deleteItem(owner.viewer, itemIds[3]!) // to the trash: not readable by anyone through the app
    const res = await sharing.removeMember(owner.viewer, folderId, member.user.id)
    expect(res.departure).toMatchObject({ folderId, how: 'removed', items: 3, owner: { email: owner.email } })

    const rows = await reportRows(folderId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ id: res.departure!.reportId, ownerId: owner.user.id, memberId: member.user.id, how: 'removed', dismissedItemIds: [], closedAt: null })
    expect([...rows[0]!.itemIds].sort()).toEqual(itemIds.slice(0, 3).sort())
    // A dump: the member's email and name appear nowhere in the row.
    expect(rows[0]!.text).not.toContain(member.email)
    expect(rows[0]!.text).not.toContain('Removed Member')
    expect(rows[0]!.text.toLowerCase()).not.toContain(Buffer.from(member.email).toString('hex'))
  })

  it('a member leaving records one (how: left); an invitation cancelled or declined records none', async () => {
    const { owner, member, folderId } = await sharedFolder('Leaver', 2)
    const invitee = await verifiedUser(ctx, 'Leaver Invitee')
    const decliner = await verifiedUser(ctx, 'Leaver Decliner')
    await sharing.invite(owner.viewer, folderId, { email: invitee.email, permission: 'view' })
    await sharing.invite(owner.viewer, folderId, { email: decliner.email, permission: 'view' })
    expect((await sharing.removeMember(owner.viewer, folderId, invitee.user.id)).departure).toBeUndefined()
    await sharing.decline(decliner.viewer, folderId)
    expect(await reportRows(folderId)).toHaveLength(0)

    const res = await sharing.leave(member.viewer, folderId)
    expect(res.departure).toMatchObject({ how: 'left', items: 2, owner: { name: 'Leaver Owner' } })
    const rows = await reportRows(folderId)
    expect(rows.map((r) => [r.how, r.memberId])).toEqual([['left', member.user.id]])
  })

  it('deleting one’s account records a report in each folder one was a member of; the reveals still match once the account is gone', async () => {
    const { owner, member, folderId, itemIds } = await sharedFolder('Deleted', 2)
    await activity.record([{ readerId: owner.user.id, kind: 'item_revealed', folderId, details: { itemId: itemIds[0], itemName: 'Deleted folder item 0', actorId: member.user.id } }])
    const deleted = await account.deleteAccount(member.viewer, member.password)
    expect(deleted!.departures).toEqual([expect.objectContaining({ folderId, how: 'left', items: 2 })])
    const rows = await reportRows(folderId)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.memberId).toBeNull() // ON DELETE SET NULL
    const [report] = await reportsOf(owner.viewer, folderId)
    expect(report!.member).toEqual({ name: 'Deleted Member', email: member.email })
    expect(report!.items.find((i) => i.id === itemIds[0])).toMatchObject({ revealed: 1, copied: 0 })
  })
})

describe('the owner’s report', () => {
  it('ticks an item whose password changed after the departure, not one changed before; dismiss and gone; members see nothing', async () => {
    const { owner, member, folderId, itemIds } = await sharedFolder('Checklist', 5)
    const [before, after, dismissed, trashed, untouched] = itemIds as [string, string, string, string, string]
    await newPassword(before, owner, 'Changed before')
    await sharing.removeMember(owner.viewer, folderId, member.user.id)
    await newPassword(after, owner, 'Changed after')
    await vault.deleteItem(owner.viewer, trashed)

    let [report] = await reportsOf(owner.viewer, folderId)
    const { reportId } = { reportId: report!.id }
    expect(report).toMatchObject({ folderId, how: 'removed', total: 5, member: { name: 'Checklist Member', email: member.email } })
    const status = () => Object.fromEntries(report!.items.map((i) => [i.id, i.status]))
    expect(status()).toEqual({ [before]: 'open', [after]: 'changed', [dismissed]: 'open', [trashed]: 'gone', [untouched]: 'open' })
    expect(report!.items.find((i) => i.id === after)).toMatchObject({ name: 'Changed after', changedAt: expect.any(String) })
    expect(report!.open).toBe(3)

    expect(await exposure.dismissItem(owner.viewer, reportId, dismissed)).toEqual({ folderId })
    await exposure.dismissItem(owner.viewer, reportId, dismissed) // twice: no change
    ;[report] = await reportsOf(owner.viewer, folderId)
    expect(status()[dismissed]).toBe('dismissed')
    expect(report!.open).toBe(2)
    expect((await reportRows(folderId))[0]!.dismissedItemIds).toEqual([dismissed])

    // Members, and anyone else, see no report, even if they come back.
    await share(ctx, owner, member, folderId, 'view')
    expect(await reportsOf(member.viewer, folderId)).toEqual([])

    await exposure.close(owner.viewer, reportId)
    await exposure.close(owner.viewer, reportId) // a resent POST: still closed, no error
    expect(await reportsOf(owner.viewer, folderId)).toEqual([])
    expect((await reportRows(folderId))[0]!.closedAt).toBeInstanceOf(Date)
  })

  it('another user cannot dismiss or close a report (404), nor can malformed ids or an item the report does not list', async () => {
    const { owner, member, folderId, itemIds } = await sharedFolder('Foreign', 1)
    const { departure } = await sharing.removeMember(owner.viewer, folderId, member.user.id)
    const reportId = departure!.reportId
    const stranger = await verifiedUser(ctx, 'Foreign Stranger')
    await expectError(exposure.dismissItem(stranger.viewer, reportId, itemIds[0]!), NotFoundError)
    await expectError(exposure.close(stranger.viewer, reportId), NotFoundError)
    await expectError(exposure.dismissItem(member.viewer, reportId, itemIds[0]!), NotFoundError)
    await expectError(exposure.dismissItem(owner.viewer, 'not-a-uuid', itemIds[0]!), NotFoundError)
    await expectError(exposure.dismissItem(owner.viewer, reportId, "1' OR '1'='1"), NotFoundError)
    await expectError(exposure.close(owner.viewer, ''), NotFoundError)
    const other = await vault.createItem(owner.viewer, { folderId, ...itemFields({ name: 'Added later' }) })
    await expectError(exposure.dismissItem(owner.viewer, reportId, other.id), NotFoundError)
    const [row] = await reportRows(folderId)
    expect(row).toMatchObject({ dismissedItemIds: [], closedAt: null })
  })

  it('lists the member’s reveals and copies before the departure, matched on the sealed actorId, in a fixed number of queries', async () => {
    const { owner, member, folderId, itemIds } = await sharedFolder('Reveals', 3)
    const keeper = await verifiedUser(ctx, 'Reveals Keeper')
    await share(ctx, owner, keeper, folderId, 'view')
    const [a, b, c] = itemIds as [string, string, string]
    const event = (kind: 'item_revealed' | 'item_copied', itemId: string, actor: RegisteredUser, at?: Date) => ({
      readerId: owner.user.id,
      kind,
      folderId,
      at,
      details: { itemId, itemName: `name of ${itemId.slice(0, 8)}`, actorId: actor.user.id, actorName: 'Someone', actorEmail: actor.email },
    })
    const earlier = new Date(Date.now() - 60_000)
    await activity.record([
      event('item_revealed', a, member, new Date(Date.now() - 120_000)),
      event('item_revealed', a, member, earlier),
      event('item_copied', a, member, earlier),
      event('item_copied', b, keeper), // someone else: not theirs
      // Another owner's log (the keeper's own row): never read for this owner.
      { ...event('item_revealed', c, member), readerId: keeper.user.id },
    ])
    const { departure } = await sharing.removeMember(owner.viewer, folderId, member.user.id)
    // After the departure: not something they saw as a member.
    await activity.record([event('item_revealed', b, member, new Date(Date.now() + 60_000))])

    const reader = vault.reader(owner.viewer)
    await reader.folders() // the page loads the vault anyway
    const { result, count } = await countQueries(ctx, () => exposure.openReports(owner.viewer, folderId, (ids) => reader.itemsById(ids)))
    expect(count).toBe(2) // the reports, the reveals
    const [report] = result
    expect(report!.id).toBe(departure!.reportId)
    expect(report!.seen).toBe(1)
    // The item they revealed comes first.
    expect(report!.items[0]).toMatchObject({ id: a, revealed: 2, copied: 1, lastSeenAt: earlier.toISOString(), status: 'open' })
    expect(report!.items.find((i) => i.id === b)).toMatchObject({ revealed: 0, copied: 0, lastSeenAt: null })

    // activity.folderReveals itself: one query, only the actors asked for, only before the time.
    const reveals = await countQueries(ctx, () => activity.folderReveals(owner.viewer, folderId, { actorIds: [keeper.user.id], before: new Date(Date.now() + 3_600_000) }))
    expect(reveals.count).toBe(1)
    expect(reveals.result).toEqual([{ itemId: b, itemName: `name of ${b.slice(0, 8)}`, actorId: keeper.user.id, kind: 'item_copied', at: expect.any(String), count: 1 }])
    expect(await activity.folderReveals(owner.viewer, folderId, { actorIds: [], before: new Date() })).toEqual([])

    // A folder with no open report: one query.
    await exposure.close(owner.viewer, report!.id)
    expect((await countQueries(ctx, () => exposure.openReports(owner.viewer, folderId, (ids) => reader.itemsById(ids)))).count).toBe(1)
  })
})
