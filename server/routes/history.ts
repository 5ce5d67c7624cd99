// Item history actions (issue 21, SPEC 3b): restore an earlier version. The history page itself is
// a Vike page (pages/dashboard/items/@id/history). Ids, access (404) and edit rights (403) are the
// history service's (server/services/history.ts).
import Router from '@koa/router'
import type { AppDeps } from '../deps.js'
import { redirectTo } from './respond.js'
import { requireUser, viewerOf } from '../session/requireUser.js'

export function historyRoutes(deps: AppDeps) {
  const router = new Router({ prefix: '/dashboard' })
  router.use(requireUser)

  router.post('/items/:id/history/:versionId/restore', async (ctx) => {
    const id = ctx.params.id!
    await deps.services.vault.restoreVersion(viewerOf(ctx), id, ctx.params.versionId!)
    // The flash cookie is signed, not encrypted: no item field in it (SPEC 4).
    redirectTo(ctx, deps, `/dashboard/items/${id}`, { type: 'success', message: 'Version restored. The version it replaced is kept in the history.' })
  })

  return router
}
