import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

/** Settings · Security: master password, two-factor, recovery code. */
export async function data(pageContext: PageContextServer) {
  // A re-rendered enable form (wrong code) keeps the secret the user has already scanned.
  const form = pageContext.form
  const secret = form?.action === '/dashboard/settings/2fa/enable' ? form.values.secret : undefined
  return vaultPageData(pageContext, async (_vault, viewer) => ({ twoFactor: await pageContext.services.twoFactor.status(viewer, { secret }) }))
}
export type Data = Awaited<ReturnType<typeof data>>
