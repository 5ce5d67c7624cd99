import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

// The result of the viewer's last import, readable until it expires, with the progress of its background scoring (ADR 024).
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => ({ result: await pageContext.services.importer.readResult(viewer) }))
}
export type Data = Awaited<ReturnType<typeof data>>
