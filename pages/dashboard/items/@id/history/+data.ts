// An item's history page (issue 21): its earlier versions, and with ?version=<id> one of them with
// its fields (secrets behind a reveal) and a Restore button. A malformed, unknown or foreign
// version id is a 404, like the item's.
import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const id = pageContext.routeParams.id!
    const versionId = pageContext.urlParsed.search.version
    const { vault } = pageContext.services
    const [list, version] = await Promise.all([vault.listVersions(viewer, id), versionId === undefined ? null : vault.getVersion(viewer, id, versionId)])
    return {
      item: { id: list.itemId, folderId: list.folderId, folderName: list.folderName, name: list.name, permission: list.permission, updatedAt: list.updatedAt.toISOString() },
      versions: list.versions.map((v) => ({ id: v.id, savedAt: v.savedAt.toISOString(), changed: v.changed, unreadable: v.unreadable })),
      version: version && {
        id: version.id,
        savedAt: version.savedAt.toISOString(),
        fields: version.fields,
        totp: version.totp,
        rotateDays: version.rotateDays,
      },
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
