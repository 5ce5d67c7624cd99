// Every vault page's +data returns `folders` (and the list pages `list`): they go into the vault
// store and are removed from pageContext.data so each item's data reaches the browser once.
import type { PageContext } from 'vike/types'
import { useVaultStore } from '../../stores/useVaultStore'
import type { FolderSummary, VaultList } from '../../stores/useVaultStore'

export function onData(pageContext: PageContext & { data?: { folders?: FolderSummary[]; list?: VaultList } }) {
  const data = pageContext.data
  if (!data) return
  const store = useVaultStore(pageContext.pinia!)
  if (data.folders) {
    store.setFolders(data.folders)
    delete data.folders
  }
  store.setList(data.list ?? null)
  delete data.list
}
