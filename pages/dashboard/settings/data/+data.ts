import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

/** Settings · Data: import, export, and what deleting the account would take from others. */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => ({ sharedOwned: await pageContext.services.account.sharedOwnedFolders(viewer.userId) }))
}
export type Data = Awaited<ReturnType<typeof data>>
