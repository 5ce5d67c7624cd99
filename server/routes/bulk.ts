// Stars and bulk actions (issue 21, SPEC 3b): POST /dashboard/items/:id/favourite and
// POST /dashboard/items/bulk. Registered before vaultRoutes, whose POST /dashboard/items/:id would
// otherwise take "bulk". Parse (schemas/bulk.ts) -> service -> 303 back to the list with a flash
// that says counts and reasons, never an item's name.
import Router from '@koa/router'
import type { Context } from 'koa'
import { AppError } from '../lib/errors.js'
import { parseForm } from '../lib/validate.js'
import { BULK_MAX_IDS, bulkSchema, favouriteSchema, formIds } from '../../schemas/bulk.js'
import { bulkMessage } from '../services/bulk.js'
import { formAction, redirectTo, safeNext } from './respond.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'
import { requireUser, viewerOf } from '../session/requireUser.js'

export const BULK_TOO_MANY = `Choose at most ${BULK_MAX_IDS} items at a time (one page of the list).`

export function bulkRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard' })
  const vault = () => deps.services.vault
  const body = (ctx: Context) => (ctx.request.body ?? {}) as Record<string, unknown>
  /** Where the list form came from (its hidden `next`), a path of this app or the dashboard. */
  const back = (ctx: Context) => safeNext(body(ctx).next)

  router.use(requireUser)

  router.post(
    '/items/bulk',
    formAction(render, back, async (ctx) => {
      const ids = formIds(body(ctx).ids)
      // Counted before anything else: a form of 10,000 ids is refused whole, whatever else it says.
      if (ids.length > BULK_MAX_IDS) throw new AppError(413, BULK_TOO_MANY)
      const input = parseForm(bulkSchema, body(ctx))
      const next = back(ctx)
      if (ids.length === 0) return redirectTo(ctx, deps, next, { type: 'info', message: 'Select the items first: tick the box beside each one.' })
      const viewer = viewerOf(ctx)
      const folder = input.bulk_action === 'move' ? await vault().getFolder(viewer, input.folder_id!) : null
      const result = await vault().bulkAction(viewer, input.bulk_action, ids, input.folder_id)
      redirectTo(ctx, deps, next, { type: result.refused.length > 0 ? 'info' : 'success', message: bulkMessage(input.bulk_action, result, folder?.name) })
    }),
  )

  router.post(
    '/items/:id/favourite',
    // A bad `favourite` re-renders the item's page (422): only once the item is known to be the
    // viewer's (getItem: 404 otherwise), so a foreign id is 404 whatever the body says.
    formAction(render, (ctx) => `/dashboard/items/${ctx.params.id}`, async (ctx) => {
      const id = ctx.params.id!
      const viewer = viewerOf(ctx)
      const parsed = favouriteSchema.safeParse(body(ctx))
      if (!parsed.success) {
        await vault().getItem(viewer, id)
        parseForm(favouriteSchema, body(ctx))
        return
      }
      const on = parsed.data.favourite === '1'
      await vault().setFavourite(viewer, id, on)
      const next = body(ctx).next === undefined ? `/dashboard/items/${id}` : back(ctx)
      redirectTo(ctx, deps, next, { type: 'success', message: on ? 'Added to favourites.' : 'Removed from favourites.' })
    }),
  )

  return router
}
