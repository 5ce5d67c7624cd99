import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { toId } from '../../../../../schemas/vault'
import { vaultPageData } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  // Compared as the database writes ids (lower case); null, when it is none, matches no folder.
  const folderId = toId(pageContext.routeParams.id)
  return vaultPageData(pageContext, async (vault) => {
    const { folders } = await vault.folders()
    const folder = folders.find((f) => f.id === folderId)
    if (!folder) throw render(404, 'This folder does not exist, or it is not yours.')
    if (folder.role !== 'owner') throw render(403, 'Only the owner can delete a folder.')
    if (folder.isPersonal) throw render(403, 'The Personal folder cannot be deleted.')
    return { folder: { id: folder.id, name: folder.name, itemCount: folder.itemCount, memberCount: folder.memberCount } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
