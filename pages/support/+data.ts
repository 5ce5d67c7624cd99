import type { PageContextServer } from 'vike/types'

/**
 * The help index by section, or the articles matching `?q=` with a snippet each. No session, no
 * SQL: the articles are read once from content/help (server/services/helpCenter.ts).
 */
export function data(pageContext: PageContextServer) {
  const raw = pageContext.urlParsed.search.q ?? ''
  const q = raw.trim().slice(0, 200)
  const help = pageContext.services.help
  return { q, hits: q ? help.search(q) : null, sections: help.index() }
}
export type Data = ReturnType<typeof data>
