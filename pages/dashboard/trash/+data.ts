import type { PageContextServer } from 'vike/types'
import { formatDay, zoneOf } from '../../../shared/formatDate'
import { vaultPageData } from '../vaultData'

/**
 * The viewer's trash (issue 21): the trashed items of every folder they may edit, newest first,
 * each with its name, its folder and its two dates written in the viewer's time zone. One query
 * for the trash besides the sidebar's load; never a password.
 */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const zone = zoneOf(pageContext.user)
    const entries = await pageContext.services.trash.listTrash(viewer)
    return {
      entries: entries.map((e) => ({
        id: e.id,
        name: e.name,
        unreadable: e.unreadable,
        folderName: e.folderName,
        folderGone: e.folderGone,
        deletedAt: e.deletedAt.toISOString(),
        deleted: formatDay(e.deletedAt, zone),
        purgeAt: e.purgeAt.toISOString(),
        purge: formatDay(e.purgeAt, zone),
      })),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
export type TrashRow = Data['entries'][number]
