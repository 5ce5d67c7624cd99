// The two-factor section on a page of its own (linked from settings). A re-rendered enable form
// (wrong code) keeps the secret the user has already scanned.
import type { PageContextServer } from 'vike/types'
import { loadVault } from '../../vaultData'

export async function data(pageContext: PageContextServer) {
  return loadVault(pageContext, async (viewer) => {
    const form = pageContext.form
    const secret = form?.action === '/dashboard/settings/2fa/enable' ? form.values.secret : undefined
    const [{ folders, pendingInvitations }, twoFactor] = await Promise.all([
      pageContext.services.vault.listFolders(viewer),
      pageContext.services.twoFactor.status(viewer, { secret }),
    ])
    return { folders, pendingInvitations, twoFactor }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
