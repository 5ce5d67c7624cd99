import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../vaultData'

/** Profile, appearance, devices, two-factor and what deleting the account would take from others. */
export async function data(pageContext: PageContextServer) {
  const services = pageContext.services
  const currentDevice = pageContext.deviceId
  // A re-rendered enable form (wrong code) keeps the secret the user has already scanned.
  const form = pageContext.form
  const secret = form?.action === '/dashboard/settings/2fa/enable' ? form.values.secret : undefined
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const [profile, devices, sharedOwned, twoFactor] = await Promise.all([
      services.account.profile(viewer.userId),
      services.devices.list(viewer.userId),
      services.account.sharedOwnedFolders(viewer.userId),
      services.twoFactor.status(viewer, { secret }),
    ])
    return {
      profile,
      devices: devices.map((d) => ({
        id: d.id,
        name: d.name,
        ip: d.ip,
        firstSeen: d.firstSeen.toISOString(),
        lastSeen: d.lastSeen.toISOString(),
        current: d.id === currentDevice,
      })),
      sharedOwned,
      twoFactor,
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
export type DeviceRow = Data['devices'][number]
