// Only a login waiting for its second factor has anything to do here (server only).
import { redirect } from 'vike/abort'
import type { PageContextServer } from 'vike/types'

export function data(pageContext: PageContextServer) {
  if (pageContext.user) throw redirect('/dashboard')
  if (!pageContext.pendingMfa) throw redirect('/login')
  return {}
}
