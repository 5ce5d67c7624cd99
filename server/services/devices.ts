// Devices: one per login, named from the User-Agent.
import { randomUUID } from 'node:crypto'
import { Op } from 'sequelize'
import { UAParser } from 'ua-parser-js'
import type { Models } from '../../models/index.js'
import { NotFoundError } from '../lib/errors.js'
import type { KeyValue } from '../lib/kv.js'
import { liveDevices } from '../session/store.js'

/** "Firefox on Linux", "Safari on iOS", or "Unknown device". */
export function deviceName(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device'
  const { browser, os } = UAParser(userAgent)
  const b = browser.name
  const o = os.name
  if (b && o) return `${b} on ${o}`.slice(0, 100)
  return (b ?? o ?? 'Unknown device').slice(0, 100)
}

/**
 * Days a device not seen since stays in its user's history ("Ended sessions" in settings) before
 * the hourly prune removes it. Its session is long over by then: a live one is seen within the
 * 12-hour idle timeout, and lives 30 days at most.
 */
export const DEVICE_HISTORY_DAYS = 90
const DAY_MS = 86_400_000

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface DeviceSummary {
  id: string
  name: string
  ip: string
  firstSeen: Date
  lastSeen: Date
  /** Its session is alive: logging out, revoking or the session's expiry ends it (the row stays, as history). */
  active: boolean
}

/** `kv` holds the sessions; without it (tests of the service alone) every device counts as active. */
export function createDevicesService(models: Models, kv?: KeyValue) {
  return {
    create: (userId: string, userAgent: string | undefined, ip: string) =>
      models.Device.create({ id: randomUUID(), userId, name: deviceName(userAgent), ip: ip.slice(0, 64) }),
    /** The user has logged in with this browser on this system before (a device row of that name exists). */
    isKnown: async (userId: string, userAgent: string | undefined) => (await models.Device.count({ where: { userId, name: deviceName(userAgent) } })) > 0,
    /** Called at most once a minute per session (the session remembers when it last did). */
    touch: (deviceId: string, at = new Date()) => models.Device.update({ lastSeenAt: at }, { where: { id: deviceId } }),
    /** A user's devices, most recently seen first, each saying whether its session is still alive. */
    async list(userId: string): Promise<DeviceSummary[]> {
      const rows = await models.Device.findAll({ where: { userId }, order: [['lastSeenAt', 'DESC'], ['createdAt', 'DESC']], limit: 200 })
      const live = kv ? await liveDevices(kv, rows.map((d) => d.id)) : null
      return rows.map((d) => ({ id: d.id, name: d.name, ip: d.ip, firstSeen: d.createdAt, lastSeen: d.lastSeenAt, active: live ? live.has(d.id) : true }))
    },
    /** Deletes one of the user's devices; NotFoundError for anyone else's id (or no such id). */
    async remove(userId: string, rawId: string) {
      const id = rawId.toLowerCase()
      if (!UUID.test(id)) throw new NotFoundError()
      const device = await models.Device.findOne({ where: { id, userId } })
      if (!device) throw new NotFoundError()
      await device.destroy()
      return { id: device.id, name: device.name }
    },
    /** Deletes every user's devices not seen for DEVICE_HISTORY_DAYS (one DELETE; several processes at once are safe). Returns how many. */
    pruneStale: (now = new Date()) => models.Device.destroy({ where: { lastSeenAt: { [Op.lt]: new Date(now.getTime() - DEVICE_HISTORY_DAYS * DAY_MS) } } }),
    /** Deletes every device of the user but `keepId` ("log out other devices"). */
    removeOthers: (userId: string, keepId: string) => models.Device.destroy({ where: { userId, id: { [Op.ne]: keepId } } }),
  }
}
export type DevicesService = ReturnType<typeof createDevicesService>
