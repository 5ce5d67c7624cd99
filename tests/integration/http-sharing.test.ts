// Sharing over HTTP, against the two running servers (BASE_URL and SECOND_URL, one PostgreSQL and
// one Redis): what a view-only member, a stranger, an anonymous visitor and a careless or hostile
// owner can do with hand-made POSTs. A view-only member is refused (403) on the server; the
// member routes of a folder that is not yours are 404; an anonymous post is sent to log in; an
// invalid permission is a 422 with its message; the invitation limit (30 per owner per hour)
// holds under 40 parallel posts spread over both servers; malformed bodies never give a 5xx.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryTypes } from 'sequelize'
import { BASE_URL, Client, JSON_HEADERS, LEAK, SECOND_URL, expectStatus, session, textOf } from '../helpers/http.js'
import { createTestContext, itemFields, registerUser, type RegisteredUser } from '../helpers/context.js'
import { mailTo } from '../helpers/mail.js'
import { ageInvitation, share } from '../helpers/sharing.js'
import { folderSnapshot, personalId, verifiedUser } from '../helpers/vault.js'

const ctx = createTestContext()
const { vault, sharing } = ctx.services
afterAll(() => ctx.sequelize.close())

const SERVERS = [BASE_URL, SECOND_URL]
const fields = itemFields

describe('a view-only member, by hand-made posts', () => {
  let owner: RegisteredUser
  let member: RegisteredUser
  let folderId: string
  let itemId: string
  let memberPersonal: string
  let memberItem: string
  let http: Awaited<ReturnType<typeof session>>

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Share Owner Http')
    member = await verifiedUser(ctx, 'Share Viewer Http')
    folderId = (await vault.createFolder(owner.viewer, 'Shared Http')).id
    itemId = (await vault.createItem(owner.viewer, { folderId, ...fields({ name: 'Router admin', username: 'admin' }) })).id
    memberPersonal = await personalId(ctx, member)
    memberItem = (await vault.createItem(member.viewer, { folderId: memberPersonal, ...fields({ name: 'Member own' }) })).id
    await sharing.invite(owner.viewer, folderId, { email: member.email, permission: 'view' })
    http = await session(member)
  })

  it('accepts through POST /dashboard/shares/:id/accept and then reads the folder', async () => {
    const res = await http.post(`/dashboard/shares/${folderId}/accept`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/dashboard/folders/${folderId}`)
    const page = await expectStatus(await http.get(`/dashboard/folders/${folderId}`, SECOND_URL), 200, 'folder page')
    expect(textOf(page)).toContain('Router admin')
    const item = await expectStatus(await http.get(`/dashboard/items/${itemId}?reveal=password`), 200, 'item page, password revealed')
    expect(item).toContain(fields().password)
  })

  it('gets 403 for create, edit, delete and move (both ways), as a form and as JSON, on both servers; nothing changes', async () => {
    const before = await folderSnapshot(ctx, [folderId, memberPersonal])
    const actions: [string, Record<string, string>][] = [
      ['/dashboard/items', { folder_id: folderId, ...fields({ name: 'Planted' }) }],
      [`/dashboard/items/${itemId}`, fields({ name: 'Defaced', password: 'attacker chosen password 1' })],
      [`/dashboard/items/${itemId}/delete`, {}],
      [`/dashboard/items/${itemId}/move`, { folder_id: memberPersonal }],
      [`/dashboard/items/${memberItem}/move`, { folder_id: folderId }],
    ]
    for (const server of SERVERS) {
      for (const [path, form] of actions) {
        await expectStatus(await http.post(path, form, { server }), 403, `POST ${path} on ${server}`)
        const res = await http.post(path, form, { json: true, server })
        expect(res.status, `POST ${path} (JSON) on ${server}`).toBe(403)
        expect(await res.json()).toMatchObject({ ok: false })
      }
    }
    expect(await folderSnapshot(ctx, [folderId, memberPersonal])).toEqual(before)
    expect((await vault.getItem(owner.viewer, itemId)).fields.name).toBe('Router admin')
  })

  it("gets 403 for the owner's member actions: invite, change permission, remove", async () => {
    const outsider = await verifiedUser(ctx, 'Share Outsider Http')
    const before = await folderSnapshot(ctx, [folderId])
    await expectStatus(await http.post(`/dashboard/folders/${folderId}/members`, { email: outsider.email, permission: 'edit' }), 403, 'invite')
    await expectStatus(await http.post(`/dashboard/folders/${folderId}/members/${member.user.id}`, { permission: 'edit' }), 403, 'own permission')
    await expectStatus(await http.post(`/dashboard/folders/${folderId}/members/${owner.user.id}/delete`), 403, 'remove the owner')
    expect(await folderSnapshot(ctx, [folderId])).toEqual(before)
  })

  it('after leaving by POST, every item route of the folder is 404 for them', async () => {
    const res = await http.post(`/dashboard/shares/${folderId}/leave`, {}, { server: SECOND_URL })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/dashboard/shares')
    await expectStatus(await http.get(`/dashboard/items/${itemId}`), 404, 'item page after leaving')
    await expectStatus(await http.get(`/dashboard/folders/${folderId}`), 404, 'folder page after leaving')
    await expectStatus(await http.post(`/dashboard/items/${itemId}/delete`), 404, 'delete after leaving')
    expect((await vault.getItem(owner.viewer, itemId)).fields.name).toBe('Router admin')
  })
})

describe('strangers and anonymous visitors', () => {
  let owner: RegisteredUser
  let member: RegisteredUser
  let pending: RegisteredUser
  let stranger: RegisteredUser
  let folderId: string
  let strangerHttp: Awaited<ReturnType<typeof session>>

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Stranger Owner Http')
    member = await verifiedUser(ctx, 'Stranger Member Http')
    pending = await verifiedUser(ctx, 'Stranger Pending Http')
    stranger = await verifiedUser(ctx, 'Stranger Http')
    folderId = (await vault.createFolder(owner.viewer, 'Private Team')).id
    await vault.createItem(owner.viewer, { folderId, ...fields({ name: 'Team secret' }) })
    await share(ctx, owner, member, folderId, 'edit')
    await sharing.invite(owner.viewer, folderId, { email: pending.email, permission: 'view' })
    strangerHttp = await session(stranger)
  })

  it("a non-member gets 404 on every member route of the folder, and on its shares actions; nothing changes", async () => {
    const before = await folderSnapshot(ctx, [folderId])
    const posts: [string, Record<string, string>][] = [
      [`/dashboard/folders/${folderId}/members`, { email: stranger.email, permission: 'edit' }],
      [`/dashboard/folders/${folderId}/members/${member.user.id}`, { permission: 'view' }],
      [`/dashboard/folders/${folderId}/members/${member.user.id}/delete`, {}],
      [`/dashboard/folders/${folderId}/members/${pending.user.id}/delete`, {}],
      [`/dashboard/folders/${folderId}/members/${stranger.user.id}`, { permission: 'edit' }],
      [`/dashboard/shares/${folderId}/accept`, {}],
      [`/dashboard/shares/${folderId}/decline`, {}],
      [`/dashboard/shares/${folderId}/leave`, {}],
    ]
    for (const [path, form] of posts) {
      const html = await expectStatus(await strangerHttp.post(path, form), 404, `POST ${path}`)
      expect(textOf(html)).not.toContain('Stranger Member Http')
      const res = await strangerHttp.post(path, form, { json: true, server: SECOND_URL })
      expect(res.status, `POST ${path} (JSON)`).toBe(404)
    }
    await expectStatus(await strangerHttp.get(`/dashboard/folders/${folderId}`), 404, 'folder page')
    // Unknown and malformed folder ids: 404 too, never 500.
    for (const id of [randomUUID(), 'not-a-uuid', folderId.toUpperCase()]) {
      expect((await strangerHttp.post(`/dashboard/folders/${id}/members/${member.user.id}/delete`)).status).toBe(404)
    }
    expect(await folderSnapshot(ctx, [folderId])).toEqual(before)
  })

  it('an invitee who has not accepted cannot manage, open or leave the folder (404); accepting by POST works', async () => {
    const http = await session(pending)
    await expectStatus(await http.post(`/dashboard/folders/${folderId}/members/${member.user.id}/delete`), 404, 'pending invitee removes a member')
    await expectStatus(await http.get(`/dashboard/folders/${folderId}`), 404, 'pending invitee opens the folder')
    await expectStatus(await http.post(`/dashboard/shares/${folderId}/leave`), 404, 'pending invitee leaves')
    // The invitation is still there, and accepting it by POST works.
    expect((await sharing.listShares(pending.viewer)).pending.map((s) => s.folderName)).toEqual(['Private Team'])
    const res = await http.post(`/dashboard/shares/${folderId}/accept`, {}, { server: SECOND_URL })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/dashboard/folders/${folderId}`)
    expect(textOf(await expectStatus(await http.get(`/dashboard/folders/${folderId}`), 200, 'folder page after accepting'))).toContain('Team secret')
  })

  it('an anonymous post to every sharing route is sent to log in (303), a fetch gets 401; nothing changes', async () => {
    const before = await folderSnapshot(ctx, [folderId])
    const anon = new Client()
    const paths = [
      `/dashboard/folders/${folderId}/members`,
      `/dashboard/folders/${folderId}/members/${member.user.id}`,
      `/dashboard/folders/${folderId}/members/${member.user.id}/delete`,
      `/dashboard/shares/${folderId}/accept`,
      `/dashboard/shares/${folderId}/decline`,
      `/dashboard/shares/${folderId}/leave`,
    ]
    for (const path of paths) {
      const res = await anon.post(path, { email: stranger.email, permission: 'edit' })
      expect(res.status, `anonymous POST ${path}`).toBe(303)
      expect(res.headers.get('location'), `anonymous POST ${path}`).toMatch(/^\/login(\?|$)/)
      const json = await anon.post(path, { permission: 'edit' }, { headers: JSON_HEADERS })
      expect(json.status, `anonymous JSON POST ${path}`).toBe(401)
    }
    expect(await folderSnapshot(ctx, [folderId])).toEqual(before)
  })
})

describe('the owner: validation messages', () => {
  let owner: RegisteredUser
  let member: RegisteredUser
  let folderId: string
  let http: Awaited<ReturnType<typeof session>>

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Validate Owner Http')
    member = await verifiedUser(ctx, 'Validate Member Http')
    folderId = (await vault.createFolder(owner.viewer, 'Validated')).id
    await share(ctx, owner, member, folderId, 'view')
    http = await session(owner)
  })

  const PERMISSION_MESSAGE = 'Choose “Can view” or “Can edit”.'

  it('an invalid permission value is a 422 with its message, as a form (values kept) and as JSON; nothing changes', async () => {
    const invitee = await verifiedUser(ctx, 'Validate Invitee Http')
    const before = await folderSnapshot(ctx, [folderId])
    for (const permission of ['admin', 'owner', '', 'VIEW', 'edit ']) {
      const html = await expectStatus(await http.post(`/dashboard/folders/${folderId}/members`, { email: invitee.email, permission }), 422, `invite with ${permission}`)
      // The folder page re-rendered. Its member form (and so the message beside the field and the
      // kept email) belongs to the folder page's sharing UI: checked wherever that form is rendered.
      if (html.includes(`action="/dashboard/folders/${folderId}/members"`)) {
        expect(textOf(html)).toContain(PERMISSION_MESSAGE)
        expect(html).toContain(`value="${invitee.email}"`)
      }
      const json = await http.post(`/dashboard/folders/${folderId}/members`, { email: invitee.email, permission }, { json: true })
      expect(json.status).toBe(422)
      expect(await json.json()).toMatchObject({ ok: false, errors: { permission: PERMISSION_MESSAGE } })

      const change = await expectStatus(await http.post(`/dashboard/folders/${folderId}/members/${member.user.id}`, { permission }), 422, `change to ${permission}`)
      if (change.includes(`action="/dashboard/folders/${folderId}/members/${member.user.id}"`)) expect(textOf(change)).toContain(PERMISSION_MESSAGE)
      const changeJson = await http.post(`/dashboard/folders/${folderId}/members/${member.user.id}`, { permission }, { json: true, server: SECOND_URL })
      expect(changeJson.status).toBe(422)
      expect(await changeJson.json()).toMatchObject({ ok: false, errors: { permission: PERMISSION_MESSAGE } })
    }
    expect(await folderSnapshot(ctx, [folderId])).toEqual(before)
  })

  it('an unverified account: 422 with the message at the email field; an unknown address is mailed a sign-up link (open sign-up)', async () => {
    const unverified = await registerUser(ctx, 'Unverified Invitee')
    const json = await http.post(`/dashboard/folders/${folderId}/members`, { email: unverified.email, permission: 'view' }, { json: true })
    expect(json.status).toBe(422)
    expect(((await json.json()) as { errors: Record<string, string> }).errors.email).toMatch(/No NucleusID account/)

    const stranger = `stranger-${Date.now()}@example.test`
    const res = await http.post(`/dashboard/folders/${folderId}/members`, { email: stranger, permission: 'view' })
    expect(res.status).toBe(303)
    const page = textOf(await (await http.get(res.headers.get('location')!)).text())
    expect(page).toContain(`No account uses ${stranger} yet: we emailed them a link to create one.`)
    let mails: Awaited<ReturnType<typeof mailTo>> = []
    for (let i = 0; i < 50 && mails.length === 0; i++) {
      mails = await mailTo(stranger)
      if (!mails.length) await new Promise((r) => setTimeout(r, 100))
    }
    expect(mails[0]?.body).toMatch(/https?:\/\/\S+\/register\s/)
  })

  it('a valid invitation and permission change are 303 back to the folder page', async () => {
    const invitee = await verifiedUser(ctx, 'Validate Ok Http')
    const res = await http.post(`/dashboard/folders/${folderId}/members`, { email: invitee.email, permission: 'edit' }, { server: SECOND_URL })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/dashboard/folders/${folderId}`)
    expect((await sharing.listShares(invitee.viewer)).pending.map((s) => [s.folderId, s.permission])).toEqual([[folderId, 'edit']])
    const change = await http.post(`/dashboard/folders/${folderId}/members/${member.user.id}`, { permission: 'edit' })
    expect(change.status).toBe(303)
    expect((await vault.getFolder(member.viewer, folderId)).permission).toBe('edit')
  })
})

describe('an expired invitation (issue 17.6)', () => {
  it('only the owner may cancel it (member 403, stranger 404, invitee cannot accept: 404); a member’s page view re-keys the folder; the owner cancels it by JSON', async () => {
    const owner = await verifiedUser(ctx, 'Expired Owner Http')
    const member = await verifiedUser(ctx, 'Expired Member Http')
    const lapsed = await verifiedUser(ctx, 'Expired Lapsed Http')
    const stranger = await verifiedUser(ctx, 'Expired Stranger Http')
    const folderId = (await vault.createFolder(owner.viewer, 'Lapsing Team')).id
    await vault.createItem(owner.viewer, { folderId, ...fields({ name: 'Lapsing secret' }) })
    await share(ctx, owner, member, folderId, 'view')
    await sharing.invite(owner.viewer, folderId, { email: lapsed.email, permission: 'edit' })
    await ageInvitation(ctx, folderId, lapsed.user.id)
    const [ownerHttp, memberHttp, lapsedHttp, strangerHttp] = await Promise.all([session(owner), session(member), session(lapsed), session(stranger)])
    const cancel = `/dashboard/folders/${folderId}/members/${lapsed.user.id}/delete`

    const before = await folderSnapshot(ctx, [folderId])
    await expectStatus(await strangerHttp.post(cancel), 404, 'stranger cancels')
    await expectStatus(await memberHttp.post(cancel, {}, { json: true }), 403, 'member cancels')
    await expectStatus(await lapsedHttp.post(`/dashboard/shares/${folderId}/accept`), 404, 'expired invitee accepts')
    // Nothing changed (the servers' own sweep may have emptied the expired copy meanwhile: that is all it may do).
    const unkeyed = (snap: typeof before) => ({ ...snap, members: snap.members.map((m) => ({ ...(m as object), sealed_key: undefined })) })
    expect(unkeyed(await folderSnapshot(ctx, [folderId]))).toEqual(unkeyed(before))

    // A member opens the folder page (on the other server): the folder is re-keyed; they do not see the invitation.
    const memberPage = await expectStatus(await memberHttp.get(`/dashboard/folders/${folderId}`, SECOND_URL), 200, 'member page')
    expect(textOf(memberPage)).not.toContain('Expired Lapsed Http')
    const after = await folderSnapshot(ctx, [folderId])
    expect(after.items).not.toEqual(before.items)
    type MemberRow = { user_id: string; sealed_key: string | null }
    const row = (after.members as unknown as MemberRow[]).find((m) => m.user_id === lapsed.user.id)
    expect(row?.sealed_key).toBeNull()
    expect((await vault.listVault(member.viewer, { folderId })).items.map((i) => [i.name, i.unreadable])).toEqual([['Lapsing secret', false]])

    // The owner sees it, and cancels it with an enhanced (JSON) post.
    const ownerPage = textOf(await expectStatus(await ownerHttp.get(`/dashboard/folders/${folderId}`), 200, 'owner page'))
    expect(ownerPage).toContain('Expired Lapsed Http')
    expect(ownerPage).toMatch(/Invitation expired \d{1,2} \w{3} \d{4}/)
    const res = await ownerHttp.post(cancel, {}, { json: true, server: SECOND_URL })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, redirect: `/dashboard/folders/${folderId}` })
    expect(((await folderSnapshot(ctx, [folderId])).members as unknown as MemberRow[]).map((m) => m.user_id)).not.toContain(lapsed.user.id)
    expect((await folderSnapshot(ctx, [folderId])).items).toEqual(after.items)
    await expectStatus(await ownerHttp.post(cancel), 404, 'cancelled twice')
  })
})

describe('the invitation limit', () => {
  it('40 parallel invitations from one owner over both servers: at most 30 are processed, the rest get 429', async () => {
    const owner = await verifiedUser(ctx, 'Rate Owner Http')
    const invitees = await Promise.all(Array.from({ length: 40 }, (_, i) => verifiedUser(ctx, `Rate Invitee ${i}`)))
    const folderId = (await vault.createFolder(owner.viewer, 'Popular')).id
    const http = await session(owner)
    const responses = await Promise.all(
      invitees.map((u, i) => http.post(`/dashboard/folders/${folderId}/members`, { email: u.email, permission: 'view' }, { server: SERVERS[i % 2] })),
    )
    const statuses = responses.map((r) => r.status)
    await Promise.all(responses.map((r) => r.arrayBuffer()))
    const ok = statuses.filter((s) => s === 303).length
    const limited = statuses.filter((s) => s === 429).length
    expect(ok + limited, `statuses: ${statuses.join(',')}`).toBe(40)
    expect(ok).toBeLessThanOrEqual(30)
    expect(limited).toBeGreaterThanOrEqual(10)
    // The database agrees: no more invitations than 303s.
    const [{ n }] = await ctx.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM folder_memberships WHERE folder_id = :folderId AND role = 'member'", {
      replacements: { folderId },
      type: QueryTypes.SELECT,
    })
    expect(n).toBe(ok)
    // Still limited afterwards, with a page saying when to retry.
    const extra = await verifiedUser(ctx, 'Rate Extra Http')
    const after = await http.post(`/dashboard/folders/${folderId}/members`, { email: extra.email, permission: 'view' }, { server: SECOND_URL })
    expect(after.status).toBe(429)
    expect(after.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(textOf(await after.text())).toMatch(/Try again in/)
    // The limit is the owner's: another owner still invites.
    const other = await verifiedUser(ctx, 'Rate Other Owner Http')
    const otherFolder = (await vault.createFolder(other.viewer, 'Other')).id
    const otherHttp = await session(other)
    expect((await otherHttp.post(`/dashboard/folders/${otherFolder}/members`, { email: extra.email, permission: 'view' })).status).toBe(303)
  }, 120_000)
})

describe('malformed bodies on the sharing routes', () => {
  let owner: RegisteredUser
  let member: RegisteredUser
  let folderId: string
  let http: Awaited<ReturnType<typeof session>>
  let memberHttp: Awaited<ReturnType<typeof session>>

  beforeAll(async () => {
    owner = await verifiedUser(ctx, 'Fuzz Share Owner')
    member = await verifiedUser(ctx, 'Fuzz Share Member')
    folderId = (await vault.createFolder(owner.viewer, 'Fuzzed')).id
    await vault.createItem(owner.viewer, { folderId, ...fields({ name: 'Fuzz item' }) })
    await share(ctx, owner, member, folderId, 'view')
    ;[http, memberHttp] = await Promise.all([session(owner), session(member)])
  })

  const enc = (o: Record<string, string | string[]>) => {
    const p = new URLSearchParams()
    for (const [k, v] of Object.entries(o)) for (const one of [v].flat()) p.append(k, one)
    return p.toString()
  }
  const FORM = 'application/x-www-form-urlencoded'
  const JSON_TYPE = 'application/json'
  const bodies = (csrf: string, email: string): [string, string, string, Record<string, string>?][] => [
    ['repeated fields (arrays)', enc({ _csrf: csrf, email: [email, email], permission: ['view', 'edit'] }), FORM],
    ['bracket arrays and objects', `_csrf=${encodeURIComponent(csrf)}&email[]=${encodeURIComponent(email)}&permission[$ne]=x&__proto__[admin]=1`, FORM],
    ['huge strings', enc({ _csrf: csrf, email: `${'a'.repeat(200_000)}@example.test`, permission: 'v'.repeat(200_000) }), FORM],
    ['NUL and control characters', enc({ _csrf: csrf, email: `${email}\u0000`, permission: 'view\r\n' }), FORM],
    ['JSON arrays and objects', JSON.stringify({ _csrf: csrf, email: [email], permission: { $in: ['view', 'edit'] } }), JSON_TYPE, JSON_HEADERS],
    ['JSON numbers, null, booleans', JSON.stringify({ _csrf: csrf, email: 12, permission: null, userId: true }), JSON_TYPE, JSON_HEADERS],
    // JSON.stringify keeps a lone surrogate as the escape \ud800, exactly what a client can send.
    ['lone surrogates in JSON', JSON.stringify({ _csrf: csrf, email: `a\ud800@example.test`, permission: 'view\udfff' }), JSON_TYPE],
    ['lone surrogates in JSON, enhanced', JSON.stringify({ _csrf: csrf, email: '\ud83d', permission: '\udc00' }), JSON_TYPE, JSON_HEADERS],
    ['JSON that is not an object', '["view","edit"]', JSON_TYPE, { 'x-csrf-token': csrf }],
  ]

  async function check(what: string, res: Response) {
    const body = await res.text()
    const where = `${what}: ${res.status} ${textOf(body).slice(0, 200)}`
    expect(res.status, where).toBeLessThan(500)
    expect(body, where).not.toMatch(LEAK)
    expect(textOf(body), where).not.toContain('Something went wrong')
  }

  it('never answer 5xx, never leak, never change the folder', async () => {
    const before = await folderSnapshot(ctx, [folderId])
    const ids = [member.user.id, 'not-a-uuid', '%E0%A4%A', 'x'.repeat(2000), randomUUID()]
    const ownerPaths = [
      `/dashboard/folders/${folderId}/members`, // spends invitation points: 9 bodies, fewer than 30
      ...ids.map((id) => `/dashboard/folders/${folderId}/members/${id}`),
      `/dashboard/folders/not-a-uuid/members/${member.user.id}`,
    ]
    for (const [name, body, type, headers] of bodies(http.token, member.email)) {
      for (const path of ownerPaths) await check(`${name} -> owner POST ${path.slice(0, 80)}`, await http.raw(path, body, type, headers))
    }
    for (const [name, body, type, headers] of bodies(memberHttp.token, owner.email)) {
      for (const path of [`/dashboard/shares/${folderId}/accept`, `/dashboard/shares/${folderId}/decline`, `/dashboard/shares/x${'y'.repeat(3000)}/accept`]) {
        await check(`${name} -> member POST ${path.slice(0, 80)}`, await memberHttp.raw(path, body, type, headers))
      }
    }
    // The member's permission is unchanged, nobody new was invited, no key rotated.
    expect(await folderSnapshot(ctx, [folderId])).toEqual(before)
  }, 120_000)
})
