// Security headers on every response. Dev mode (Vite's HMR client) needs inline scripts and a websocket.
// The CSP nonce is generated here and handed to Vike so the
// scripts it injects carry it.
import { randomBytes } from 'node:crypto'
import type { Context, Middleware } from 'koa'

// The session cookies, plain or with the __Host- prefix (lib/cookies.ts): nid.sid and nid.sk.
export const SESSION_COOKIE = /(?:^|;)\s*(?:__Host-)?nid\.s(?:id|k)=/

/**
 * Whether a response may hold secrets and so must stay out of every cache, the browser's disk
 * cache included: anything answered to a logged-in or half-logged-in session, or to a request that
 * carries a session cookie (authenticate.ts may just have ended it), and every pageContext.json
 * (the data of a client-side navigation: an item's password, the one-time recovery code).
 */
function holdsSecrets(ctx: Context): boolean {
  return !!ctx.state.user || !!ctx.state.pendingMfa || SESSION_COOKIE.test(ctx.get('cookie')) || ctx.path.endsWith('.pageContext.json')
}

/** The policy for a page whose scripts carry `nonce`. Dev mode (Vite's HMR client) needs inline scripts and a websocket. */
export function contentSecurityPolicy(nonce: string, strictScripts = true): string {
  const script = strictScripts ? `'self' 'nonce-${nonce}'` : `'self' 'unsafe-inline' 'unsafe-eval'`
  return [
    "default-src 'self'",
    `script-src ${script}`,
    // Vue's :style bindings and Vite's dev CSS need inline styles; no user data goes there.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'" + (strictScripts ? '' : ' ws: wss:'),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function securityHeaders(opts: { strictScripts: boolean; hsts: boolean }): Middleware {
  return async (ctx, next) => {
    const nonce = randomBytes(16).toString('base64url')
    ctx.state.cspNonce = nonce
    ctx.set('X-Content-Type-Options', 'nosniff')
    ctx.set('Referrer-Policy', 'same-origin')
    ctx.set('X-Frame-Options', 'DENY')
    // No other origin may open this window's handle (COOP) or embed our responses, pages and
    // assets alike (CORP): cross-origin leaks (Spectre-style reads, window references) are closed.
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin')
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin')
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()')
    if (opts.hsts) ctx.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains')
    ctx.set('Content-Security-Policy', contentSecurityPolicy(nonce, opts.strictScripts))
    try {
      await next()
    } finally {
      // Hashed assets (koa-static's `immutable`) hold no secret and keep their year of caching.
      // Set after the response is decided, whoever decided it (action, page, error handler).
      if (!ctx.headerSent && holdsSecrets(ctx) && !/immutable/.test(ctx.response.get('Cache-Control'))) ctx.set('Cache-Control', 'no-store')
    }
  }
}
