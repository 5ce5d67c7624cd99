import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../../vaultData'

/** The confirmation of "Delete forever": 404 unless the viewer's trash shows this item. */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const t = await pageContext.services.trash.getTrashedItem(viewer, pageContext.routeParams.id!)
    return { trashed: { id: t.id, name: t.unreadable ? 'Unreadable item' : t.name, folderName: t.folderName } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
