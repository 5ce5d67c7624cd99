// The security activity log (issue 25, ADR 037): the viewer's own events at /dashboard/activity,
// and the owner's events of one folder at /dashboard/folders/<id>/activity (404 for anyone but the
// folder's owner: the sidebar's folder list, loaded by every vault page anyway, says who owns it).
// One SQL query for the page of events (services.activity.list) besides the vault's own load.
// Query parameters are read defensively: an unknown or malformed `kind` shows every event, a
// malformed `page` the first page; never an error.
import { render } from 'vike/abort'
import type { PageContextServer } from 'vike/types'
import { toId } from '../../../schemas/vault'
import { ACTIVITY_FILTERS, isActivityFilter, type ActivityRow } from '../../../shared/activity'
import { PERMISSION_LABEL } from '../../../shared/sharing'
import { vaultPageData } from '../vaultData'

/** A whole number from 1 ("2"), else 1. */
function pageNumber(raw: string | undefined): number {
  if (!raw || !/^\d{1,6}$/.test(raw)) return 1
  return Math.max(1, Number(raw))
}

/** The folder id of /dashboard/folders/<id>/activity, null for /dashboard/activity; 404 for any other path the route's glob matches. */
function folderOfPath(pathname: string): string | null {
  const parts = pathname.split('/').filter(Boolean)
  if (parts.length === 2 && parts[0] === 'dashboard' && parts[1] === 'activity') return null
  if (parts.length === 4 && parts[0] === 'dashboard' && parts[1] === 'folders' && parts[3] === 'activity') {
    const id = toId(parts[2])
    if (id) return id
  }
  throw render(404)
}

/** A row as the page shows it: only the fields it fills. */
function toRow(r: ActivityRow) {
  const d = r.details
  const who = d.actorName && d.actorEmail ? `${d.actorName} (${d.actorEmail})` : (d.actorName ?? d.actorEmail)
  const detail = [d.detail, d.targetEmail && `to ${d.targetEmail}`, d.permission && PERMISSION_LABEL[d.permission]].filter(Boolean).join(' · ')
  return {
    id: r.id,
    at: r.at,
    label: r.label,
    // Sign-in failures and refusals stand out: someone may be guessing.
    ...(r.kind.startsWith('signin_') ? { warn: true as const } : {}),
    ...(r.count > 1 ? { count: r.count } : {}),
    ...(r.unreadable ? { unreadable: true as const } : {}),
    ...(d.itemName ? { item: d.itemName } : {}),
    ...(d.folderName ? { folder: d.folderName } : {}),
    ...(who ? { who } : {}),
    ...(d.device ? { device: d.device } : {}),
    ...(d.ip ? { ip: d.ip } : {}),
    ...(detail ? { detail } : {}),
  }
}
export type ActivityPageRow = ReturnType<typeof toRow>

export async function data(pageContext: PageContextServer) {
  const folderId = folderOfPath(pageContext.urlPathname)
  const { searchAll } = pageContext.urlParsed
  // A repeated parameter (?kind=a&kind=b) counts once: its first value.
  const kind = searchAll.kind?.[0]
  const filter = isActivityFilter(kind) ? kind : null
  const page = pageNumber(searchAll.page?.[0])
  const activity = pageContext.services.activity
  return vaultPageData(pageContext, async (vault, viewer) => {
    let folder: { id: string; name: string } | null = null
    if (folderId) {
      const owned = (await vault.folders()).folders.find((f) => f.id === folderId && f.role === 'owner')
      // Not the viewer's folder, a folder shared with them, or none at all: the same 404.
      if (!owned) throw render(404)
      folder = { id: owned.id, name: owned.name }
    }
    const result = await activity.list(viewer, { kinds: filter ? ACTIVITY_FILTERS[filter].kinds : undefined, folderId: folderId ?? undefined, page })
    return {
      folder,
      filter,
      page: result.page,
      pages: result.pages,
      total: result.total,
      retentionDays: activity.retentionDays,
      rows: result.rows.map(toRow),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
