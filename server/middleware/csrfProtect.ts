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
/** An item's attachment upload (issue 23, routes/attachments.ts). */
const isMultipartAction = (path: string) => MULTIPART_ACTIONS.has(path) || /^\/dashboard\/items\/[^/]+\/attachments\/?$/.test(path)

/** What a form from a session that ended is told instead (session/loggedOut.ts). */
export interface LoggedOutAnswer {
  (ctx: Context): void
}

export function csrfProtect(csrf: Csrf, loggedOut: LoggedOutAnswer): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST' && !(isMultipartAction(ctx.path) && ctx.is('multipart'))) {
      if (!verifyCsrf(csrf, ctx, loggedOut)) return
    }
    await next()
  }
}

/**
 * The token (the `_csrf` field or the X-CSRF-Token header) and the Origin check; 403 if either
 * fails. A token of this browser's own session that has ended meanwhile (logged out elsewhere,
 * expired) is no forgery: it is answered "You were logged out" (false: the answer is given), except
 * on the forms a logged-out visitor sends anyway (log in, register, recover).
 */
export function verifyCsrf(csrf: Csrf, ctx: Context, loggedOut?: LoggedOutAnswer): boolean {
  const body = ctx.request.body as Record<string, unknown> | undefined
  const token = body?._csrf ?? ctx.get('x-csrf-token')
  if (csrf.verify(ctx, token)) return true
  if (loggedOut && !ANONYMOUS_FORMS.has(ctx.path) && csrf.fromEndedSession(ctx, token)) {
    loggedOut(ctx)
    return false
  }
  throw new AppError(403, CSRF_MESSAGE)
}

/** Forms an anonymous visitor sends: their own page's token is the one that counts. */
const ANONYMOUS_FORMS = new Set(['/login', '/login/2fa', '/register', '/recover'])
