// Process entry, the composition root: configuration, connections, migrations, cluster, listen,
// graceful shutdown. The request pipeline is server/app.ts; the drain is server/shutdown.ts.
import cluster from 'node:cluster'
import http from 'node:http'
import path from 'node:path'
import { loadConfig, type Config } from './config.server.js'
import { createLogger, type Logger } from './lib/logger.js'
import { createSequelize, migrateWithLock, startEmbeddedPostgres } from './lib/db.js'
import { createMemoryKv, createRedisKv, type KeyValue } from './lib/kv.js'
import { createCsrf } from './lib/csrf.js'
import { cookieSettings } from './lib/cookies.js'
import { createRateLimits } from './lib/rateLimits.js'
import { createSessionIndex } from './session/store.js'
import { createMailer } from './lib/mail.js'
import { createMetrics } from './lib/metrics.js'
import { deriveKeys, resolveSessionSecrets } from './lib/secrets.js'
import { initModels } from '../models/index.js'
import { createServices } from './services/index.js'
import { createDiagnostics } from './services/diagnostics.js'
import { closeStrengthPool, setStrengthQueueMax } from './lib/strengthPool.js'
import { closeParsePool } from './services/importer/parsePool.js'
import { useScoringBudget } from './services/passwordStrength.js'
import { stopBackgroundScoring } from './services/importer/scoring.js'
import { createApp } from './app.js'
import { createViteDevMiddleware } from './devMiddleware.js'
import { createDrain, onStopSignal } from './shutdown.js'
import { startBackgroundJobs } from './backgroundJobs.js'
import type { AppDeps } from './deps.js'

const devMode = process.argv.includes('--dev')

async function main() {
  const loaded = loadConfig()
  const log = createLogger(loaded.logLevel)
  // The primary generates the development secret (if needed) before any worker starts and reads it.
  const config: Config = { ...loaded, sessionSecrets: resolveSessionSecrets(loaded.sessionSecrets, loaded.dataDir, log) }
  if (!cluster.isPrimary) return serve(config, log)

  let stopEmbedded: (() => Promise<void>) | undefined
  if (!config.databaseUrl) {
    const pg = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), config.embeddedPgPort, log)
    config.databaseUrl = pg.url
    stopEmbedded = pg.stop
  }
  // Migrate once, before any worker serves (replicas on other hosts wait on the advisory lock).
  const migrator = createSequelize(config.databaseUrl, { poolMax: 2 })
  const applied = await migrateWithLock(migrator, log)
  await migrator.close()
  log.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date')
  if (!config.redisUrl) log.warn('REDIS_URL is unset: sessions and rate limits are kept in process memory (development only)')

  if (config.webConcurrency > 1 && !devMode) return runWorkers(config, log, stopEmbedded)
  await serve(config, log, stopEmbedded)
}

/** The primary of a cluster: forks the workers, replaces any that dies, and stops them all on a signal. */
function runWorkers(config: Config, log: Logger, stopEmbedded?: () => Promise<void>) {
  // A worker loads its own configuration from its environment: the embedded database's URL, known
  // only here, is added to it.
  const fork = () => cluster.fork({ DATABASE_URL: config.databaseUrl })
  for (let i = 0; i < config.webConcurrency; i++) fork()
  const signal = onStopSignal(async () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
    await new Promise<void>((resolve) => {
      const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 100))
      check()
    })
    await stopEmbedded?.()
    process.exit(0)
  })
  cluster.on('exit', (worker, code, sig) => {
    if (signal.stopping) return
    log.error({ pid: worker.process.pid, code, signal: sig }, 'worker died; starting another')
    fork()
  })
}

/** Everything the web layer needs, built once per process. */
function createDeps(config: Config, log: Logger, kv: KeyValue): AppDeps {
  const metrics = createMetrics()
  const sequelize = createSequelize(config.databaseUrl!, { poolMax: 10, onQuery: metrics.countQuery })
  const models = initModels(sequelize)
  const cookies = cookieSettings(config.cookieSecure)
  const allowedOrigins = [config.appOrigin]
  if (!config.production) allowedOrigins.push(`http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`)
  return {
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
    diagnostics: createDiagnostics({ config, sequelize, kv }),
    services: createServices({
      sequelize,
      models,
      kdf: config.kdf,
      tokenKeys: deriveKeys(config.sessionSecrets, 'email-verification'),
      limits: config.limits,
      signup: config.signup,
      mail: { smtpUrl: config.smtpUrl, from: config.mailFrom, dir: config.mailDir },
      activityRetentionMs: config.activity.retentionMs,
      kv,
    }),
  }
}

/**
 * ADMIN_EMAILS at start (issue 24): accounts listed get the admin role, and their sessions end so
 * the next login carries it. Every worker runs it; only the first finds anything left to grant.
 */
async function grantAdminEmails(deps: AppDeps) {
  try {
    const granted = await deps.services.admin.applyAdminEmails(deps.config.admin.emails)
    for (const id of granted) await deps.sessionIndex.revokeUserSessions(id)
    if (granted.length) deps.log.info({ granted: granted.length }, 'ADMIN_EMAILS: admin role granted')
  } catch (err) {
    deps.log.warn({ err }, 'ADMIN_EMAILS could not be applied at start; they apply at the next start')
  }
}

/** One serving process (a worker, or the only process): listens until a signal drains it. */
async function serve(config: Config, log: Logger, stopEmbedded?: () => Promise<void>) {
  const kv = config.redisUrl ? createRedisKv(config.redisUrl, config.redisPrefix) : createMemoryKv()
  // Redis down at start: listen anyway after a while (503 until it answers, /readyz says why).
  await kv.whenReady(10_000)
  const deps = createDeps(config, log, kv)
  await grantAdminEmails(deps)

  // Password scoring: a bounded queue, and each user's scoring paid from their hourly budget.
  setStrengthQueueMax(config.strengthQueueMax)
  useScoringBudget(deps.rateLimits)

  // A client gets tens of seconds, not Node's five minutes, to send its headers and its whole
  // request (an import of 5 MB included): a body held open slowly keeps its session checks stale
  // and a connection busy. Node checks these every connectionsCheckingInterval.
  const server = http.createServer({ headersTimeout: 15_000, requestTimeout: 60_000, connectionsCheckingInterval: 2_000 })
  server.keepAliveTimeout = 65_000
  const drain = createDrain(server, config.shutdown)
  const devMiddleware = devMode ? await createViteDevMiddleware(server) : undefined
  // This checkout's own build, loaded before any render: otherwise Vike finds the server entry
  // through a file its build writes into node_modules (@brillout/vite-plugin-server-entry's
  // autoImporter), which names the last build made with that node_modules. Several checkouts
  // sharing one (git worktrees with a symlinked node_modules) then render each other's pages.
  if (!devMode) await import(new URL('../dist/server/entry.mjs', import.meta.url).href)
  const app = createApp(deps, { drain, devMiddleware })
  server.on('request', drain.listener(app.callback()))
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve))
  log.info({ url: config.appOrigin, host: config.host, port: config.port, mode: devMode ? 'dev' : 'build', env: config.env }, 'NucleusID listening')
  const backgroundJobs = startBackgroundJobs(deps, log)

  onStopSignal(async (signal) => {
    log.info({ signal, graceMs: config.shutdown.graceMs, timeoutMs: config.shutdown.timeoutMs }, 'draining in-flight requests')
    const { forced, handlersLeft } = await drain.run(() => log.info('stopped accepting connections'))
    await backgroundJobs.stop()
    await stopBackgroundScoring() // imported passwords still waiting are scored on their next view (ADR 024)
    if (forced) log.warn({ connections: forced }, `connections still open after SHUTDOWN_TIMEOUT_MS (${config.shutdown.timeoutMs} ms): cut`)
    if (handlersLeft) {
      // Closing the pools now would run these against closed pools: leave it to process exit.
      log.error({ handlers: handlersLeft }, 'requests still running after the shutdown timeout: exiting without closing the pools')
      process.exit(1)
    }
    await Promise.allSettled([deps.sequelize.close(), kv.close(), closeStrengthPool(), closeParsePool()])
    await stopEmbedded?.()
    log.info('stopped')
    // The logger writes asynchronously: its last lines reach stdout before the process ends, not
    // after (a worker's "stopped" went missing once under load).
    await new Promise<void>((resolve) => log.flush(() => resolve()))
    process.exit(0)
  })
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
