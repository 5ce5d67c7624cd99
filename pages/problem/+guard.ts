import { render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'

export function guard(pageContext: PageContextServer) {
  const e = pageContext.appError
  throw e ? render(e.status as 403, e.message) : render(404)
}
