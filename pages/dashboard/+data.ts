import type { PageContextServer } from 'vike/types'
import { listQuery, loadVault } from './vaultData'

export async function data(pageContext: PageContextServer) {
  const query = listQuery(pageContext)
  return loadVault(pageContext, async (viewer) => {
    const { folders, pendingInvitations, ...list } = await pageContext.services.vault.listVault(viewer, query)
    return { folders, pendingInvitations, list: { ...list, q: query.q, folderId: null } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
