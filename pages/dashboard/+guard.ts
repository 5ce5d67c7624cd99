import { redirect } from 'vike/abort'
import type { PageContext } from 'vike/types'

// Covers every page under /dashboard.
export function guard(pageContext: PageContext) {
  if (!pageContext.user) {
    const { pathname, searchOriginal } = pageContext.urlParsed
    throw redirect(`/login?next=${encodeURIComponent(pathname + (searchOriginal ?? ''))}`)
  }
}
