// An item's history page (issue 21): its earlier versions, and with ?version=<id> one of them with
// its fields (secrets behind a reveal) and a Restore button. A malformed, unknown or foreign
// version id is a 404, like the item's.
import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../../vaultData'
import { formatDayTime, zoneOf } from '../../../../../shared/formatDate'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const id = pageContext.routeParams.id!
    const versionId = pageContext.urlParsed.search.version
    const { vault } = pageContext.services
    // Dates written here, in the viewer's zone: the page ships no date code of its own.
    const zone = zoneOf(pageContext.user)
    const when = (d: Date) => ({ iso: d.toISOString(), text: formatDayTime(d, zone) })
    // SPEC 3b: a version's secrets leave the server only when asked for (&reveal=password|totp).
    const reveal = pageContext.urlParsed.search.reveal
    const [list, version] = await Promise.all([vault.listVersions(viewer, id), versionId === undefined ? null : vault.getVersion(viewer, id, versionId)])
    return {
      item: { id: list.itemId, folderId: list.folderId, folderName: list.folderName, name: list.name, permission: list.permission, updatedAt: when(list.updatedAt) },
      versions: list.versions.map((v) => ({ id: v.id, savedAt: when(v.savedAt), changed: v.changed, unreadable: v.unreadable })),
      version: version && (({ password, ...fields }) => ({
        id: version.id,
        savedAt: when(version.savedAt),
        fields,
        hasPassword: password !== '',
        password: reveal === 'password' ? password : null,
        hasTotp: !!version.totp,
        totp: reveal === 'totp' ? version.totp || null : null,
        rotateDays: version.rotateDays,
        type: version.type,
      }))(version.fields),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
