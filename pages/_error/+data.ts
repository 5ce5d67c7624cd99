import type { PageContextServer } from 'vike/types'
import type { FolderList } from '../../shared/contract'

/**
 * A logged-in visitor's error page (403, 404 ...) keeps the vault frame: the sidebar's folders.
 * Best effort: an error page must render whatever failed (an outage included), so a failure here
 * leaves the page without the sidebar, as it was before.
 */
export async function data(pageContext: PageContextServer): Promise<{ sidebar?: FolderList }> {
  const viewer = pageContext.viewer
  // A server error or an outage (503): no sidebar. Reading the folders would fail again, and a
  // failed read here marks this very page as an outage, which then could not be rendered at all.
  const status = pageContext.abortStatusCode ?? pageContext.appError?.status ?? 0
  if (!viewer || status >= 500) return {}
  try {
    return { sidebar: await pageContext.services.vault.reader(viewer).folders() }
  } catch {
    return {}
  }
}
export type Data = Awaited<ReturnType<typeof data>>
