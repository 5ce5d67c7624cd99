// The bridge from Koa to Vike: renders a page with the request's user, CSRF token and flash.
// Vike has no Koa adapter; renderPage() is called directly (see docs/decisions).
import type { Context } from 'koa'
import { renderPage } from 'vike/server'
import { takeFlash } from './lib/flash.js'
import { pendingRecoveryCode, sessionVaultKey } from './lib/authSession.js'
import type { AppDeps } from './deps.js'
import type { FieldErrors } from './lib/errors.js'

export interface FormState {
  /** The path the form posted to: the form on the page with that action shows this state. */
  action: string
  values: Record<string, string>
  errors: FieldErrors
  message?: string
}

export function createRenderer(deps: AppDeps) {
  /** Renders `url` for this request. Returns false when Vike has no page for it. */
  return async function render(
    ctx: Context,
    url: string = ctx.originalUrl,
    extra: { form?: FormState; appError?: { status: number; message: string }; status?: number } = {},
  ): Promise<boolean> {
    const user = ctx.state.user ?? null
    const pageContextInit = {
      urlOriginal: url,
      headersOriginal: ctx.headers,
      cspNonce: ctx.state.cspNonce,
      // passed to the client (renderer/+config.ts passToClient):
      user: user ? { id: user.id, name: user.name, email: user.email, verified: user.verified } : null,
      csrfToken: deps.csrf.token(ctx),
      flash: takeFlash(ctx, deps.cookieSettings),
      form: extra.form ?? null,
      // server only: what +data hooks need, never serialized
      services: deps.services,
      appError: extra.appError ?? null,
      viewer: user
        ? { userId: user.id, deviceId: user.deviceId, vaultKey: () => sessionVaultKey(ctx), recoveryCode: () => pendingRecoveryCode(ctx) }
        : null,
    }
    const pageContext = await renderPage(pageContextInit)
    const { httpResponse } = pageContext
    if (!httpResponse) return false
    ctx.status = extra.status ?? httpResponse.statusCode
    // SPEC 3: a page sends an anonymous visitor to log in with 303. Vike's redirect() allows only
    // 301/302, so the guards' 302 to /login is turned into 303 here.
    const location = httpResponse.headers.find(([name]) => name.toLowerCase() === 'location')?.[1] ?? ''
    if (ctx.status === 302 && /^\/login(\?|$)/.test(location)) ctx.status = 303
    for (const [name, value] of httpResponse.headers) {
      // Our own CSP (securityHeaders) is stricter and already carries the same nonce.
      if (name.toLowerCase() !== 'content-security-policy') ctx.set(name, value)
    }
    ctx.body = await httpResponse.getReadableNodeStream()
    return true
  }
}
export type Render = ReturnType<typeof createRenderer>
