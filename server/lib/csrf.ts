// CSRF defence, two independent checks on every POST:
// 1. a synchronizer token in the hidden `_csrf` field, equal to HMAC(secret, random cookie value).
//    The random value lives in its own signed httpOnly cookie, so anonymous forms (login,
//    register) are protected without creating a server-side session for every visitor.
// 2. the request's Origin (or, failing that, Referer) must be this app, and Sec-Fetch-Site, when
//    the browser sends it, must not be cross-site.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context } from 'koa'
import { CSRF_COOKIE, cookieOptions, type CookieSettings } from './cookies.js'

export function createCsrf(secret: string, allowedOrigins: string[], cookies: CookieSettings) {
  const tokenOf = (seed: string) => createHmac('sha256', secret).update(`csrf:${seed}`).digest('base64url')

  function seedOf(ctx: Context, create: boolean): string | undefined {
    let seed = ctx.state.csrfSeed ?? ctx.cookies.get(CSRF_COOKIE, { signed: true })
    if (!seed && create) seed = rotate(ctx)
    ctx.state.csrfSeed = seed
    return seed
  }

  /** New seed (at login and logout), so a token seen before cannot be replayed after. */
  function rotate(ctx: Context): string {
    const seed = randomBytes(24).toString('base64url')
    ctx.cookies.set(CSRF_COOKIE, seed, cookieOptions(cookies))
    ctx.state.csrfSeed = seed
    return seed
  }

  function sameOrigin(ctx: Context): boolean {
    const site = ctx.get('sec-fetch-site')
    if (site && site !== 'same-origin' && site !== 'none') return false
    const origin = ctx.get('origin')
    if (origin) return allowedOrigins.includes(origin)
    const referer = ctx.get('referer')
    if (referer) return allowedOrigins.some((o) => referer === o || referer.startsWith(`${o}/`))
    return false
  }

  return {
    /** The token for forms on the page being rendered; sets the seed cookie if there is none. */
    token: (ctx: Context) => tokenOf(seedOf(ctx, true)!),
    rotate,
    verify(ctx: Context, submitted: unknown): boolean {
      if (!sameOrigin(ctx)) return false
      const seed = seedOf(ctx, false)
      if (!seed || typeof submitted !== 'string') return false
      const a = Buffer.from(tokenOf(seed))
      const b = Buffer.from(submitted)
      return a.length === b.length && timingSafeEqual(a, b)
    },
  }
}
export type Csrf = ReturnType<typeof createCsrf>
