// Process entry: configuration, connections, migrations, cluster, listen, graceful shutdown.
import cluster from 'node:cluster'
import http from 'node:http'
import path from 'node:path'
import { loadConfig, type Config } from './config.server.js'
import { createLogger, type Logger } from './lib/logger.js'
import { createSequelize, migrateWithLock, startEmbeddedPostgres } from './lib/db.js'
import { createMemoryKv, createRedisKv } from './lib/kv.js'
import { createCsrf } from './lib/csrf.js'
import { cookieSettings } from './lib/cookies.js'
import { createRateLimits } from './lib/rateLimits.js'
import { createSessionIndex } from './lib/sessions.js'
import { createMailer } from './lib/mail.js'
import { createMetrics } from './lib/metrics.js'
import { deriveKeys, resolveSessionSecrets } from './lib/secrets.js'
import { initModels } from '../models/index.js'
import { createServices } from './services/index.js'
import { createApp } from './app.js'
import type { AppDeps } from './deps.js'

const devMode = process.argv.includes('--dev')

async function main() {
  const config = loadConfig()
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
        shuttingDown = true
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
        await new Promise<void>((resolve) => {
          const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 100))
          check()
        })
        await stopEmbedded?.()
        process.exit(0)
      }
      process.once('SIGTERM', stopAll)
      process.once('SIGINT', stopAll)
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
    }),
  }

  let devMiddleware
  const server = http.createServer()
  if (devMode) {
    const { createDevMiddleware } = await import('vike/server')
    const { devMiddleware: connect } = await createDevMiddleware({ root: process.cwd(), viteConfig: { server: { hmr: { server } } } })
    devMiddleware = connectToKoa(connect)
  }
  const app = createApp(deps, { devMiddleware })
  server.on('request', app.callback())
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve))
  log.info({ url: config.appOrigin, host: config.host, port: config.port, mode: devMode ? 'dev' : 'build', env: config.env }, 'NucleusID listening')

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal }, 'draining in-flight requests')
    const force = setTimeout(() => server.closeAllConnections(), 10_000)
    force.unref()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    await Promise.allSettled([sequelize.close(), kv.close()])
    await stopEmbedded?.()
    log.info('stopped')
    process.exit(0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
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
