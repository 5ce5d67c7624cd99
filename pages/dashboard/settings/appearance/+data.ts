import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

/** Settings · Appearance: the theme as the account stores it. */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => ({ theme: (await pageContext.services.account.profile(viewer.userId)).theme }))
}
export type Data = Awaited<ReturnType<typeof data>>
