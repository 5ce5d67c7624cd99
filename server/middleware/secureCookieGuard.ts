// Secure cookies over plain HTTP: a page naming the proxy problem, not koa-session's throw.
import type { TLSSocket } from 'node:tls'
import type { Middleware } from 'koa'
import type { Config } from '../config.server.js'
import type { Logger } from '../lib/logger.js'
import { PROBE_PATHS, routerPath } from '../routes/health.js'

/**
 * With Secure cookies every page sets or reads one, and koa-session/cookies throw on a request Koa
 * believes is plain HTTP. Such a request means the proxy does not send X-Forwarded-Proto: https
 * (or a client bypasses the proxy): answer a page that says so, log it once, and spare the probes
 * and the metrics scraper, which talk to the process directly.
 */
export function secureCookieGuard(config: Pick<Config, 'cookieSecure' | 'trustProxy'>, log: Logger): Middleware {
  let logged = false
  return async (ctx, next) => {
    if (!config.cookieSecure || (ctx.req.socket as TLSSocket).encrypted) return next()
    const forwarded = ctx.req.headers['x-forwarded-proto']
    // The same reading as Koa's ctx.protocol (app.proxy is on): the first value, as sent.
    if (config.trustProxy && typeof forwarded === 'string' && forwarded.split(/\s*,\s*/, 1)[0] === 'https') return next()
    const p = routerPath(ctx.url)
    if (PROBE_PATHS.has(p)) return next()
    if (!logged) {
      logged = true
      log.error(
        { xForwardedProto: forwarded ?? null, path: p },
        'a request arrived over plain HTTP while COOKIE_SECURE=true: the proxy in front must send X-Forwarded-Proto: https (logged once)',
      )
    }
    ctx.status = 500
    ctx.set({
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
    })
    ctx.body =
      'Proxy configuration error\n\n' +
      'This NucleusID server sets Secure cookies (COOKIE_SECURE=true), but this request reached it as plain HTTP:\n' +
      'the proxy in front of it did not send "X-Forwarded-Proto: https".\n\n' +
      'Serve the site over HTTPS and have the proxy forward the original scheme (nginx: proxy_set_header X-Forwarded-Proto $scheme;\n' +
      'behind another TLS proxy: $http_x_forwarded_proto), with TRUST_PROXY=true on the app. See docs/deployment.md, "TLS".\n'
  }
}
