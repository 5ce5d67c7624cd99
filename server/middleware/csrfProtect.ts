// Every POST must carry the CSRF token and come from this origin (see lib/csrf.ts).
import type { Context, Middleware } from 'koa'
import { AppError } from '../lib/errors.js'
import type { Csrf } from '../lib/csrf.js'

export const CSRF_MESSAGE =
  'This form has expired or was sent from another site, so nothing was changed. Go back, reload the page and try again.'

/**
 * The actions that take a file: their token is a field of the multipart body, which only the
 * action itself parses (after checking who is asking), so it checks the token after parsing
 * with verifyCsrf. Any other multipart POST has no parsed body and is refused here.
 */
const MULTIPART_ACTIONS = new Set(['/dashboard/import'])

export function csrfProtect(csrf: Csrf): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST' && !(MULTIPART_ACTIONS.has(ctx.path) && ctx.is('multipart'))) {
      verifyCsrf(csrf, ctx)
    }
    await next()
  }
}

/** The token (the `_csrf` field or the X-CSRF-Token header) and the Origin check; 403 if either fails. */
export function verifyCsrf(csrf: Csrf, ctx: Context) {
  const body = ctx.request.body as Record<string, unknown> | undefined
  const token = body?._csrf ?? ctx.get('x-csrf-token')
  if (!csrf.verify(ctx, token)) throw new AppError(403, CSRF_MESSAGE)
}
