import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { loadItemToChange } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  const { item, folders, pendingInvitations } = await loadItemToChange(pageContext)
  if (item.broken) throw render(403, 'This item could not be decrypted, so it cannot be edited.')
  return { folders, pendingInvitations, item: { id: item.id, folderId: item.folderId, folderName: item.folderName, fields: item.fields } }
}
export type Data = Awaited<ReturnType<typeof data>>
