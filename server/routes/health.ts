// Liveness, readiness and metrics. nginx does not expose /metrics (docker/nginx.conf); the app
// itself answers it only to loopback or to the bearer token METRICS_TOKEN.
import { createHash, timingSafeEqual } from 'node:crypto'
import Router from '@koa/router'
import type { Context, Middleware } from 'koa'
import type { AppDeps } from '../deps.js'
import type { Drain } from '../shutdown.js'

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i

/**
 * A request made on this host: the TCP peer is loopback and no proxy header says it forwards
 * someone else (a reverse proxy on the same host, like docker/nginx.conf, connects from loopback
 * but sets X-Forwarded-For). The socket address, not ctx.ip, which follows X-Forwarded-For under
 * TRUST_PROXY.
 */
export function isLocalRequest(ctx: Context): boolean {
  const forwarded = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((h) => ctx.headers[h] !== undefined)
  return !forwarded && LOOPBACK.test(ctx.req.socket.remoteAddress ?? '')
}

/** `Authorization: Bearer <token>` equals the configured token (constant time: both sides hashed to equal length). */
export function hasBearerToken(ctx: Context, token: string | undefined): boolean {
  if (!token) return false
  const given = /^Bearer[ \t]+(.*?)[ \t]*$/i.exec(ctx.get('authorization'))?.[1]
  if (!given) return false
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(given), digest(token))
}

/** The probes' and the scraper's paths: they talk to the process directly, never through the proxy. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics'])

/** A request URL's path as the router matches it: case-insensitive, without a trailing slash. */
export function routerPath(url: string): string {
  const p = url.split('?', 1)[0]!.toLowerCase()
  return p.length > 1 ? p.replace(/\/+$/, '') : p
}

/**
 * While the process drains for shutdown (shutdown.ts), /readyz answers 503 at once, whatever the
 * stores say, so a balancer that polls it takes this process out before it stops accepting.
 */
export function readinessWhileDraining(drain: Pick<Drain, 'draining'>): Middleware {
  return async (ctx, next) => {
    if (!drain.draining || routerPath(ctx.url) !== '/readyz') return next()
    ctx.status = 503
    ctx.set('cache-control', 'no-store')
    ctx.body = { ok: false, draining: true }
  }
}

export function healthRoutes(deps: AppDeps) {
  const router = new Router()
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true }
  })
  router.get('/readyz', async (ctx) => {
    const [db, redis] = await Promise.all([
      deps.sequelize.authenticate().then(() => true, () => false),
      deps.kv.ping().catch(() => false),
    ])
    ctx.status = db && redis ? 200 : 503
    ctx.body = { ok: db && redis, postgres: db, redis, sessionStore: deps.kv.kind }
  })
  router.get('/metrics', async (ctx, next) => {
    if (!isLocalRequest(ctx) && !hasBearerToken(ctx, deps.config.metricsToken)) {
      // On to the pages, as if no route matched: the 404 of any unknown path, so nothing tells
      // that metrics live here.
      return next()
    }
    ctx.set('Cache-Control', 'no-store')
    ctx.type = deps.metrics.registry.contentType
    ctx.body = await deps.metrics.registry.metrics()
  })
  return router
}
