// Forms are parsed once, in the routes (schemas/), and the services take what they parsed: the
// messages and normalisations of folder names, item fields and invitations, checked where they
// now happen, over HTTP (a 422 with one message per field, as the enhanced form gets it in JSON).
// And a folder page parses the id of its path: any letter case is the folder.
import { afterAll, describe, expect, it } from 'vitest'
import { JSON_HEADERS, expectStatus, session, textOf } from '../helpers/http.js'
import { createTestContext, itemFields as fields, registerUser } from '../helpers/context.js'
import { personalId, verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
const { vault } = ctx.services
afterAll(() => ctx.sequelize.close())

/** The field messages of a 422 JSON answer. */
async function errorsOf(res: Response): Promise<Record<string, string>> {
  expect(res.status).toBe(422)
  return ((await res.json()) as { errors: Record<string, string> }).errors
}

/** The id at the end of a JSON answer's redirect (a created folder's or item's page). */
async function createdId(res: Response): Promise<string> {
  expect(res.status).toBe(200)
  return ((await res.json()) as { redirect: string }).redirect.split('/').pop()!
}

describe('folder names', () => {
  it('are trimmed; empty, blank or over 64 characters: one message at the name, on create and on rename; nothing changes', async () => {
    const u = await registerUser(ctx, 'Folder Names Http')
    const http = await session(u)
    const id = await createdId(await http.post('/dashboard/folders', { name: '  Finance  ' }, { json: true }))
    expect((await vault.getFolder(u.viewer, id)).name).toBe('Finance')
    const before = (await vault.listFolders(u.viewer)).folders.length
    for (const bad of ['', '   ', 'x'.repeat(65)]) {
      expect(await errorsOf(await http.post('/dashboard/folders', { name: bad }, { json: true }))).toEqual({ name: 'Folder names are 1 to 64 characters.' })
      expect(await errorsOf(await http.post(`/dashboard/folders/${id}`, { name: bad }, { json: true }))).toEqual({ name: 'Folder names are 1 to 64 characters.' })
    }
    expect((await vault.getFolder(u.viewer, id)).name).toBe('Finance')
    expect((await vault.listFolders(u.viewer)).folders).toHaveLength(before)
  })
})

describe('item fields', () => {
  it('are trimmed; invalid: one message per field, on create and on update; nothing changes', async () => {
    const u = await registerUser(ctx, 'Item Fields Http')
    const personal = await personalId(ctx, u)
    const http = await session(u)
    const id = await createdId(await http.post('/dashboard/items', { folder_id: personal, ...fields({ name: '  Mail  ' }) }, { json: true }))
    expect((await vault.getItem(u.viewer, id)).fields.name).toBe('Mail')

    const invalid = fields({ name: '   ', password: 'x'.repeat(1001), note: 'n'.repeat(10_001) })
    const messages = {
      name: 'Enter a name for this item.',
      password: 'Passwords are at most 1,000 characters.',
      note: 'Notes are at most 10,000 characters.',
    }
    expect(await errorsOf(await http.post('/dashboard/items', { folder_id: personal, ...invalid }, { json: true }))).toEqual(messages)
    expect(await errorsOf(await http.post(`/dashboard/items/${id}`, invalid, { json: true }))).toEqual(messages)
    expect(await errorsOf(await http.post(`/dashboard/items/${id}`, fields({ name: '' }), { json: true }))).toEqual({ name: 'Enter a name for this item.' })
    expect((await vault.getItem(u.viewer, id)).fields.name).toBe('Mail')
    expect((await vault.listVault(u.viewer)).total).toBe(1)
  })
})

describe('invitations', () => {
  it('an invalid email or permission: a message per field; an email that is not a string: a message at the email', async () => {
    const owner = await verifiedUser(ctx, 'Invite Fields Owner Http')
    const folderId = (await vault.createFolder(owner.viewer, 'Invite Fields')).id
    const http = await session(owner)
    const path = `/dashboard/folders/${folderId}/members`
    const errors = await errorsOf(await http.post(path, { email: 'not an email', permission: 'admin' }, { json: true }))
    expect(errors.email).toMatch(/valid email/)
    expect(errors.permission).toMatch(/Can view|Can edit/)
    // A JSON body can carry what a form cannot: a list.
    const list = await http.raw(path, JSON.stringify({ _csrf: http.token, email: ['a@b.c'], permission: 'view' }), 'application/json', JSON_HEADERS)
    expect((await errorsOf(list)).email).toMatch(/.+/)
    expect((await ctx.services.sharing.listMembers(owner.viewer, folderId)).members).toHaveLength(1)
  })
})

describe('a folder page', () => {
  it('takes the id of its path in any letter case', async () => {
    const u = await registerUser(ctx, 'Folder Id Case Http')
    const { id: work } = await vault.createFolder(u.viewer, 'Work')
    await vault.createItem(u.viewer, { folderId: work, ...fields({ name: 'In work' }) })
    await vault.createItem(u.viewer, { folderId: await personalId(ctx, u), ...fields({ name: 'In personal' }) })
    const http = await session(u)
    const text = textOf(await expectStatus(await http.get(`/dashboard/folders/${work.toUpperCase()}`), 200, 'folder page, uppercase id'))
    expect(text).toContain('In work')
    expect(text).not.toContain('In personal')
  })
})
