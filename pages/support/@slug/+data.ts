import { render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'

/** One help article (its element tree, contents and neighbours); 404 with a way back to the index. */
export function data(pageContext: PageContextServer) {
  const article = pageContext.services.help.article(pageContext.routeParams.slug ?? '')
  if (!article) throw render(404, { status: 404, message: 'There is no help article at this address.', back: '/support' })
  return article
}
export type Data = ReturnType<typeof data>
