import type { PageContextServer } from 'vike/types'
import { loadVault } from '../../vaultData'

// The result of the viewer's last import, shown once (the importer removes it as it reads it).
export async function data(pageContext: PageContextServer) {
  return loadVault(pageContext, async (viewer) => {
    const [{ folders, pendingInvitations }, result] = await Promise.all([
      pageContext.services.vault.listFolders(viewer),
      pageContext.services.importer.takeResult(viewer),
    ])
    return { folders, pendingInvitations, result }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
