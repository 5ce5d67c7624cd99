import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../vaultData'

/** Settings · Account: name and email (ADR 022: one page per section). */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (_vault, viewer) => ({ profile: await pageContext.services.account.profile(viewer.userId) }))
}
export type Data = Awaited<ReturnType<typeof data>>
