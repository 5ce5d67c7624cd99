import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../vaultData'

// The folders the viewer may import into (edit permission), Personal first.
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault) => {
    const { folders } = await vault.folders()
    const editable = folders.filter((f) => f.permission === 'edit').map((f) => ({ value: f.id, label: f.shared && f.role !== 'owner' ? `${f.name} (${f.ownerName})` : f.name }))
    return { editable }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
