import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

/** Settings · Devices: the logins whose session is alive, and apart from them the recently ended ones. */
export async function data(pageContext: PageContextServer) {
  const currentDevice = pageContext.deviceId
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const devices = (await pageContext.services.devices.list(viewer.userId)).map((d) => ({
      id: d.id,
      name: d.name,
      ip: d.ip,
      firstSeen: d.firstSeen.toISOString(),
      lastSeen: d.lastSeen.toISOString(),
      current: d.id === currentDevice,
      active: d.active || d.id === currentDevice,
    }))
    return { active: devices.filter((d) => d.active), ended: devices.filter((d) => !d.active).slice(0, ENDED_SHOWN) }
  })
}
/** Ended sessions are history, not something to act on: the last few are enough. */
const ENDED_SHOWN = 10
export type Data = Awaited<ReturnType<typeof data>>
export type DeviceRow = Data['active'][number]
