import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { toId } from '../../../../schemas/vault'
import { listOf, listQuery, vaultPageData } from '../../vaultData'
import { zoneOf } from '../../../../shared/formatDate'

export async function data(pageContext: PageContextServer) {
  const query = listQuery(pageContext)
  return vaultPageData(pageContext, async (vault, viewer) => {
    // The id as the database spells it (a UUID in any case is accepted); none is "not found".
    const folderId = toId(pageContext.routeParams.id)
    if (!folderId) throw render(404)
    // Both refuse (404) a folder the viewer has not accepted; the member list costs one query more.
    // The owner's exposure reports (ADR 038): one query, and the reveals' one when there is a
    // report; the items' names and password dates come from this render's load of the vault.
    const [page, { folders }, { members, canManage, limit }, exposure] = await Promise.all([
      vault.list({ ...query, folderId }),
      vault.folders(),
      pageContext.services.sharing.listMembers(viewer, folderId),
      vault.folders().then(({ folders }) => {
        const f = folders.find((x) => x.id === folderId)
        return f?.role === 'owner' && !f.isPersonal ? pageContext.services.exposure.openReports(viewer, folderId, (ids) => vault.itemsById(ids)) : []
      }),
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
      exposure,
      list: listOf(page, folders, query.q, folderId, zoneOf(pageContext.user)),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
