// The one error handler: typed errors become a page, a 422 form or JSON; a dependency outage a
// 503 with Retry-After; anything else is logged in full and answered with a generic 500 (never a
// stack trace).
import type { Context, Middleware } from 'koa'
import {
  AppError,
  BusyError,
  RateLimitedError,
  RETRY_AFTER_SECONDS,
  ServiceUnavailableError,
  UNAVAILABLE_MESSAGE,
  ValidationError,
  downDependency,
  inputErrorStatus,
  type Dependency,
} from '../lib/errors.js'
import type { Logger } from '../lib/logger.js'
import { isBackLink } from '../../shared/errorPage.js'
import { SessionEndedError } from '../session/store.js'
import type { Render } from '../render.js'
import type { AppDeps } from '../deps.js'

export const wantsJson = (ctx: Context) => (ctx.get('accept') || '').includes('application/json') && !ctx.path.endsWith('.pageContext.json')

/**
 * One warning when a dependency starts failing and one when it answers again; the failed requests
 * in between are only counted. An outage is an operator's event, not a stack trace per request.
 */
export function createOutageLog(log: Logger) {
  const outages = new Map<Dependency, { since: number; failedRequests: number }>()
  const begin = (dependency: Dependency, err: unknown, reqLog: Logger) => {
    const outage = { since: Date.now(), failedRequests: 0 }
    outages.set(dependency, outage)
    // The client library's own error, not our 503 wrapper: that is what tells an operator why.
    const cause = err instanceof ServiceUnavailableError && err.cause ? err.cause : err
    reqLog.warn({ dependency, error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) }, `${dependency} unavailable`)
    return outage
  }
  return {
    /** A request failed because `dependency` is down. */
    failed(dependency: Dependency, err: unknown, reqLog: Logger = log) {
      const outage = outages.get(dependency) ?? begin(dependency, err, reqLog)
      outage.failedRequests++
    },
    /** The client library itself saw the dependency go (a failed reconnect): no request involved. */
    noticed(dependency: Dependency, err: unknown) {
      if (!outages.has(dependency)) begin(dependency, err, log)
    },
    recovered(dependency: Dependency) {
      const outage = outages.get(dependency)
      if (!outage) return
      outages.delete(dependency)
      log.warn({ dependency, failedRequests: outage.failedRequests, downMs: Date.now() - outage.since }, `${dependency} available again`)
    },
  }
}

export function errorHandler(getRender: () => Render, deps: Pick<AppDeps, 'log' | 'sequelize' | 'kv'>): Middleware {
  const outages = createOutageLog(deps.log)
  // Back up: a new PostgreSQL connection opens (the pool had lost them all), Redis says ready.
  deps.sequelize.addHook('afterConnect', () => outages.recovered('postgres'))
  deps.kv.redis?.on('ready', () => outages.recovered('redis'))
  // ioredis reports every failed reconnect here; koa-redis listens too, so none is "unhandled".
  deps.kv.redis?.on('error', (err) => {
    if (downDependency(err)) outages.noticed('redis', err)
  })

  return async (ctx, next) => {
    try {
      await next()
      if (ctx.state.unavailable) {
        outages.failed(ctx.state.unavailable.dependency, ctx.state.unavailable, ctx.state.log)
        ctx.set('Retry-After', String(RETRY_AFTER_SECONDS))
      }
      if (ctx.status === 404 && ctx.body === undefined && !ctx.headerSent) {
        await respond(ctx, 404, 'This page does not exist.')
      }
    } catch (raw) {
      const err = raw as Error & { status?: number; expose?: boolean }
      let status = 500
      let message = 'Something went wrong on our side. Please try again.'
      const down = downDependency(err)
      const badInput = inputErrorStatus(err)
      if (down) {
        outages.failed(down, err, ctx.state.log)
        status = 503
        message = UNAVAILABLE_MESSAGE
        ctx.set('Retry-After', String(RETRY_AFTER_SECONDS))
      } else if (err instanceof SessionEndedError && !wantsJson(ctx) && !ctx.headerSent) {
        // The form was sent from a session that ended meanwhile: log in again, as for any
        // logged-out form post (session/requireUser.ts).
        ctx.status = 303
        ctx.redirect(`/login?next=${encodeURIComponent('/dashboard')}`)
        return
      } else if (err instanceof AppError) {
        status = err.status
        message = err.message
        if (err instanceof RateLimitedError || err instanceof BusyError) ctx.set('Retry-After', String(Math.ceil(err.retryAfterSeconds)))
        if (err instanceof ValidationError && wantsJson(ctx)) {
          ctx.status = 422
          ctx.body = { ok: false, errors: err.fields, message: err.message }
          return
        }
      } else if (err.status && err.status >= 400 && err.status < 500) {
        // koa / co-body errors: 413 body too large, 400 malformed body, 415 ...
        status = err.status
        message = status === 413 ? 'That request is too large.' : err.expose ? err.message : 'That request could not be understood.'
      } else if (badInput) {
        ;({ status, message } = badInput)
      } else {
        ctx.state.log?.error({ err }, 'unhandled error')
      }
      if (ctx.headerSent) return
      await respond(ctx, status, message, status === 429 ? retryForm(ctx) : undefined)
    }
  }

  async function respond(ctx: Context, status: number, message: string, back?: string) {
    if (wantsJson(ctx) || ctx.method !== 'GET' && ctx.method !== 'POST' && ctx.method !== 'HEAD') {
      ctx.status = status
      ctx.body = { ok: false, error: message }
      return
    }
    try {
      const rendered = await getRender()(ctx, '/__problem', { appError: { status, message, ...(back ? { back } : {}) } })
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

/** A 429 from one of the public forms: the error page links back to it (shared/errorPage.ts). */
function retryForm(ctx: Context): string | undefined {
  return ctx.method === 'POST' && isBackLink(ctx.path) ? ctx.path : undefined
}
