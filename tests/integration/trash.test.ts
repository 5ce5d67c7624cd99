// The trash (issue 21, ADR 027) against the real database and the two running servers: restore
// back into its folder (or Personal when that folder is gone), a full folder refused, view members
// see no trash and cannot touch it, a member downgraded while a restore waits for the folder lock
// is refused 403, foreign and malformed ids 404, 50 racing restores and purges of one item with
// exactly one winner, the 30-day purge (one statement, safe twice at once), and trashed items out
// of the list, the export and the folder limit.
import { afterAll, describe, expect, it } from 'vitest'
import { QueryTypes, type Transaction } from 'sequelize'
import { NotFoundError, ValidationError } from '../../server/lib/errors.js'
import { BASE_URL, SECOND_URL, expectStatus, session, textOf } from '../helpers/http.js'
import { TEST_LIMITS, countQueries, createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { share } from '../helpers/sharing.js'
import { expectError, personalId, verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
/** A context whose folders hold at most 3 items: the limit tests. */
const small = createTestContext({ ...TEST_LIMITS, itemsPerFolder: 3 })
afterAll(() => Promise.all([ctx.sequelize.close(), small.sequelize.close()]))
const { vault, trash } = ctx.services

const newItem = async (c: typeof ctx, u: RegisteredUser, folderId: string, name: string) =>
  (await c.services.vault.createItem(u.viewer, { folderId, ...itemFields({ name }) })).id

async function rowOf(id: string) {
  const [row] = await ctx.sequelize.query<{ folderId: string; deletedAt: Date | null; deletedFromFolderId: string | null }>(
    'SELECT folder_id AS "folderId", deleted_at AS "deletedAt", deleted_from_folder_id AS "deletedFromFolderId" FROM items WHERE id = :id',
    { replacements: { id }, type: QueryTypes.SELECT },
  )
  return row ?? null
}

const listedIds = async (u: RegisteredUser) => (await vault.listVault(u.viewer, {})).items.map((r) => r.id)
const trashIds = async (u: RegisteredUser) => (await trash.listTrash(u.viewer)).map((e) => e.id)

/** Moves an item's trashing back in time, as the days passing would. */
const ageTrash = (id: string, days: number) =>
  ctx.sequelize.query(`UPDATE items SET deleted_at = now() - make_interval(days => :days) WHERE id = :id`, { replacements: { id, days } })

describe('restore', () => {
  it('puts an item back into its folder, its list and its list index; the trash lists it until then', async () => {
    const u = await registerUser(ctx, 'Trash Restore')
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const id = await newItem(ctx, u, work, 'Mailbox')
    await vault.deleteItem(u.viewer, id)
    expect(await listedIds(u)).not.toContain(id)
    const [entry] = await trash.listTrash(u.viewer)
    expect(entry).toMatchObject({ id, name: 'Mailbox', unreadable: false, folderId: work, folderName: 'Work', folderGone: false })
    expect(entry!.purgeAt.getTime() - entry!.deletedAt.getTime()).toBe(30 * 24 * 3600 * 1000)
    // Never a password on the trash page's data.
    expect(JSON.stringify(entry)).not.toContain(itemFields().password)

    expect(await trash.restoreItem(u.viewer, id)).toEqual({ folderId: work, folderName: 'Work', folderGone: false })
    expect(await rowOf(id)).toMatchObject({ folderId: work, deletedAt: null, deletedFromFolderId: null })
    expect(await listedIds(u)).toContain(id)
    expect(await trashIds(u)).toEqual([])
    expect((await vault.getItem(u.viewer, id)).fields.name).toBe('Mailbox')
    // The list index describes the folder again (the list reads it, not the items).
    const [f] = await ctx.sequelize.query<{ same: boolean }>(
      `SELECT f.list_index_digest = (SELECT encode(sha256(convert_to(string_agg(i.id::text || encode(sha256(i.ciphertext), 'hex'), ',' ORDER BY i.id), 'UTF8')), 'hex')
         FROM items i WHERE i.folder_id = f.id AND i.deleted_at IS NULL) AS same FROM folders f WHERE f.id = :work`,
      { replacements: { work }, type: QueryTypes.SELECT },
    )
    expect(f!.same).toBe(true)
    // Restored once: a second restore finds nothing trashed.
    await expectError(trash.restoreItem(u.viewer, id), NotFoundError)
  })

  it("an item whose folder was deleted waits in Personal's trash and is restored there, saying so", async () => {
    const u = await registerUser(ctx, 'Trash Folder Gone')
    const personal = await personalId(ctx, u)
    const { id: travel } = await vault.createFolder(u.viewer, 'Travel')
    const live = await newItem(ctx, u, travel, 'Airline')
    const trashed = await newItem(ctx, u, travel, 'Hotel')
    await vault.deleteItem(u.viewer, trashed)
    // Only the live item is counted and reported.
    expect(await vault.deleteFolder(u.viewer, travel)).toEqual({ movedItems: 1 })
    expect(await rowOf(trashed)).toMatchObject({ folderId: personal, deletedFromFolderId: travel })
    expect((await rowOf(trashed))!.deletedAt).toBeInstanceOf(Date)
    expect(await listedIds(u)).toEqual([live])
    const [entry] = await trash.listTrash(u.viewer)
    expect(entry).toMatchObject({ id: trashed, name: 'Hotel', folderId: personal, folderGone: true })
    expect(await trash.restoreItem(u.viewer, trashed)).toMatchObject({ folderId: personal, folderGone: true })
    expect((await listedIds(u)).sort()).toEqual([live, trashed].sort())
    expect((await vault.getItem(u.viewer, trashed)).fields.name).toBe('Hotel')
  })

  it('a full folder refuses the restore (422, nothing changes); trashed items do not count toward the limit', async () => {
    const u = await registerUser(small, 'Trash Full')
    const { id: folder } = await small.services.vault.createFolder(u.viewer, 'Small')
    const ids = [await newItem(small, u, folder, 'One'), await newItem(small, u, folder, 'Two'), await newItem(small, u, folder, 'Three')]
    await small.services.vault.deleteItem(u.viewer, ids[0]!)
    // Trashed: the folder has room for one more.
    const fourth = await newItem(small, u, folder, 'Four')
    const err = (await expectError(small.services.trash.restoreItem(u.viewer, ids[0]!), ValidationError)) as ValidationError
    expect(err.fields._form).toMatch(/maximum of 3 items/)
    expect((await rowOf(ids[0]!))!.deletedAt).toBeInstanceOf(Date)
    // Room again: the restore goes through.
    await small.services.vault.deleteItem(u.viewer, fourth)
    await small.services.trash.restoreItem(u.viewer, ids[0]!)
    expect((await rowOf(ids[0]!))!.deletedAt).toBeNull()
  })

  it('a deleted folder moving to a nearly full Personal counts only its live items', async () => {
    const u = await registerUser(small, 'Trash Full Personal')
    const personal = await personalId(small, u)
    await newItem(small, u, personal, 'P1')
    await newItem(small, u, personal, 'P2')
    const { id: folder } = await small.services.vault.createFolder(u.viewer, 'Leaving')
    const live = await newItem(small, u, folder, 'Live')
    const gone = [await newItem(small, u, folder, 'Gone 1'), await newItem(small, u, folder, 'Gone 2')]
    for (const id of gone) await small.services.vault.deleteItem(u.viewer, id)
    // 2 + 1 live fits in 3; the two trashed ones come along, still trashed.
    expect(await small.services.vault.deleteFolder(u.viewer, folder)).toEqual({ movedItems: 1 })
    expect((await rowOf(live))!.folderId).toBe(personal)
    for (const id of gone) expect(await rowOf(id)).toMatchObject({ folderId: personal, deletedFromFolderId: folder })
    // Personal is full now: restoring one of them is refused.
    await expectError(small.services.trash.restoreItem(u.viewer, gone[0]!), ValidationError)
  })

  it('the trash page costs one query whatever the number of items', async () => {
    const u = await registerUser(ctx, 'Trash Queries')
    const { id: a } = await vault.createFolder(u.viewer, 'A')
    const ids = await Promise.all(['x', 'y', 'z'].map((n) => newItem(ctx, u, a, n)))
    for (const id of ids) await vault.deleteItem(u.viewer, id)
    const { result, count } = await countQueries(ctx, () => trash.listTrash(u.viewer))
    expect(result).toHaveLength(3)
    expect(count).toBe(1)
  })
})

describe('who may see and change a folder’s trash', () => {
  async function sharedTrash(tag: string, permission: 'view' | 'edit') {
    const owner = await verifiedUser(ctx, `Trash Owner ${tag}`)
    const member = await verifiedUser(ctx, `Trash Member ${tag}`)
    const { id: folderId } = await vault.createFolder(owner.viewer, `Shared ${tag}`)
    await share(ctx, owner, member, folderId, permission)
    const id = await newItem(ctx, owner, folderId, `Shared item ${tag}`)
    await vault.deleteItem(owner.viewer, id)
    return { owner, member, folderId, id }
  }

  it('an edit member sees and restores the trashed items of the folder', async () => {
    const { member, id } = await sharedTrash('edit', 'edit')
    expect(await trashIds(member)).toEqual([id])
    await trash.restoreItem(member.viewer, id)
    expect(await listedIds(member)).toContain(id)
  })

  it('a view member sees no trash: nothing listed, 404 on every trash action and page, the item stays', async () => {
    const { member, id } = await sharedTrash('view', 'view')
    expect(await trashIds(member)).toEqual([])
    await expectError(trash.restoreItem(member.viewer, id), NotFoundError)
    await expectError(trash.purgeItem(member.viewer, id), NotFoundError)
    await expectError(trash.getTrashedItem(member.viewer, id), NotFoundError)
    expect(await trash.emptyTrash(member.viewer)).toEqual({ purged: 0 })
    const http = await session(member)
    await expectStatus(await http.post(`/dashboard/items/${id}/restore`), 404, 'view member restore')
    await expectStatus(await http.post(`/dashboard/items/${id}/purge`), 404, 'view member purge')
    await expectStatus(await http.get(`/dashboard/trash?purge=${id}`), 404, 'view member purge confirmation')
    await expectStatus(await http.get(`/dashboard/items/${id}`), 404, 'view member item page')
    const page = await expectStatus(await http.get('/dashboard/trash'), 200, 'view member trash page')
    expect(textOf(page)).toContain('Nothing in the trash.')
    expect(page).not.toContain(id)
    expect((await rowOf(id))!.deletedAt).toBeInstanceOf(Date)
  })

  it('a stranger and malformed ids: 404, over HTTP too, and nothing changes', async () => {
    const { id } = await sharedTrash('stranger', 'edit')
    const stranger = await registerUser(ctx, 'Trash Stranger')
    await expectError(trash.restoreItem(stranger.viewer, id), NotFoundError)
    await expectError(trash.purgeItem(stranger.viewer, id), NotFoundError)
    for (const bad of ['not-an-id', '', '00000000-0000-0000-0000-000000000000', `${id}x`]) {
      await expectError(trash.restoreItem(stranger.viewer, bad), NotFoundError)
      await expectError(trash.purgeItem(stranger.viewer, bad), NotFoundError)
    }
    const http = await session(stranger)
    for (const path of [`/dashboard/items/${id}/restore`, `/dashboard/items/${id}/purge`, '/dashboard/items/not-an-id/restore', '/dashboard/items/not-an-id/purge', `/dashboard/items/${id.toUpperCase()}/restore`]) {
      await expectStatus(await http.post(path), 404, path)
    }
    await expectStatus(await http.get(`/dashboard/trash?purge=${id}`), 404, 'purge confirmation')
    await expectStatus(await http.get('/dashboard/trash?purge=not-an-id'), 404, 'malformed purge confirmation')
    expect((await rowOf(id))!.deletedAt).toBeInstanceOf(Date)
  })

  it('a live item is not in the trash: restore and purge are 404 and it stays', async () => {
    const u = await registerUser(ctx, 'Trash Live')
    const id = await newItem(ctx, u, await personalId(ctx, u), 'Alive')
    await expectError(trash.restoreItem(u.viewer, id), NotFoundError)
    await expectError(trash.purgeItem(u.viewer, id), NotFoundError)
    expect(await listedIds(u)).toContain(id)
  })

  it('downgraded to view while the restore waits for the folder lock: 403, the item stays in the trash', async () => {
    const { member, folderId, id } = await sharedTrash('downgrade', 'edit')
    const t: Transaction = await ctx.sequelize.transaction()
    const [{ pid }] = await ctx.sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT, transaction: t })
    await ctx.sequelize.query('SELECT id FROM folders WHERE id = :folderId FOR UPDATE', { replacements: { folderId }, transaction: t })
    await ctx.models.FolderMembership.update({ permission: 'view' }, { where: { folderId, userId: member.user.id }, transaction: t })
    const http = await session(member)
    const restoring = http.post(`/dashboard/items/${id}/restore`)
    let waited = false
    try {
      for (let i = 0; i < 200 && !waited; i++) {
        const rows = await ctx.sequelize.query('SELECT pid FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))', { replacements: { pid }, type: QueryTypes.SELECT })
        if (rows.length > 0) waited = true
        else await new Promise((r) => setTimeout(r, 25))
      }
    } finally {
      await t.commit()
    }
    const res = await restoring
    const body = await res.text()
    expect(waited).toBe(true)
    expect(res.status, textOf(body).slice(0, 200)).toBe(403)
    expect(textOf(body)).toContain('You can no longer edit this folder')
    expect((await rowOf(id))!.deletedAt).toBeInstanceOf(Date)
    // Afterwards the member is a view member: the trash is not theirs to see (404).
    await expectError(trash.restoreItem(member.viewer, id), NotFoundError)
  })
})

describe('over HTTP: plain forms, 303 and a flash', () => {
  it('restore, purge and empty answer 303 to the trash page; a full folder re-renders it with 422', async () => {
    const u = await registerUser(ctx, 'Trash Http')
    const personal = await personalId(ctx, u)
    const ids = await Promise.all(['A', 'B', 'C', 'D'].map((n) => newItem(ctx, u, personal, `Http ${n}`)))
    for (const id of ids) await vault.deleteItem(u.viewer, id)
    const http = await session(u)
    const page = await expectStatus(await http.get('/dashboard/trash'), 200, 'trash page')
    for (const n of ['Http A', 'Http B', 'Http C', 'Http D']) expect(page).toContain(n)
    expect(page).not.toContain(itemFields().password)

    const restored = await http.post(`/dashboard/items/${ids[0]}/restore`)
    expect(restored.status).toBe(303)
    expect(restored.headers.get('location')).toBe('/dashboard/trash')
    const json = await http.post(`/dashboard/items/${ids[1]}/restore`, {}, { json: true, server: SECOND_URL })
    expect(await json.json()).toEqual({ ok: true, redirect: '/dashboard/trash' })
    const purged = await http.post(`/dashboard/items/${ids[2]}/purge`)
    expect(purged.status).toBe(303)
    expect(await rowOf(ids[2]!)).toBeNull()
    const emptied = await http.post('/dashboard/trash/empty')
    expect(emptied.status).toBe(303)
    expect(await rowOf(ids[3]!)).toBeNull()
    expect((await listedIds(u)).sort()).toEqual([ids[0], ids[1]].sort())
    const after = await expectStatus(await http.get('/dashboard/trash'), 200, 'empty trash page')
    expect(textOf(after)).toContain('Nothing in the trash.')
  })

  it('a restore into a full folder: 422, the trash page with the message, nothing restored', async () => {
    // The running servers' limit is TEST_LIMITS' (5,000): filled behind the service's back.
    const u = await registerUser(ctx, 'Trash Http Full')
    const personal = await personalId(ctx, u)
    const id = await newItem(ctx, u, personal, 'Waiting')
    await vault.deleteItem(u.viewer, id)
    const limit = await serverItemLimit()
    await ctx.sequelize.query(
      `INSERT INTO items (id, folder_id, ciphertext, created_at, updated_at)
       SELECT gen_random_uuid(), :personal, '\\x00'::bytea, now(), now() FROM generate_series(1, :n)`,
      { replacements: { personal, n: limit } },
    )
    const http = await session(u, '/dashboard/trash')
    const res = await http.post(`/dashboard/items/${id}/restore`)
    const body = await res.text()
    expect(res.status, textOf(body).slice(0, 200)).toBe(422)
    expect(textOf(body)).toContain(`already holds the maximum of ${limit.toLocaleString('en-US')} items`)
    expect((await rowOf(id))!.deletedAt).toBeInstanceOf(Date)
    const asJson = await http.post(`/dashboard/items/${id}/restore`, {}, { json: true })
    expect(asJson.status).toBe(422)
    await ctx.sequelize.query('DELETE FROM items WHERE folder_id = :personal AND id <> :id', { replacements: { personal, id } })
  })

  it('50 restores and purges of one item at once, on both servers: exactly one succeeds, no 500', async () => {
    const u = await registerUser(ctx, 'Trash Race')
    const id = await newItem(ctx, u, await personalId(ctx, u), 'Raced')
    await vault.deleteItem(u.viewer, id)
    const http = await session(u)
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => http.post(`/dashboard/items/${id}/${i % 2 ? 'purge' : 'restore'}`, {}, { server: i % 4 < 2 ? BASE_URL : SECOND_URL })),
    )
    const statuses = answers.map((r) => r.status)
    expect(statuses.filter((s) => s >= 500)).toEqual([])
    expect(statuses.filter((s) => s === 303)).toHaveLength(1)
    expect(statuses.filter((s) => s !== 303).every((s) => s === 404)).toBe(true)
    const winner = answers.findIndex((r) => r.status === 303)
    const row = await rowOf(id)
    if (winner % 2) expect(row).toBeNull()
    else expect(row!.deletedAt).toBeNull()
  })
})

/** The running servers' items-per-folder limit (the test servers run with the test limits). */
async function serverItemLimit() {
  return Number(process.env.LIMIT_ITEMS_PER_FOLDER ?? TEST_LIMITS.itemsPerFolder)
}

describe('the 30-day purge', () => {
  it('deletes only items trashed more than 30 days ago, with their favourites and versions; twice at once is safe', async () => {
    const u = await registerUser(ctx, 'Trash Purge')
    const personal = await personalId(ctx, u)
    const [old1, old2, recent, live] = await Promise.all(['Old 1', 'Old 2', 'Recent', 'Live'].map((n) => newItem(ctx, u, personal, n)))
    for (const id of [old1!, old2!, recent!]) await vault.deleteItem(u.viewer, id)
    await ageTrash(old1!, 31)
    await ageTrash(old2!, 45)
    await ageTrash(recent!, 29)
    await ctx.models.ItemFavourite.create({ userId: u.user.id, itemId: old1! })
    await ctx.sequelize.query(`INSERT INTO item_versions (id, item_id, folder_id, ciphertext) VALUES (gen_random_uuid(), :id, :personal, '\\x00'::bytea)`, {
      replacements: { id: old1, personal },
    })
    const [a, b] = await Promise.all([trash.purgeExpired(), trash.purgeExpired()])
    // Other test files trash items too, but none as old: these two are what went, once.
    expect(a.purged + b.purged).toBeGreaterThanOrEqual(2)
    expect(await rowOf(old1!)).toBeNull()
    expect(await rowOf(old2!)).toBeNull()
    expect((await rowOf(recent!))!.deletedAt).toBeInstanceOf(Date)
    expect((await rowOf(live!))!.deletedAt).toBeNull()
    expect(await ctx.models.ItemFavourite.count({ where: { itemId: old1! } })).toBe(0)
    expect(await ctx.models.ItemVersion.count({ where: { itemId: old1! } })).toBe(0)
    expect(await trashIds(u)).toEqual([recent])
    // Nothing left to purge: a third run deletes none of this user's.
    await trash.purgeExpired()
    expect((await rowOf(recent!))!.deletedAt).toBeInstanceOf(Date)
    // 29 days plus two days later (the clock moved): it goes too.
    await trash.purgeExpired(new Date(Date.now() + 2 * 24 * 3600 * 1000))
    expect(await rowOf(recent!)).toBeNull()
  })
})

describe('trashed items count nowhere', () => {
  it('out of the list, its counts, the export; the list cache sees trash and restore', async () => {
    const u = await registerUser(ctx, 'Trash Nowhere')
    const personal = await personalId(ctx, u)
    const [keep, gone] = await Promise.all([newItem(ctx, u, personal, 'Kept'), newItem(ctx, u, personal, 'Trashed')])
    expect((await vault.listVault(u.viewer, {})).counts.items).toBe(2) // cached now
    await vault.deleteItem(u.viewer, gone!)
    const page = await vault.listVault(u.viewer, {})
    expect(page.items.map((r) => r.id)).toEqual([keep])
    expect(page.counts.items).toBe(1)
    expect((await vault.listFolders(u.viewer)).folders.find((f) => f.id === personal)!.itemCount).toBe(1)
    const records = await ctx.services.exporter.exportVault(u.viewer, u.password)
    expect(records!.map((r) => r.name)).toEqual(['Kept'])
    await trash.restoreItem(u.viewer, gone!)
    expect((await vault.listVault(u.viewer, {})).counts.items).toBe(2)
    const again = await ctx.services.exporter.exportVault(u.viewer, u.password)
    expect(again!.map((r) => r.name).sort()).toEqual(['Kept', 'Trashed'])
  })

  it('empty trash deletes every item the trash page shows, folder by folder, and nothing else', async () => {
    const owner = await verifiedUser(ctx, 'Trash Empty Owner')
    const member = await verifiedUser(ctx, 'Trash Empty Member')
    const { id: shared } = await vault.createFolder(owner.viewer, 'Shared empty')
    await share(ctx, owner, member, shared, 'edit')
    const { id: viewOnly } = await vault.createFolder(owner.viewer, 'View only')
    await share(ctx, owner, member, viewOnly, 'view')
    const memberPersonal = await personalId(ctx, member)
    const a = await newItem(ctx, owner, shared, 'Shared trashed')
    const b = await newItem(ctx, member, memberPersonal, 'Own trashed')
    const c = await newItem(ctx, owner, viewOnly, 'Not the member’s to empty')
    const d = await newItem(ctx, member, memberPersonal, 'Live')
    for (const [u, id] of [[owner, a], [member, b], [owner, c]] as const) await vault.deleteItem(u.viewer, id)
    expect((await trashIds(member)).sort()).toEqual([a, b].sort())
    expect(await trash.emptyTrash(member.viewer)).toEqual({ purged: 2 })
    expect(await rowOf(a)).toBeNull()
    expect(await rowOf(b)).toBeNull()
    expect((await rowOf(c))!.deletedAt).toBeInstanceOf(Date)
    expect((await rowOf(d))!.deletedAt).toBeNull()
    expect(await trashIds(owner)).toEqual([c])
    await expectError(trash.purgeItem(member.viewer, c), NotFoundError)
  })
})
