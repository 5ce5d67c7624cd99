// The vault's pages and actions over HTTP, against the two running servers (BASE_URL and
// SECOND_URL), as a browser without JavaScript (form posts) and as the enhanced forms (JSON):
// another user's ids are 404 everywhere and change nothing; a view-only member is refused (403)
// on the server, not just in the UI; over-long fields give 422 with the values kept; and nothing
// an item holds reaches the database or Redis in clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { QueryTypes } from 'sequelize'
import { Redis } from 'ioredis'
import { BASE_URL, SECOND_URL, expectStatus, session, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { addMember, folderSnapshot, personalId } from '../helpers/vault.js'

const ctx = createTestContext()
const vault = ctx.services.vault
afterAll(() => ctx.sequelize.close())

const SERVERS = [BASE_URL, SECOND_URL]

const fields = itemFields

describe("another user's ids", () => {
  let alice: RegisteredUser
  let bob: RegisteredUser
  let carol: RegisteredUser
  let aliceFolder: string
  let alicePersonal: string
  let aliceItem: string
  let alicePersonalItem: string
  let bobPersonal: string
  let bobItem: string
  let bobHttp: Awaited<ReturnType<typeof session>>
  let carolHttp: Awaited<ReturnType<typeof session>>

  beforeAll(async () => {
    alice = await registerUser(ctx, 'Alice Http')
    bob = await registerUser(ctx, 'Bob Http')
    carol = await registerUser(ctx, 'Carol Http')
    alicePersonal = await personalId(ctx, alice)
    aliceFolder = (await vault.createFolder(alice.viewer, 'Alice Work')).id
    aliceItem = (await vault.createItem(alice.viewer, { folderId: aliceFolder, ...fields({ name: 'Alice Secret', username: 'alice-login' }) })).id
    alicePersonalItem = (await vault.createItem(alice.viewer, { folderId: alicePersonal, ...fields({ name: 'Alice Diary' }) })).id
    bobPersonal = await personalId(ctx, bob)
    bobItem = (await vault.createItem(bob.viewer, { folderId: bobPersonal, ...fields({ name: 'Bob Own' }) })).id
    // Carol was invited to Alice's folder but has not accepted: still not hers to see.
    await addMember(ctx, alice, carol, aliceFolder, 'edit', 'pending')
    ;[bobHttp, carolHttp] = await Promise.all([session(bob), session(carol)])
  })

  const pages = () => [
    `/dashboard/items/${aliceItem}`,
    `/dashboard/items/${aliceItem}/edit`,
    `/dashboard/items/${aliceItem}/delete`,
    `/dashboard/items/${alicePersonalItem}`,
    `/dashboard/items/${alicePersonalItem}/edit`,
    `/dashboard/items/${aliceItem.toUpperCase()}`,
    `/dashboard/folders/${aliceFolder}`,
    `/dashboard/folders/${aliceFolder}?q=alice&page=1`,
    `/dashboard/folders/${aliceFolder}/delete`,
    `/dashboard/folders/${alicePersonal}`,
    `/dashboard/folders/${alicePersonal}/delete`,
  ]

  it('every page is 404 on both servers, with nothing of the item or folder in it', async () => {
    for (const who of [bobHttp, carolHttp]) {
      for (const server of SERVERS) {
        for (const path of pages()) {
          const html = await expectStatus(await who.get(path, server), 404, `GET ${path}`)
          expect(textOf(html)).toContain('Not found')
          for (const secret of ['Alice Secret', 'alice-login', 'Alice Work', 'Alice Diary']) expect(html).not.toContain(secret)
        }
      }
    }
  })

  it('unknown and malformed ids are 404 too', async () => {
    for (const path of [
      `/dashboard/items/${randomBytes(8).toString('base64url')}`,
      '/dashboard/items/00000000-0000-4000-8000-000000000000',
      '/dashboard/items/00000000-0000-4000-8000-000000000000/edit',
      "/dashboard/items/1' OR '1'='1",
      '/dashboard/folders/00000000-0000-4000-8000-000000000000',
      '/dashboard/folders/not-a-folder/delete',
    ]) {
      await expectStatus(await bobHttp.get(encodeURI(path)), 404, `GET ${path}`)
    }
    await expectStatus(await bobHttp.post('/dashboard/items/not-an-id/delete'), 404, 'POST malformed delete')
    await expectStatus(await bobHttp.post('/dashboard/folders/00000000-0000-4000-8000-000000000000', { name: 'X' }), 404, 'POST unknown rename')
  })

  it('every action is 404 (form post and JSON) and changes nothing', async () => {
    const before = await folderSnapshot(ctx, [aliceFolder, alicePersonal, bobPersonal])
    const actions: [string, Record<string, string>][] = [
      ['/dashboard/items', { folder_id: aliceFolder, ...fields({ name: 'Planted' }) }],
      ['/dashboard/items', { folder_id: alicePersonal, ...fields({ name: 'Planted' }) }],
      [`/dashboard/items/${aliceItem}`, { ...fields({ name: 'Overwritten' }) }],
      [`/dashboard/items/${aliceItem}`, { ...fields({ name: 'Overwritten' }), generate: '1' }],
      [`/dashboard/items/${alicePersonalItem}`, { ...fields({ name: 'Overwritten' }) }],
      [`/dashboard/items/${aliceItem}/move`, { folder_id: bobPersonal }],
      [`/dashboard/items/${bobItem}/move`, { folder_id: aliceFolder }],
      [`/dashboard/items/${bobItem}/move`, { folder_id: alicePersonal }],
      [`/dashboard/items/${aliceItem}/delete`, {}],
      [`/dashboard/items/${alicePersonalItem}/delete`, {}],
      [`/dashboard/folders/${aliceFolder}`, { name: 'Renamed by someone else' }],
      [`/dashboard/folders/${alicePersonal}`, { name: 'Renamed by someone else' }],
      [`/dashboard/folders/${aliceFolder}/delete`, {}],
      [`/dashboard/folders/${alicePersonal}/delete`, {}],
    ]
    for (const who of [bobHttp, carolHttp]) {
      for (const [path, form] of actions) {
        const html = await expectStatus(await who.post(path, form), 404, `POST ${path}`)
        expect(html).not.toContain('Alice Secret')
        const res = await who.post(path, form, { json: true, server: SECOND_URL })
        expect(res.status, `POST ${path} (JSON)`).toBe(404)
        // "Generate" is a no-JavaScript button: it re-renders the (refused) page as HTML.
        if (!form.generate) expect(await res.json()).toMatchObject({ ok: false, error: expect.any(String) })
      }
    }
    expect(await folderSnapshot(ctx, [aliceFolder, alicePersonal, bobPersonal])).toEqual(before)
    expect((await vault.getItem(alice.viewer, aliceItem)).fields).toEqual(fields({ name: 'Alice Secret', username: 'alice-login' }))
    expect((await vault.getItem(bob.viewer, bobItem)).folderId).toBe(bobPersonal)
  })

  it("the new item form never offers another user's folder", async () => {
    const html = await expectStatus(await bobHttp.get(`/dashboard/items/new?folder=${aliceFolder}`), 200, 'GET new item')
    expect(html).not.toContain(`value="${aliceFolder}"`)
    expect(html).toContain(`value="${bobPersonal}"`)
    expect(html).not.toContain('Alice Work')
  })
})

describe('a view-only member', () => {
  let owner: RegisteredUser
  let viewer: RegisteredUser
  let editor: RegisteredUser
  let shared: string
  let sharedItem: string
  let viewerPersonal: string
  let viewerItem: string
  let viewerHttp: Awaited<ReturnType<typeof session>>

  beforeAll(async () => {
    owner = await registerUser(ctx, 'Owner Http')
    viewer = await registerUser(ctx, 'Viewer Http')
    editor = await registerUser(ctx, 'Editor Http')
    shared = (await vault.createFolder(owner.viewer, 'Household')).id
    sharedItem = (await vault.createItem(owner.viewer, { folderId: shared, ...fields({ name: 'Wifi', username: 'home-net' }) })).id
    viewerPersonal = await personalId(ctx, viewer)
    viewerItem = (await vault.createItem(viewer.viewer, { folderId: viewerPersonal, ...fields({ name: 'Viewer Own' }) })).id
    await addMember(ctx, owner, viewer, shared, 'view')
    await addMember(ctx, owner, editor, shared, 'edit')
    viewerHttp = await session(viewer)
  })

  it('sees the folder and its items, without any link or form to change them', async () => {
    const folder = await expectStatus(await viewerHttp.get(`/dashboard/folders/${shared}`), 200, 'folder page')
    expect(textOf(folder)).toContain('Household')
    expect(textOf(folder)).toContain('Wifi')
    expect(folder).not.toContain(`/dashboard/items/new?folder=${shared}`)
    expect(folder).not.toContain(`method="post" action="/dashboard/folders/${shared}"`) // rename
    expect(folder).not.toContain(`/dashboard/folders/${shared}/delete`)

    const item = await expectStatus(await viewerHttp.get(`/dashboard/items/${sharedItem}`), 200, 'item page')
    expect(textOf(item)).toContain('Wifi')
    expect(textOf(item)).toContain('view only')
    expect(item).not.toContain(`/dashboard/items/${sharedItem}/edit`)
    expect(item).not.toContain(`/dashboard/items/${sharedItem}/delete`)
    expect(item).not.toContain(`/dashboard/items/${sharedItem}/move`)
    // Reading is allowed, and the password is sent only when asked for (SPEC 3b): not in the item
    // page, nor in its client-navigation data, until ?reveal=password.
    expect(item).toMatch(/href="\/dashboard\/items\/[0-9a-f-]{36}\?reveal=password"/)
    expect(item).not.toContain('quartz lantern mosaic orbit velvet')
    const json = await expectStatus(await viewerHttp.get(`/dashboard/items/${sharedItem}/index.pageContext.json`), 200, 'item page data')
    expect(json).not.toContain('quartz lantern mosaic orbit velvet')
    const revealed = await expectStatus(await viewerHttp.get(`/dashboard/items/${sharedItem}?reveal=password`), 200, 'revealed item page')
    expect(revealed).toContain('quartz lantern mosaic orbit velvet')

    // The sidebar's folder list offers it; the new item form does not.
    const form = await expectStatus(await viewerHttp.get(`/dashboard/items/new?folder=${shared}`), 200, 'new item page')
    expect(form).not.toContain(`<option value="${shared}"`)
  })

  it('gets 403 for the edit and delete pages', async () => {
    for (const path of [`/dashboard/items/${sharedItem}/edit`, `/dashboard/items/${sharedItem}/delete`, `/dashboard/folders/${shared}/delete`]) {
      const html = await expectStatus(await viewerHttp.get(path), 403, `GET ${path}`)
      expect(textOf(html)).toContain('You cannot do that')
      expect(html).not.toMatch(/method="post" action="\/dashboard\/(items|folders)\/[0-9a-f-]{36}/)
    }
  })

  it('is refused (403) create, edit, move, delete, rename and folder delete, and nothing changes', async () => {
    const before = await folderSnapshot(ctx, [shared, viewerPersonal])
    const actions: [string, Record<string, string>][] = [
      ['/dashboard/items', { folder_id: shared, ...fields({ name: 'Planted' }) }],
      [`/dashboard/items/${sharedItem}`, fields({ name: 'Changed' })],
      [`/dashboard/items/${sharedItem}`, { ...fields({ name: 'Changed' }), generate: '1' }],
      [`/dashboard/items/${sharedItem}/move`, { folder_id: viewerPersonal }],
      [`/dashboard/items/${viewerItem}/move`, { folder_id: shared }],
      [`/dashboard/items/${sharedItem}/delete`, {}],
      [`/dashboard/folders/${shared}`, { name: 'Mine now' }],
      [`/dashboard/folders/${shared}/delete`, {}],
    ]
    for (const server of SERVERS) {
      for (const [path, form] of actions) {
        await expectStatus(await viewerHttp.post(path, form, { server }), 403, `POST ${path}`)
        const res = await viewerHttp.post(path, form, { json: true, server })
        expect(res.status, `POST ${path} (JSON)`).toBe(403)
        if (!form.generate) expect(await res.json()).toMatchObject({ ok: false, error: expect.any(String) })
      }
    }
    expect(await folderSnapshot(ctx, [shared, viewerPersonal])).toEqual(before)
    expect((await vault.getItem(owner.viewer, sharedItem)).fields.name).toBe('Wifi')
  })

  it('while a member with edit permission can change the same item', async () => {
    const http = await session(editor)
    const res = await http.post(`/dashboard/items/${sharedItem}`, fields({ name: 'Wifi 5G', username: 'home-net' }))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/dashboard/items/${sharedItem}`)
    expect((await vault.getItem(owner.viewer, sharedItem)).fields.name).toBe('Wifi 5G')
    await vault.updateItem(owner.viewer, sharedItem, fields({ name: 'Wifi', username: 'home-net' }))
  })
})

describe('item form validation', () => {
  let user: RegisteredUser
  let http: Awaited<ReturnType<typeof session>>
  let folderId: string

  beforeAll(async () => {
    user = await registerUser(ctx, 'Form Http')
    folderId = await personalId(ctx, user)
    http = await session(user)
  })

  it('a name over 200 characters or a note over 10,000: 422, a message per field, the other values kept', async () => {
    const form = { folder_id: folderId, name: 'N'.repeat(201), username: 'kept-user', password: 'kept-password', url: 'https://kept.example', note: 'x'.repeat(10_001) }
    const html = await expectStatus(await http.post('/dashboard/items', form), 422, 'POST long fields')
    const text = textOf(html)
    expect(text).toContain('Names are at most 200 characters.')
    expect(text).toContain('Notes are at most 10,000 characters.')
    expect(html).toContain('value="kept-user"')
    expect(html).toContain('value="https://kept.example"')
    expect(html).toContain('value="kept-password"') // the item's own password, not an account secret

    const res = await http.post('/dashboard/items', form, { json: true })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      ok: false,
      message: 'Please correct the highlighted fields.',
      errors: { name: 'Names are at most 200 characters.', note: 'Notes are at most 10,000 characters.' },
    })
    expect(await ctx.models.Item.count({ where: { folderId } })).toBe(0)
  })

  it('an over-long edit is refused and the stored item is unchanged', async () => {
    const { id } = await vault.createItem(user.viewer, { folderId, ...fields({ name: 'Stable' }) })
    const before = await folderSnapshot(ctx, [folderId])
    const html = await expectStatus(await http.post(`/dashboard/items/${id}`, fields({ name: 'Stable', note: 'y'.repeat(10_001) })), 422, 'POST long note')
    expect(textOf(html)).toContain('Notes are at most 10,000 characters.')
    expect(html).toContain('value="Stable"')
    expect(await folderSnapshot(ctx, [folderId])).toEqual(before)
  })
})

describe('encryption at rest', () => {
  it('no field of an item added and edited over HTTP appears in clear in any table or in Redis', async () => {
    const tag = randomBytes(6).toString('base64url').replace(/[^a-zA-Z0-9]/g, 'q')
    const first = {
      name: `Canary Bank ${tag}`,
      username: `canary-user-${tag}`,
      password: `canary-pass-${tag}-Xy9!`,
      url: `https://canary-${tag.toLowerCase()}.example/login`,
      note: `canary note ${tag}: the safe code is 4471`,
    }
    const second = {
      name: `Renamed Canary ${tag}`,
      username: `renamed-user-${tag}`,
      password: `renamed-pass-${tag}-Qz1?`,
      url: `https://renamed-${tag.toLowerCase()}.example`,
      note: `renamed note ${tag}`,
    }
    const user = await registerUser(ctx, 'Canary Http')
    const folderId = (await vault.createFolder(user.viewer, `Folder ${tag}`)).id
    const http = await session(user)

    const created = await http.post('/dashboard/items', { folder_id: folderId, ...first })
    expect(created.status).toBe(303)
    const itemPath = created.headers.get('location')!
    expect(itemPath).toMatch(/^\/dashboard\/items\/[0-9a-f-]{36}$/)
    // The no-JavaScript "Generate" round trip and a failed save also go through the server.
    expect((await http.post(itemPath, { ...first, generate: '1' })).status).toBe(200)
    expect((await http.post(itemPath, { ...first, name: '' })).status).toBe(422)
    expect((await http.post(itemPath, second)).status).toBe(303)
    // Sanity: the server can still read it all back.
    const page = textOf(await (await http.get(itemPath)).text())
    for (const v of [second.name, second.username, second.url, second.note]) expect(page).toContain(v)

    const secrets = [...Object.values(first), ...Object.values(second)]
    const needles = secrets.flatMap((s) => [s, Buffer.from(s, 'utf8').toString('hex'), tag])
    const tables = await ctx.sequelize.query<{ name: string }>(
      "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      { type: QueryTypes.SELECT },
    )
    expect(tables.map((t) => t.name)).toContain('items')
    for (const { name: table_name } of tables) {
      // Every column of every row as text (bytea as \x hex), as a dump would show it.
      const rows = await ctx.sequelize.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`, { type: QueryTypes.SELECT })
      const dump = rows.map((r) => r.row).join('\n').toLowerCase()
      for (const needle of needles) {
        // The folder name is not secret (it holds the tag); only the item fields are checked there.
        if (table_name === 'folders' && needle === tag) continue
        expect(dump.includes(needle.toLowerCase()), `${table_name} contains ${needle}`).toBe(false)
      }
    }

    const redis = new Redis(process.env.REDIS_URL!)
    try {
      const prefix = process.env.REDIS_PREFIX ?? ''
      let cursor = '0'
      let seen = 0
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        cursor = next
        for (const key of keys) {
          if ((await redis.type(key)) !== 'string') continue
          const value = (await redis.getBuffer(key)) ?? Buffer.alloc(0)
          seen++
          for (const s of secrets) expect(value.includes(Buffer.from(s)), `Redis ${key} contains ${s}`).toBe(false)
        }
      } while (cursor !== '0')
      expect(seen).toBeGreaterThan(0) // at least this user's session
    } finally {
      redis.disconnect()
    }
  })
})
