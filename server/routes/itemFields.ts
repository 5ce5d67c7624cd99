// Copying one field of an item (JSON, for the list's and the item page's copy buttons) and cloning
// an item (issue 21, ADR 030). Parse -> rate limit -> service; the value is never logged.
import Router from '@koa/router'
import type { Context } from 'koa'
import { copySchema } from '../../schemas/vault.js'
import { AppError, RateLimitedError, ValidationError } from '../lib/errors.js'
import { parseForm } from '../lib/validate.js'
import { formAction, redirectTo } from './respond.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'
import { requireUser, viewerOf } from '../session/requireUser.js'

export function itemFieldRoutes(deps: AppDeps, render: Render) {
  const router = new Router({ prefix: '/dashboard' })
  const vault = () => deps.services.vault

  router.use(requireUser)

  /**
   * `{ value }` (and for the authenticator `secondsLeft`, `period`), never cached. Always JSON,
   * errors included (`{ ok: false, error, errors? }`): 404 not the viewer's, trashed or malformed,
   * 422 an unknown field or no key, 429 over the per-user budget (spent before the work).
   */
  router.post('/items/:id/copy', async (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store')
    try {
      await deps.rateLimits.spend('itemCopy', ctx.state.user!.id)
      const { field } = parseForm(copySchema, ctx.request.body ?? {})
      ctx.body = { ok: true, ...(await vault().copyItemField(viewerOf(ctx), ctx.params.id!, field)) }
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      if (e instanceof RateLimitedError) ctx.set('Retry-After', String(Math.ceil(e.retryAfterSeconds)))
      ctx.status = e.status
      ctx.body = e instanceof ValidationError ? { ok: false, error: Object.values(e.fields)[0] ?? e.message, errors: e.fields } : { ok: false, error: e.message }
    }
  })

  router.post(
    '/items/:id/clone',
    formAction(render, (ctx) => `/dashboard/items/${ctx.params.id}`, async (ctx) => {
      const { id } = await vault().cloneItem(viewerOf(ctx), ctx.params.id!)
      // The flash names no field of the item (SPEC 4).
      redirectTo(ctx, deps, `/dashboard/items/${id}/edit`, { type: 'success', message: 'Item cloned. This is the copy: rename it or change what differs.' })
    }),
  )

  return router
}
