// The activity log's download (issue 25, ADR 037): GET /dashboard/activity.csv, every event of the
// viewer's log within retention, newest first, filtered like the page (`?kind=`: an unknown or
// malformed value means every event, as on the page). The page itself is a Vike page
// (pages/dashboard/activity). The file holds what the page shows (IPs, devices, item names, who
// acted), so no cache may keep a copy.
import Router from '@koa/router'
import type { AppDeps } from '../deps.js'
import { requireUser, viewerOf } from '../session/requireUser.js'
import { ACTIVITY_FILTERS, isActivityFilter } from '../../shared/activity.js'

export const ACTIVITY_CSV = '/dashboard/activity.csv'

/** The file name carries the day of the download (UTC), as the vault export's does. */
export const activityFileName = (now = new Date()) => `nucleusid-activity-${now.toISOString().slice(0, 10)}.csv`

export function activityRoutes(deps: AppDeps) {
  const router = new Router()

  router.get(ACTIVITY_CSV, requireUser, async (ctx) => {
    const viewer = viewerOf(ctx)
    // A repeated parameter (?kind=a&kind=b) counts once: its first value.
    const raw = ctx.query.kind
    const kind = Array.isArray(raw) ? raw[0] : raw
    const csv = await deps.services.activity.csv(viewer, isActivityFilter(kind) ? { kinds: ACTIVITY_FILTERS[kind].kinds } : {})
    ctx.status = 200
    ctx.set('Cache-Control', 'no-store')
    ctx.set('Content-Type', 'text/csv; charset=utf-8')
    ctx.set('Content-Disposition', `attachment; filename="${activityFileName()}"`)
    ctx.body = csv
  })

  return router
}
