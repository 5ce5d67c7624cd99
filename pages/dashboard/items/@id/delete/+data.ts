import type { PageContextServer } from 'vike/types'
import { itemToChange, vaultPageData } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => {
    const item = await itemToChange(pageContext, viewer)
    return { item: { id: item.id, name: item.unreadable ? 'Unreadable item' : item.fields.name, folderName: item.folderName } }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
