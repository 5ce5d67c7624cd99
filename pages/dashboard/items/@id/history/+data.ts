// An item's history page (issue 21): its earlier versions, and with ?version=<id> one of them with
// its fields (secrets behind a reveal) and a Restore button. A malformed, unknown or foreign
// version id is a 404, like the item's.
import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../../vaultData'
import { formatDayTime, zoneOf } from '../../../../../shared/formatDate'
import { EARLIER_PASSWORD } from '../../../../../shared/itemTypes'

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
    if (reveal !== undefined) await pageContext.spendSecretRead() // the copy budget, as the item page's reveals
    // An earlier password (&reveal=old_<i>, issue 23): asked for alone, through the copy path (one query, only then).
    const old = reveal !== undefined && EARLIER_PASSWORD.exec(reveal) ? reveal : null
    const [list, version, revealedOld] = await Promise.all([
      vault.listVersions(viewer, id),
      versionId === undefined ? null : vault.getVersion(viewer, id, versionId),
      old === null ? null : vault.copyItemField(viewer, id, old, 'item_revealed').then((f) => f.value, () => null),
    ])
    // A version's secret shown is recorded like the item's own (issue 25).
    if (version && ((reveal === 'password' && version.fields.password !== '') || (reveal === 'totp' && version.totp))) {
      await vault.noteRevealed(viewer, id, reveal === 'password' ? 'password of an earlier version' : 'authenticator key of an earlier version')
    }
    return {
      earlierPasswords: list.earlierPasswords.map((d, i) => ({ field: `old_${i}`, until: d.getTime() > 0 ? when(d) : null, value: old === `old_${i}` ? revealedOld : null })),
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
