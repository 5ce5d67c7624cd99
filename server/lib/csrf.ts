// CSRF defence, two independent checks on every POST:
// 1. a synchronizer token in the hidden `_csrf` field: HMAC(csrf key, binding), where the binding
//    is the logged-in session's id, or, before login, a random seed kept in its own signed httpOnly
//    cookie (so anonymous forms need no server-side session). A cookie pair planted from a sibling
//    subdomain therefore opens nothing once the victim is logged in. Each response carries the
//    token XOR-masked with fresh random bytes, so compressed HTML that also reflects user input
//    (the search query) never repeats it (BREACH).
// 2. the request's Origin (or, failing that, Referer) must be this app, and Sec-Fetch-Site, when
//    the browser sends it, must not be cross-site.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context } from 'koa'
import { cookieOptions, type CookieSettings } from './cookies.js'

const TOKEN_BYTES = 32

export function createCsrf(keys: Buffer[], allowedOrigins: string[], cookies: CookieSettings) {
  if (!keys.length) throw new Error('createCsrf needs at least one key')
  const tokenOf = (key: Buffer, binding: string) => createHmac('sha256', key).update(binding).digest()

  function seedOf(ctx: Context, create: boolean): string | undefined {
    let seed = ctx.state.csrfSeed ?? ctx.cookies.get(cookies.names.csrf, { signed: true })
    if (!seed && create) seed = rotate(ctx)
    ctx.state.csrfSeed = seed
    return seed
  }

  /** What the token is bound to: the logged-in session, else the anonymous seed. */
  function bindingOf(ctx: Context, create: boolean): string | undefined {
    if (ctx.state.user && ctx.state.sessionId) return `session:${ctx.state.sessionId}`
    const seed = seedOf(ctx, create)
    return seed ? `seed:${seed}` : undefined
  }

  /** New seed (at login and logout), so a token seen before cannot be replayed after. */
  function rotate(ctx: Context): string {
    const seed = randomBytes(24).toString('base64url')
    ctx.cookies.set(cookies.names.csrf, seed, cookieOptions(cookies))
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

  function mask(token: Buffer): string {
    const pad = randomBytes(TOKEN_BYTES)
    const masked = Buffer.alloc(TOKEN_BYTES)
    for (let i = 0; i < TOKEN_BYTES; i++) masked[i] = token[i]! ^ pad[i]!
    return Buffer.concat([pad, masked]).toString('base64url')
  }

  function unmask(submitted: string): Buffer | null {
    const raw = Buffer.from(submitted, 'base64url')
    if (raw.length !== 2 * TOKEN_BYTES) return null
    const token = Buffer.alloc(TOKEN_BYTES)
    for (let i = 0; i < TOKEN_BYTES; i++) token[i] = raw[i]! ^ raw[i + TOKEN_BYTES]!
    return token
  }

  return {
    /** A freshly masked token for the forms of this response; sets the seed cookie if needed. */
    token: (ctx: Context) => mask(tokenOf(keys[0]!, bindingOf(ctx, true)!)),
    rotate,
    /**
     * A refused token that this browser's own session issued, though that session has ended
     * (logged out elsewhere, expired): a genuine form whose sender was logged out, not a forgery.
     */
    fromEndedSession(ctx: Context, submitted: unknown): boolean {
      // The id in the browser's cookie (ctx.state.sessionId may already be a new one koa-session minted).
      const sid = ctx.cookies.get(cookies.names.session, { signed: true })
      if (ctx.state.user || !sid || !sameOrigin(ctx) || typeof submitted !== 'string' || submitted.length > 128) return false
      const given = unmask(submitted)
      return !!given && keys.some((key) => timingSafeEqual(tokenOf(key, `session:${sid}`), given))
    },
    verify(ctx: Context, submitted: unknown): boolean {
      if (!sameOrigin(ctx)) return false
      const binding = bindingOf(ctx, false)
      if (!binding || typeof submitted !== 'string' || submitted.length > 128) return false
      const given = unmask(submitted)
      if (!given) return false
      // Every key verifies, so rotating SESSION_SECRETS does not break forms already on screen.
      return keys.some((key) => timingSafeEqual(tokenOf(key, binding), given))
    },
  }
}
export type Csrf = ReturnType<typeof createCsrf>
