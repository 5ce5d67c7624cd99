// The vault service against the real database: items and folders, listing (query count, sort,
// search, pages, counts), encryption at rest, access control (foreign ids, view-only members).
import { createHash, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import * as crypto from '../../server/lib/crypto.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../../server/lib/errors.js'
import { createVaultService, LIST_CACHE_MAX_BYTES } from '../../server/services/vault.js'
import type { ItemFields } from '../../shared/contract.js'
import type { Viewer } from '../../server/services/types.js'
import { queryMemberships } from '../../server/services/access.js'
import { hostOf, safeHref } from '../../server/services/itemCrypto.js'
import { folderSchema, itemSchema, moveSchema } from '../../schemas/vault.js'
import { createTestContext, itemFields, registerUser, TEST_KDF, TEST_LIMITS } from '../helpers/context.js'

type Ctx = ReturnType<typeof createTestContext>
type Registered = Awaited<ReturnType<typeof registerUser>>

const ctx = createTestContext()
const small = createTestContext({ ...TEST_LIMITS, itemsPerFolder: 3 })
afterAll(async () => {
  await ctx.sequelize.close()
  await small.sequelize.close()
})

const vault = ctx.services.vault
/** What createServices got in the test context, for building a service with other options. */
const serviceDeps = { sequelize: ctx.sequelize, models: ctx.models, kdf: TEST_KDF, tokenKeys: [Buffer.alloc(32, 7)], limits: TEST_LIMITS }
const STRONG = 'quartz lantern mosaic orbit velvet'
const fields = itemFields

async function personalId(c: Ctx, userId: string) {
  const f = await c.models.Folder.findOne({ where: { ownerId: userId, isPersonal: true } })
  return f!.id
}

/** Opens a folder key the way the service does (for checks and seeding). */
async function folderKeyOf(c: Ctx, u: Registered, folderId: string) {
  const user = await c.models.User.findByPk(u.user.id)
  const m = await c.models.FolderMembership.findOne({ where: { folderId, userId: u.user.id } })
  const priv = crypto.open(u.vaultKey, user!.privateKeyWrapped, Buffer.from('private-key'))
  return crypto.openSealed(priv, m!.sealedKey, crypto.folderKeyAad(folderId, u.user.id))
}

/** Bulk-inserts encrypted items built with the crypto module (fast seeding, no service calls). */
async function seed(c: Ctx, u: Registered, folderId: string, list: (ItemFields & { score?: number })[]) {
  const key = await folderKeyOf(c, u, folderId)
  const rows = list.map((f) => {
    const id = randomUUID()
    const value = { name: f.name, username: f.username, password: f.password, url: f.url, note: f.note, score: f.score ?? 4 }
    return { id, folderId, ciphertext: crypto.encryptJson(key, value, crypto.itemAad(id, folderId)) }
  })
  await c.models.Item.bulkCreate(rows)
  return rows.map((r) => r.id)
}

async function rawItem(c: Ctx, id: string) {
  const [row] = await c.sequelize.query<{ folder_id: string; ciphertext: Buffer }>(
    'SELECT folder_id, ciphertext FROM items WHERE id = :id',
    { replacements: { id }, type: QueryTypes.SELECT },
  )
  return row ?? null
}

/** Adds `member` to `owner`'s folder directly: the folder key sealed to the member's public key. */
async function addMember(
  c: Ctx,
  owner: Registered,
  member: Registered,
  folderId: string,
  permission: 'view' | 'edit',
  status: 'accepted' | 'pending' = 'accepted',
) {
  const key = await folderKeyOf(c, owner, folderId)
  await c.models.FolderMembership.create({
    folderId,
    userId: member.user.id,
    role: 'member',
    permission,
    status,
    sealedKey: crypto.sealToPublicKey(member.user.publicKey, key, crypto.folderKeyAad(folderId, member.user.id)),
    invitedAt: new Date(),
    acceptedAt: status === 'accepted' ? new Date() : null,
  })
}

async function queries<T>(c: Ctx, fn: () => Promise<T>): Promise<{ result: T; count: number }> {
  const before = c.counter.count
  const result = await fn()
  return { result, count: c.counter.count - before }
}

async function expectError(promise: Promise<unknown>, type: abstract new (...a: never[]) => Error) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(type)
  return err as Error
}

const collator = new Intl.Collator('en', { sensitivity: 'accent' })

describe('items: create, list, get, update, delete', () => {
  let alice: Registered
  let viewer: Viewer
  let personal: string

  beforeAll(async () => {
    alice = await registerUser(ctx, 'Alice')
    viewer = alice.viewer
    personal = await personalId(ctx, alice.user.id)
  })

  it('creates an item and reads it back (list row and detail)', async () => {
    const { id } = await vault.createItem(viewer, {
      folderId: personal,
      ...fields({ name: '  Mail  ', username: 'alice', url: 'mail.example.org/inbox', note: 'a note' }),
    })
    const page = await vault.listVault(viewer, {})
    const row = page.items.find((r) => r.id === id)!
    expect(row).toEqual({
      id,
      folderId: personal,
      folderName: 'Personal',
      name: 'Mail', // trimmed
      username: 'alice',
      host: 'mail.example.org', // no scheme: read as https
      weak: false,
      reused: false,
      broken: false,
      updatedAt: expect.any(Date),
    })
    const item = await vault.getItem(viewer, id)
    expect(item.fields).toEqual({ name: 'Mail', username: 'alice', password: STRONG, url: 'mail.example.org/inbox', note: 'a note' })
    expect(item).toMatchObject({ id, folderId: personal, folderName: 'Personal', permission: 'edit', broken: false, weak: false })
    expect(item.href).toBe('https://mail.example.org/inbox')
    expect(item.createdAt).toBeInstanceOf(Date)
    // An uppercase spelling of the same id works too.
    expect((await vault.getItem(viewer, id.toUpperCase())).id).toBe(id)
  })

  it('validates fields with one message per field', async () => {
    const err = (await expectError(
      vault.createItem(viewer, { folderId: personal, ...fields({ name: '   ', password: 'x'.repeat(1001), note: 'n'.repeat(10_001) }) }),
      ValidationError,
    )) as ValidationError
    expect(err.fields).toEqual({
      name: 'Enter a name for this item.',
      password: 'Passwords are at most 1,000 characters.',
      note: 'Notes are at most 10,000 characters.',
    })
  })

  it('updates an item: new fields, new ciphertext, same folder', async () => {
    const { id } = await vault.createItem(viewer, { folderId: personal, ...fields({ name: 'Before' }) })
    const before = await rawItem(ctx, id)
    const created = await vault.getItem(viewer, id)
    await vault.updateItem(viewer, id, fields({ name: 'After', username: 'new-user', password: 'hunter2', url: '', note: 'changed' }))
    const after = await vault.getItem(viewer, id)
    expect(after.fields).toEqual({ name: 'After', username: 'new-user', password: 'hunter2', url: '', note: 'changed' })
    expect(after.weak).toBe(true)
    expect(after.host).toBe('')
    expect(after.href).toBeNull()
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime())
    const raw = await rawItem(ctx, id)
    expect(raw!.folder_id).toBe(personal)
    expect(raw!.ciphertext.equals(before!.ciphertext)).toBe(false)
    await expectError(vault.updateItem(viewer, id, fields({ name: '' })), ValidationError)
  })

  it('deletes an item', async () => {
    const { id } = await vault.createItem(viewer, { folderId: personal, ...fields({ name: 'Doomed' }) })
    expect(await vault.deleteItem(viewer, id)).toEqual({ folderId: personal })
    expect(await rawItem(ctx, id)).toBeNull()
    await expectError(vault.getItem(viewer, id), NotFoundError)
    await expectError(vault.deleteItem(viewer, id), NotFoundError)
  })

  it('stores no plaintext of any field in the items table', async () => {
    const secret = {
      name: 'Zanzibar Credit Union',
      username: 'quokka-operator-77',
      password: 'Tr0ub4dor&3-plaintext-canary',
      url: 'https://canary-bank.example/login',
      note: 'the vault door code is 8841-canary',
    }
    const { id } = await vault.createItem(viewer, { folderId: personal, ...secret })
    const rows = await ctx.sequelize.query<Record<string, unknown>>('SELECT * FROM items WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    })
    const everything = Buffer.concat(
      Object.values(rows[0]).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'))),
    )
    for (const value of Object.values(secret)) {
      expect(everything.includes(Buffer.from(value, 'utf8'))).toBe(false)
      expect(everything.includes(Buffer.from(value.slice(0, 8), 'utf8'))).toBe(false)
    }
    for (const key of ['"password"', '"username"', '"score"']) expect(everything.includes(Buffer.from(key))).toBe(false)
    // ...and it is the AES-GCM format of the crypto module, bound to this item and folder.
    expect(rows[0].ciphertext).toBeInstanceOf(Buffer)
    const key = await folderKeyOf(ctx, alice, personal)
    const plain = crypto.decryptJson<Record<string, unknown>>(key, rows[0].ciphertext as Buffer, crypto.itemAad(id, personal))
    expect(plain).toMatchObject(secret)
    expect(typeof plain.score).toBe('number')
  })
})

describe('listVault', () => {
  it('costs at most 3 SQL queries with 0, 1 and 250 items', async () => {
    const u = await registerUser(ctx, 'Counter')
    const personal = await personalId(ctx, u.user.id)
    const measured: number[] = []

    let { result, count } = await queries(ctx, () => vault.listVault(u.viewer, {}))
    expect(result.total).toBe(0)
    expect(result.folders).toHaveLength(1)
    measured.push(count)

    await vault.createItem(u.viewer, { folderId: personal, ...fields() })
    ;({ result, count } = await queries(ctx, () => vault.listVault(u.viewer, {})))
    expect(result.total).toBe(1)
    measured.push(count)

    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const { id: home } = await vault.createFolder(u.viewer, 'Home')
    await seed(ctx, u, personal, Array.from({ length: 99 }, (_, i) => fields({ name: `P ${i}` })))
    await seed(ctx, u, work, Array.from({ length: 100 }, (_, i) => fields({ name: `W ${i}` })))
    await seed(ctx, u, home, Array.from({ length: 50 }, (_, i) => fields({ name: `H ${i}` })))
    ;({ result, count } = await queries(ctx, () => vault.listVault(u.viewer, { q: 'w', folderId: work, page: 2 })))
    expect(result.counts.items).toBe(250)
    measured.push(count)
    ;({ result, count } = await queries(ctx, () => vault.listVault(u.viewer, {})))
    expect(result.total).toBe(250)
    expect(result.items).toHaveLength(100)
    measured.push(count)

    for (const c of measured) expect(c).toBeLessThanOrEqual(3)
    // A first view of an empty vault: the memberships query alone (on a first view it brings the
    // list indexes along, ADR 020). One item created since: memberships + that folder's index.
    // Items seeded behind the services' back leave their folders' indexes behind: memberships +
    // those folders' items. The last list is unchanged since the one before, so its entries come
    // from the list cache: the memberships query only.
    expect(measured).toEqual([1, 2, 2, 1])
    // The other reads are one query each.
    expect((await queries(ctx, () => vault.listFolders(u.viewer))).count).toBe(1)
    expect((await queries(ctx, () => vault.getFolder(u.viewer, work))).count).toBe(1)
    expect((await queries(ctx, () => vault.getItem(u.viewer, result.items[0].id))).count).toBe(1)
    expect((await queries(ctx, () => vault.listHealth(u.viewer))).count).toBe(1)
  })

  it('serves an unchanged vault from the list cache, and sees every change at once', async () => {
    const u = await registerUser(ctx, 'Cache')
    const personal = await personalId(ctx, u.user.id)
    const a = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Alpha' }) })
    const b = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Bravo' }) })
    // A first view: the memberships query brings the folder's list index along (ADR 020).
    expect((await queries(ctx, () => vault.listVault(u.viewer, {}))).count).toBe(1)
    expect((await queries(ctx, () => vault.listVault(u.viewer, { q: 'alp' }))).count).toBe(1)

    // A change through the service: the next list fetches and decrypts that folder's index.
    await vault.updateItem(u.viewer, a.id, fields({ name: 'Alpha 2' }))
    let { result, count } = await queries(ctx, () => vault.listVault(u.viewer, {}))
    expect(count).toBe(2)
    expect(result.items.map((i) => i.name)).toEqual(['Alpha 2', 'Bravo'])

    // A ciphertext swapped behind the app's back (same count, same timestamps) is seen at once.
    await ctx.sequelize.query('UPDATE items SET ciphertext = (SELECT ciphertext FROM items WHERE id = :b) WHERE id = :a', {
      replacements: { a: a.id, b: b.id },
    })
    ;({ result, count } = await queries(ctx, () => vault.listVault(u.viewer, {})))
    expect(count).toBe(2)
    expect(result.counts.broken).toBe(1)

    // Another vault key (not this user's) never reads the cached entries.
    const stranger = { userId: u.user.id, vaultKey: Buffer.alloc(32, 9) }
    ;({ result } = await queries(ctx, () => vault.listVault(stranger, {})))
    expect(result.items.every((i) => i.broken && i.name === '')).toBe(true)
  })

  it('after a change in one folder, decrypts only that folder and keeps reuse and names right across folders', async () => {
    const u = await registerUser(ctx, 'Per Folder')
    const personal = await personalId(ctx, u.user.id)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Bank', password: 'shared secret 123!' }) })
    await seed(ctx, u, personal, Array.from({ length: 20 }, (_, i) => fields({ name: `P ${i}`, password: `unique-${i}-Xq9!vR` })))
    const gym = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Gym', password: 'another one 456?' }) })
    let { result } = await queries(ctx, () => vault.listVault(u.viewer, {}))
    expect(result.counts.reused).toBe(0)

    // Record which folders the list's second query asks for (their list indexes or their items).
    const asked: string[][] = []
    const original = ctx.sequelize.query.bind(ctx.sequelize)
    ctx.sequelize.query = ((sql: string, options?: { replacements?: { indexes?: string[]; items?: string[] } }) => {
      const r = options?.replacements
      if (typeof sql === 'string' && r?.indexes && r.items) asked.push([...r.indexes, ...r.items])
      return original(sql as never, options as never)
    }) as unknown as typeof ctx.sequelize.query
    try {
      // The Work item now uses the Bank password: both are reused, though Personal was not decrypted again.
      await vault.updateItem(u.viewer, gym.id, fields({ name: 'Gym', password: 'shared secret 123!' }))
      let count: number
      ;({ result, count } = await queries(ctx, () => vault.listVault(u.viewer, {})))
      expect(count).toBe(2)
      expect(asked).toEqual([[work]])
      expect(result.counts.reused).toBe(2)
      expect(result.items.filter((i) => i.reused).map((i) => i.name).sort()).toEqual(['Bank', 'Gym'])

      // And back: no longer reused anywhere.
      await vault.updateItem(u.viewer, gym.id, fields({ name: 'Gym', password: 'different again 789#' }))
      ;({ result } = await queries(ctx, () => vault.listVault(u.viewer, {})))
      expect(result.counts.reused).toBe(0)
      expect(result.items.some((i) => i.reused)).toBe(false)

      // A renamed folder shows its new name on its rows.
      asked.length = 0
      await vault.renameFolder(u.viewer, work, 'Gym stuff')
      ;({ result } = await queries(ctx, () => vault.listVault(u.viewer, {})))
      expect(asked).toEqual([[work]])
      expect(result.items.find((i) => i.name === 'Gym')?.folderName).toBe('Gym stuff')
      expect(result.counts.items).toBe(22)
    } finally {
      ctx.sequelize.query = original
    }
  })

  it("digests each folder's items with SHA-256 (not md5), and an empty folder has none", async () => {
    const u = await registerUser(ctx, 'Digest')
    const personal = await personalId(ctx, u.user.id)
    const { id: empty } = await vault.createFolder(u.viewer, 'Empty')
    const item = await vault.createItem(u.viewer, { folderId: personal, ...fields() })
    const digests = async () => {
      const rows = await queryMemberships(serviceDeps, u.user.id, { withDigest: true })
      return new Map(rows.map((m) => [m.folderId, m.itemsDigest ?? null]))
    }
    const before = await digests()
    expect(before.get(personal)).toMatch(/^[0-9a-f]{64}$/)
    expect(before.get(empty)).toBeNull()
    // The same value computed here: SHA-256 over "id" + hex SHA-256 of the ciphertext, joined by commas in id order.
    const raw = await rawItem(ctx, item.id)
    const expected = createHash('sha256').update(`${item.id}${createHash('sha256').update(raw!.ciphertext).digest('hex')}`).digest('hex')
    expect(before.get(personal)).toBe(expected)
    await vault.updateItem(u.viewer, item.id, fields({ name: 'Changed' }))
    expect((await digests()).get(personal)).not.toBe(before.get(personal))
  })

  it('keeps the decrypted lists under a byte budget: least recently used out first, a list bigger than the budget never in', async () => {
    // Four vaults of 10 identical items: lists of the same estimated size.
    const users: Registered[] = []
    for (let i = 0; i < 4; i++) {
      const u = await registerUser(ctx, `Budget ${i}`)
      await seed(ctx, u, await personalId(ctx, u.user.id), Array.from({ length: 10 }, () => fields()))
      users.push(u)
    }
    const roomy = createVaultService(serviceDeps)
    await roomy.listVault(users[0]!.viewer)
    const one = roomy.listCacheStats().bytes
    expect(one).toBeGreaterThan(10 * 500) // counts each entry's objects, not only its strings
    expect(one).toBeLessThan(LIST_CACHE_MAX_BYTES)

    // Room for two and a half lists: after four, the two most recent stay.
    const tight = createVaultService(serviceDeps, { listCacheMaxBytes: Math.floor(one * 2.5) })
    for (const u of users) expect((await queries(ctx, () => tight.listVault(u.viewer))).count).toBe(2)
    expect(tight.listCacheStats()).toEqual({ lists: 2, bytes: 2 * one })
    expect((await queries(ctx, () => tight.listVault(users[3]!.viewer))).count).toBe(1)
    expect((await queries(ctx, () => tight.listVault(users[0]!.viewer))).count).toBe(2)
    expect(tight.listCacheStats().bytes).toBeLessThanOrEqual(Math.floor(one * 2.5))

    // 40 items: bigger than the whole budget, so decrypted on every view; it evicts no one.
    const big = await registerUser(ctx, 'Budget Big')
    await seed(ctx, big, await personalId(ctx, big.user.id), Array.from({ length: 40 }, () => fields()))
    const before = tight.listCacheStats()
    for (let i = 0; i < 2; i++) {
      const { result, count } = await queries(ctx, () => tight.listVault(big.viewer))
      expect(result.total).toBe(40)
      expect(count).toBe(2)
    }
    expect(tight.listCacheStats()).toEqual(before)
    expect((await queries(ctx, () => tight.listVault(users[0]!.viewer))).count).toBe(1)
  })

  it('paginates 100 per page, clamps the page, sorts by name and filters by q', async () => {
    const u = await registerUser(ctx, 'Pager')
    const personal = await personalId(ctx, u.user.id)
    // 250 items, shuffled names, mixed case.
    const names = Array.from({ length: 250 }, (_, i) => `${i % 2 ? 'item' : 'Item'} ${String(i).padStart(3, '0')}`)
    const shuffled = [...names].sort(() => Math.random() - 0.5)
    await seed(
      ctx,
      u,
      personal,
      shuffled.map((name, i) => fields({ name, username: i === 7 ? 'needle-user' : 'user', url: i === 9 ? 'https://NeedleSite.example' : '' })),
    )

    const p1 = await vault.listVault(u.viewer, {})
    expect(p1).toMatchObject({ total: 250, page: 1, pageCount: 3, pageSize: 100 })
    expect(p1.items).toHaveLength(100)
    const p3 = await vault.listVault(u.viewer, { page: 3 })
    expect(p3.items).toHaveLength(50)
    expect((await vault.listVault(u.viewer, { page: 99 })).page).toBe(3)
    expect((await vault.listVault(u.viewer, { page: 0 })).page).toBe(1)
    expect((await vault.listVault(u.viewer, { page: -4 })).page).toBe(1)
    expect((await vault.listVault(u.viewer, { page: Number.NaN })).page).toBe(1)

    const all = [...p1.items, ...(await vault.listVault(u.viewer, { page: 2 })).items, ...p3.items]
    expect(new Set(all.map((r) => r.id)).size).toBe(250)
    expect(all.map((r) => r.name)).toEqual([...names].sort((a, b) => collator.compare(a, b)))

    // q: name, username, url; case-insensitive; counts still cover everything.
    const byName = await vault.listVault(u.viewer, { q: 'ITEM 12' })
    expect(byName.items.map((r) => r.name)).toEqual(['Item 120', 'item 121', 'Item 122', 'item 123', 'Item 124', 'item 125', 'Item 126', 'item 127', 'Item 128', 'item 129'])
    expect(byName.total).toBe(10)
    expect(byName.pageCount).toBe(1)
    expect(byName.counts.items).toBe(250)
    expect((await vault.listVault(u.viewer, { q: 'needle-USER' })).total).toBe(1)
    expect((await vault.listVault(u.viewer, { q: ' needlesite ' })).total).toBe(1)
    const none = await vault.listVault(u.viewer, { q: 'no such thing', page: 5 })
    expect(none).toMatchObject({ total: 0, page: 1, pageCount: 1, items: [] })
  })

  it('sorts case-insensitively, then by id; folders Personal first, then by name', async () => {
    const u = await registerUser(ctx, 'Sorter')
    const personal = await personalId(ctx, u.user.id)
    const { id: zeta } = await vault.createFolder(u.viewer, 'zeta')
    await vault.createFolder(u.viewer, 'Alpha')
    await vault.createFolder(u.viewer, 'beta')
    const ids = await seed(ctx, u, personal, ['banana', 'Apple', 'cherry', 'apple', 'Äpfel'].map((name) => fields({ name })))
    await seed(ctx, u, zeta, [fields({ name: 'Blueberry' })])
    const page = await vault.listVault(u.viewer, {})
    // 'Äpfel' < 'Apple' (f < p comes before the accent); 'Apple' and 'apple' tie, then id decides.
    expect(page.items.map((r) => r.name.toLowerCase())).toEqual(['äpfel', 'apple', 'apple', 'banana', 'blueberry', 'cherry'])
    expect(page.items.slice(1, 3).map((r) => r.id)).toEqual([ids[1], ids[3]].sort())
    expect(page.folders.map((f) => f.name)).toEqual(['Personal', 'Alpha', 'beta', 'zeta'])
    expect(page.folders[0]).toEqual({
      id: personal,
      name: 'Personal',
      isPersonal: true,
      role: 'owner',
      permission: 'edit',
      ownerName: 'Sorter',
      shared: false,
      memberCount: 0,
      itemCount: 5,
      issues: 5, // the seeded items share one password: all reused
    })
    expect(page.folders.find((f) => f.id === zeta)!.itemCount).toBe(1)
    expect(await vault.listFolders(u.viewer)).toEqual({ folders: page.folders, pendingInvitations: 0 })
  })

  it('counts weak, reused, password-less and broken items over the whole vault', async () => {
    const u = await registerUser(ctx, 'Health')
    const personal = await personalId(ctx, u.user.id)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const a = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'A', password: 'password123' }) })
    const b = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'B', password: 'password123' }) })
    const c = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'C', password: STRONG }) })
    const d = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'D', password: 'another ' + STRONG }) })
    const e = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'E', password: 'another ' + STRONG }) })
    const f = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'F', password: '' }) })
    // A weak password that is weak because of the item's own name (user inputs).
    const g = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'correcthorsebatterystaple', username: 'x', password: 'correcthorsebatterystaple' }) })

    const page = await vault.listVault(u.viewer, { folderId: work })
    expect(page.items.map((r) => r.id).sort()).toEqual([b.id, c.id, g.id].sort())
    expect(page.counts).toEqual({ items: 7, folders: 2, weak: 3, reused: 4, broken: 0, noPassword: 1 })
    const all = (await vault.listVault(u.viewer, {})).items
    const flags = Object.fromEntries(all.map((r) => [r.id, [r.weak, r.reused]]))
    expect(flags[a.id]).toEqual([true, true])
    expect(flags[b.id]).toEqual([true, true])
    expect(flags[c.id]).toEqual([false, false])
    expect(flags[d.id]).toEqual([false, true])
    expect(flags[e.id]).toEqual([false, true])
    expect(flags[f.id]).toEqual([false, false]) // no password: neither weak nor reused
    expect(flags[g.id]).toEqual([true, false])

    const health = await vault.listHealth(u.viewer)
    expect(health.counts).toEqual(page.counts)
    expect(health.weak.map((r) => r.name)).toEqual(['A', 'B', 'correcthorsebatterystaple'])
    expect(health.reused.map((group) => group.map((r) => r.name))).toEqual([['A', 'B'], ['D', 'E']])
    expect(health.issues).toBe(6) // A, B, D, E, F and the weak g: C is fine
    // The sidebar sums its folders' counts: Personal holds A, D, E, F; Work B and g.
    const issuesOf = (id: string) => page.folders.find((f) => f.id === id)!.issues
    expect([issuesOf(personal), issuesOf(work)]).toEqual([4, 2])
    expect(health.noPassword.map((r) => r.name)).toEqual(['F'])
    expect(health.broken).toEqual([])
  })

  it('filters by folder; a foreign or malformed folder id is NotFound', async () => {
    const u = await registerUser(ctx, 'Filter')
    const other = await registerUser(ctx, 'Other')
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'In work' }) })
    await vault.createItem(u.viewer, { folderId: await personalId(ctx, u.user.id), ...fields({ name: 'In personal' }) })
    const page = await vault.listVault(u.viewer, { folderId: work.toUpperCase() })
    expect(page.items.map((r) => r.name)).toEqual(['In work'])
    expect(page.counts.items).toBe(2)
    expect((await vault.listVault(u.viewer, { folderId: '' })).total).toBe(2)
    await expectError(vault.listVault(u.viewer, { folderId: await personalId(ctx, other.user.id) }), NotFoundError)
    await expectError(vault.listVault(u.viewer, { folderId: randomUUID() }), NotFoundError)
    await expectError(vault.listVault(u.viewer, { folderId: "x' OR 1=1 --" }), NotFoundError)
  })
})

describe('moving items', () => {
  it('re-encrypts under the target folder key and AAD', async () => {
    const u = await registerUser(ctx, 'Mover')
    const personal = await personalId(ctx, u.user.id)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const input = fields({ name: 'Travelling', note: 'goes places' })
    const { id } = await vault.createItem(u.viewer, { folderId: personal, ...input })
    const before = (await rawItem(ctx, id))!

    await vault.moveItem(u.viewer, id, work)
    const after = (await rawItem(ctx, id))!
    expect(after.folder_id).toBe(work)
    expect(after.ciphertext.equals(before.ciphertext)).toBe(false)
    const personalKey = await folderKeyOf(ctx, u, personal)
    const workKey = await folderKeyOf(ctx, u, work)
    expect(() => crypto.decryptJson(personalKey, after.ciphertext, crypto.itemAad(id, personal))).toThrow(crypto.DecryptionError)
    expect(() => crypto.decryptJson(workKey, after.ciphertext, crypto.itemAad(id, personal))).toThrow(crypto.DecryptionError)
    expect(crypto.decryptJson(workKey, after.ciphertext, crypto.itemAad(id, work))).toMatchObject(input)
    const item = await vault.getItem(u.viewer, id)
    expect(item).toMatchObject({ folderId: work, folderName: 'Work', fields: input, broken: false })

    // Same folder: nothing changes.
    await vault.moveItem(u.viewer, id, work)
    expect((await rawItem(ctx, id))!.ciphertext.equals(after.ciphertext)).toBe(true)

    // Unknown target: NotFound, nothing changes.
    await expectError(vault.moveItem(u.viewer, id, randomUUID()), NotFoundError)
    await expectError(vault.moveItem(u.viewer, id, 'not-a-uuid'), NotFoundError)
    expect((await rawItem(ctx, id))!.ciphertext.equals(after.ciphertext)).toBe(true)
  })
})

describe('folders', () => {
  it('creates, renames and lists folders; validates names', async () => {
    const u = await registerUser(ctx, 'Folders')
    const { id } = await vault.createFolder(u.viewer, '  Finance  ')
    expect(await vault.getFolder(u.viewer, id)).toEqual({
      id,
      name: 'Finance',
      isPersonal: false,
      role: 'owner',
      permission: 'edit',
      ownerName: 'Folders',
      shared: false,
      memberCount: 0,
      itemCount: 0,
    })
    await vault.renameFolder(u.viewer, id, 'Money')
    expect((await vault.getFolder(u.viewer, id)).name).toBe('Money')
    for (const bad of ['', '   ', 'x'.repeat(65)]) {
      const err = (await expectError(vault.createFolder(u.viewer, bad), ValidationError)) as ValidationError
      expect(err.fields).toEqual({ name: 'Folder names are 1 to 64 characters.' })
      await expectError(vault.renameFolder(u.viewer, id, bad), ValidationError)
    }
    expect((await vault.getFolder(u.viewer, id)).name).toBe('Money')
  })

  it('refuses to rename or delete the Personal folder', async () => {
    const u = await registerUser(ctx, 'Keeper')
    const personal = await personalId(ctx, u.user.id)
    const rename = await expectError(vault.renameFolder(u.viewer, personal, 'Mine'), ForbiddenError)
    expect(rename.message).toBe('The Personal folder cannot be renamed.')
    const del = await expectError(vault.deleteFolder(u.viewer, personal), ForbiddenError)
    expect(del.message).toBe('The Personal folder cannot be deleted.')
    expect((await vault.getFolder(u.viewer, personal)).name).toBe('Personal')
  })

  it('deletes a folder, moving its items to Personal re-encrypted, in one transaction', async () => {
    const u = await registerUser(ctx, 'Deleter')
    const friend = await registerUser(ctx, 'Friend')
    const personal = await personalId(ctx, u.user.id)
    const { id: old } = await vault.createFolder(u.viewer, 'Old')
    await addMember(ctx, u, friend, old, 'edit')
    const kept = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Kept' }) })
    const moved = await Promise.all(
      ['One', 'Two', 'Three'].map((name) => vault.createItem(u.viewer, { folderId: old, ...fields({ name, note: name }) })),
    )
    expect((await vault.getFolder(u.viewer, old)).shared).toBe(true)

    expect(await vault.deleteFolder(u.viewer, old)).toEqual({ movedItems: 3 })
    expect(await ctx.models.Folder.findByPk(old)).toBeNull()
    expect(await ctx.models.FolderMembership.count({ where: { folderId: old } })).toBe(0)
    const personalKey = await folderKeyOf(ctx, u, personal)
    for (const { id } of moved) {
      const raw = (await rawItem(ctx, id))!
      expect(raw.folder_id).toBe(personal)
      expect(crypto.decryptJson<ItemFields>(personalKey, raw.ciphertext, crypto.itemAad(id, personal)).note).toBe(
        (await vault.getItem(u.viewer, id)).fields.name,
      )
    }
    const page = await vault.listVault(u.viewer, {})
    expect(page.items.map((r) => r.name)).toEqual(['Kept', 'One', 'Three', 'Two'])
    expect(page.items.every((r) => r.folderId === personal && !r.broken)).toBe(true)
    expect(page.folders.map((f) => f.name)).toEqual(['Personal'])
    expect(page.folders[0].itemCount).toBe(4)
    expect(kept.id).toBeTruthy()
    // The former member lost access along with the folder.
    await expectError(vault.getItem(friend.viewer, moved[0].id), NotFoundError)
    expect((await vault.listVault(friend.viewer, {})).counts.items).toBe(0)
    // An empty folder deletes too.
    const { id: empty } = await vault.createFolder(u.viewer, 'Empty')
    expect(await vault.deleteFolder(u.viewer, empty)).toEqual({ movedItems: 0 })
  })

  it('refuses the 101st folder (Personal counts)', async () => {
    const u = await registerUser(ctx, 'Hoarder')
    for (let i = 1; i < TEST_LIMITS.foldersPerUser; i++) await vault.createFolder(u.viewer, `Folder ${i}`)
    expect(await ctx.models.Folder.count({ where: { ownerId: u.user.id } })).toBe(100)
    const err = (await expectError(vault.createFolder(u.viewer, 'One too many'), ValidationError)) as ValidationError
    expect(err.fields).toEqual({ name: 'You can have at most 100 folders.' })
    expect(await ctx.models.Folder.count({ where: { ownerId: u.user.id } })).toBe(100)
    // Folders shared with the user do not count against their own limit.
    const other = await registerUser(ctx, 'Sharer')
    const { id } = await vault.createFolder(other.viewer, 'Shared')
    await addMember(ctx, other, u, id, 'edit')
    expect((await vault.listFolders(u.viewer)).folders.length).toBe(101)
  })
})

describe('item limit per folder', () => {
  const svc = small.services.vault

  it('refuses a create, a move or a folder deletion that would go over the limit', async () => {
    const u = await registerUser(small, 'Limited')
    const personal = await personalId(small, u.user.id)
    for (const name of ['a', 'b', 'c']) await svc.createItem(u.viewer, { folderId: personal, ...fields({ name }) })
    const err = (await expectError(svc.createItem(u.viewer, { folderId: personal, ...fields() }), ValidationError)) as ValidationError
    expect(Object.keys(err.fields)).toEqual(['folder_id'])
    expect(err.fields.folder_id).toMatch(/maximum of 3 items/)

    const { id: side } = await svc.createFolder(u.viewer, 'Side')
    const { id: s1 } = await svc.createItem(u.viewer, { folderId: side, ...fields({ name: 's1' }) })
    await expectError(svc.moveItem(u.viewer, s1, personal), ValidationError)
    expect((await rawItem(small, s1))!.folder_id).toBe(side)
    const del = (await expectError(svc.deleteFolder(u.viewer, side), ValidationError)) as ValidationError
    expect(del.fields._form).toMatch(/Personal folder cannot take/)
    expect(await small.models.Folder.findByPk(side)).not.toBeNull()
  })

  it('holds under concurrent creates', async () => {
    const u = await registerUser(small, 'Racer')
    const personal = await personalId(small, u.user.id)
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => svc.createItem(u.viewer, { folderId: personal, ...fields({ name: `r${i}` }) })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ValidationError)
    expect(await small.models.Item.count({ where: { folderId: personal } })).toBe(3)
  })
})

describe('access control', () => {
  let alice: Registered
  let bob: Registered
  let alicePersonal: string
  let bobPersonal: string
  let itemId: string
  let folderId: string

  beforeAll(async () => {
    alice = await registerUser(ctx, 'Owner Alice')
    bob = await registerUser(ctx, 'Bob')
    alicePersonal = await personalId(ctx, alice.user.id)
    bobPersonal = await personalId(ctx, bob.user.id)
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
    const bobPage = await vault.listVault(b, {})
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
  let owner: Registered
  let viewerUser: Registered
  let editor: Registered
  let shared: string
  let itemId: string

  beforeAll(async () => {
    owner = await registerUser(ctx, 'Sharing Owner')
    viewerUser = await registerUser(ctx, 'Viewing Member')
    editor = await registerUser(ctx, 'Editing Member')
    shared = (await vault.createFolder(owner.viewer, 'Team')).id
    itemId = (await vault.createItem(owner.viewer, { folderId: shared, ...fields({ name: 'Team login', password: 'team ' + STRONG }) })).id
    await addMember(ctx, owner, viewerUser, shared, 'view')
    await addMember(ctx, owner, editor, shared, 'edit')
  })

  it('a view-only member can list and read, but not write', async () => {
    const v = viewerUser.viewer
    const vPersonal = await personalId(ctx, viewerUser.user.id)
    const page = await vault.listVault(v, {})
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
    })
    expect(page.items.map((r) => [r.name, r.folderName, r.broken])).toEqual([['Team login', 'Team', false]])
    const item = await vault.getItem(v, itemId)
    expect(item).toMatchObject({ permission: 'view', broken: false, fields: { name: 'Team login', password: 'team ' + STRONG } })

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
    const ePersonal = await personalId(ctx, editor.user.id)
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

describe('broken ciphertexts', () => {
  it('a ciphertext copied onto another item breaks that item only', async () => {
    const u = await registerUser(ctx, 'Tampered')
    const personal = await personalId(ctx, u.user.id)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    const a = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Source', password: 'password123' }) })
    const b = await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Victim', password: 'password123' }) })
    const c = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Bystander' }) })
    const d = await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Flipped' }) })
    await ctx.sequelize.query('UPDATE items SET ciphertext = (SELECT ciphertext FROM items WHERE id = :a) WHERE id = :b', {
      replacements: { a: a.id, b: b.id },
    })
    // A flipped bit in another row.
    const raw = (await rawItem(ctx, d.id))!.ciphertext
    raw[raw.length - 1] ^= 1
    await ctx.models.Item.update({ ciphertext: raw }, { where: { id: d.id } })

    const page = await vault.listVault(u.viewer, {})
    const byId = Object.fromEntries(page.items.map((r) => [r.id, r]))
    expect(byId[b.id]).toEqual({ id: b.id, folderId: personal, folderName: 'Personal', name: '', username: '', host: '', weak: false, reused: false, broken: true, updatedAt: expect.any(Date) })
    expect(byId[d.id].broken).toBe(true)
    expect(byId[a.id]).toMatchObject({ name: 'Source', broken: false, reused: false })
    expect(byId[c.id]).toMatchObject({ name: 'Bystander', broken: false })
    expect(page.counts).toMatchObject({ items: 4, broken: 2, weak: 1, reused: 0 })
    expect((await vault.listVault(u.viewer, { q: 'victim' })).total).toBe(0)

    const item = await vault.getItem(u.viewer, b.id)
    expect(item).toMatchObject({ broken: true, fields: { name: '', username: '', password: '', url: '', note: '' }, weak: false })
    expect((await vault.listHealth(u.viewer)).broken.map((r) => r.id).sort()).toEqual([b.id, d.id].sort())

    // A broken item cannot be moved (nothing to re-encrypt) and blocks deleting its folder...
    await expectError(vault.moveItem(u.viewer, d.id, personal), ValidationError)
    const err = (await expectError(vault.deleteFolder(u.viewer, work), ValidationError)) as ValidationError
    expect(err.fields._form).toMatch(/could not be decrypted/)
    expect(await ctx.models.Item.count({ where: { folderId: work } })).toBe(2)
    // ...but can be overwritten or deleted.
    await vault.updateItem(u.viewer, b.id, fields({ name: 'Repaired' }))
    expect((await vault.getItem(u.viewer, b.id)).fields.name).toBe('Repaired')
    await vault.deleteItem(u.viewer, d.id)
    expect(await vault.deleteFolder(u.viewer, work)).toEqual({ movedItems: 1 })
    expect((await vault.listVault(u.viewer, {})).counts).toMatchObject({ items: 3, broken: 0 })
  })

  it('a folder key that cannot be opened breaks that folder only', async () => {
    const u = await registerUser(ctx, 'Bad key')
    const personal = await personalId(ctx, u.user.id)
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    await vault.createItem(u.viewer, { folderId: personal, ...fields({ name: 'Fine' }) })
    await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'Lost' }) })
    // Swap in the Personal folder's sealed key: wrong AAD for this folder.
    const p = await ctx.models.FolderMembership.findOne({ where: { folderId: personal, userId: u.user.id } })
    await ctx.models.FolderMembership.update({ sealedKey: p!.sealedKey }, { where: { folderId: work, userId: u.user.id } })
    const page = await vault.listVault(u.viewer, {})
    expect(page.items.map((r) => [r.name, r.broken])).toEqual([
      ['', true],
      ['Fine', false],
    ])
    // A wrong vault key (a corrupted session) breaks everything but still lists.
    const wrong = await vault.listVault({ userId: u.user.id, vaultKey: crypto.randomKey() }, {})
    expect(wrong.items.every((r) => r.broken)).toBe(true)
  })
})

describe('schemas', () => {
  it('itemSchema: defaults, trimming, unknown fields ignored, uuid folder', () => {
    const folder = randomUUID().toUpperCase()
    expect(itemSchema.parse({ folder_id: ` ${folder} `, name: ' X ', extra: 'ignored', _csrf: 't' })).toEqual({
      folder_id: folder.toLowerCase(),
      name: 'X',
      username: '',
      password: '',
      url: '',
      note: '',
    })
    const r = itemSchema.safeParse({ folder_id: 'nope', name: 'x'.repeat(201), url: 'u'.repeat(2049), username: ['a', 'b'] })
    expect(r.success).toBe(false)
    const paths = r.error!.issues.map((i) => i.path[0])
    expect(new Set(paths)).toEqual(new Set(['folder_id', 'name', 'url', 'username']))
    expect(moveSchema.safeParse({ folder_id: randomUUID() }).success).toBe(true)
    expect(moveSchema.safeParse({}).success).toBe(false)
    expect(folderSchema.parse({ name: '  Trips ' })).toEqual({ name: 'Trips' })
  })

  it('hostOf and safeHref read URLs as typed, and never link to script', () => {
    expect(hostOf('https://Accounts.Example.com/login?x=1')).toBe('accounts.example.com')
    expect(hostOf('example.com/login')).toBe('example.com')
    expect(hostOf('  localhost:3000  ')).toBe('localhost')
    expect(hostOf('ftp://files.example')).toBe('files.example')
    for (const bad of ['', '   ', 'not a url', 'mailto:me@example.com', 'javascript:alert(1)', 'http://']) expect(hostOf(bad)).toBe('')
    expect(safeHref('example.com')).toBe('https://example.com/')
    expect(safeHref('http://example.com/a')).toBe('http://example.com/a')
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', 'ftp://files.example', 'vbscript:x', '']) {
      expect(safeHref(bad)).toBeNull()
    }
  })
})
