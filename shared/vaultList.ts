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

/**
 * One row of the item list as the page receives it: a tuple, so 100 rows cost the browser about
 * 12 KB of page context rather than 30 (issue 18's budget). `folder` is the row's folder's index
 * in the page's folder list (the sidebar's), `changed` the UTC day of its last change, in days
 * since 1970-01-01.
 */
export type ListRow = [id: string, name: string, username: string, host: string, folder: number, changed: number, flags: number]
export const ROW_WEAK = 1
export const ROW_REUSED = 2
export const ROW_BROKEN = 4

/** The service's rows in the page's shape (on the server, in the list pages' +data). */
export function toListRows(
  items: readonly { id: string; folderId: string; name: string; username: string; host: string; weak: boolean; reused: boolean; broken: boolean; updatedAt: Date }[],
  folders: readonly { id: string }[],
): ListRow[] {
  const index = new Map(folders.map((f, i) => [f.id, i]))
  return items.map((r) => [
    r.id,
    r.name,
    r.username,
    r.host,
    index.get(r.folderId) ?? -1,
    Math.floor(r.updatedAt.getTime() / DAY_MS),
    (r.weak ? ROW_WEAK : 0) | (r.reused ? ROW_REUSED : 0) | (r.broken ? ROW_BROKEN : 0),
  ])
}

const DAY_MS = 86_400_000
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** Days already written out: a list repeats few of them, and a page renders each twice. */
const dayTexts = new Map<number, { text: string; iso: string }>()
/** A row's day as "6 Dec 2026" and as "2026-12-06" (UTC: the same text on the server and in the browser). */
export function dayText(day: number): { text: string; iso: string } {
  let out = dayTexts.get(day)
  if (!out) {
    const d = new Date(day * DAY_MS)
    out = { text: `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`, iso: d.toISOString().slice(0, 10) }
    if (dayTexts.size >= 10_000) dayTexts.clear()
    dayTexts.set(day, out)
  }
  return out
}
