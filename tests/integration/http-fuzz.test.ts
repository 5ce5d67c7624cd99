// Malformed input to every form action, with a valid CSRF token and a logged-in session: missing
// fields, repeated fields, huge strings and bodies, broken percent-escapes, NUL, lone surrogates in
// JSON, a Content-Encoding that lies, wrong content types, multipart, odd JSON and foreign or
// malformed ids. No answer is a 5xx, none shows a stack trace or SQL, and another user's rows stay
// as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_URL, Client, LEAK, session, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

// Every field any form has, so each payload reaches every handler's parsing.
const FIELDS = ['name', 'email', 'password', 'password_confirm', 'remember', 'recovery_code', 'new_password', 'new_password_confirm', 'folder_id', 'username', 'url', 'note']

interface Payload {
  name: string
  /** A body and its content type, given the CSRF token. */
  build: (csrf: string) => { body: string | Blob; type?: string; headers?: Record<string, string> }
  /** The status when it is not just "any 4xx, 2xx or 3xx". */
  expect?: number[]
}

const form = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) p.append(k, one)
  return p.toString()
}
const allFields = (value: string) => Object.fromEntries(FIELDS.map((f) => [f, value]))
const FORM = 'application/x-www-form-urlencoded'
const JSON_TYPE = 'application/json'

const PAYLOADS: Payload[] = [
  { name: 'no fields', build: (csrf) => ({ body: form({ _csrf: csrf }), type: FORM }) },
  { name: 'repeated fields', build: (csrf) => ({ body: form({ _csrf: csrf, ...Object.fromEntries(FIELDS.map((f) => [f, ['a', 'b']])) }), type: FORM }) },
  { name: '100 KB strings', build: (csrf) => ({ body: form({ _csrf: csrf, ...allFields('x'.repeat(100_000)) }), type: FORM }) },
  { name: '2 MB body', build: (csrf) => ({ body: form({ _csrf: csrf, note: 'x'.repeat(2_000_000) }), type: FORM }), expect: [413] },
  {
    name: 'broken percent-escapes',
    build: (csrf) => ({ body: `_csrf=${encodeURIComponent(csrf)}&${FIELDS.map((f) => `${f}=%E0%A4%A%ZZ%`).join('&')}&%=%&%%=1`, type: FORM }),
  },
  { name: 'NUL and control characters', build: (csrf) => ({ body: form({ _csrf: csrf, ...allFields('a\u0000b\u001b[31m\r\nc') }), type: FORM }) },
  { name: 'invalid UTF-8', build: (csrf) => ({ body: new Blob([`_csrf=${encodeURIComponent(csrf)}&name=`, new Uint8Array([0xff, 0xfe, 0xc3, 0x26, 0xff])]), type: FORM }) },
  // JSON.stringify keeps a lone surrogate as the escape \ud800, exactly what a client can send.
  { name: 'lone surrogates in JSON', build: (csrf) => ({ body: JSON.stringify({ _csrf: csrf, ...allFields('a\ud800b\udfff') }), type: JSON_TYPE }) },
  {
    name: 'lone surrogates in JSON, enhanced form',
    build: (csrf) => ({ body: JSON.stringify({ _csrf: csrf, ...allFields('\ud83d') }), type: JSON_TYPE, headers: { accept: JSON_TYPE } }),
  },
  {
    name: 'generate with lone surrogates',
    build: (csrf) => ({ body: JSON.stringify({ _csrf: csrf, generate: '1', ...allFields('\udc00') }), type: JSON_TYPE }),
  },
  {
    name: 'JSON of the wrong shapes',
    build: (csrf) => ({
      body: JSON.stringify({ _csrf: csrf, name: { $gt: '' }, email: ['a@b.c'], password: 12, folder_id: null, note: true, url: { toString: 'x' }, __proto__: { admin: true } }),
      type: JSON_TYPE,
      headers: { accept: JSON_TYPE },
    }),
  },
  { name: 'JSON that does not parse', build: (csrf) => ({ body: `{"_csrf":"${csrf}","name":`, type: JSON_TYPE, headers: { 'x-csrf-token': csrf } }) },
  { name: 'JSON that is not an object', build: (csrf) => ({ body: '[1,2,3]', type: JSON_TYPE, headers: { 'x-csrf-token': csrf } }) },
  {
    name: 'Content-Encoding: gzip that is not gzip',
    build: (csrf) => ({ body: form({ _csrf: csrf, name: 'plain' }), type: FORM, headers: { 'content-encoding': 'gzip' } }),
    expect: [400, 415],
  },
  {
    name: 'Content-Encoding: deflate that is not deflate',
    build: (csrf) => ({ body: JSON.stringify({ _csrf: csrf }), type: JSON_TYPE, headers: { 'content-encoding': 'deflate', accept: JSON_TYPE } }),
    expect: [400, 415],
  },
  { name: 'unknown Content-Encoding', build: (csrf) => ({ body: form({ _csrf: csrf }), type: FORM, headers: { 'content-encoding': 'zstd-or-whatever' } }) },
  { name: 'text/plain', build: (csrf) => ({ body: `_csrf=${csrf}&name=x`, type: 'text/plain', headers: { 'x-csrf-token': csrf } }) },
  { name: 'XML', build: (csrf) => ({ body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', type: 'application/xml', headers: { 'x-csrf-token': csrf } }) },
  {
    name: 'multipart',
    build: (csrf) => ({
      body: `--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--b\r\nContent-Disposition: form-data; name="name"; filename="../../x"\r\n\r\n\u0000\r\n--b--\r\n`,
      type: 'multipart/form-data; boundary=b',
      headers: { 'x-csrf-token': csrf },
    }),
  },
  { name: 'no content type', build: (csrf) => ({ body: `_csrf=${csrf}`, headers: { 'x-csrf-token': csrf } }) },
  { name: 'prototype keys and deep nesting', build: (csrf) => ({ body: `_csrf=${encodeURIComponent(csrf)}&__proto__[x]=1&constructor[prototype][y]=2&${'a['.repeat(50)}b${']'.repeat(50)}=1&name[]=1`, type: FORM }) },
]

let attacker: RegisteredUser
let victim: RegisteredUser
let victimFolder: string
let victimItem: string
let ownFolder: string
let ownItem: string
let client: Client
let csrf: string

function send(c: Client, path: string, p: Payload, token: string) {
  const { body, type, headers } = p.build(token)
  return fetch(`${BASE_URL}${path}`, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { cookie: c.cookieHeader(), origin: BASE_URL, ...(type ? { 'content-type': type } : {}), ...headers },
  })
}

beforeAll(async () => {
  victim = await registerUser(ctx, 'Fuzz Victim')
  attacker = await registerUser(ctx, 'Fuzz Attacker')
  victimFolder = (await ctx.services.vault.createFolder(victim.viewer, 'Victim folder')).id
  victimItem = (await ctx.services.vault.createItem(victim.viewer, { folderId: victimFolder, ...itemFields({ name: 'Victim item', username: 'victim-user' }) })).id
  ownFolder = (await ctx.services.vault.createFolder(attacker.viewer, 'Own folder')).id
  ownItem = (await ctx.services.vault.createItem(attacker.viewer, { folderId: ownFolder, ...itemFields({ name: 'Own item' }) })).id
  ;({ client, token: csrf } = await session(attacker))
})

const ids = (own: string) => [own, victimFolder, victimItem, 'not-a-uuid', '00000000-0000-0000-0000-000000000000', `${own.toUpperCase()}`, '%00', '%E0%A4%A', 'x'.repeat(2000)]

/** The form actions (server/routes/*.ts), each with the ids to try where it takes one. */
function targets(): string[] {
  const withIds = (template: string, own: string) => ids(own).map((id) => template.replace(':id', id))
  return [
    '/register',
    '/login',
    '/recover',
    '/verify/resend',
    '/register/recovery-code',
    '/dashboard/items',
    ...withIds('/dashboard/items/:id', ownItem),
    ...withIds('/dashboard/items/:id/move', ownItem),
    ...withIds('/dashboard/items/:id/delete', victimItem),
    ...withIds('/dashboard/items/:id/restore', victimItem),
    ...withIds('/dashboard/items/:id/purge', victimItem),
    '/dashboard/trash/empty',
    ...withIds('/dashboard/items/:id/favourite', victimItem),
    '/dashboard/items/bulk',
    // History (issue 21): a bad item id, and a bad version id of the attacker's own item.
    ...withIds('/dashboard/items/:id/history/00000000-0000-4000-8000-000000000000/restore', ownItem),
    ...ids(ownItem).map((id) => `/dashboard/items/${ownItem}/history/${id}/restore`),
    '/dashboard/folders',
    ...withIds('/dashboard/folders/:id', ownFolder),
    ...withIds('/dashboard/folders/:id/delete', victimFolder),
    '/dashboard/settings/time-zone',
    '/dashboard/settings/recovery-code/download',
    // Attachments (issue 23): the upload with any body, and delete with bad ids.
    ...withIds('/dashboard/items/:id/attachments', victimItem),
    ...ids(ownItem).map((id) => `/dashboard/items/${ownItem}/attachments/${id}/delete`),
    // The exposure report's actions (ADR 038): no report is the attacker's, so every id is a 404.
    ...ids(ownFolder).flatMap((id) => [`/dashboard/exposure/${id}/close`, `/dashboard/exposure/${id}/items/${ownItem}/dismiss`, `/dashboard/exposure/${ownFolder}/items/${id}/dismiss`]),
  ]
}

async function check(path: string, res: Response, p: Payload) {
  const body = await res.text()
  const where = `${p.name} -> POST ${path.slice(0, 80)}: ${res.status} ${textOf(body).slice(0, 200)}`
  expect(res.status, where).toBeLessThan(500)
  if (p.expect) expect(p.expect, where).toContain(res.status)
  expect(body, where).not.toMatch(LEAK)
  // A 422 re-render keeps its status even when the page itself failed: the text tells.
  expect(textOf(body), where).not.toContain('Something went wrong')
}

describe('fuzzing every form action', () => {
  // Resolved lazily: the ids exist only after beforeAll.
  it.each(PAYLOADS.map((p) => [p.name, p] as const))('%s', async (_, p) => {
    for (const path of targets()) await check(path, await send(client, path, p, csrf), p)
  }, 120_000)

  it('the pages those forms live on, with the same ids', async () => {
    const pages = [
      ...['/dashboard/folders/:id', '/dashboard/folders/:id/delete', '/dashboard/items/new?folder=:id'].flatMap((t) => ids(ownFolder).map((id) => t.replace(':id', id))),
      ...['/dashboard/items/:id', '/dashboard/items/:id/edit', '/dashboard/items/:id/delete', '/dashboard/trash?purge=:id'].flatMap((t) => ids(ownItem).map((id) => t.replace(':id', id))),
      ...['/dashboard/items/:id', '/dashboard/items/:id/edit', '/dashboard/items/:id/delete', '/dashboard/items/:id/history'].flatMap((t) => ids(ownItem).map((id) => t.replace(':id', id))),
      ...ids(ownItem).map((id) => `/dashboard/items/${ownItem}/history?version=${id}`),
      ...ids(ownFolder).flatMap((id) => [`/dashboard/folders/${id}/members/${victim.user.id}/remove`, `/dashboard/folders/${ownFolder}/members/${id}/remove`]),
      ...['account', 'appearance', 'security', 'devices', 'data', 'two-factor', 'nope', '%00', '..%2F..', 'x'.repeat(2000)].map((s) => `/dashboard/settings/${s}`),
      '/dashboard/import/progress',
      '/dashboard/import/progress?job=%00',
      ...ids(ownItem).flatMap((id) => [`/dashboard/items/${ownItem}/attachments/${id}`, `/dashboard/items/${id}/attachments/${id}`, `/dashboard/items/${ownItem}?delete_attachment=${id}`]),
      '/dashboard/trash',
      '/dashboard/trash?confirm=empty',
      '/dashboard/trash?confirm=%00&purge=',
    ]
    for (const path of pages) {
      const res = await client.get(path)
      const body = await res.text()
      expect(res.status, `GET ${path}`).toBeLessThan(500)
      expect(body, `GET ${path}`).not.toMatch(LEAK)
    }
  }, 120_000)

  it('/logout, too (last: it ends the session)', async () => {
    for (const p of PAYLOADS) {
      const { client: c, token } = await session(attacker)
      await check('/logout', await send(c, '/logout', p, token), p)
    }
  }, 120_000)

  it("left the other user's folder and item as they were", async () => {
    const { client: c } = await session(victim)
    const dashboard = textOf(await (await c.get('/dashboard')).text())
    expect(dashboard).toContain('Victim folder')
    expect(dashboard).toContain('Victim item')
    const item = await c.get(`/dashboard/items/${victimItem}`)
    expect(item.status).toBe(200)
    const text = textOf(await item.text())
    expect(text).toContain('Victim item')
    expect(text).toContain('victim-user')
    expect(text).toContain('Victim folder')
  })
})

describe('every path id of every action', () => {
  // Malformed ids (36 hyphens: PostgreSQL refuses it as a UUID), other users' ids and ids with
  // trailing garbage, each in every id of every action, with a body that is otherwise valid: always
  // 404 (SPEC 3: unknown or foreign ids), never a 5xx, and nothing changes.
  const badIds = (own: string) => [
    '-'.repeat(36),
    victimFolder,
    victimItem,
    victim.user.id,
    '00000000-0000-4000-8000-000000000000',
    `${own}x`,
    `${own}%00`,
    `${own}%20`,
    own.replaceAll('-', ''),
    '%00',
    '%ZZ',
    '%ED%A0%80',
    encodeURIComponent(`${own}' OR '1'='1`),
    '..%2F..',
    'x'.repeat(2000),
  ]

  it('is 404 for a malformed or foreign id, and nothing changes', async () => {
    const { client: c, token } = await session(attacker)
    const actions: [string, Record<string, string>][] = []
    const item = (t: string, body: Record<string, string> = {}) => badIds(ownItem).forEach((id) => actions.push([t.replace(':id', id), body]))
    const folder = (t: string, body: Record<string, string> = {}) => badIds(ownFolder).forEach((id) => actions.push([t.replace(':id', id), body]))
    item('/dashboard/items/:id', { folder_id: ownFolder, ...itemFields({ name: 'Renamed by the fuzzer' }) })
    item('/dashboard/items/:id/move', { folder_id: ownFolder })
    item('/dashboard/items/:id/delete')
    item('/dashboard/items/:id/favourite', { favourite: '1' })
    item('/dashboard/items/:id/history/00000000-0000-4000-8000-000000000000/restore')
    for (const id of badIds(ownItem)) actions.push([`/dashboard/items/${ownItem}/history/${id}/restore`, {}])
    folder('/dashboard/folders/:id', { name: 'Renamed by the fuzzer' })
    folder('/dashboard/folders/:id/delete')
    folder('/dashboard/folders/:id/members', { email: victim.email, permission: 'view' })
    folder(`/dashboard/folders/:id/members/${victim.user.id}`, { permission: 'edit' })
    folder(`/dashboard/folders/:id/members/${victim.user.id}/delete`)
    for (const id of badIds(victim.user.id)) {
      actions.push([`/dashboard/folders/${ownFolder}/members/${id}`, { permission: 'edit' }])
      actions.push([`/dashboard/folders/${ownFolder}/members/${id}/delete`, {}])
    }
    folder('/dashboard/shares/:id/accept')
    folder('/dashboard/shares/:id/decline')
    folder('/dashboard/shares/:id/leave')
    folder('/dashboard/settings/devices/:id/delete')
    const problems: string[] = []
    for (const [path, body] of actions) {
      for (const json of [false, true]) {
        const res = await fetch(`${BASE_URL}${path}`, {
          method: 'POST',
          body: form({ _csrf: token, ...body }),
          redirect: 'manual',
          headers: {
            cookie: c.cookieHeader(),
            origin: BASE_URL,
            'content-type': FORM,
            ...(json ? { accept: JSON_TYPE } : {}),
          },
        })
        const text = await res.text()
        if (res.status !== 404 || LEAK.test(text)) problems.push(`POST ${path.slice(0, 100)}${json ? ' (JSON)' : ''}: ${res.status} ${textOf(text).slice(0, 160)}`)
      }
    }
    expect(problems.length, problems.slice(0, 30).join('\n')).toBe(0)
    // Nothing went, theirs or the attacker's own (whose item the payloads above may have renamed),
    // and the attacker's session still works.
    expect(await ctx.models.Item.count({ where: { id: [victimItem, ownItem] } })).toBe(2)
    expect(await ctx.models.Folder.count({ where: { id: [victimFolder, ownFolder] } })).toBe(2)
    expect((await c.get(`/dashboard/items/${ownItem}`)).status).toBe(200)
    expect((await ctx.services.vault.getItem(victim.viewer, victimItem)).fields.name).toBe('Victim item')
    expect((await ctx.models.Folder.findByPk(victimFolder))!.name).toBe('Victim folder')
    expect(await ctx.models.FolderMembership.count({ where: { folderId: [victimFolder, ownFolder] } })).toBe(2)
  }, 120_000)
})

describe('fuzzing the import and export actions', () => {
  // Each payload by a user of its own: both actions spend a limited budget (20 imports an hour,
  // 5 wrong export passwords), which one user would use up halfway through the list.
  it.each(PAYLOADS.map((p) => [p.name, p] as const))('%s', async (_, p) => {
    const { client: c, token } = await session(await registerUser(ctx, 'Fuzz IO'))
    for (const path of ['/dashboard/import', '/dashboard/export']) await check(path, await send(c, path, p, token), p)
  }, 120_000)

  it('multipart bodies shaped like the import form, with bad files, fields and ids', async () => {
    const u = await registerUser(ctx, 'Fuzz Import')
    const { client: c, token } = await session(u)
    const personal = (await ctx.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } }))!.id
    const part = (name: string, value: string | Uint8Array<ArrayBuffer>, filename?: string) => {
      const head = `--b\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n`
      return [head, value, '\r\n']
    }
    const bodies: [string, (string | Uint8Array<ArrayBuffer>)[], number[]][] = [
      ["another user's folder", [...part('folder_id', victimFolder), ...part('file', 'name,url,username,password\nA,a.example,me,pw\n', 'x.csv')], [404]],
      ['a malformed folder id', [...part('folder_id', '%00'), ...part('file', 'name,url,username,password\n', 'x.csv')], [404, 422]],
      ['binary garbage', [...part('folder_id', personal), ...part('file', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 'x.csv')], [422]],
      ['two files', [...part('folder_id', personal), ...part('file', 'a', 'a.csv'), ...part('file', 'b', 'b.csv')], [400, 422]],
      ['a file in another field', [...part('folder_id', personal), ...part('folder_id', 'x', 'evil.csv')], [400, 422]],
      ['an unknown format and mode', [...part('folder_id', personal), ...part('format', 'klingon'), ...part('folders', '\u0000'), ...part('file', 'name,url\n', 'x.csv')], [422]],
      ['a boundary that never ends', [...part('folder_id', personal), '--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\nname,url'], [400, 422]],
    ]
    for (const [name, parts, statuses] of bodies) {
      const res = await fetch(`${BASE_URL}/dashboard/import`, {
        method: 'POST',
        body: new Blob([...part('_csrf', token), ...parts, ...(name === 'a boundary that never ends' ? [] : ['--b--\r\n'])]),
        redirect: 'manual',
        headers: { cookie: c.cookieHeader(), origin: BASE_URL, 'content-type': 'multipart/form-data; boundary=b' },
      })
      await check('/dashboard/import', res, { name, build: () => ({ body: '' }), expect: statuses })
    }
    expect(await ctx.models.Item.count({ where: { folderId: victimFolder } })).toBe(1)
    expect(await ctx.models.Item.count({ where: { folderId: personal } })).toBe(0)
  }, 120_000)

  it('multipart bodies shaped like the attachment upload, with bad files, fields and ids', async () => {
    const u = await registerUser(ctx, 'Fuzz Attach')
    const { client: c, token } = await session(u)
    const personal = (await ctx.models.Folder.findOne({ where: { ownerId: u.user.id, isPersonal: true } }))!.id
    const own = (await ctx.services.vault.createItem(u.viewer, { folderId: personal, name: 'Mine', username: '', password: '', url: '', note: '' })).id
    const part = (name: string, value: string | Uint8Array<ArrayBuffer>, filename?: string) => {
      const head = `--b\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n`
      return [head, value, '\r\n']
    }
    const bodies: [string, string, (string | Uint8Array<ArrayBuffer>)[], number[]][] = [
      ["another user's item", victimItem, [...part('file', 'hello', 'x.txt')], [404]],
      ['a malformed item id', '%00', [...part('file', 'hello', 'x.txt')], [404]],
      ['two files', own, [...part('file', 'a', 'a.txt'), ...part('file', 'b', 'b.txt')], [400, 422]],
      ['a file in another field', own, [...part('name', 'x', 'evil.txt')], [400, 422]],
      ['a NUL in the name', own, [...part('file', 'x', 'a\u0000b.txt')], [400, 422]],
      ['only a path for a name', own, [...part('file', 'x', '../../')], [422]],
      ['many fields', own, Array.from({ length: 20 }, (_, i) => part(`f${i}`, 'x')).flat(), [400, 422]],
      ['a boundary that never ends', own, ['--b\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\nhello'], [400, 422]],
    ]
    for (const [name, itemId, parts, statuses] of bodies) {
      const path = `/dashboard/items/${itemId}/attachments`
      const res = await fetch(`${BASE_URL}${path}`, {
        method: 'POST',
        body: new Blob([...part('_csrf', token), ...parts, ...(name === 'a boundary that never ends' ? [] : ['--b--\r\n'])]),
        redirect: 'manual',
        headers: { cookie: c.cookieHeader(), origin: BASE_URL, 'content-type': 'multipart/form-data; boundary=b' },
      })
      await check(path, res, { name, build: () => ({ body: '' }), expect: statuses })
    }
    expect(await ctx.models.Attachment.count({ where: { itemId: [own, victimItem] } })).toBe(0)
  }, 120_000)
})

describe('a NUL in an item name', () => {
  it('is refused with 422 and the message next to the name field, not stored', async () => {
    const { client: c, token } = await session(attacker)
    const res = await c.request('/dashboard/items', { form: { _csrf: token, folder_id: ownFolder, name: 'Bank\u0000Evil', username: '', password: '', url: '', note: '' } })
    expect(res.status).toBe(422)
    const html = await res.text()
    // FormField renders the message in the field's own error element, which the input names.
    // (The sidebar's "New folder" form has a name field too, without an error.)
    const inputs = html.match(/<input[^>]*name="name"[^>]*>/g) ?? []
    const errorIds = inputs.flatMap((i) => i.match(/aria-describedby="([^"]+)"/)?.[1]?.split(' ').filter((id) => id.endsWith('-error')) ?? [])
    expect(errorIds, inputs.join('\n')).toHaveLength(1)
    const errorId = errorIds[0]
    expect(html.match(new RegExp(`<p id="${errorId}"[^>]*>([^<]*)</p>`))?.[1]).toContain('control characters')
    const json = await c.request('/dashboard/items', {
      form: { _csrf: token, folder_id: ownFolder, name: 'Bank\u0000Evil' },
      headers: { accept: JSON_TYPE },
    })
    expect(json.status).toBe(422)
    expect(((await json.json()) as { errors: Record<string, string> }).errors.name).toContain('control characters')
    const items = await ctx.services.vault.listVault(attacker.viewer, { folderId: ownFolder })
    expect(JSON.stringify(items)).not.toContain('Evil')
  })
})
