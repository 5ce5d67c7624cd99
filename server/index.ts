// Process entry: configuration, connections, migrations, cluster, listen, graceful shutdown.
import cluster from 'node:cluster'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import type { TLSSocket } from 'node:tls'
import { loadConfig, type Config } from './config.server.js'
import { createLogger, type Logger } from './lib/logger.js'
import { createSequelize, migrateWithLock, startEmbeddedPostgres } from './lib/db.js'
import { createMemoryKv, createRedisKv } from './lib/kv.js'
import { createCsrf } from './lib/csrf.js'
import { cookieSettings } from './lib/cookies.js'
import { createRateLimits } from './lib/rateLimits.js'
import { createSessionIndex } from './session/store.js'
import { createMailer } from './lib/mail.js'
import { createMetrics } from './lib/metrics.js'
import { deriveKeys, resolveSessionSecrets } from './lib/secrets.js'
import { initModels } from '../models/index.js'
import { createServices } from './services/index.js'
import { closeStrengthPool, setStrengthQueueMax } from './lib/strengthPool.js'
import { closeParsePool } from './services/importer/parsePool.js'
import { useScoringBudget } from './services/passwordStrength.js'
import { createApp } from './app.js'
import type { AppDeps } from './deps.js'

const devMode = process.argv.includes('--dev')

async function main() {
  const config = loadConfig()
  const refused = unworkableSettings(config)
  if (refused.length) throw new Error(`Invalid configuration:\n${refused.map((p) => `  ${p}`).join('\n')}`)
  const log = createLogger(config.logLevel)
  // The primary generates the development secret (if needed) before any worker starts and reads it.
  config.sessionSecrets = resolveSessionSecrets(config.sessionSecrets, config.dataDir, log)

  if (cluster.isPrimary) {
    let stopEmbedded: (() => Promise<void>) | undefined
    if (!config.databaseUrl) {
      const pg = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), config.embeddedPgPort, log)
      process.env.DATABASE_URL = pg.url
      config.databaseUrl = pg.url
      stopEmbedded = pg.stop
    }
    // Migrate once, before any worker serves (replicas on other hosts wait on the advisory lock).
    const migrator = createSequelize(config.databaseUrl!, { poolMax: 2 })
    const applied = await migrateWithLock(migrator, log)
    await migrator.close()
    log.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date')
    if (!config.redisUrl) log.warn('REDIS_URL is unset: sessions and rate limits are kept in process memory (development only)')

    if (config.webConcurrency > 1 && !devMode) {
      for (let i = 0; i < config.webConcurrency; i++) cluster.fork()
      cluster.on('exit', (worker, code, signal) => {
        if (!shuttingDown) {
          log.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another')
          cluster.fork()
        }
      })
      let shuttingDown = false
      const stopAll = async () => {
        // Once: Ctrl-C under `npm start` delivers SIGINT twice (the terminal signals the whole
        // process group, and npm forwards it again); a second default SIGINT would kill us.
        if (shuttingDown) return
        shuttingDown = true
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
        await new Promise<void>((resolve) => {
          const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 100))
          check()
        })
        await stopEmbedded?.()
        process.exit(0)
      }
      process.on('SIGTERM', () => void stopAll())
      process.on('SIGINT', () => void stopAll())
      return
    }
    await serve(config, log, stopEmbedded)
    return
  }
  await serve(config, log)
}

async function serve(config: Config, log: Logger, stopEmbedded?: () => Promise<void>) {
  const metrics = createMetrics()
  const sequelize = createSequelize(config.databaseUrl!, { poolMax: 10, onQuery: metrics.countQuery })
  const models = initModels(sequelize)
  const kv = config.redisUrl ? createRedisKv(config.redisUrl, config.redisPrefix) : createMemoryKv()
  // Redis down at start: listen anyway after a while (503 until it answers, /readyz says why).
  await kv.whenReady(10_000)
  const cookies = cookieSettings(config.cookieSecure)
  const allowedOrigins = [config.appOrigin]
  if (!config.production) allowedOrigins.push(`http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`)
  const deps: AppDeps = {
    config,
    log,
    sequelize,
    models,
    kv,
    cookieSettings: cookies,
    csrf: createCsrf(deriveKeys(config.sessionSecrets, 'csrf'), allowedOrigins, cookies),
    rateLimits: createRateLimits(kv, config.rateLimits),
    sessionIndex: createSessionIndex(kv),
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dir: config.mailDir, logLinks: config.logMailLinks, log }),
    metrics,
    services: createServices({
      sequelize,
      models,
      kdf: config.kdf,
      tokenKeys: deriveKeys(config.sessionSecrets, 'email-verification'),
      limits: config.limits,
      kv,
    }),
  }

  // Password scoring: a bounded queue, and each user's scoring paid from their hourly budget.
  setStrengthQueueMax(config.strengthQueueMax)
  useScoringBudget(deps.rateLimits)

  let devMiddleware
  // A client gets tens of seconds, not Node's five minutes, to send its headers and its whole
  // request (an import of 5 MB included): a body held open slowly keeps its session checks stale
  // and a connection busy. Node checks these every connectionsCheckingInterval.
  const server = http.createServer({ headersTimeout: 15_000, requestTimeout: 60_000, connectionsCheckingInterval: 2_000 })
  if (devMode) {
    const { createDevMiddleware } = await import('vike/server')
    const { devMiddleware: connect } = await createDevMiddleware({ root: process.cwd(), viteConfig: { server: { hmr: { server } } } })
    devMiddleware = connectToKoa(connect)
  }
  const app = createApp(deps, { devMiddleware })
  const handle = app.callback()
  const drain = createDrain(server, config.shutdown)
  const proxyGuard = secureCookieGuard(config, log)
  // The few things that must happen before Koa sees a request: shutdown bookkeeping (and
  // `Connection: close` once stopping), readiness while draining, and the proxy misconfiguration
  // page (koa-session would throw on every page instead).
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    drain.onRequest(req, res)
    if (drain.draining && pathOf(req) === '/readyz') return notReady(res)
    if (proxyGuard(req, res)) return
    drain.track(handle(req, res))
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve))
  log.info({ url: config.appOrigin, host: config.host, port: config.port, mode: devMode ? 'dev' : 'build', env: config.env }, 'NucleusID listening')
  const sweeper = startInvitationSweep(deps, log)

  const shutdown = async (signal: string) => {
    // Once: Ctrl-C under `npm start` delivers SIGINT twice (to the process group, and forwarded by npm).
    if (drain.draining) return
    log.info({ signal, graceMs: config.shutdown.graceMs, timeoutMs: config.shutdown.timeoutMs }, 'draining in-flight requests')
    const { forced, handlersLeft } = await drain.run(() => log.info('stopped accepting connections'))
    await sweeper.stop()
    if (forced) log.warn({ connections: forced }, `connections still open after SHUTDOWN_TIMEOUT_MS (${config.shutdown.timeoutMs} ms): cut`)
    if (handlersLeft) {
      // Closing the pools now would run these against closed pools: leave it to process exit.
      log.error({ handlers: handlersLeft }, 'requests still running after the shutdown timeout: exiting without closing the pools')
      process.exit(1)
    }
    await Promise.allSettled([sequelize.close(), kv.close(), closeStrengthPool(), closeParsePool()])
    await stopEmbedded?.()
    log.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** How often each process sweeps expired invitations (ADR 011); also once at start. */
const INVITATION_SWEEP_MS = 15 * 60_000

/**
 * Expired invitations lose their copy of the folder key (and the folder is marked for re-keying):
 * at start and every INVITATION_SWEEP_MS, on every worker and replica (the sweep locks each folder
 * with SKIP LOCKED, so several at once share the work). A failure (PostgreSQL away) waits for the
 * next round.
 */
function startInvitationSweep(deps: AppDeps, log: Logger) {
  let running: Promise<void> | null = null
  const run = () => {
    if (running) return
    running = deps.services.sharing
      .sweepExpiredInvitations()
      .then((folders) => {
        if (folders.length) log.info({ folders: folders.length }, 'expired invitations: copies of folder keys removed, folders marked for re-keying')
      })
      .catch((err) => log.warn({ err }, 'expired-invitation sweep failed; next round in 15 minutes'))
      .finally(() => (running = null))
  }
  run()
  const timer = setInterval(run, INVITATION_SWEEP_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}

/** Settings that pass validation but cannot work, refused at start (server/config.server.ts checks the rest). */
function unworkableSettings(config: Config): string[] {
  const problems: string[] = []
  // This server only speaks plain HTTP, so Koa sees every request as insecure unless it trusts a
  // TLS-terminating proxy's X-Forwarded-Proto; koa-session then throws on every Secure cookie.
  if (config.cookieSecure && !config.trustProxy) {
    problems.push(
      'COOKIE_SECURE=true (the default with an https APP_ORIGIN) needs TRUST_PROXY=true: this server speaks plain HTTP, ' +
        'so Secure cookies can only be set behind a TLS-terminating proxy that sends X-Forwarded-Proto: https. ' +
        'Set TRUST_PROXY=true (and make the proxy send that header), or COOKIE_SECURE=false for plain-HTTP local use.',
    )
  }
  return problems
}

/** A request's path as the router matches it: case-insensitive, without a trailing slash. */
function pathOf(req: http.IncomingMessage): string {
  const p = (req.url ?? '/').split('?', 1)[0]!.toLowerCase()
  return p.length > 1 ? p.replace(/\/+$/, '') : p
}

function notReady(res: http.ServerResponse) {
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(JSON.stringify({ ok: false, draining: true }))
}

/**
 * With Secure cookies every page sets or reads one, and koa-session/cookies throw on a request Koa
 * believes is plain HTTP. Such a request means the proxy does not send X-Forwarded-Proto: https
 * (or a client bypasses the proxy): answer a page that says so, log it once, and spare the probes
 * and the metrics scraper, which talk to the process directly.
 */
function secureCookieGuard(config: Config, log: Logger) {
  let logged = false
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (!config.cookieSecure || (req.socket as TLSSocket).encrypted) return false
    const forwarded = req.headers['x-forwarded-proto']
    // The same reading as Koa's ctx.protocol (app.proxy is on): the first value, as sent.
    if (config.trustProxy && typeof forwarded === 'string' && forwarded.split(/\s*,\s*/, 1)[0] === 'https') return false
    const p = pathOf(req)
    if (p === '/healthz' || p === '/readyz' || p === '/metrics') return false
    if (!logged) {
      logged = true
      log.error(
        { xForwardedProto: forwarded ?? null, path: p },
        'a request arrived over plain HTTP while COOKIE_SECURE=true: the proxy in front must send X-Forwarded-Proto: https (logged once)',
      )
    }
    res.writeHead(500, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
    })
    res.end(
      'Proxy configuration error\n\n' +
        'This NucleusID server sets Secure cookies (COOKIE_SECURE=true), but this request reached it as plain HTTP:\n' +
        'the proxy in front of it did not send "X-Forwarded-Proto: https".\n\n' +
        'Serve the site over HTTPS and have the proxy forward the original scheme (nginx: proxy_set_header X-Forwarded-Proto $scheme;\n' +
        'behind another TLS proxy: $http_x_forwarded_proto), with TRUST_PROXY=true on the app. See docs/deployment.md, "TLS".\n',
    )
    return true
  }
}

/**
 * A connection with no request in it counts as idle once it has been quiet this long. Shorter, and
 * a keep-alive client that is about to send its next request (its think time, plus a round trip)
 * would have the socket closed under that request. docker/nginx.conf closes its idle upstream
 * connections sooner (keepalive_timeout 1s), so the app never has to close one of nginx's.
 */
const IDLE_QUIET_MS = 2000
/** After the shutdown timeout cuts the connections, how long their handlers may still take. */
const HANDLER_GRACE_MS = 5_000

interface ConnectionState {
  /** Requests received on it and not yet answered. */
  busy: number
  /** socket.bytesRead when last looked at, and since when it has not changed. */
  bytesSeen: number
  quietSince: number
}

/**
 * Graceful shutdown of one HTTP server:
 * 1. draining: /readyz answers 503 (see the request handler) while everything else is still served
 *    for `graceMs`, so a balancer that polls readiness takes this process out first;
 * 2. stopping: the listening socket closes (new connections are refused, which nginx retries on
 *    another replica, POSTs included: nothing was sent); every response that has not started yet
 *    carries `Connection: close`, so keep-alive clients leave after their answer; idle keep-alive
 *    connections are closed at once;
 * 3. when the last connection is gone, or at `timeoutMs` (then the rest are cut), the handlers that
 *    are still running are awaited, so nothing runs against the pools the caller then closes.
 *
 * "Idle" is stricter than http.Server#closeIdleConnections (which http.Server#close calls): that one
 * destroys a keep-alive socket as soon as its last response is finished, though the client may be
 * sending its next request on it right then, and that request is reset (nginx answers 502 for a
 * POST it cannot safely retry). Here a connection is closed only when it carries no request and has
 * received nothing for IDLE_QUIET_MS (checked right after the event loop's poll phase has read what
 * arrived); a client that uses it sooner gets its answer with `Connection: close`. Connections idle
 * that long when stopping begins are closed at once.
 */
function createDrain(server: http.Server, opts: { graceMs: number; timeoutMs: number }) {
  const connections = new Map<net.Socket, ConnectionState>()
  const handlers = new Set<Promise<unknown>>()
  let draining = false
  let stopping = false

  server.on('connection', (socket: net.Socket) => {
    connections.set(socket, { busy: 0, bytesSeen: socket.bytesRead, quietSince: Date.now() })
    socket.once('close', () => connections.delete(socket))
  })

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  function closeIdle() {
    const now = Date.now()
    for (const [socket, state] of connections) {
      if (state.busy > 0) continue
      if (socket.bytesRead !== state.bytesSeen) {
        state.bytesSeen = socket.bytesRead
        state.quietSince = now
      } else if (now - state.quietSince >= IDLE_QUIET_MS) {
        socket.destroy()
      }
    }
  }

  return {
    get draining() {
      return draining
    },
    onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
      // At the moment the status line is written (Koa's res.end and streamed bodies both go
      // through writeHead), so responses already in progress when stopping begins get it too.
      const writeHead = res.writeHead
      res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
        if (stopping && !this.headersSent) this.setHeader('Connection', 'close')
        return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args)
      } as typeof res.writeHead
      const state = connections.get(req.socket)
      if (!state) return
      state.busy++
      res.once('close', () => {
        state.busy--
        state.bytesSeen = req.socket.bytesRead
        state.quietSince = Date.now()
      })
    },
    track(handler: Promise<unknown>) {
      handlers.add(handler)
      void handler.finally(() => handlers.delete(handler))
    },
    async run(onStopped: () => void): Promise<{ forced: number; handlersLeft: number }> {
      draining = true
      if (opts.graceMs > 0) await sleep(opts.graceMs)
      // In the check phase, right after the poll phase has accepted every connection that was
      // waiting: one still in the kernel's accept queue when the listener closes is reset, and
      // the request its client may already have sent is lost (nginx would not retry a POST).
      await new Promise((resolve) => setImmediate(resolve))
      stopping = true
      // net.Server#close, not http.Server#close: the latter first destroys "idle" sockets the
      // racy way described above.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()))
      onStopped()
      const sweep = setInterval(() => setImmediate(closeIdle), 20)
      setImmediate(closeIdle)
      const timedOut = await Promise.race([closed.then(() => false), sleep(opts.timeoutMs).then(() => true)])
      clearInterval(sweep)
      const forced = timedOut ? connections.size : 0
      if (timedOut) for (const socket of connections.keys()) socket.destroy()
      // Handlers outlive their sockets when those are cut.
      if (handlers.size) await Promise.race([Promise.allSettled([...handlers]), sleep(HANDLER_GRACE_MS)])
      return { forced, handlersLeft: handlers.size }
    },
  }
}

/** Vite's connect middleware inside Koa: done when it calls next() or finishes the response itself. */
function connectToKoa(connect: (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => void) {
  return async (ctx: import('koa').Context, next: () => Promise<void>) => {
    const handled = await new Promise<boolean>((resolve, reject) => {
      ctx.res.once('finish', () => resolve(true))
      connect(ctx.req, ctx.res, (err) => (err ? reject(err) : resolve(false)))
    })
    if (handled) ctx.respond = false
    else await next()
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
