// The one error handler: typed errors become a page, a 422 form or JSON; anything else is logged
// in full and answered with a generic 500 (never a stack trace).
import type { Context, Middleware } from 'koa'
import { AppError, RateLimitedError, ValidationError } from '../lib/errors.js'
import type { Render } from '../render.js'

export const wantsJson = (ctx: Context) => (ctx.get('accept') || '').includes('application/json') && !ctx.path.endsWith('.pageContext.json')

export function errorHandler(getRender: () => Render): Middleware {
  return async (ctx, next) => {
    try {
      await next()
      if (ctx.status === 404 && ctx.body === undefined && !ctx.headerSent) {
        await respond(ctx, 404, 'This page does not exist.')
      }
    } catch (raw) {
      const err = raw as Error & { status?: number; expose?: boolean }
      let status = 500
      let message = 'Something went wrong on our side. Please try again.'
      if (err instanceof AppError) {
        status = err.status
        message = err.message
        if (err instanceof RateLimitedError) ctx.set('Retry-After', String(Math.ceil(err.retryAfterSeconds)))
        if (err instanceof ValidationError && wantsJson(ctx)) {
          ctx.status = 422
          ctx.body = { ok: false, errors: err.fields, message: err.message }
          return
        }
      } else if (err.status && err.status >= 400 && err.status < 500) {
        // koa / co-body errors: 413 body too large, 400 malformed body, 415 ...
        status = err.status
        message = status === 413 ? 'That request is too large.' : err.expose ? err.message : 'That request could not be understood.'
      } else {
        ctx.state.log?.error({ err }, 'unhandled error')
      }
      if (ctx.headerSent) return
      await respond(ctx, status, message)
    }
  }

  async function respond(ctx: Context, status: number, message: string) {
    if (wantsJson(ctx) || ctx.method !== 'GET' && ctx.method !== 'POST' && ctx.method !== 'HEAD') {
      ctx.status = status
      ctx.body = { ok: false, error: message }
      return
    }
    try {
      const rendered = await getRender()(ctx, '/__problem', { appError: { status, message } })
      if (rendered) {
        ctx.status = status
        return
      }
    } catch (e) {
      ctx.state.log?.error({ err: e }, 'error page failed to render')
    }
    ctx.status = status
    ctx.type = 'text/plain'
    ctx.body = message
  }
}
