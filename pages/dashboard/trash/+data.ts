import type { PageContextServer } from 'vike/types'
import { formatDay, zoneOf } from '../../../shared/formatDate'
import { vaultPageData } from '../vaultData'

/**
 * The viewer's trash (issue 21): the trashed items of every folder they may edit, newest first,
 * each with its name, its folder and its two dates written in the viewer's time zone. One query
 * for the trash besides the sidebar's load; never a password.
 *
 * The confirmations live here too, not on pages of their own (each page adds a route to the
 * first-load JavaScript of every page): `?confirm=empty` asks before "Empty trash", and
 * `?purge=<id>` before "Delete forever" of that item (404 unless this trash shows it).
 */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const zone = zoneOf(pageContext.user)
    const { purge, confirm } = pageContext.urlParsed.search
    const trash = pageContext.services.trash
    const purging = purge === undefined ? null : await trash.getTrashedItem(viewer, purge)
    const entries = purging ? [] : await trash.listTrash(viewer)
    return {
      confirm: purging
        ? { kind: 'purge' as const, id: purging.id, name: purging.unreadable ? 'Unreadable item' : purging.name, folderName: purging.folderName }
        : confirm === 'empty'
          ? { kind: 'empty' as const, count: entries.length }
          : null,
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
