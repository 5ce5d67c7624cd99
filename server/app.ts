// createApp(deps): the whole request pipeline, top to bottom, with why each step sits where it does.
import Koa from 'koa'
import session from 'koa-session'
import compress from 'koa-compress'
import serve from 'koa-static'
import { bodyParser } from '@koa/bodyparser'
import path from 'node:path'
import { constants as zlib } from 'node:zlib'
import { randomUUID } from 'node:crypto'
import type { Middleware } from 'koa'
import { requestContext } from './middleware/requestContext.js'
import { errorHandler } from './middleware/errors.js'
import { isClientAbort } from './lib/errors.js'
import { securityHeaders } from './middleware/securityHeaders.js'
import { secureCookieGuard } from './middleware/secureCookieGuard.js'
import { authenticate } from './session/authenticate.js'
import { csrfProtect } from './middleware/csrfProtect.js'
import { resentPostGuard } from './middleware/resentPosts.js'
import { createSessionStore } from './session/store.js'
import { ensureSessionAlive } from './session/lifecycle.js'
import { answerLoggedOut } from './session/loggedOut.js'
import { deriveKeys } from './lib/secrets.js'
import { createRenderer } from './render.js'
import { publicPages } from './middleware/publicPages.js'
import { healthRoutes, readinessWhileDraining } from './routes/health.js'
import { authRoutes } from './routes/auth.js'
import { vaultRoutes } from './routes/vault.js'
import { trashRoutes } from './routes/trash.js'
import { bulkRoutes } from './routes/bulk.js'
import { historyRoutes } from './routes/history.js'
import { itemFieldRoutes } from './routes/itemFields.js'
import { sharingRoutes } from './routes/sharing.js'
import { exposureRoutes } from './routes/exposure.js'
import { twoFactorRoutes } from './routes/twoFactor.js'
import { settingsRoutes } from './routes/settings.js'
import { exportRoutes } from './routes/export.js'
import { importRoutes } from './routes/import.js'
import { attachmentRoutes } from './routes/attachments.js'
import { activityRoutes } from './routes/activity.js'
import { adminGate, adminRoutes } from './routes/admin.js'
import type { AppDeps } from './deps.js'
import type { Drain } from './shutdown.js'

export const BODY_LIMIT = '1mb'
/** Forms a logged-out visitor sends: a session that ended meanwhile does not stop them. */
const PUBLIC_FORMS = new Set(['/login', '/register', '/recover', '/logout'])

export function createApp(deps: AppDeps, opts: { drain: Pick<Drain, 'draining'>; devMiddleware?: Middleware }) {
  const devMode = !!opts.devMiddleware
  const { config } = deps
  // Cookie signatures use a key derived for that purpose alone (lib/secrets.ts); all keys verify.
  const keys = deriveKeys(config.sessionSecrets, 'cookie-signing').map((k) => k.toString('base64url'))
  const app = new Koa({ keys, proxy: config.trustProxy })
  const render = createRenderer(deps)

  // 0. Outside Koa, in the server's request listener (index.ts, shutdown.ts Drain#listener): each
  // request is counted on its connection, and once stopping its response says `Connection: close`.
  // There because the drain works on connections, which Koa does not see.
  // 0a. While draining for shutdown, /readyz answers 503 at once (routes/health.ts).
  app.use(readinessWhileDraining(opts.drain))
  // 0b. Secure cookies on a request that came as plain HTTP (the proxy does not forward the
  // scheme): a page naming the problem instead of koa-session's throw on every page; logged once,
  // probes spared. 0a and 0b answer before anything else runs (no request log, headers, session).
  app.use(secureCookieGuard(config, deps.log))
  // 1. Request id + one log line per request, and metrics: before the rest, so they see every outcome.
  app.use(requestContext(deps.log, deps.metrics.observe))
  // 2. Compression of HTML and JSON (hashed assets are pre-compressed at build time). Brotli at
  // quality 2 with a 256 KB window: measured on the 200-item dashboard (62 KB), 0.9 ms of CPU for
  // 8.3 KB, where quality 4 took 1.4 ms for 7.9 KB and gzip 6 1.3 ms for 9.7 KB (issue 18: a
  // compressed page may cost at most 1.3x an uncompressed one).
  app.use(
    compress({
      threshold: 1024,
      br: { params: { [zlib.BROTLI_PARAM_QUALITY]: 2, [zlib.BROTLI_PARAM_LGWIN]: 18 } },
      gzip: { level: 4 },
    }),
  )
  // 3. Security headers (and the CSP nonce) on every response, errors included.
  app.use(securityHeaders({ strictScripts: !devMode, hsts: config.production && config.cookieSecure }))
  // 4. Errors become pages, 422 forms or JSON.
  app.use(errorHandler(() => render, deps))
  // 5. Health and metrics: no session, no body.
  app.use(healthRoutes(deps).routes())
  // 6. Static files only under /assets/ (and the favicon), before any session work.
  if (opts.devMiddleware) {
    app.use(opts.devMiddleware)
  } else {
    const client = path.resolve('dist/client')
    const statics = serve(client, { maxAge: 365 * 24 * 3600 * 1000, immutable: true, brotli: true, gzip: true, index: false })
    app.use(async (ctx, next) => {
      if (isAssetPath(ctx.path) || ctx.path === '/favicon.svg') return statics(ctx, next)
      return next()
    })
  }
  // 6b. The public pages for a visitor without a session: one shared copy each, before any
  // session work, so they need neither Redis nor PostgreSQL (dev mode renders them each time).
  if (!devMode) app.use(publicPages(render))
  // 7. A POST the proxy resends to another replica runs at most once: before anything it could do.
  app.use(resentPostGuard(deps.kv, { trustProxy: config.trustProxy }))
  // 8. Sessions: the session cookie holds only the id; data in Redis. Created only when written to.
  app.use(
    session(
      {
        key: deps.cookieSettings.names.session,
        maxAge: 'session',
        httpOnly: true,
        signed: true,
        sameSite: 'lax',
        secure: deps.cookieSettings.secure,
        renew: false,
        rolling: false,
        // koa-session's store type is inferred from its zod schema (variadic extra arguments);
        // ours takes what it uses.
        store: createSessionStore(deps.kv, deps.sessionIndex) as never,
        // A new or regenerated session: the only kind the store lets a write create (session/store.ts).
        genid: (ctx: Koa.Context) => (ctx.state.sessionId = ctx.state.newSessionId = randomUUID()),
      },
      app,
    ),
  )
  // 9. Who is asking: from the session alone, no SQL.
  app.use(authenticate({ ...deps, devices: deps.services.devices }))
  // 10. Bodies: forms and JSON, capped (413 beyond).
  app.use(bodyParser({ enableTypes: ['form', 'json'], formLimit: BODY_LIMIT, jsonLimit: BODY_LIMIT }))
  // 10b. Reading a body can take seconds: a session ended meanwhile (revoked, logged out
  // elsewhere) no longer stands behind this request, which writes nothing in its name.
  // It is told it was logged out and sent to log in again, back to its page afterwards (303
  // /login?next=, or 401 JSON that the form answers in place); a public form goes on anonymous.
  const loggedOut = (ctx: Koa.Context) => answerLoggedOut(ctx, deps.cookieSettings, config.appOrigin)
  app.use(async (ctx, next) => {
    if (ctx.method === 'POST' && !(await ensureSessionAlive(ctx, deps)) && !PUBLIC_FORMS.has(ctx.path)) return loggedOut(ctx)
    await next()
  })
  // 11. CSRF token + Origin check on every POST.
  app.use(csrfProtect(deps.csrf, loggedOut))
  // 11b. /admin, pages and actions alike: 404 to anyone but an administrator with two-factor, and
  // the re-authentication window (routes/admin.ts). From the session alone.
  app.use(adminGate(deps))
  // 12. Actions.
  app.use(authRoutes(deps, render).routes())
  // Before vaultRoutes: its POST /dashboard/items/:id would take /dashboard/items/bulk.
  app.use(bulkRoutes(deps, render).routes())
  app.use(vaultRoutes(deps, render).routes())
  app.use(trashRoutes(deps, render).routes())
  app.use(historyRoutes(deps).routes())
  app.use(itemFieldRoutes(deps, render).routes())
  app.use(sharingRoutes(deps, render).routes())
  app.use(exposureRoutes(deps).routes())
  app.use(twoFactorRoutes(deps, render).routes())
  app.use(settingsRoutes(deps, render).routes())
  app.use(exportRoutes(deps, render).routes())
  app.use(importRoutes(deps, render).routes())
  app.use(attachmentRoutes(deps, render).routes())
  app.use(activityRoutes(deps).routes())
  app.use(adminRoutes(deps, render).routes())
  // 13. Pages: everything else that is a GET is Vike's.
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next()
    if (!(await render(ctx))) return next()
  })

  app.on('error', (err, ctx) => {
    const log = ctx?.state?.log ?? deps.log
    // A client closing its connection (mid-body, mid-response) is not a server error: one line
    // without a stack, so a client cannot flood the log with traces.
    if (isClientAbort(err)) return log.info({ code: (err as NodeJS.ErrnoException).code, reason: (err as Error).message }, 'client aborted the request')
    log.error({ err }, 'koa error')
  })
  return app
}

/**
 * Whether a request path names a file under /assets/. ctx.path is still percent-encoded and
 * koa-send decodes it again, so decide on the decoded path: `%2e%2e`, `%2f` or `%5c` must not
 * step out of assets/ (to dist/client or beyond). Anything else falls through to a plain 404.
 */
function isAssetPath(raw: string): boolean {
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return false
  }
  return decoded.startsWith('/assets/') && !/[\\\0]/.test(decoded) && !decoded.split('/').some((seg) => seg === '.' || seg === '..')
}
