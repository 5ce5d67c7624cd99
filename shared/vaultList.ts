// The item list's URLs and rows, on the server and in the browser alike: the default direction of
// each order, the link of a list state (GET parameters of /dashboard and folder pages, which
// pages/dashboard/vaultData.ts listQuery parses), and the rows in the page's shape. The orders, filters and row shape
// themselves are the contract's (shared/contract.ts).
import { DEFAULT_TIME_ZONE, dayNumber } from './formatDate'
import { TYPE_CODES } from './itemTypes'
import { ROW_FAVOURITE, ROW_TYPE_SHIFT, ROW_UNREADABLE, ROW_UNSCORED, ROW_REUSED, ROW_WEAK, type ItemRow, type ItemType, type ListFilter, type ListRow, type ListSort, type SortDirection } from './contract'

/**
 * Whether a list page is in selection mode (issue 21, ADR 028): ?select=1 or ?select=all, or a
 * refused bulk form rendered again (its message shows in the bulk bar).
 */
export const isSelecting = (select: string | undefined, formAction: string | undefined) => select === '1' || select === 'all' || formAction === '/dashboard/items/bulk'

/** A first click on a column: names and folders A to Z, last change newest first, password changes oldest first. */
export const defaultDirection = (sort: ListSort): SortDirection => (sort === 'changed' ? 'desc' : 'asc') // 'password': oldest first

export interface ListState {
  q?: string
  sort?: ListSort
  dir?: SortDirection
  filter?: ListFilter | null
  page?: number
  /** Favourites first (ADR 028). */
  favouritesFirst?: boolean
  /** Only items of this type (issue 23). */
  type?: ItemType | null
}

/** The URL of a list state; defaults are left out, so the plain path is name A to Z, unfiltered. */
export function listHref(basePath: string, { q, sort = 'name', dir, filter, page, favouritesFirst, type }: ListState): string {
  const params = new URLSearchParams()
  if (q) params.set('q', q)
  if (type) params.set('type', type)
  if (filter) params.set('filter', filter)
  if (sort !== 'name') params.set('sort', sort)
  if (dir && dir !== defaultDirection(sort)) params.set('dir', dir)
  if (favouritesFirst) params.set('favourites', 'first')
  if (page && page > 1) params.set('page', String(page))
  const qs = params.toString()
  return qs ? `${basePath}?${qs}` : basePath
}

/** The service's rows in the page's shape (on the server, in the list pages' +data). */
export function toListRows(
  items: readonly (Omit<ItemRow, 'folderName' | 'passwordChangedAt' | 'rotateDays' | 'type'> & { passwordChangedAt?: Date; type?: ItemRow['type'] })[],
  folders: readonly { id: string }[],
  /** The viewer's time zone: a row's day is its calendar day there (shared/formatDate.ts). */
  zone = DEFAULT_TIME_ZONE,
  /** The list's order. */
  sort: ListSort = 'name',
): ListRow[] {
  const index = new Map(folders.map((f, i) => [f.id, i]))
  return items.map((r) => [
    r.id,
    r.name,
    r.username,
    r.host,
    index.get(r.folderId) ?? -1,
    // Sorted by when the password changed, the row's date is that one.
    dayNumber(sort === 'password' ? (r.passwordChangedAt ?? r.updatedAt) : r.updatedAt, zone),
    (r.weak ? ROW_WEAK : 0) | (r.reused ? ROW_REUSED : 0) | (r.unreadable ? ROW_UNREADABLE : 0) | (r.unscored ? ROW_UNSCORED : 0) | (r.favourite ? ROW_FAVOURITE : 0) | (TYPE_CODES[r.type ?? 'login'] << ROW_TYPE_SHIFT),
  ])
}

const DAY_MS = 86_400_000
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** Days already written out: a list repeats few of them, and a page renders each twice. */
const dayTexts = new Map<number, { text: string; iso: string }>()
/** A row's day (a day number already in the viewer's zone, toListRows) as "6 Dec 2026" and as "2026-12-06": the same text on the server and in the browser. */
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
