// Every vault page's data carries the sidebar (vaultData.ts vaultPageData) and the list pages a
// `list`: both go into the vault store and are removed from pageContext.data, so each piece of data
// reaches the browser once. An item's pages leave `item` in their data; its folder is marked in the
// sidebar.
import type { PageContext } from 'vike/types'
import { useVaultStore } from '../../stores/useVaultStore'
import type { FolderSummary } from '../../shared/contract'
import type { VaultList } from '../../stores/useVaultStore'
import type { VaultPageData } from './vaultData'

interface VaultPageDataIn extends Partial<VaultPageData> {
  list?: VaultList
  item?: { folderId?: string; folderName?: string }
}

export function onData(pageContext: PageContext & { data?: VaultPageDataIn }) {
  const data = pageContext.data
  if (!data) return
  const store = useVaultStore(pageContext.pinia!)
  if (data.sidebar) {
    store.setFolders(data.sidebar.folders)
    store.setPendingInvitations(data.sidebar.pendingInvitations)
    delete data.sidebar
  }
  store.setList(data.list ?? null)
  delete data.list
  store.setItemFolderId(itemFolderId(data.item, store.folders))
}

/** The folder of the page's item: its id where the page has it, else (the delete page) the one
 *  folder of that name; none when two folders share it. */
function itemFolderId(item: VaultPageDataIn['item'], folders: FolderSummary[]): string | null {
  if (!item) return null
  if (item.folderId) return item.folderId
  const named = folders.filter((f) => f.name === item.folderName)
  return named.length === 1 ? named[0]!.id : null
}
