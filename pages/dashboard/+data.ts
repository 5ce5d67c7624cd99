import type { PageContextServer } from 'vike/types'
import { loadVault, pageNumber } from './vaultData'

export async function data(pageContext: PageContextServer) {
  const q = (pageContext.urlParsed.search.q ?? '').slice(0, 200)
  const page = pageNumber(pageContext.urlParsed.search.page)
  return loadVault(pageContext, async (viewer) => {
    const { folders, pendingInvitations, ...list } = await pageContext.services.vault.listVault(viewer, { q, page })
    return { folders, pendingInvitations, list: { ...list, q, folderId: null } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
