import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { toId } from '../../../../../../../schemas/vault'
import { vaultPageData } from '../../../../../vaultData'

/**
 * The confirmation before the owner removes a member or cancels an invitation (the button on the
 * folder page leads here; the form posts to /dashboard/folders/:id/members/:userId/delete).
 * 404 for a folder or person that is not there to remove, 403 for a member who may not manage it.
 */
export async function data(pageContext: PageContextServer) {
  // Compared as the database writes ids (lower case); null, when it is none, matches nothing.
  const folderId = toId(pageContext.routeParams.id)
  const userId = toId(pageContext.routeParams.userId)
  if (!folderId || !userId) throw render(404)
  return vaultPageData(pageContext, async (vault, viewer) => {
    const [{ folders }, { members, canManage }] = await Promise.all([vault.folders(), pageContext.services.sharing.listMembers(viewer, folderId)])
    const folder = folders.find((f) => f.id === folderId)
    if (!folder) throw render(404, 'This folder does not exist, or it is not yours.')
    if (!canManage) throw render(403, 'Only the folder’s owner can remove people from it.')
    const member = members.find((m) => m.userId === userId && m.role !== 'owner')
    if (!member) throw render(404, 'This person does not have this folder, or their invitation is gone.')
    return {
      folder: { id: folder.id, name: folder.name, itemCount: folder.itemCount },
      member: { userId: member.userId, name: member.name, email: member.email, status: member.status },
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
