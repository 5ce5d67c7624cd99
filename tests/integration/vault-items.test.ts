// Items through the vault service against the real database: create, read, update, delete, move
// (re-encrypted under the target folder's key), and no plaintext of any field at rest. The fields
// as the route parsed them: their messages and trimming are http-validation.test.ts's.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import * as crypto from '../../server/lib/crypto.js'
import { NotFoundError } from '../../server/lib/errors.js'
import type { Viewer } from '../../server/services/types.js'
import { ITEM_PASSWORD } from '../helpers/canaries.js'
import { createTestContext, itemFields as fields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { expectError, folderKeyOf, personalId, rawItem } from '../helpers/vault.js'
import { decryptItem, encryptItem } from '../../server/services/itemCrypto.js'
import { rebuildListIndexes } from '../../server/services/listIndex.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

describe('items: create, list, get, update, delete', () => {
  let alice: RegisteredUser
  let viewer: Viewer
  let personal: string

  beforeAll(async () => {
    alice = await registerUser(ctx, 'Alice')
    viewer = alice.viewer
    personal = await personalId(ctx, alice)
  })

  it('creates an item and reads it back (list row and detail)', async () => {
    const { id } = await vault.createItem(viewer, {
      folderId: personal,
      ...fields({ name: 'Mail', username: 'alice', url: 'mail.example.org/inbox', note: 'a note' }),
    })
    const page = await vault.listVault(viewer, {})
    const row = page.items.find((r) => r.id === id)!
    expect(row).toEqual({
      id,
      folderId: personal,
      folderName: 'Personal',
      name: 'Mail',
      username: 'alice',
      host: 'mail.example.org', // no scheme: read as https
      weak: false,
      reused: false,
      favourite: false,
      unreadable: false,
      updatedAt: expect.any(Date),
      passwordChangedAt: expect.any(Date),
      rotateDays: null,
      type: 'login',
    })
    const item = await vault.getItem(viewer, id)
    expect(item.fields).toEqual({ name: 'Mail', username: 'alice', password: ITEM_PASSWORD, url: 'mail.example.org/inbox', note: 'a note' })
    expect(item).toMatchObject({ id, folderId: personal, folderName: 'Personal', permission: 'edit', unreadable: false, weak: false })
    expect(item.href).toBe('https://mail.example.org/inbox')
    expect(item.createdAt).toBeInstanceOf(Date)
    // An uppercase spelling of the same id works too.
    expect((await vault.getItem(viewer, id.toUpperCase())).id).toBe(id)
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
  })

  it('deletes an item: it moves to the trash (issue 21), out of reach of every item read and write', async () => {
    const { id } = await vault.createItem(viewer, { folderId: personal, ...fields({ name: 'Doomed' }) })
    expect(await vault.deleteItem(viewer, id)).toEqual({ folderId: personal })
    // The row stays (trash.test.ts restores and purges it), trashed.
    const [row] = await ctx.sequelize.query<{ deletedAt: Date | null }>('SELECT deleted_at AS "deletedAt" FROM items WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT })
    expect(row?.deletedAt).toBeInstanceOf(Date)
    expect((await vault.listVault(viewer, {})).items.map((r) => r.id)).not.toContain(id)
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

describe('moving items', () => {
  it('re-encrypts under the target folder key and AAD', async () => {
    const u = await registerUser(ctx, 'Mover')
    const personal = await personalId(ctx, u)
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
    expect(item).toMatchObject({ folderId: work, folderName: 'Work', fields: input, unreadable: false })

    // Same folder: nothing changes.
    await vault.moveItem(u.viewer, id, work)
    expect((await rawItem(ctx, id))!.ciphertext.equals(after.ciphertext)).toBe(true)

    // Unknown target: NotFound, nothing changes.
    await expectError(vault.moveItem(u.viewer, id, randomUUID()), NotFoundError)
    await expectError(vault.moveItem(u.viewer, id, 'not-a-uuid'), NotFoundError)
    expect((await rawItem(ctx, id))!.ciphertext.equals(after.ciphertext)).toBe(true)
  })
})

describe('rotation reminders (issue 21)', () => {
  it('an item without a password is never due for a change, on its page or on the health page', async () => {
    const u = await registerUser(ctx, 'Rota')
    const folder = await personalId(ctx, u)
    const withPassword = await vault.createItem(u.viewer, { folderId: folder, ...fields({ name: 'Bank', password: 'Lantern-Quartz-Harbor-9' }), rotateDays: 30 })
    const without = await vault.createItem(u.viewer, { folderId: folder, ...fields({ name: 'Door code', password: '' }), rotateDays: 30 })
    // Both set 45 days back, past their 30-day reminder.
    const key = await folderKeyOf(ctx, u, folder)
    await ctx.sequelize.transaction(async (transaction) => {
      for (const { id } of [withPassword, without]) {
        const item = await ctx.models.Item.findByPk(id, { transaction })
        const plain = decryptItem(key, id, folder, item!.ciphertext)!
        const ciphertext = encryptItem(key, id, folder, { ...plain, passwordChangedAt: Date.now() - 45 * 86_400_000 })
        await ctx.models.Item.update({ ciphertext }, { where: { id }, transaction })
      }
      await rebuildListIndexes(ctx.deps, transaction, [{ folderId: folder, key }])
    })
    expect((await vault.getItem(u.viewer, withPassword.id)).overdue).toBe(true)
    expect((await vault.getItem(u.viewer, without.id)).overdue).toBe(false)
    const health = await vault.listHealth(u.viewer)
    expect(health.overdue.map((r) => r.name)).toEqual(['Bank'])
  })
})

