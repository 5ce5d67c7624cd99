// The per-user session index: one device's session can be ended at once, or every session but
// one (what the settings page's "Devices" will call), and those browsers are logged out.
import { afterAll, describe, expect, it } from 'vitest'
import { Client, PASSWORD } from '../helpers/http.js'
import { createRedisKv } from '../../server/lib/kv.js'
import { createSessionIndex } from '../../server/session/store.js'
import { createTestContext } from '../helpers/context.js'
import { redisEnv } from '../helpers/redis.js'

const { redisUrl, prefix } = redisEnv()
const kv = createRedisKv(redisUrl, prefix)
await kv.whenReady(10_000)
const index = createSessionIndex(kv)
const db = createTestContext()
afterAll(async () => {
  await kv.close()
  await db.sequelize.close()
})

async function dashboardStatus(c: Client) {
  return (await c.get('/dashboard')).status
}

describe('revoking sessions', () => {
  it('ends one device at once, then every session but the current one', async () => {
    const first = new Client()
    const { email } = await first.register('Revoker')
    const laptop = new Client()
    const phone = new Client()
    const tablet = new Client()
    for (const c of [laptop, phone, tablet]) expect((await c.login(email, PASSWORD)).status).toBe(303)
    for (const c of [first, laptop, phone, tablet]) expect(await dashboardStatus(c)).toBe(200)

    const user = await db.models.User.findOne({ where: { email } })
    const devices = await db.models.Device.findAll({ where: { userId: user!.id }, order: [['createdAt', 'ASC']] })
    expect(devices).toHaveLength(4)

    // Revoke the phone (the third device): only it is logged out.
    await index.revokeDevice(user!.id, devices[2]!.id)
    expect(await dashboardStatus(phone)).toBe(303)
    for (const c of [first, laptop, tablet]) expect(await dashboardStatus(c)).toBe(200)

    // "Log out other devices" from the laptop.
    await index.revokeUserSessions(user!.id, laptop.cookie('nid.sid'))
    expect(await dashboardStatus(laptop)).toBe(200)
    for (const c of [first, tablet]) expect(await dashboardStatus(c)).toBe(303)
  })
})

describe('"Log out all other devices" counts what was logged in', () => {
  it('a device whose session already ended is forgotten but not counted', async () => {
    const me = new Client()
    const { email } = await me.register('Counter')
    const laptop = new Client()
    const old = new Client()
    expect((await laptop.login(email, PASSWORD)).status).toBe(303)
    expect((await old.login(email, PASSWORD)).status).toBe(303)
    // The old browser logged out: its device row stays, its session is gone.
    expect((await old.post('/logout', {}, { tokenPage: '/dashboard' })).status).toBe(303)
    const res = await me.post('/dashboard/settings/devices/delete-others', {}, { tokenPage: '/dashboard/settings' })
    expect(res.status).toBe(303)
    const page = await (await me.get(res.headers.get('location')!)).text()
    expect(page).toContain('Logged out 1 other device.')
    expect(await dashboardStatus(laptop)).toBe(303)
    expect((await db.models.Device.count({ where: { userId: (await db.models.User.findOne({ where: { email } }))!.id } }))).toBe(1)
  })
})
