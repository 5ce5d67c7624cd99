import { redirect } from 'vike/abort'
import type { PageContext } from 'vike/types'

// Covers every page under /dashboard.
export function guard(pageContext: PageContext) {
  if (!pageContext.user) {
    // Half logged in (password given, two-factor code not yet): back to the second step.
    if (pageContext.pendingMfa) throw redirect('/login/2fa')
    const { pathname, searchOriginal } = pageContext.urlParsed
    throw redirect(`/login?next=${encodeURIComponent(pathname + (searchOriginal ?? ''))}`)
  }
}
