// Revocation sticks (issue 17.1): a device whose session is ended while one of its requests is
// still sending its body gets nothing from that request -- no fresh session under a new id, no
// email change, no two-factor -- whatever ended it: a device revoke, "log out other devices", a
// password change, a recovery, an account deletion. And the index operations that race (a
// regeneration against a revocation) decide atomically in Redis.
import net from 'node:net'
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { BASE_URL, Client, PASSWORD, csrfFrom, trickledPost, uniqueEmail } from '../helpers/http.js'
import { mailTo } from '../helpers/mail.js'
import { createRedisKv } from '../../server/lib/kv.js'
import { createSessionIndex } from '../../server/session/store.js'
import { createTestContext } from '../helpers/context.js'
import { redisEnv } from '../helpers/redis.js'

const { redisUrl, prefix } = redisEnv()
const redis = new Redis(redisUrl)
const kv = createRedisKv(redisUrl, prefix)
await kv.whenReady(10_000)
const index = createSessionIndex(kv)
const db = createTestContext()
afterAll(async () => {
  redis.disconnect()
  await kv.close()
  await db.sequelize.close()
})

const NEW_PASSWORD = 'copper lantern orbit 73 walrus'
const RECOVERY_CODE = /[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}/

/** Sessions of the user still in Redis (their keys). */
async function liveSessions(uid: string): Promise<string[]> {
  const sids = await redis.smembers(`${prefix}user-sessions:${uid}`)
  const live: string[] = []
  for (const sid of sids) if (await redis.exists(`${prefix}sess:${sid}`)) live.push(sid)
  return live
}

async function uidOf(c: Client) {
  const raw = await redis.get(`${prefix}sess:${c.cookie('nid.sid')}`)
  return (JSON.parse(raw!) as { uid: string }).uid
}

/** An owner with a second device (the one whose request is in flight), both logged in. */
async function ownerWithDevice(tag: string) {
  const owner = new Client()
  const account = await owner.register(`Revoke ${tag}`)
  const recoveryCode = (await (await owner.get('/register/recovery-code')).text()).match(RECOVERY_CODE)![0]
  await owner.post('/register/recovery-code', { saved: 'on' }, { tokenPage: '/dashboard' })
  const device = new Client()
  expect((await device.login(account.email, PASSWORD)).status).toBe(303)
  const uid = await uidOf(device)
  const token = csrfFrom(await (await device.get('/dashboard/settings')).text())
  return { owner, device, account, uid, token, recoveryCode }
}

const revokers: [string, (o: Awaited<ReturnType<typeof ownerWithDevice>>) => Promise<void>][] = [
  [
    'the device is logged out from settings',
    async ({ owner, uid, device }) => {
      const deviceId = (JSON.parse((await redis.get(`${prefix}sess:${device.cookie('nid.sid')}`))!) as { did: string }).did
      expect(uid).toBeTruthy()
      const res = await owner.post(`/dashboard/settings/devices/${deviceId}/delete`, {}, { tokenPage: '/dashboard/settings' })
      expect(res.status).toBe(303)
    },
  ],
  [
    '"log out other devices"',
    async ({ owner }) => {
      expect((await owner.post('/dashboard/settings/devices/delete-others', {}, { tokenPage: '/dashboard/settings' })).status).toBe(303)
    },
  ],
  [
    'the master password is changed on another device',
    async ({ owner }) => {
      const res = await owner.post(
        '/dashboard/settings/password',
        { current_password: PASSWORD, new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD },
        { tokenPage: '/dashboard/settings' },
      )
      expect(res.status).toBe(303)
    },
  ],
  [
    'the account is recovered with the recovery code',
    async ({ account, recoveryCode }) => {
      const res = await new Client().post(
        '/recover',
        { email: account.email, recovery_code: recoveryCode, new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD },
        { tokenPage: '/recover' },
      )
      expect(res.status).toBe(303)
    },
  ],
  [
    'the account is deleted',
    async ({ owner }) => {
      const res = await owner.post('/dashboard/settings/delete-account', { password: PASSWORD }, { tokenPage: '/dashboard/settings' })
      expect(res.status).toBe(303)
    },
  ],
]

describe('a request in flight when its session is revoked', () => {
  for (const [what, revoke] of revokers) {
    it(`changes nothing and mints no session when ${what} (email change)`, async () => {
      const o = await ownerWithDevice('email')
      const newEmail = uniqueEmail('stolen')
      const res = await trickledPost(
        o.device,
        '/dashboard/settings/profile',
        { _csrf: o.token, name: 'Mallory', email: newEmail, password: PASSWORD },
        () => revoke(o),
      )
      // Sent to log in, with no session cookie handed out.
      expect(res.status).toBe(303)
      expect(res.location).toMatch(/^\/login/)
      expect(res.setCookies.filter((c) => /^nid\.sid=[^;]/.test(c))).toEqual([])
      // Nothing was done in the name of the ended session.
      const user = await db.models.User.findByPk(o.uid)
      if (user) expect([user.name, user.pendingEmail]).toEqual(['Revoke email', null])
      expect(await mailTo(newEmail)).toEqual([])
      // The device stays logged out; no session of this user appeared but the owner's own.
      expect((await o.device.get('/dashboard')).status).toBe(303)
      const live = await liveSessions(o.uid)
      expect(live).not.toContain(o.device.cookie('nid.sid'))
      expect(live.length).toBeLessThanOrEqual(1)
    })
  }

  it('turns nothing on when the device is revoked while it sends the two-factor form', async () => {
    const o = await ownerWithDevice('2fa')
    const html = await (await o.device.get('/dashboard/settings/security')).text()
    const secret = html.match(/name="secret" value="([A-Z2-7]{32})"/)![1]!
    const { TOTP, Secret } = await import('otpauth')
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate()
    const res = await trickledPost(
      o.device,
      '/dashboard/settings/2fa/enable',
      { _csrf: csrfFrom(html), secret, code, password: PASSWORD },
      () => revokers[1]![1](o),
    )
    expect(res.status).toBe(303)
    expect(res.location).toMatch(/^\/login/)
    expect((await db.models.User.findByPk(o.uid))!.totpSecretSealed).toBeNull()
    expect((await o.device.get('/dashboard')).status).toBe(303)
    expect(await liveSessions(o.uid)).toEqual([o.owner.cookie('nid.sid')])
  })
  it('imports nothing when the device is revoked while it uploads a file (multipart, parsed by the route)', async () => {
    const o = await ownerWithDevice('import')
    const _csrf = csrfFrom(await (await o.device.get('/dashboard/import')).text())
    const boundary = 'revocation-test-boundary'
    const csv = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n,,login,Smuggled,,,,https://x.example,me,pw,\r\n'
    const part = (name: string, value: string, file?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"\r\nContent-Type: text/csv` : ''}\r\n\r\n${value}\r\n`
    const personal = await db.models.Folder.findOne({ where: { ownerId: o.uid, isPersonal: true } })
    const body = part('_csrf', _csrf) + part('folder_id', personal!.id) + part('folders', 'keep') + part('file', csv, 'vault.csv') + `--${boundary}--\r\n`
    const upload = (c: Client, token: string, during: () => Promise<void>) =>
      trickledPost(c, '/dashboard/import', { body: body.replace(_csrf, token), contentType: `multipart/form-data; boundary=${boundary}` }, during)
    const items = () => db.models.Item.count({ include: [{ model: db.models.Folder, where: { ownerId: o.uid }, required: true }] })
    // The same upload from a live session imports (the body is a valid import form).
    const ownerToken = csrfFrom(await (await o.owner.get('/dashboard/import')).text())
    const control = await upload(o.owner, ownerToken, async () => {})
    expect([control.status, control.location]).toEqual([303, '/dashboard/import/result'])
    expect(await items()).toBe(1)
    const res = await upload(o.device, _csrf, () => revokers[1]![1](o))
    expect(res.status).toBe(303)
    expect(res.location).toMatch(/^\/login/)
    expect(await items()).toBe(1)
  })
})

describe('the session index decides races atomically', () => {
  const session = (uid: string, did: string) => JSON.stringify({ uid, did, createdAt: Date.now(), seenAt: Date.now() })

  async function seed() {
    const uid = randomUUID()
    const did = randomUUID()
    const sid = randomUUID()
    await kv.set(`sess:${sid}`, session(uid, did), 60_000)
    await index.link(uid, sid, did)
    return { uid, did, sid }
  }

  it('a regeneration after a revocation fails and creates nothing', async () => {
    const { uid, did, sid } = await seed()
    await index.revokeDevice(uid, did)
    const next = randomUUID()
    expect(await index.rotate({ from: sid, uid, did }, next, session(uid, did), 60_000)).toBe(false)
    expect(await redis.exists(`${prefix}sess:${next}`)).toBe(0)
    expect(await redis.smembers(`${prefix}user-sessions:${uid}`)).not.toContain(next)
  })

  it('a regeneration then a revocation: the new id is the one revoked', async () => {
    const { uid, did, sid } = await seed()
    const next = randomUUID()
    expect(await index.rotate({ from: sid, uid, did }, next, session(uid, did), 60_000)).toBe(true)
    expect(await redis.exists(`${prefix}sess:${sid}`)).toBe(0)
    await index.revokeDevice(uid, did)
    expect(await redis.exists(`${prefix}sess:${next}`)).toBe(0)
  })

  it('50 regenerations racing 50 revocations (device, or every session) leave no session alive', async () => {
    const rounds = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const { uid, did, sid } = await seed()
        const next = randomUUID()
        const revoke = i % 2 ? index.revokeDevice(uid, did) : index.revokeUserSessions(uid)
        await Promise.all([index.rotate({ from: sid, uid, did }, next, session(uid, did), 60_000), revoke])
        return (await redis.exists(`${prefix}sess:${sid}`, `${prefix}sess:${next}`)) as number
      }),
    )
    expect(rounds.filter((n) => n > 0)).toEqual([])
  })
})

describe('slow clients', () => {
  it('a connection that never finishes its headers is closed within tens of seconds', async () => {
    const { hostname, port } = new URL(BASE_URL)
    const started = Date.now()
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '))
      let text = ''
      socket.on('data', (d) => (text += d.toString()))
      socket.on('close', () => resolve(text))
      socket.on('error', reject)
      setTimeout(() => {
        socket.destroy()
        resolve('still open')
      }, 28_000)
    })
    const took = Date.now() - started
    expect(answer).not.toBe('still open')
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true)
    expect(took).toBeGreaterThanOrEqual(14_000)
    expect(took).toBeLessThan(25_000)
  }, 35_000)
})
