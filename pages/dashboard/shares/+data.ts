import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../vaultData'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault, viewer) => {
    const [{ folders }, shares] = await Promise.all([vault.folders(), pageContext.services.sharing.listShares(viewer)])
    const toDto = (s: (typeof shares.pending)[number]) => ({
      folderId: s.folderId,
      folderName: s.folderName,
      ownerName: s.ownerName,
      ownerEmail: s.ownerEmail,
      permission: s.permission,
      since: s.since.toISOString(),
      expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
    })
    // For the empty state: a folder of the viewer's own that could be shared.
    const shareable = folders.find((f) => f.role === 'owner' && !f.isPersonal)
    return {
      pending: shares.pending.map(toDto),
      accepted: shares.accepted.map(toDto),
      shareable: shareable ? { id: shareable.id, name: shareable.name } : null,
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
