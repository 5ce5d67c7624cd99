// The two-factor section on a page of its own (linked from settings). A re-rendered enable form
// (wrong code) keeps the secret the user has already scanned.
import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const form = pageContext.form
    const secret = form?.action === '/dashboard/settings/2fa/enable' ? form.values.secret : undefined
    return { twoFactor: await pageContext.services.twoFactor.status(viewer, { secret }) }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
