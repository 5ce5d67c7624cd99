import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { toId } from '../../../../../schemas/vault'
import { vaultPageData } from '../../../vaultData'

/** The confirmation before leaving a shared folder: 404 unless the viewer is an accepted member. */
export async function data(pageContext: PageContextServer) {
  // Compared as the database writes ids (lower case); null, when it is none, matches no share.
  const folderId = toId(pageContext.routeParams.folderId)
  return vaultPageData(pageContext, async (vault, viewer) => {
    const [{ folders }, shares] = await Promise.all([vault.folders(), pageContext.services.sharing.listShares(viewer)])
    const share = shares.accepted.find((s) => s.folderId === folderId)
    const folder = folders.find((f) => f.id === folderId)
    if (!share || !folder) throw render(404, 'This folder is not shared with you.')
    return {
      share: { folderId: share.folderId, folderName: share.folderName, ownerName: share.ownerName, itemCount: folder.itemCount },
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
