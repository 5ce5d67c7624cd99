// The owner's exposure reports (issue 25, ADR 038): tick an item off by hand, close a report. Plain
// form posts that redirect 303 to the report's folder page (JSON for an enhanced post); a report
// that is not the viewer's, or a malformed id, is 404 (the service's).
import Router from '@koa/router'
import { redirectTo } from './respond.js'
import type { AppDeps } from '../deps.js'
import { requireUser, viewerOf } from '../session/requireUser.js'

export function exposureRoutes(deps: AppDeps) {
  const router = new Router({ prefix: '/dashboard/exposure' })
  router.use(requireUser)
  const exposure = () => deps.services.exposure

  router.post('/:reportId/items/:itemId/dismiss', async (ctx) => {
    const { folderId } = await exposure().dismissItem(viewerOf(ctx), ctx.params.reportId!, ctx.params.itemId!)
    redirectTo(ctx, deps, `/dashboard/folders/${folderId}`, { type: 'success', message: 'Ticked off.' })
  })

  router.post('/:reportId/close', async (ctx) => {
    const { folderId } = await exposure().close(viewerOf(ctx), ctx.params.reportId!)
    redirectTo(ctx, deps, `/dashboard/folders/${folderId}`, { type: 'success', message: 'Report closed.' })
  })

  return router
}
