// Devices: one per login, named from the User-Agent.
import { randomUUID } from 'node:crypto'
import { UAParser } from 'ua-parser-js'
import type { Models } from '../../models/index.js'

/** "Firefox on Linux", "Safari on iOS", or "Unknown device". */
export function deviceName(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device'
  const { browser, os } = UAParser(userAgent)
  const b = browser.name
  const o = os.name
  if (b && o) return `${b} on ${o}`.slice(0, 100)
  return (b ?? o ?? 'Unknown device').slice(0, 100)
}

export function createDevicesService(models: Models) {
  return {
    create: (userId: string, userAgent: string | undefined, ip: string) =>
      models.Device.create({ id: randomUUID(), userId, name: deviceName(userAgent), ip: ip.slice(0, 64) }),
    /** Called at most once a minute per session (the session remembers when it last did). */
    touch: (deviceId: string, at = new Date()) => models.Device.update({ lastSeenAt: at }, { where: { id: deviceId } }),
  }
}
export type DevicesService = ReturnType<typeof createDevicesService>
