import type { PageContext } from 'vike/types'

// /about, /privacy and /terms: one page, three Markdown files (content/pages).
const NAMES = ['about', 'privacy', 'terms']

export default (pageContext: PageContext) => {
  const name = pageContext.urlPathname.slice(1)
  return NAMES.includes(name) ? { routeParams: { name } } : false
}
