import type { PageContextServer } from 'vike/types'
import { loadVault, pageNumber } from '../../vaultData'

export async function data(pageContext: PageContextServer) {
  // The service accepts a UUID in any case (and lowercases it); so must the lookup below.
  const folderId = pageContext.routeParams.id!.toLowerCase()
  const q = (pageContext.urlParsed.search.q ?? '').slice(0, 200)
  const page = pageNumber(pageContext.urlParsed.search.page)
  return loadVault(pageContext, async (viewer) => {
    const { folders, ...list } = await pageContext.services.vault.listVault(viewer, { q, page, folderId })
    const folder = folders.find((f) => f.id === folderId)!
    return { folders, folder, list: { ...list, q, folderId } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
