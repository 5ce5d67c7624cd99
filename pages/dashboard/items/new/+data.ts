import type { PageContextServer } from 'vike/types'
import { loadVault } from '../../vaultData'

export async function data(pageContext: PageContextServer) {
  return loadVault(pageContext, async (viewer) => {
    const { folders, pendingInvitations } = await pageContext.services.vault.listFolders(viewer)
    const editable = folders.filter((f) => f.permission === 'edit').map((f) => ({ id: f.id, name: f.name }))
    const wanted = pageContext.urlParsed.search.folder
    const folderId = editable.some((f) => f.id === wanted) ? wanted! : (editable[0]?.id ?? '')
    return { folders, pendingInvitations, editable, folderId }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
