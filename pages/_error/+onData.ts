// The error page's sidebar goes into the vault store, as on every vault page (dashboard/+onData.ts).
import type { PageContext } from 'vike/types'
import { useVaultStore } from '../../stores/useVaultStore'
import type { Data } from './+data'

export function onData(pageContext: PageContext & { data?: Data }) {
  const store = useVaultStore(pageContext.pinia!)
  const sidebar = pageContext.data?.sidebar
  store.setFolders(sidebar?.folders ?? [])
  store.setPendingInvitations(sidebar?.pendingInvitations ?? 0)
  store.setList(null)
  store.setItemFolderId(null)
  if (pageContext.data) delete pageContext.data.sidebar
}
