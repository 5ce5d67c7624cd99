// Liveness, readiness and metrics. nginx does not expose /metrics (docker/nginx.conf).
import Router from '@koa/router'
import type { AppDeps } from '../deps.js'

export function healthRoutes(deps: AppDeps) {
  const router = new Router()
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true }
  })
  router.get('/readyz', async (ctx) => {
    const [db, redis] = await Promise.all([
      deps.sequelize.authenticate().then(() => true, () => false),
      deps.kv.ping().catch(() => false),
    ])
    ctx.status = db && redis ? 200 : 503
    ctx.body = { ok: db && redis, postgres: db, redis, sessionStore: deps.kv.kind }
  })
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType
    ctx.body = await deps.metrics.registry.metrics()
  })
  return router
}
