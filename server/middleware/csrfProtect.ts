// Every POST must carry the CSRF token and come from this origin (see lib/csrf.ts).
import type { Middleware } from 'koa'
import { AppError } from '../lib/errors.js'
import type { Csrf } from '../lib/csrf.js'

export const CSRF_MESSAGE =
  'This form has expired or was sent from another site, so nothing was changed. Go back, reload the page and try again.'

export function csrfProtect(csrf: Csrf): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST') {
      const body = ctx.request.body as Record<string, unknown> | undefined
      const token = body?._csrf ?? ctx.get('x-csrf-token')
      if (!csrf.verify(ctx, token)) throw new AppError(403, CSRF_MESSAGE)
    }
    await next()
  }
}
