import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

/** The confirmation of "Empty trash": how many items would go. */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => ({ count: (await pageContext.services.trash.listTrash(viewer)).length }))
}
export type Data = Awaited<ReturnType<typeof data>>
