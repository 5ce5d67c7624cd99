import { afterAll, describe, expect, it } from 'vitest'
import { DEVICE_HISTORY_DAYS, deviceName } from './devices.js'
import { createTestContext, registerUser } from '../../tests/helpers/context.js'

const ctx = createTestContext()
afterAll(() => ctx.sequelize.close())

describe('deviceName', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari on macOS'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Mobile Safari on iOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Windows'],
    ['curl/8.5.0', 'Unknown device'],
    [undefined, 'Unknown device'],
  ])('%s -> %s', (ua, name) => {
    expect(deviceName(ua)).toBe(name)
  })
})

describe('pruneStale', () => {
  it('deletes the devices not seen for DEVICE_HISTORY_DAYS, of every user, and keeps the rest', async () => {
    const devices = ctx.services.devices
    const [a, b] = [await registerUser(ctx, 'Prune A'), await registerUser(ctx, 'Prune B')]
    const now = new Date()
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000)
    const made = async (userId: string, seen: Date) => {
      const d = await devices.create(userId, 'curl/8.5.0', '192.0.2.1')
      await ctx.models.Device.update({ lastSeenAt: seen }, { where: { id: d.id } })
      return d.id
    }
    const stale = [await made(a.user.id, daysAgo(DEVICE_HISTORY_DAYS + 1)), await made(b.user.id, daysAgo(400))]
    const kept = [await made(a.user.id, daysAgo(DEVICE_HISTORY_DAYS - 1)), await made(b.user.id, now)]
    expect(await devices.pruneStale(now)).toBeGreaterThanOrEqual(2)
    const left = (await ctx.models.Device.findAll({ where: { id: [...stale, ...kept] } })).map((d) => d.id)
    expect(left.sort()).toEqual([...kept].sort())
  })
})
