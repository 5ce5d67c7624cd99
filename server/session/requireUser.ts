// Who may use the /dashboard actions: the logged-in user (authenticate.ts) with an open vault key.
import type { Context, Next } from 'koa'
import { AppError } from '../lib/errors.js'
import { wantsJson } from '../middleware/errors.js'
import type { Viewer } from '../services/types.js'

const SESSION_ENDED = 'Your session has ended. Log in again.'

/** The request's viewer, for an action behind requireUser; 401 if its session ended meanwhile. */
export function viewerOf(ctx: Context): Viewer {
  const viewer = ctx.state.viewer
  if (!viewer) throw new AppError(401, SESSION_ENDED)
  return viewer
}

/** Router middleware: a logged-out form post is sent to log in (303), a fetch gets 401. */
export async function requireUser(ctx: Context, next: Next) {
  if (!ctx.state.user) {
    if (wantsJson(ctx)) throw new AppError(401, SESSION_ENDED)
    ctx.status = 303
    ctx.redirect(`/login?next=${encodeURIComponent('/dashboard')}`)
    return
  }
  await next()
}
