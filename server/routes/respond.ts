// How every action answers: 303 + flash for a form post, JSON for an enhanced (fetch) post,
// and 422 with the form re-rendered (values kept, never passwords) when input is invalid.
import type { Context, Middleware } from 'koa'
import { ValidationError } from '../lib/errors.js'
import { setFlash } from '../lib/flash.js'
import type { Flash } from '../../shared/contract.js'
import { repeatedField } from '../../schemas/items.js'
import { CUSTOM_FIELDS_MAX } from '../../schemas/limits.js'
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

/** The repeated fields of an item form to put back (several web addresses, custom fields: issue 23), at most as many rows as a form may send. */
export function keptLists(body: unknown): Record<string, string[]> | undefined {
  if (!body || typeof body !== 'object') return undefined
  const b = body as Record<string, unknown>
  const lists: Record<string, string[]> = {}
  for (const k of REPEATED_FIELDS) if (b[k] !== undefined) lists[k] = repeatedField(b[k]).slice(0, CUSTOM_FIELDS_MAX + 1).map((s) => s.slice(0, 10_000))
  return Object.keys(lists).length > 0 ? lists : undefined
}
const REPEATED_FIELDS = new Set(['url', 'field_name', 'field_value', 'field_kind'])

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
        form: {
          action: ctx.path,
          values: keptValues(ctx.request.body, opts),
          lists: opts.keepSecrets ? keptLists(ctx.request.body) : undefined,
          errors: e.fields,
          message: e.message,
          strength: await opts.strength?.(ctx),
        },
      })
    }
  }
}
