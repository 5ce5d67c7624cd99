import type { PageContextServer } from 'vike/types'
import { loadVault } from '../vaultData'

/** Profile, appearance, devices, two-factor and what deleting the account would take from others. */
export async function data(pageContext: PageContextServer) {
  const services = pageContext.services
  const currentDevice = pageContext.deviceId
  // A re-rendered enable form (wrong code) keeps the secret the user has already scanned.
  const form = pageContext.form
  const secret = form?.action === '/dashboard/settings/2fa/enable' ? form.values.secret : undefined
  return loadVault(pageContext, async (viewer) => {
    const [{ folders, pendingInvitations }, profile, devices, sharedOwned, twoFactor] = await Promise.all([
      services.vault.listFolders(viewer),
      services.account.profile(viewer.userId),
      services.devices.list(viewer.userId),
      services.account.sharedOwnedFolders(viewer.userId),
      services.twoFactor.status(viewer, { secret }),
    ])
    return {
      folders,
      pendingInvitations,
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
