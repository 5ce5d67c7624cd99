// The vault pages' data (server only). Every +data under /dashboard reads the vault through
// vaultPageData: one reader per render, so the list, the sidebar and an item's reuse come from one
// load of the vault (one SQL query when the decrypted list is cached), and the sidebar (folders,
// pending invitations) is added to every page's data here, where no page can forget it; +onData
// moves it into the vault store. A service's 404 or 403 becomes the error page where the render
// runs (server/render.ts), not here.
import { redirect, render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'
import { ITEM_TYPES, LIST_FILTERS, LIST_SORTS, type FolderList, type SortDirection, type VaultPage } from '../../shared/contract'
import type { Viewer } from '../../server/services/types'
import type { ListOptions, VaultReader } from '../../server/services/vault'
import { defaultDirection, toListRows } from '../../shared/vaultList'

/** What every vault page's data carries besides its own: the sidebar. */
export interface VaultPageData {
  sidebar: FolderList
}

const reads = new WeakMap<PageContextServer, { viewer: Viewer; vault: VaultReader }>()

/** The viewer of this render and its vault reader, the same for every call of one render. */
function readsOf(pageContext: PageContextServer) {
  let r = reads.get(pageContext)
  if (!r) {
    const viewer = pageContext.viewer
    if (!viewer) throw redirect(`/login?next=${encodeURIComponent(pageContext.urlParsed.pathname)}`)
    r = { viewer, vault: pageContext.services.vault.reader(viewer) }
    reads.set(pageContext, r)
  }
  return r
}

/** A vault page's data: what `load` returns, and the sidebar. A logged-out visitor is sent to log in. */
export async function vaultPageData<T extends object>(
  pageContext: PageContextServer,
  load: (vault: VaultReader, viewer: Viewer) => Promise<T>,
): Promise<T & VaultPageData> {
  const { viewer, vault } = readsOf(pageContext)
  const [data, sidebar] = await Promise.all([load(vault, viewer), vault.folders()])
  return { ...data, sidebar }
}

function pageNumber(raw: string | undefined): number {
  const n = Number.parseInt(raw ?? '1', 10)
  return Number.isFinite(n) && n > 0 ? n : 1
}

const DIRECTIONS: readonly SortDirection[] = ['asc', 'desc']
const oneOf = <T extends string>(allowed: readonly T[], raw: string | undefined): T | undefined =>
  allowed.find((value) => value === raw)

/**
 * A list page's GET parameters, parsed once, here: q as typed, cut to 200 (the vault service only
 * matches it); the page a whole number from 1; sort, dir and filter from their lists. Anything
 * else means the default: name, that order's own direction, unfiltered.
 */
export function listQuery(pageContext: PageContextServer): Required<Omit<ListOptions, 'folderId'>> {
  const { q, page, sort, dir, filter, favourites, type } = pageContext.urlParsed.search
  const listSort = oneOf(LIST_SORTS, sort) ?? 'name'
  return {
    q: (q ?? '').slice(0, 200),
    page: pageNumber(page),
    sort: listSort,
    dir: oneOf(DIRECTIONS, dir) ?? defaultDirection(listSort),
    filter: oneOf(LIST_FILTERS, filter) ?? null,
    favouritesFirst: favourites === 'first',
    type: oneOf(ITEM_TYPES, type) ?? null,
  }
}

/** The list part of a list page's data: its rows in the page's shape, each sent once. */
export function listOf(page: VaultPage, folders: FolderList['folders'], q: string, folderId: string | null, zone?: string) {
  const { total, pageCount, pageSize, counts, folderCounts, sort, dir, filter, favouritesFirst, type } = page
  return { rows: toListRows(page.items, folders, zone, sort), total, page: page.page, pageCount, pageSize, counts, folderCounts, sort, dir, filter, favouritesFirst, type, q, folderId }
}

/**
 * The item of the route, for a page that changes it (edit, delete): 404 when it is not the
 * viewer's, 403 on a view-only folder.
 */
export async function itemToChange(pageContext: PageContextServer, viewer: Viewer) {
  const item = await pageContext.services.vault.getItem(viewer, pageContext.routeParams.id!)
  if (item.permission !== 'edit') throw render(403, 'This folder is shared with you as view only.')
  return item
}
