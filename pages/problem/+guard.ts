import { render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'

// Statuses Vike's render() knows; others (400, 413, 422) are carried in the reason and the
// server sets the real HTTP status afterwards (server/middleware/errors.ts).
const VIKE_STATUSES = [401, 403, 404, 410, 429, 500, 503] as const
type VikeStatus = (typeof VIKE_STATUSES)[number]

export function guard(pageContext: PageContextServer) {
  const e = pageContext.appError
  if (!e) throw render(404)
  const known = (VIKE_STATUSES as readonly number[]).includes(e.status)
  throw render((known ? e.status : 500) as VikeStatus, { status: e.status, message: e.message, ...(e.back ? { back: e.back } : {}) })
}
