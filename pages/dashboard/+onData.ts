// Every vault page's +data returns `folders` and `pendingInvitations` (and the list pages `list`):
// they go into the vault store and are removed from pageContext.data so each piece of data
// reaches the browser once.
import type { PageContext } from 'vike/types'
import { useVaultStore } from '../../stores/useVaultStore'
import type { FolderSummary, VaultList } from '../../stores/useVaultStore'

export function onData(pageContext: PageContext & { data?: { folders?: FolderSummary[]; pendingInvitations?: number; list?: VaultList } }) {
  const data = pageContext.data
  if (!data) return
  const store = useVaultStore(pageContext.pinia!)
  if (data.folders) {
    store.setFolders(data.folders)
    delete data.folders
  }
  if (typeof data.pendingInvitations === 'number') {
    store.setPendingInvitations(data.pendingInvitations)
    delete data.pendingInvitations
  }
  store.setList(data.list ?? null)
  delete data.list
}
