// The item list's orders and filters (GET parameters of /dashboard and folder pages): read by the
// vault service, which validates them, and by the list header, which links to them.
import type { ListFilter, ListSort, SortDirection } from '../server/services/types'

export const LIST_SORTS: readonly ListSort[] = ['name', 'folder', 'changed']
export const LIST_FILTERS: readonly ListFilter[] = ['weak', 'reused', 'unreadable']

/** A first click on a column: names and folders A to Z, last change newest first. */
export const defaultDirection = (sort: ListSort): SortDirection => (sort === 'changed' ? 'desc' : 'asc')

export interface ListState {
  q?: string
  sort?: ListSort
  dir?: SortDirection
  filter?: ListFilter | null
  page?: number
}

/** The URL of a list state; defaults are left out, so the plain path is name A to Z, unfiltered. */
export function listHref(basePath: string, { q, sort = 'name', dir, filter, page }: ListState): string {
  const params = new URLSearchParams()
  if (q) params.set('q', q)
  if (filter) params.set('filter', filter)
  if (sort !== 'name') params.set('sort', sort)
  if (dir && dir !== defaultDirection(sort)) params.set('dir', dir)
  if (page && page > 1) params.set('page', String(page))
  const qs = params.toString()
  return qs ? `${basePath}?${qs}` : basePath
}
