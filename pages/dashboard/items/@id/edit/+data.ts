import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { loadVault } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  return loadVault(pageContext, async (viewer) => {
    const [item, folders] = await Promise.all([
      pageContext.services.vault.getItem(viewer, pageContext.routeParams.id!),
      pageContext.services.vault.listFolders(viewer),
    ])
    if (item.permission !== 'edit') throw render(403, 'This folder is shared with you as view only.')
    if (item.broken) throw render(403, 'This item could not be decrypted, so it cannot be edited.')
    return { folders, item: { id: item.id, folderId: item.folderId, folderName: item.folderName, fields: item.fields } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
