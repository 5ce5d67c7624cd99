import { redirect } from 'vike/abort'
import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

// The new code exists (sealed in the session) only until the user confirms they saved it.
export async function data(pageContext: PageContextServer) {
  const code = pageContext.recoveryCode()
  if (!code) throw redirect('/dashboard/settings/security')
  return vaultPageData(pageContext, async () => ({ code }))
}
export type Data = Awaited<ReturnType<typeof data>>
