import type { PageContextServer } from 'vike/types'
import { loadVault } from '../vaultData'

// The sidebar's folders, and those the viewer may import into (edit permission), Personal first.
export async function data(pageContext: PageContextServer) {
  return loadVault(pageContext, async (viewer) => {
    const { folders, pendingInvitations } = await pageContext.services.vault.listFolders(viewer)
    const editable = folders.filter((f) => f.permission === 'edit').map((f) => ({ value: f.id, label: f.shared && f.role !== 'owner' ? `${f.name} (${f.ownerName})` : f.name }))
    return { folders, pendingInvitations, editable }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
