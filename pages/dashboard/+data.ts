import type { PageContextServer } from 'vike/types'
import { listOf, listQuery, loadVault } from './vaultData'

export async function data(pageContext: PageContextServer) {
  const query = listQuery(pageContext)
  return loadVault(pageContext, async (viewer) => {
    const page = await pageContext.services.vault.listVault(viewer, query)
    return { folders: page.folders, pendingInvitations: page.pendingInvitations, list: listOf(page, query.q, null) }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
