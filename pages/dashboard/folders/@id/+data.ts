import type { PageContextServer } from 'vike/types'
import { listOf, listQuery, vaultPageData } from '../../vaultData'

export async function data(pageContext: PageContextServer) {
  // The service accepts a UUID in any case (and lowercases it); so must the lookup below.
  const folderId = pageContext.routeParams.id!.toLowerCase()
  const query = listQuery(pageContext)
  return vaultPageData(pageContext, async (vault, viewer) => {
    // Both refuse (404) a folder the viewer has not accepted; the member list costs one query more.
    const [page, { folders }, { members, canManage, limit }] = await Promise.all([
      vault.list({ ...query, folderId }),
      vault.folders(),
      pageContext.services.sharing.listMembers(viewer, folderId),
    ])
    const folder = folders.find((f) => f.id === folderId)!
    return {
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
      list: listOf(page, folders, query.q, folderId),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
