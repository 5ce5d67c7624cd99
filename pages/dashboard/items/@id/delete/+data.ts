import type { PageContextServer } from 'vike/types'
import { loadItemToChange } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  const { item, folders, pendingInvitations } = await loadItemToChange(pageContext)
  return { folders, pendingInvitations, item: { id: item.id, name: item.broken ? 'Unreadable item' : item.fields.name, folderName: item.folderName } }
}
export type Data = Awaited<ReturnType<typeof data>>
