// How every action answers: 303 + flash for a form post, JSON for an enhanced (fetch) post,
// and 422 with the form re-rendered (values kept, never passwords) when input is invalid.
import type { Context, Middleware } from 'koa'
import { ValidationError } from '../lib/errors.js'
import { setFlash } from '../lib/flash.js'
import type { Flash } from '../../shared/contract.js'
import { wantsJson } from '../middleware/errors.js'
import type { AppDeps } from '../deps.js'
import type { Render } from '../render.js'

const SECRET_FIELD = /password|code|secret|_csrf|file/i

/**
 * The values to put back into a re-rendered form. Account secrets (master password, codes) are
 * never echoed; `keepSecrets` is for the item form, whose password field is the item's own.
 */
export function keptValues(body: unknown, opts: { keepSecrets?: boolean } = {}): Record<string, string> {
  const values: Record<string, string> = {}
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) {
      if (k === '_csrf' || k === 'generate') continue
      if (typeof v === 'string' && (opts.keepSecrets || !SECRET_FIELD.test(k))) values[k] = v.slice(0, 10_000)
    }
  }
  return values
}

// The one rule for `next`, shared with the login page and AppForm.
export { safeNext } from '../../shared/safeNext.js'

export function redirectTo(ctx: Context, deps: AppDeps, location: string, flash?: Flash) {
  if (flash) setFlash(ctx, deps.cookieSettings, flash)
  if (wantsJson(ctx)) {
    ctx.body = { ok: true, redirect: location }
    return
  }
  ctx.status = 303
  ctx.redirect(location)
}

/**
 * Wraps an action so a ValidationError re-renders `page` (the form's own URL) with status 422,
 * the user's values and one message per field. JSON callers get `{ ok: false, errors }`.
 */
export function formAction(
  render: Render,
  page: (ctx: Context) => string,
  handler: Middleware,
  opts: { keepSecrets?: boolean; strength?: (ctx: Context) => Promise<Record<string, number>> } = {},
): Middleware {
  return async (ctx, next) => {
    try {
      await handler(ctx, next)
    } catch (e) {
      if (!(e instanceof ValidationError) || wantsJson(ctx)) throw e
      await render(ctx, page(ctx), {
        status: 422,
        form: { action: ctx.path, values: keptValues(ctx.request.body, opts), errors: e.fields, message: e.message, strength: await opts.strength?.(ctx) },
      })
    }
  }
}
