// A form sent from a session that has ended (logged out on another device, revoked, expired) is
// not a forgery: it is told "You were logged out" and sent to log in again, back to the form's
// page afterwards. With JavaScript (401 JSON, `loggedOut`) the form logs in again in place and
// re-submits what was typed (components/logInAgain.ts).
import type { Context } from 'koa'
import { setFlash } from '../lib/flash.js'
import type { CookieSettings } from '../lib/cookies.js'
import { wantsJson } from '../middleware/errors.js'
import { safeNext } from '../../shared/safeNext.js'

export const LOGGED_OUT_MESSAGE = 'You were logged out (on another device, or your session expired), so nothing was saved. Log in again to continue.'

/** The page the form was on, from its Referer (same origin, policy same-origin), else the vault. */
export function formPage(ctx: Context, appOrigin: string): string {
  const referer = ctx.get('referer')
  if (!referer) return '/dashboard'
  try {
    const url = new URL(referer)
    if (url.origin !== appOrigin) return '/dashboard'
    return safeNext(url.pathname + url.search) || '/dashboard'
  } catch {
    return '/dashboard'
  }
}

/** Answers a form post whose session ended: 303 to /login?next=<its page> with a flash, or 401 JSON. */
export function answerLoggedOut(ctx: Context, settings: CookieSettings, appOrigin: string) {
  if (wantsJson(ctx)) {
    ctx.status = 401
    ctx.body = { ok: false, loggedOut: true, error: LOGGED_OUT_MESSAGE }
    return
  }
  setFlash(ctx, settings, { type: 'info', message: LOGGED_OUT_MESSAGE })
  ctx.status = 303
  ctx.redirect(`/login?next=${encodeURIComponent(formPage(ctx, appOrigin))}`)
}
