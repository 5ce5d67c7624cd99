// The bridge from Koa to Vike: renders a page with the request's user, CSRF token and flash.
// Vike has no Koa adapter; renderPage() is called directly (see docs/decisions).
import type { Context } from 'koa'
import { renderPage } from 'vike/server'
import { render as abortRender } from 'vike/abort'
import { takeFlash } from './lib/flash.js'
import { adminUnlocked, pendingRecoveryCode } from './session/lifecycle.js'
import type { AppDeps } from './deps.js'
import { AppError, RateLimitedError, ServiceUnavailableError, downDependency, formatWait } from './lib/errors.js'
import type { Services } from './services/index.js'
import type { FormState } from '../shared/contract.js'

export function createRenderer(deps: AppDeps) {
  /** Renders `url` for this request. Returns false when Vike has no page for it. */
  return async function render(
    ctx: Context,
    url: string = ctx.originalUrl,
    extra: {
      form?: FormState
      appError?: { status: number; message: string; back?: string }
      status?: number
      /** The same page for every visitor (server/middleware/publicPages.ts): no user, token or flash. */
      shared?: boolean
    } = {},
  ): Promise<boolean> {
    if (malformedVikeArgs(url)) throw new AppError(400, 'That request could not be understood.')
    let outage: unknown
    const fail = pageFailure(ctx, (err) => (outage ??= err))
    const pageContextInit = {
      urlOriginal: url,
      headersOriginal: ctx.headers,
      cspNonce: ctx.state.cspNonce,
      // passed to the client (renderer/+config.ts passToClient):
      user: extra.shared ? null : (ctx.state.user ?? null),
      // A shared page has no form that posts, and must not set this visitor's token cookie.
      csrfToken: extra.shared ? '' : deps.csrf.token(ctx),
      flash: extra.shared ? null : takeFlash(ctx, deps.cookieSettings),
      form: extra.form ?? null,
      // server only: what +data hooks need, never serialized
      services: guarded(deps.services, fail),
      // Server only: a page asked for a secret (?reveal=, SPEC 3b) spends a point of the copy
      // budget first, as the copy endpoint does; past it the page is the 429 error page.
      spendSecretRead: async () => {
        const user = ctx.state.user
        if (!user) return
        try {
          await deps.rateLimits.spend('itemCopy', user.id)
        } catch (err) {
          fail(err instanceof RateLimitedError ? new RateLimitedError(err.retryAfterSeconds, `Too many secrets shown or copied in a short time. Try again in ${formatWait(err.retryAfterSeconds)}.`) : err)
        }
      },
      appError: extra.appError ?? null,
      // A login waiting for its second factor (server only): the vault pages send it to /login/2fa.
      pendingMfa: !!ctx.state.pendingMfa,
      viewer: ctx.state.viewer ?? null,
      deviceId: ctx.state.deviceId ?? null,
      // /admin pages (server only): whether the master password was typed recently enough (ADR 036).
      adminUnlocked: adminUnlocked(ctx, deps.config.admin.reauthMs),
      // /admin/diagnostics (server only): the report, with what this request carried.
      diagnostics: () =>
        deps.diagnostics.report({
          protocol: ctx.protocol,
          secure: ctx.secure,
          ip: ctx.ip,
          remoteAddress: ctx.req.socket.remoteAddress ?? '',
          host: ctx.host,
          forwardedFor: ctx.get('x-forwarded-for') || undefined,
          forwardedProto: ctx.get('x-forwarded-proto') || undefined,
          forwardedHost: ctx.get('x-forwarded-host') || undefined,
        }),
      // Unsealed only by the page that shows it once.
      recoveryCode: () => (ctx.state.user ? pendingRecoveryCode(ctx) : null),
    }
    const pageContext = await renderPage(pageContextInit)
    const dependency = outage === undefined ? null : downDependency(outage)
    // The error middleware answers 503 (page or JSON, Retry-After) and logs the outage once. A
    // client navigation's pageContext.json keeps Vike's own answer (its router shows the error
    // page for the 503 abort), only marked for that log.
    if (dependency && !pageContext.isClientSideNavigation) throw new ServiceUnavailableError(dependency, { cause: outage })
    if (dependency) ctx.state.unavailable = new ServiceUnavailableError(dependency, { cause: outage })
    // An error Vike caught outside the services (a component, a hook): Vike prints it to the
    // console too, without the request id; this is the line that carries it.
    const { errorWhileRendering } = pageContext
    if (errorWhileRendering && !pageContext.abortStatusCode) ctx.state.log?.error({ err: errorWhileRendering }, 'page render failed')
    const { httpResponse } = pageContext
    if (!httpResponse) return false
    ctx.status = extra.status ?? httpResponse.statusCode
    // SPEC 3: a page sends an anonymous visitor to log in with 303 (a half-logged-in one to
    // /login/2fa). Vike's redirect() allows only 301/302, so the guards' 302 is turned into 303 here.
    const location = httpResponse.headers.find(([name]) => name.toLowerCase() === 'location')?.[1] ?? ''
    if (ctx.status === 302 && /^\/login(\/2fa)?(\?|$)/.test(location)) ctx.status = 303
    for (const [name, value] of httpResponse.headers) {
      // Our own CSP (securityHeaders) is stricter and already carries the same nonce.
      if (name.toLowerCase() !== 'content-security-policy') ctx.set(name, value)
    }
    // Vike marks its HTML `no-store, max-age=0`, but not the pageContext.json of a client-side
    // navigation, which carries the same data (an item's password, the recovery code): no page
    // response of this app may be stored (securityHeaders adds the same for sessions).
    ctx.set('Cache-Control', 'no-store')
    // The page as one string (it is rendered to a string, not streamed): getReadableNodeStream()
    // would import node:stream afresh on every request, through the module loader's hooks.
    ctx.body = httpResponse.body
    return true
  }
}
export type Render = ReturnType<typeof createRenderer>

/**
 * Vike's client navigation may add `_vike={"previousUrl":"..."}` to a .pageContext.json request,
 * and Vike's server JSON.parses and asserts it unguarded: any other value threw, a 500 with a
 * stack in the log. True for a value Vike would refuse (read as Vike reads it: URLSearchParams,
 * the last value), so it is answered 400 before Vike sees it.
 */
export function malformedVikeArgs(url: string): boolean {
  const query = url.indexOf('?')
  if (query === -1) return false
  // Vike matches the decoded path: `index%2EpageContext.json` is a .pageContext.json request too.
  const path = url.slice(0, query).replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  if (!path.endsWith('.pageContext.json')) return false
  const value = new URLSearchParams(url.slice(query + 1).split('#', 1)[0]).getAll('_vike').at(-1)
  if (!value) return false
  try {
    const args: unknown = JSON.parse(value)
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return true
    return 'previousUrl' in args && typeof args.previousUrl !== 'string'
  } catch {
    return true
  }
}

/**
 * The services as +data hooks see them. Vike logs whatever a hook throws as a raw multi-line stack
 * on the console (no documented way to turn that off, see docs/decisions/009); an abort it does
 * not log. So an error from a service leaves as an abort: a refusal (AppError 403 or 404, a rate
 * limit's 429 with Retry-After) as the error page with its status and message, a dependency outage reported to the caller (`onOutage`,
 * answered 503 after the render), any other unexpected error logged here as one JSON line with the
 * request id. Other domain errors (422 ...) pass unchanged. Here, not in the pages, because only
 * this side shares the error classes with the services (the pages are built apart by Vite). A
 * service method that returns an object of methods (vault.reader) has those guarded too.
 */
function pageFailure(ctx: Context, onOutage: (err: unknown) => void) {
  return (err: unknown): never => {
    if (err instanceof RateLimitedError) {
      ctx.set('Retry-After', String(Math.ceil(err.retryAfterSeconds)))
      throw abortRender(429, err.message)
    }
    if (err instanceof AppError) throw err.status === 403 || err.status === 404 ? abortRender(err.status, err.message) : err
    if (downDependency(err)) {
      onOutage(err)
      throw abortRender(503)
    }
    ctx.state.log?.error({ err }, 'page render failed')
    throw abortRender(500)
  }
}

function guarded(services: Services, fail: (err: unknown) => never): Services {
  const isMethods = (v: unknown): v is object =>
    typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.values(v).some((f) => typeof f === 'function')
  const wrap = (fn: (...args: unknown[]) => unknown, self: object) =>
    function (...args: unknown[]) {
      try {
        const result = fn.apply(self, args)
        if (result instanceof Promise) return result.catch(fail)
        return isMethods(result) ? wrapService(result) : result
      } catch (err) {
        return fail(err)
      }
    }
  const wrapService = (service: object): object =>
    Object.fromEntries(Object.entries(service).map(([name, v]) => [name, typeof v === 'function' ? wrap(v, service) : v]))
  return Object.fromEntries(Object.entries(services).map(([name, service]) => [name, wrapService(service)])) as Services
}
