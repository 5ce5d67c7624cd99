import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

// The result of the viewer's last import, shown once (the importer removes it as it reads it).
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => ({ result: await pageContext.services.importer.takeResult(viewer) }))
}
export type Data = Awaited<ReturnType<typeof data>>
