import { redirect } from 'vike/abort'
import type { PageContextServer } from 'vike/types'

// The code exists (sealed in the session) only until the user confirms they saved it.
export function data(pageContext: PageContextServer) {
  const code = pageContext.recoveryCode()
  if (!code) throw redirect('/dashboard')
  return { code }
}
export type Data = ReturnType<typeof data>
