import { redirect, render } from 'vike/abort'
import type { PageContext } from 'vike/types'

// Defence in depth: the gate in front of every /admin path (server/routes/admin.ts) already
// answers 404 to anyone but an administrator with two-factor on, and sends an administrator whose
// master password is too old to /admin/unlock. A client navigation's pageContext.json is let
// through by the gate: its re-authentication is asked here.
export function guard(pageContext: PageContext) {
  const user = pageContext.user
  if (!user?.admin || !user.twoFactor) throw render(404)
  // Server only (this page's data is the server's, so Vike runs the guard there): a known "no" redirects.
  const { pathname, searchOriginal } = pageContext.urlParsed
  if (pageContext.adminUnlocked === false && pathname !== '/admin/unlock') {
    throw redirect(`/admin/unlock?next=${encodeURIComponent(pathname + (searchOriginal ?? ''))}`)
  }
}
