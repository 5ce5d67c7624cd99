// Trash actions (issue 21, SPEC 3b): restore, delete forever, empty. Plain forms: 303 + flash (JSON
// for an enhanced post); a restore into a full folder re-renders the trash page with 422 and the
// message beside that row's button. Checks and locking live in the trash service (trash.ts).
import Router from '@koa/router'
import { formAction, redirectTo } from './respond.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'
import { requireUser, viewerOf } from '../session/requireUser.js'

const plural = (n: number) => (n === 1 ? '1 item' : `${n.toLocaleString('en-US')} items`)

export function trashRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard' })
  const trash = () => deps.services.trash

  router.use(requireUser)

  router.post(
    '/items/:id/restore',
    formAction(render, () => '/dashboard/trash', async (ctx) => {
      const { folderName, folderGone } = await trash().restoreItem(viewerOf(ctx), ctx.params.id!)
      // Never the item's name: the flash cookie is signed, not encrypted (SPEC 4).
      const message = folderGone ? 'Item restored. Its folder was deleted, so it is back in Personal.' : `Item restored to ${folderName}.`
      redirectTo(ctx, deps, '/dashboard/trash', { type: 'success', message })
    }),
  )

  router.post('/items/:id/purge', async (ctx) => {
    await trash().purgeItem(viewerOf(ctx), ctx.params.id!)
    redirectTo(ctx, deps, '/dashboard/trash', { type: 'success', message: 'Item deleted for good.' })
  })

  router.post('/trash/empty', async (ctx) => {
    const { purged } = await trash().emptyTrash(viewerOf(ctx))
    const message = purged === 0 ? 'The trash was already empty.' : `Trash emptied: ${plural(purged)} deleted for good.`
    redirectTo(ctx, deps, '/dashboard/trash', { type: 'success', message })
  })

  return router
}
