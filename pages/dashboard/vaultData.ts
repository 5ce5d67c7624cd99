// Shared by the vault pages' +data hooks (server only): the viewer from the session, and domain
// errors turned into Vike's error page with the right status.
import { redirect, render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'
import type { VaultPage } from '../../shared/contract'
import { toListRows } from '../../shared/vaultList'

export function viewerOf(pageContext: PageContextServer) {
  const viewer = pageContext.viewer?.vault()
  if (!viewer) throw redirect(`/login?next=${encodeURIComponent(pageContext.urlParsed.pathname)}`)
  return viewer
}

export async function loadVault<T>(pageContext: PageContextServer, load: (viewer: ReturnType<typeof viewerOf>) => Promise<T>): Promise<T> {
  const viewer = viewerOf(pageContext)
  try {
    return await load(viewer)
  } catch (e) {
    const status = refusalStatus(e)
    if (status) throw render(status, (e as Error).message)
    throw e
  }
}

/**
 * 404 or 403 for the services' NotFoundError / ForbiddenError, else null. By name, not
 * `instanceof`: the services passed in through pageContext throw the classes the Koa process
 * loaded, and pages import nothing of the server.
 */
function refusalStatus(e: unknown): 403 | 404 | null {
  const isAppError = e instanceof Error && /^(AppError|NotFoundError|ForbiddenError|ValidationError)$/.test(e.name)
  const status = isAppError ? (e as { status?: unknown }).status : undefined
  return status === 404 || status === 403 ? status : null
}

function pageNumber(raw: string | undefined): number {
  const n = Number.parseInt(raw ?? '1', 10)
  return Number.isFinite(n) && n > 0 ? n : 1
}

/** A list page's GET parameters as typed (q cut to 200); the vault service validates the rest. */
export function listQuery(pageContext: PageContextServer) {
  const { q, page, sort, dir, filter } = pageContext.urlParsed.search
  return { q: (q ?? '').slice(0, 200), page: pageNumber(page), sort, dir, filter }
}

/** The list part of a list page's data: its rows in the page's shape, each sent once. */
export function listOf(page: VaultPage, q: string, folderId: string | null) {
  const { total, pageCount, pageSize, counts, folderCounts, sort, dir, filter } = page
  return { rows: toListRows(page.items, page.folders), total, page: page.page, pageCount, pageSize, counts, folderCounts, sort, dir, filter, q, folderId }
}

/**
 * The item of the route with the folders for the sidebar, for a page that changes it (edit,
 * delete): 404 when it is not the viewer's, 403 on a view-only folder.
 */
export async function loadItemToChange(pageContext: PageContextServer) {
  return loadVault(pageContext, async (viewer) => {
    const [item, { folders, pendingInvitations }] = await Promise.all([
      pageContext.services.vault.getItem(viewer, pageContext.routeParams.id!),
      pageContext.services.vault.listFolders(viewer),
    ])
    if (item.permission !== 'edit') throw render(403, 'This folder is shared with you as view only.')
    return { item, folders, pendingInvitations }
  })
}
