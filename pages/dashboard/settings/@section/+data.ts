// Every settings section is a page with its own URL (ADR 022), served by this one Vike page
// (/dashboard/settings is the Account section, /dashboard/settings/account the same): five pages
// would each add an entry to the client's route table, which every page loads first. Each
// section loads only its own data.
import { redirect, render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'
import { SETTINGS_PAGES } from '../../../../shared/settingsPages'
import { zoneOf } from '../../../../shared/formatDate'

async function sectionData(pageContext: PageContextServer, section: string) {
  const { services, deviceId: currentDevice } = pageContext
  return vaultPageData(pageContext, async (_vault, viewer) => {
    switch (section) {
      case 'account':
        return { section, profile: await services.account.profile(viewer.userId) } as const
      case 'appearance':
        return {
          section,
          theme: (await services.account.profile(viewer.userId)).theme,
          // The server's list, so the page renders the same in the browser (whose ICU may differ).
          timeZone: zoneOf(pageContext.user),
          zones: ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')],
        } as const
      case 'security': {
        // A re-rendered enable form (wrong code) keeps the secret the user has already scanned.
        const form = pageContext.form
        const secret = form?.action === '/dashboard/settings/2fa/enable' ? form.values.secret : undefined
        return { section, twoFactor: await services.twoFactor.status(viewer, { secret }) } as const
      }
      case 'devices': {
        const devices = (await services.devices.list(viewer.userId)).map((d) => ({
          id: d.id,
          name: d.name,
          ip: d.ip,
          firstSeen: d.firstSeen.toISOString(),
          lastSeen: d.lastSeen.toISOString(),
          current: d.id === currentDevice,
          active: d.active || d.id === currentDevice,
        }))
        // Ended sessions are history, not something to act on: the last few are enough.
        return { section, active: devices.filter((d) => d.active), ended: devices.filter((d) => !d.active).slice(0, 10) } as const
      }
      case 'data': {
        const [sharedOwned, storage] = await Promise.all([services.account.sharedOwnedFolders(viewer.userId), services.attachments.usage(viewer.userId)])
        return { section, sharedOwned, storage } as const
      }
      default:
        throw render(404)
    }
  })
}

export async function data(pageContext: PageContextServer) {
  const section = pageContext.routeParams.section ?? 'account'
  // Two-factor had a page of its own: old links and bookmarks land on Security.
  if (section === 'two-factor') throw redirect(SETTINGS_PAGES.security)
  return sectionData(pageContext, section)
}
export type Data = Awaited<ReturnType<typeof data>>
