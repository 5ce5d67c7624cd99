import type { PageContextServer } from 'vike/types'
import type { PublicPageName } from '../../server/services/helpCenter'

export function data(pageContext: PageContextServer) {
  return pageContext.services.help.page(pageContext.routeParams.name as PublicPageName)
}
export type Data = ReturnType<typeof data>
