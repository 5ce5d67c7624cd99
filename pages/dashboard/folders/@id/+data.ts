import type { PageContextServer } from 'vike/types'
import { listOf, listQuery, loadVault } from '../../vaultData'

export async function data(pageContext: PageContextServer) {
  // The service accepts a UUID in any case (and lowercases it); so must the lookup below.
  const folderId = pageContext.routeParams.id!.toLowerCase()
  const query = listQuery(pageContext)
  return loadVault(pageContext, async (viewer) => {
    // Both refuse (404) a folder the viewer has not accepted; the member list costs one query more.
    const [page, { members, canManage, limit }] = await Promise.all([
      pageContext.services.vault.listVault(viewer, { ...query, folderId }),
      pageContext.services.sharing.listMembers(viewer, folderId),
    ])
    const { folders, pendingInvitations } = page
    const folder = folders.find((f) => f.id === folderId)!
    return {
      folders,
      pendingInvitations,
      folder,
      sharing: {
        canManage,
        limit,
        members: members.map((m) => ({
          userId: m.userId,
          name: m.name,
          email: m.email,
          role: m.role,
          permission: m.permission,
          status: m.status,
          since: m.since.toISOString(),
          expiresAt: m.expiresAt ? m.expiresAt.toISOString() : null,
          isViewer: m.userId === viewer.userId,
        })),
      },
      list: listOf(page, query.q, folderId),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
