// The public pages (the landing page, the help center, /about, /privacy, /terms) for a visitor
// without a session: the same for everyone, so each is rendered once and then answered from memory
// with a strong ETag and a few minutes of caching (issue 22, ADR 031). No session, no Redis, no SQL:
// they still answer while PostgreSQL or Redis is down. A visitor with a session, a flash message
// waiting or a query string (a help search) gets the page rendered for them as any other.
import { createHash, randomBytes } from 'node:crypto'
import type { Middleware } from 'koa'
import type { Render } from '../render.js'
import { SESSION_COOKIE, contentSecurityPolicy } from './securityHeaders.js'

const PUBLIC_PATH = /^\/(?:support(?:\/[a-z0-9-]{1,80})?|about|privacy|terms)?$/
const FLASH_COOKIE = /(?:^|;)\s*(?:__Host-)?nid\.flash=/
/** Long enough for a reader moving between articles, short enough for an edit to show soon after a deploy. */
const MAX_AGE_SECONDS = 300

interface SharedPage {
  body: string
  etag: string
  /** The nonce its scripts carry: fixed for this copy, so a 304's CSP header matches the body the browser kept. */
  nonce: string
}

export function publicPages(render: Render): Middleware {
  const pages = new Map<string, SharedPage>()
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.querystring || !PUBLIC_PATH.test(ctx.path)) return next()
    const cookie = ctx.get('cookie')
    if (SESSION_COOKIE.test(cookie) || FLASH_COOKIE.test(cookie)) return next()
    let page = pages.get(ctx.path)
    if (!page) {
      const nonce = randomBytes(16).toString('base64url')
      ctx.state.cspNonce = nonce
      if (!(await render(ctx, ctx.path, { shared: true }))) return next()
      // Only a page that exists is kept (an unknown article's 404 is answered, not stored).
      if (ctx.status !== 200 || typeof ctx.body !== 'string') return
      page = { body: ctx.body, nonce, etag: `"${createHash('sha256').update(ctx.body).digest('base64url').slice(0, 27)}"` }
      pages.set(ctx.path, page)
    }
    ctx.status = 200
    ctx.type = 'html'
    ctx.body = page.body
    ctx.set('Content-Security-Policy', contentSecurityPolicy(page.nonce))
    ctx.set('ETag', page.etag)
    ctx.set('Cache-Control', `public, max-age=${MAX_AGE_SECONDS}`)
    // A browser that logs in must not show the copy it kept from before: the cookies differ.
    ctx.vary('Cookie')
    if (ctx.fresh) ctx.status = 304
  }
}
