import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { itemToChange, vaultPageData } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const item = await itemToChange(pageContext, viewer)
    if (item.unreadable) throw render(403, 'This item could not be decrypted, so it cannot be edited.')
    return { item: { id: item.id, folderId: item.folderId, folderName: item.folderName, fields: item.fields } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
