// Attachments (issue 23, ADR 033) against the running servers and the real PostgreSQL: upload and
// download byte for byte, delete; the limits (0 bytes, over-size while streaming and by
// Content-Length, the quota under parallel uploads); names stripped of paths and controls;
// strangers 404, view members download but cannot change; a move and a key rotation re-seal the
// file keys (the departed member's old key opens none); purge and account deletion cascade; and
// nothing of a file, its name included, is in the database in clear.
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import * as crypto from '../../server/lib/crypto.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../../server/lib/errors.js'
import { createAttachmentService } from '../../server/services/attachments.js'
import { createVaultService } from '../../server/services/vault.js'
import { BASE_URL, Client, SECOND_URL, csrfFrom, expectStatus, session, textOf } from '../helpers/http.js'
import { TEST_LIMITS, createTestContext, itemFields, type RegisteredUser } from '../helpers/context.js'
import { currentKeyOf, share } from '../helpers/sharing.js'
import { expectError, personalId, verifiedUser } from '../helpers/vault.js'
import { serverForFile } from '../helpers/server.js'

const ctx = createTestContext()
const { vault, sharing, trash } = ctx.services
afterAll(() => ctx.sequelize.close())

type Session = Awaited<ReturnType<typeof session>>

/** POSTs the upload form like a browser without JavaScript (multipart, the page's token, our Origin). */
function upload(s: Session, itemId: string, bytes: Buffer | null, filename = 'file.bin', opts: { server?: string; json?: boolean } = {}) {
  const server = opts.server ?? BASE_URL
  const form = new FormData()
  form.append('_csrf', s.token)
  if (bytes) form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), filename)
  const headers: Record<string, string> = { origin: server, cookie: s.client.cookieHeader() }
  if (opts.json) headers.accept = 'application/json'
  return fetch(`${server}/dashboard/items/${itemId}/attachments`, { method: 'POST', body: form, headers, redirect: 'manual' })
}

const download = (s: Session, itemId: string, attachmentId: string, server?: string) => s.get(`/dashboard/items/${itemId}/attachments/${attachmentId}`, server)

async function attachmentRows(itemId: string) {
  return ctx.sequelize.query<{ id: string; item_id: string; wrapped_key: Buffer; name_ciphertext: Buffer; size: string; chunk_count: number }>(
    'SELECT id, item_id, wrapped_key, name_ciphertext, size::text AS size, chunk_count FROM attachments WHERE item_id = :itemId ORDER BY created_at, id',
    { replacements: { itemId }, type: QueryTypes.SELECT },
  )
}
async function chunkCount(attachmentIds: string[]) {
  if (attachmentIds.length === 0) return 0
  const [{ n }] = (await ctx.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM attachment_chunks WHERE attachment_id IN (:ids)', {
    replacements: { ids: attachmentIds },
    type: QueryTypes.SELECT,
  })) as [{ n: number }]
  return n
}

/** Uploads through HTTP and returns the new attachment's id (the only new row of the item). */
async function uploaded(s: Session, itemId: string, bytes: Buffer, filename = 'file.bin') {
  const before = new Set((await attachmentRows(itemId)).map((r) => r.id))
  const res = await upload(s, itemId, bytes, filename)
  expect(res.status, textOf(await res.clone().text()).slice(0, 300)).toBe(303)
  expect(res.headers.get('location')).toBe(`/dashboard/items/${itemId}#attachments`)
  const added = (await attachmentRows(itemId)).filter((r) => !before.has(r.id))
  expect(added).toHaveLength(1)
  return added[0]!.id
}

describe('upload, list, download, delete', () => {
  let owner: RegisteredUser
  let s: Session
  let itemId: string

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Attach Owner')
    itemId = (await vault.createItem(owner.viewer, { folderId: await personalId(ctx, owner), ...itemFields({ name: 'Router' }) })).id
    s = await session(owner)
  })

  it('a 200 KB binary file (several chunks) comes back byte for byte from either server, as a download that is never rendered or cached', async () => {
    const bytes = randomBytes(200 * 1024 + 123)
    const id = await uploaded(s, itemId, bytes, 'recovery sheet é.pdf')
    const [row] = await attachmentRows(itemId)
    expect(Number(row!.size)).toBe(bytes.length)
    expect(row!.chunk_count).toBe(4) // 64 KiB chunks
    for (const server of [BASE_URL, SECOND_URL]) {
      const res = await download(s, itemId, id, server)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/octet-stream')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="recovery sheet _.pdf"; filename*=UTF-8''recovery%20sheet%20%C3%A9.pdf`)
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)
    }
    const page = textOf(await expectStatus(await s.get(`/dashboard/items/${itemId}`), 200, 'item page'))
    expect(page).toContain('recovery sheet é.pdf')
    expect(page).toContain('200 KB')
    expect(page).toContain('Up to 10 MB per file; 250 MB in all.')
  })

  it('exactly 64 KiB (one full chunk) and 1 byte round-trip too', async () => {
    for (const bytes of [randomBytes(64 * 1024), randomBytes(1), randomBytes(128 * 1024)]) {
      const id = await uploaded(s, itemId, bytes)
      expect(Buffer.from(await (await download(s, itemId, id)).arrayBuffer()).equals(bytes)).toBe(true)
    }
  })

  it('nothing of the file or its name is in the database in clear', async () => {
    const bytes = Buffer.concat([Buffer.from('PLAINTEXT-CANARY-'.repeat(500)), randomBytes(1000)])
    const name = 'canary-name-9f8e7d.txt'
    const id = await uploaded(s, itemId, bytes, name)
    const [row] = (await attachmentRows(itemId)).filter((r) => r.id === id)
    const chunks = await ctx.sequelize.query<{ bytes: Buffer }>('SELECT bytes FROM attachment_chunks WHERE attachment_id = :id ORDER BY seq', { replacements: { id }, type: QueryTypes.SELECT })
    const stored = Buffer.concat([row!.wrapped_key, row!.name_ciphertext, ...chunks.map((c) => c.bytes)])
    expect(stored.includes(Buffer.from('PLAINTEXT-CANARY'))).toBe(false)
    expect(stored.includes(bytes.subarray(bytes.length - 64))).toBe(false)
    expect(stored.includes(Buffer.from('canary-name'))).toBe(false)
    // The file key is in no column in clear either: it opens only under the folder key.
    const folderKey = await currentKeyOf(ctx, owner, await personalId(ctx, owner))
    const fileKey = crypto.open(folderKey, row!.wrapped_key, crypto.attachmentKeyAad(id, itemId, await personalId(ctx, owner)))
    expect(stored.includes(fileKey)).toBe(false)
  })

  it('a chunk swapped, dropped or moved makes the download fail instead of giving other bytes', async () => {
    const bytes = randomBytes(70 * 1024)
    const id = await uploaded(s, itemId, bytes)
    // Drop the last chunk: the first is not sealed as final, so the file cannot pass for complete.
    await ctx.sequelize.query('DELETE FROM attachment_chunks WHERE attachment_id = :id AND seq = 1', { replacements: { id } })
    await ctx.sequelize.query('UPDATE attachments SET chunk_count = 1 WHERE id = :id', { replacements: { id } })
    const res = await download(s, itemId, id)
    expect(res.status).toBe(409)
    expect(textOf(await res.text())).toContain('could not be decrypted')
  })

  it('deletes (303 + flash, the rows and chunks gone); a second delete is 404', async () => {
    const id = await uploaded(s, itemId, randomBytes(100 * 1024), 'to-delete.bin')
    const confirm = textOf(await expectStatus(await s.get(`/dashboard/items/${itemId}?delete_attachment=${id}`), 200, 'confirmation'))
    expect(confirm).toContain('Delete to-delete.bin for good?')
    const res = await s.post(`/dashboard/items/${itemId}/attachments/${id}/delete`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/dashboard/items/${itemId}#attachments`)
    expect((await attachmentRows(itemId)).some((r) => r.id === id)).toBe(false)
    expect(await chunkCount([id])).toBe(0)
    expect((await s.post(`/dashboard/items/${itemId}/attachments/${id}/delete`)).status).toBe(404)
    expect((await download(s, itemId, id)).status).toBe(404)
  })
})

describe('bad input: a clear message next to the field, nothing stored, never a 5xx', () => {
  let owner: RegisteredUser
  let s: Session
  let itemId: string

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Attach Bad')
    itemId = (await vault.createItem(owner.viewer, { folderId: await personalId(ctx, owner), ...itemFields({ name: 'Bad input' }) })).id
    s = await session(owner)
  })

  it('a 0-byte file is refused (422) with the message by the file field', async () => {
    const res = await upload(s, itemId, Buffer.alloc(0), 'empty.txt')
    const page = await expectStatus(res, 422, 'empty file')
    expect(textOf(page)).toContain('This file is empty (0 bytes), so it was not attached.')
    expect(page).toMatch(/id="attachment-error"[^>]*role="alert"|role="alert"[^>]*id="attachment-error"/)
    expect(await attachmentRows(itemId)).toHaveLength(0)
  })

  it('no file field, or not multipart at all: 422 "Choose a file"', async () => {
    expect(textOf(await expectStatus(await upload(s, itemId, null), 422, 'no file'))).toContain('Choose a file to attach.')
    expect(textOf(await expectStatus(await s.post(`/dashboard/items/${itemId}/attachments`, {}), 422, 'urlencoded'))).toContain('Choose a file to attach.')
    const json = await upload(s, itemId, null, 'x', { json: true })
    expect(json.status).toBe(422)
    expect(await json.json()).toMatchObject({ ok: false, errors: { file: 'Choose a file to attach.' } })
    expect(await attachmentRows(itemId)).toHaveLength(0)
  })

  it('a file over 10 MB gets 413 while streaming, and nothing is stored', async () => {
    const res = await upload(s, itemId, randomBytes(10 * 1024 * 1024 + 1), 'big.bin')
    expect(textOf(await expectStatus(res, 413, 'over-size'))).toContain('This file is larger than 10 MB, so it was not attached.')
    expect(await attachmentRows(itemId)).toHaveLength(0)
  })

  it('a Content-Length over the limit gets 413 before any of the body is sent', async () => {
    const { status, bodySent } = await new Promise<{ status: number; bodySent: number }>((resolve, reject) => {
      const req = http.request(new URL(`/dashboard/items/${itemId}/attachments`, BASE_URL), {
        method: 'POST',
        headers: { cookie: s.client.cookieHeader(), origin: BASE_URL, 'content-type': 'multipart/form-data; boundary=xyz', 'content-length': String(50 * 1024 * 1024) },
      })
      req.on('response', (r) => {
        r.resume()
        resolve({ status: r.statusCode!, bodySent: 0 })
        req.destroy()
      })
      req.on('error', (e) => reject(e))
      req.flushHeaders()
    })
    expect(status).toBe(413)
    expect(bodySent).toBe(0)
  })

  it('a chunked body (no Content-Length) is answered 413 as soon as it passes the limit, before it ends', async () => {
    const { status, ended } = await new Promise<{ status: number; ended: boolean }>((resolve, reject) => {
      const boundary = 'nid-boundary-1234'
      const req = http.request(new URL(`/dashboard/items/${itemId}/attachments`, BASE_URL), {
        method: 'POST',
        headers: { cookie: s.client.cookieHeader(), origin: BASE_URL, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
      })
      let ended = false
      req.on('response', (r) => {
        r.resume()
        resolve({ status: r.statusCode!, ended })
        req.destroy()
      })
      req.on('error', () => resolve({ status: 0, ended }))
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${s.token}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`)
      // 11 MB, then wait: the answer must come while the body is still open.
      let sent = 0
      const piece = randomBytes(256 * 1024)
      const pump = () => {
        while (sent < 11 * 1024 * 1024) {
          sent += piece.length
          if (!req.write(piece)) return void req.once('drain', pump)
        }
        setTimeout(() => {
          ended = true
          req.end(`\r\n--${boundary}--\r\n`)
        }, 5000)
      }
      pump()
      setTimeout(() => reject(new Error('no answer')), 30_000)
    })
    expect(status).toBe(413)
    expect(ended).toBe(false)
    expect(await attachmentRows(itemId)).toHaveLength(0)
  })

  it('a name with path parts, controls and bidi overrides keeps only its safe last part; a name of nothing is refused', async () => {
    const id = await uploaded(s, itemId, randomBytes(10), '..\\..\\windows/../../etc/pass\twd\u202Egnp.exe\u2066')
    const res = await download(s, itemId, id)
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="passwdgnp.exe"; filename*=UTF-8''passwdgnp.exe`)
    expect(textOf(await (await s.get(`/dashboard/items/${itemId}`)).text())).toContain('passwdgnp.exe')
    for (const name of ['..', '\u202E', ' . ', 'dir/..', '\u2066\u200F']) {
      const refused = await upload(s, itemId, randomBytes(10), name)
      // busboy itself empties '..' (then it is no file at all); what is left empty after cleaning is refused by name.
      expect(textOf(await expectStatus(refused, 422, `name ${JSON.stringify(name)}`))).toMatch(/This file has no usable name|Choose a file to attach\./)
    }
    expect(textOf(await (await upload(s, itemId, randomBytes(10), ' \u202E.. ')).text())).toContain('This file has no usable name. Rename it and upload it again.')
    // Controls other than tab cannot even travel in a part header (busboy refuses it): told to rename.
    const bell = await upload(s, itemId, randomBytes(10), 'ring\u0007.txt')
    expect(textOf(await expectStatus(bell, 422, 'a bell in the name'))).toContain('The name of this file has characters that cannot be sent. Rename it')
    expect(await attachmentRows(itemId)).toHaveLength(1)
  })
})

describe('who may do what', () => {
  let owner: RegisteredUser
  let viewerMember: RegisteredUser
  let stranger: RegisteredUser
  let folderId: string
  let itemId: string
  let attachmentId: string
  const bytes = randomBytes(90 * 1024)

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Attach Sharer')
    viewerMember = await verifiedUser(ctx, 'Attach Viewer')
    stranger = await verifiedUser(ctx, 'Attach Stranger')
    folderId = (await vault.createFolder(owner.viewer, 'Attach shared')).id
    itemId = (await vault.createItem(owner.viewer, { folderId, ...itemFields({ name: 'Shared router' }) })).id
    await share(ctx, owner, viewerMember, folderId, 'view')
    attachmentId = await uploaded(await session(owner), itemId, bytes, 'shared.bin')
  })

  it('a view member downloads, but upload and delete are 403 and change nothing', async () => {
    const s = await session(viewerMember)
    expect(Buffer.from(await (await download(s, itemId, attachmentId)).arrayBuffer()).equals(bytes)).toBe(true)
    const page = await expectStatus(await s.get(`/dashboard/items/${itemId}`), 200, 'item page')
    expect(page).not.toContain('enctype="multipart/form-data"')
    expect((await upload(s, itemId, randomBytes(10))).status).toBe(403)
    expect((await s.post(`/dashboard/items/${itemId}/attachments/${attachmentId}/delete`)).status).toBe(403)
    expect(await attachmentRows(itemId)).toHaveLength(1)
  })

  it('a stranger gets 404 for everything; a malformed or another item’s attachment id is 404 too', async () => {
    const s = await session(stranger)
    expect((await download(s, itemId, attachmentId)).status).toBe(404)
    expect((await upload(s, itemId, randomBytes(10))).status).toBe(404)
    expect((await s.post(`/dashboard/items/${itemId}/attachments/${attachmentId}/delete`)).status).toBe(404)
    const ownItem = (await vault.createItem(stranger.viewer, { folderId: await personalId(ctx, stranger), ...itemFields() })).id
    expect((await download(s, ownItem, attachmentId)).status).toBe(404)
    expect((await s.post(`/dashboard/items/${ownItem}/attachments/${attachmentId}/delete`)).status).toBe(404)
    expect((await download(s, ownItem, 'not-a-uuid')).status).toBe(404)
    expect(await attachmentRows(itemId)).toHaveLength(1)
  })

  it('the services say the same: 404 and 403', async () => {
    const { attachments } = ctx.services
    await expectError(attachments.beginUpload(stranger.viewer, itemId), NotFoundError)
    await expectError(attachments.beginUpload(viewerMember.viewer, itemId), ForbiddenError)
    await expectError(attachments.deleteAttachment(viewerMember.viewer, itemId, attachmentId), ForbiddenError)
    await expectError(attachments.listAttachments(stranger.viewer, itemId), NotFoundError)
  })
})

describe('moves and key rotation re-seal the file keys', () => {
  it('moving an item (alone, and in bulk) to another folder: the files still download, sealed under the new folder', async () => {
    const owner = await verifiedUser(ctx, 'Attach Mover')
    const s = await session(owner)
    const personal = await personalId(ctx, owner)
    const work = (await vault.createFolder(owner.viewer, 'Work')).id
    const itemId = (await vault.createItem(owner.viewer, { folderId: personal, ...itemFields() })).id
    const bytes = randomBytes(150 * 1024)
    const id = await uploaded(s, itemId, bytes, 'moved.bin')
    await vault.moveItem(owner.viewer, itemId, work)
    const [row] = await attachmentRows(itemId)
    const workKey = await currentKeyOf(ctx, owner, work)
    expect(() => crypto.open(workKey, row!.wrapped_key, crypto.attachmentKeyAad(id, itemId, work))).not.toThrow()
    expect(Buffer.from(await (await download(s, itemId, id)).arrayBuffer()).equals(bytes)).toBe(true)
    const moved = await vault.moveItems(owner.viewer, [itemId], personal)
    expect(moved.done).toBe(1)
    expect(Buffer.from(await (await download(s, itemId, id)).arrayBuffer()).equals(bytes)).toBe(true)
    // Deleting a folder moves its items to Personal: their files follow.
    await vault.moveItem(owner.viewer, itemId, work)
    await vault.deleteFolder(owner.viewer, work)
    expect(Buffer.from(await (await download(s, itemId, id)).arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('after a member is removed, the rotation re-seals every file key: the owner still downloads, the departed member’s old folder key opens none', async () => {
    const owner = await verifiedUser(ctx, 'Attach Rotator')
    const member = await verifiedUser(ctx, 'Attach Departing')
    const folderId = (await vault.createFolder(owner.viewer, 'Rotating files')).id
    const items = [
      (await vault.createItem(owner.viewer, { folderId, ...itemFields({ name: 'One' }) })).id,
      (await vault.createItem(owner.viewer, { folderId, ...itemFields({ name: 'Two' }) })).id,
    ]
    await share(ctx, owner, member, folderId, 'edit')
    const files = new Map<string, { itemId: string; bytes: Buffer }>()
    const ms = await session(member)
    for (const itemId of items) {
      const bytes = randomBytes(80 * 1024)
      files.set(await uploaded(ms, itemId, bytes), { itemId, bytes })
    }
    // A trashed item's files are re-sealed too.
    await vault.deleteItem(owner.viewer, items[1]!)
    const oldKey = await currentKeyOf(ctx, member, folderId)
    for (const [id, f] of files) {
      const [row] = (await attachmentRows(f.itemId)).filter((r) => r.id === id)
      expect(() => crypto.open(oldKey, row!.wrapped_key, crypto.attachmentKeyAad(id, f.itemId, folderId))).not.toThrow()
    }
    await sharing.removeMember(owner.viewer, folderId, member.user.id)
    const newKey = await currentKeyOf(ctx, owner, folderId)
    expect(newKey.equals(oldKey)).toBe(false)
    for (const [id, f] of files) {
      const [row] = (await attachmentRows(f.itemId)).filter((r) => r.id === id)
      expect(() => crypto.open(oldKey, row!.wrapped_key, crypto.attachmentKeyAad(id, f.itemId, folderId))).toThrow(crypto.DecryptionError)
      expect(() => crypto.open(newKey, row!.wrapped_key, crypto.attachmentKeyAad(id, f.itemId, folderId))).not.toThrow()
    }
    await trash.restoreItem(owner.viewer, items[1]!)
    const os = await session(owner)
    for (const [id, f] of files) expect(Buffer.from(await (await download(os, f.itemId, id)).arrayBuffer()).equals(f.bytes)).toBe(true)
    expect((await download(ms, items[0]!, [...files.keys()][0]!)).status).toBe(404)
  })
})

describe('trash, purge and account deletion take the files with the item', () => {
  it('a trashed item keeps its files (not downloadable until restored); purge removes rows and chunks', async () => {
    const owner = await verifiedUser(ctx, 'Attach Trash')
    const s = await session(owner)
    const itemId = (await vault.createItem(owner.viewer, { folderId: await personalId(ctx, owner), ...itemFields() })).id
    const bytes = randomBytes(100 * 1024)
    const id = await uploaded(s, itemId, bytes)
    await vault.deleteItem(owner.viewer, itemId)
    expect(await attachmentRows(itemId)).toHaveLength(1)
    expect((await download(s, itemId, id)).status).toBe(404)
    await trash.restoreItem(owner.viewer, itemId)
    expect(Buffer.from(await (await download(s, itemId, id)).arrayBuffer()).equals(bytes)).toBe(true)
    await vault.deleteItem(owner.viewer, itemId)
    await trash.purgeItem(owner.viewer, itemId)
    expect(await attachmentRows(itemId)).toHaveLength(0)
    expect(await chunkCount([id])).toBe(0)
  })

  it('deleting the account (the users row) cascades to every file', async () => {
    const owner = await verifiedUser(ctx, 'Attach Leaving')
    const itemId = (await vault.createItem(owner.viewer, { folderId: await personalId(ctx, owner), ...itemFields() })).id
    const id = await uploaded(await session(owner), itemId, randomBytes(70 * 1024))
    await ctx.sequelize.query('DELETE FROM users WHERE id = :id', { replacements: { id: owner.user.id } })
    expect(await attachmentRows(itemId)).toHaveLength(0)
    expect(await chunkCount([id])).toBe(0)
  })
})

describe('the quota, charged to the folder owner, holds under parallel uploads', () => {
  const limits = { ...TEST_LIMITS, attachmentBytes: 100_000, attachmentQuotaBytes: 1_000_000 }
  const service = createAttachmentService({ ...ctx.deps, limits })

  async function put(viewer: RegisteredUser['viewer'], itemId: string, size: number) {
    const { sealer } = await service.beginUpload(viewer, itemId)
    sealer.write(randomBytes(size))
    return service.finishUpload(viewer, itemId, sealer, 'part.bin')
  }
  async function usedBy(ownerId: string) {
    const [{ used }] = (await ctx.sequelize.query<{ used: number }>(
      'SELECT coalesce(sum(a.size), 0)::int AS used FROM attachments a JOIN items i ON i.id = a.item_id JOIN folders f ON f.id = i.folder_id WHERE f.owner_id = :ownerId',
      { replacements: { ownerId }, type: QueryTypes.SELECT },
    )) as [{ used: number }]
    return used
  }

  it('40 parallel uploads of 60 KB against 1 MB: exactly 16 land, the rest are told the quota is full', async () => {
    const owner = await verifiedUser(ctx, 'Attach Quota')
    const personal = await personalId(ctx, owner)
    const other = (await vault.createFolder(owner.viewer, 'Other')).id
    const itemA = (await vault.createItem(owner.viewer, { folderId: personal, ...itemFields() })).id
    const itemB = (await vault.createItem(owner.viewer, { folderId: other, ...itemFields() })).id
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => put(owner.viewer, i % 2 ? itemA : itemB, 60_000)))
    const ok = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(ok).toHaveLength(16)
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ValidationError)
      expect((r.reason as ValidationError).fields.file).toMatch(/^You have \d+ KB left of 977 KB for attachments/)
    }
    expect(await usedBy(owner.user.id)).toBe(16 * 60_000)
  })

  it('an edit member’s upload into a shared folder counts against the owner, who is named in the refusal', async () => {
    const owner = await verifiedUser(ctx, 'Quota Owner')
    const member = await verifiedUser(ctx, 'Quota Member')
    const folderId = (await vault.createFolder(owner.viewer, 'Quota shared')).id
    const itemId = (await vault.createItem(owner.viewer, { folderId, ...itemFields() })).id
    await share(ctx, owner, member, folderId, 'edit')
    for (let i = 0; i < 10; i++) await put(member.viewer, itemId, 99_000)
    expect(await usedBy(owner.user.id)).toBe(990_000)
    expect(await usedBy(member.user.id)).toBe(0)
    const e = await put(member.viewer, itemId, 20_000).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as ValidationError).fields.file).toContain('Quota Owner, who owns this folder, has 10 KB left of 977 KB')
    // The member's own storage is untouched: their Personal folder still takes files.
    const own = (await vault.createItem(member.viewer, { folderId: await personalId(ctx, member), ...itemFields() })).id
    await put(member.viewer, own, 20_000)
  })

  it('a member cannot move files into an owner’s folder past that owner’s quota: the move is refused whole', async () => {
    const owner = await verifiedUser(ctx, 'Move Quota Owner')
    const member = await verifiedUser(ctx, 'Move Quota Member')
    const folderId = (await vault.createFolder(owner.viewer, 'Move quota shared')).id
    const ownersItem = (await vault.createItem(owner.viewer, { folderId, ...itemFields() })).id
    await share(ctx, owner, member, folderId, 'edit')
    for (let i = 0; i < 9; i++) await put(owner.viewer, ownersItem, 99_000)
    const memberPersonal = await personalId(ctx, member)
    const heavy = (await vault.createItem(member.viewer, { folderId: memberPersonal, ...itemFields({ name: 'Heavy' }) })).id
    await put(member.viewer, heavy, 99_000)
    await put(member.viewer, heavy, 99_000)
    // A vault service with the same small quota as the uploads.
    const smallVault = createVaultService({ ...ctx.deps, limits })
    const e = await smallVault.moveItem(member.viewer, heavy, folderId).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as ValidationError).fields.folder_id).toMatch(/would take the owner of that folder over/)
    expect((await vault.getItem(member.viewer, heavy)).folderId).toBe(memberPersonal)
    expect(await usedBy(owner.user.id)).toBe(9 * 99_000)
    // One file fits: an item with one 99 KB file moves, and counts against the owner from then on.
    const light = (await vault.createItem(member.viewer, { folderId: memberPersonal, ...itemFields({ name: 'Light' }) })).id
    await put(member.viewer, light, 99_000)
    await smallVault.moveItem(member.viewer, light, folderId)
    expect(await usedBy(owner.user.id)).toBe(10 * 99_000)
  })

  it('parallel moves into different folders of one owner hold the quota together: only what fits lands', async () => {
    const owner = await verifiedUser(ctx, 'Race Quota Owner')
    const member = await verifiedUser(ctx, 'Race Quota Member')
    const targets: string[] = []
    for (let i = 0; i < 8; i++) targets.push((await vault.createFolder(owner.viewer, `Race ${i}`)).id)
    for (const f of targets) await share(ctx, owner, member, f, 'edit')
    // 1 MB quota each. The owner has 495 KB already; the member moves eight items of 99 KB, each
    // into a folder of its own, all at once: five fit (495 KB), the other three would not.
    const ownersItem = (await vault.createItem(owner.viewer, { folderId: targets[0]!, ...itemFields() })).id
    for (let i = 0; i < 5; i++) await put(owner.viewer, ownersItem, 99_000)
    // Each from a folder of its own too: moves from one folder take turns on its lock.
    const items: string[] = []
    for (let i = 0; i < 8; i++) {
      const from = (await vault.createFolder(member.viewer, `Mine ${i}`)).id
      const id = (await vault.createItem(member.viewer, { folderId: from, ...itemFields({ name: `Race ${i}` }) })).id
      await put(member.viewer, id, 99_000)
      items.push(id)
    }
    const smallVault = createVaultService({ ...ctx.deps, limits })
    const results = await Promise.allSettled(items.map((id, i) => smallVault.moveItem(member.viewer, id, targets[i]!)))
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    for (const r of refused) expect((r.reason as ValidationError).fields?.folder_id).toMatch(/would take the owner of that folder over/)
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
    expect(await usedBy(owner.user.id)).toBe(10 * 99_000)
  })

  it('settings show the owner what their folders’ files take, a member’s upload included, against the quota', async () => {
    const owner = await verifiedUser(ctx, 'Storage Owner')
    const member = await verifiedUser(ctx, 'Storage Member')
    const folderId = (await vault.createFolder(owner.viewer, 'Storage shared')).id
    const itemId = (await vault.createItem(owner.viewer, { folderId, ...itemFields() })).id
    await share(ctx, owner, member, folderId, 'edit')
    const o = await session(owner, '/dashboard/settings/data')
    const line = async () => /data-testid="storage-used"[^>]*>([^<]*)</.exec(await (await o.get('/dashboard/settings/data')).text())?.[1]?.trim()
    expect(await line()).toBe('0 bytes of 250 MB used (0%), 0 files')
    await uploaded(o, itemId, randomBytes(3_000))
    await uploaded(await session(member, `/dashboard/items/${itemId}`), itemId, randomBytes(2_120))
    expect(await line()).toBe('5 KB of 250 MB used (0%), 2 files')
    // The member's own storage is not the owner's.
    const m = await session(member, '/dashboard/settings/data')
    expect(/data-testid="storage-used"[^>]*>([^<]*)</.exec(await (await m.get('/dashboard/settings/data')).text())?.[1]?.trim()).toBe('0 bytes of 250 MB used (0%), 0 files')
  })

  it('a file over the limit never reaches the database', async () => {
    const owner = await verifiedUser(ctx, 'Attach Limit')
    const itemId = (await vault.createItem(owner.viewer, { folderId: await personalId(ctx, owner), ...itemFields() })).id
    const { sealer } = await service.beginUpload(owner.viewer, itemId)
    expect(sealer.write(randomBytes(100_001))).toBe(false)
    await expect(service.finishUpload(owner.viewer, itemId, sealer, 'x.bin')).rejects.toMatchObject({ status: 413 })
    expect(await attachmentRows(itemId)).toHaveLength(0)
  })
})

describe('limits from the configuration, over HTTP (a server of this file’s own)', () => {
  const server = serverForFile({ LIMIT_ATTACHMENT_BYTES: '50000', LIMIT_ATTACHMENT_QUOTA_BYTES: '120000' })

  it('shows the configured limits; over the quota is 422 with the message by the file field, over the size 413', async () => {
    const owner = await verifiedUser(ctx, 'Attach Config')
    const itemId = (await vault.createItem(owner.viewer, { folderId: await personalId(ctx, owner), ...itemFields() })).id
    const client = new Client()
    expect((await client.login(owner.email, owner.password, server.origin)).status).toBe(303)
    const html = await expectStatus(await client.get(`/dashboard/items/${itemId}`, { server: server.origin }), 200, 'item page')
    expect(textOf(html)).toContain('Up to 49 KB per file; 117 KB in all.')
    const s = { client, token: csrfFrom(html) } as Session
    const opts = { server: server.origin }
    for (let i = 0; i < 2; i++) expect((await upload(s, itemId, randomBytes(45_000), 'a.bin', opts)).status).toBe(303)
    const over = await upload(s, itemId, randomBytes(45_000), 'b.bin', opts)
    expect(textOf(await expectStatus(over, 422, 'over quota'))).toContain('You have 29 KB left of 117 KB for attachments, not enough for this file')
    const big = await upload(s, itemId, randomBytes(50_001), 'c.bin', opts)
    expect(textOf(await expectStatus(big, 413, 'over size'))).toContain('This file is larger than 49 KB')
    expect(await attachmentRows(itemId)).toHaveLength(2)
  })
})

describe('uploads per user and hour', () => {
  it('130 parallel uploads of one user: 120 land, the rest get 429 before any of their body is stored; never a 5xx', async () => {
    const owner = await verifiedUser(ctx, 'Attach Burst')
    const itemId = (await vault.createItem(owner.viewer, { folderId: await personalId(ctx, owner), ...itemFields() })).id
    const s = await session(owner)
    const statuses = await Promise.all(Array.from({ length: 130 }, (_, i) => upload(s, itemId, randomBytes(64), `f${i}.bin`).then((r) => r.status)))
    expect(statuses.filter((st) => st === 303)).toHaveLength(120)
    expect(statuses.filter((st) => st === 429)).toHaveLength(10)
    expect(await attachmentRows(itemId)).toHaveLength(120)
  }, 60_000)
})
