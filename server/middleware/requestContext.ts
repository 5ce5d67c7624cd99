// Gives each request an id (echoed as X-Request-Id), a child logger carrying it, and logs one
// JSON line per request with status and duration. Never logs bodies, cookies or query strings.
import { randomUUID } from 'node:crypto'
import type { Middleware } from 'koa'
import type { Logger } from '../lib/logger.js'

export function requestContext(log: Logger, onDone?: (method: string, status: number, seconds: number) => void): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint()
    const incoming = ctx.get('x-request-id')
    const adopted = /^[\w-]{8,64}$/.test(incoming)
    const id = adopted ? incoming : randomUUID()
    ctx.state.requestId = id
    // Only a proxy's id names the same request across its attempts (middleware/resentPosts.ts).
    ctx.state.requestIdFromClient = adopted
    ctx.state.log = log.child({ reqId: id })
    ctx.set('X-Request-Id', id)
    try {
      await next()
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      onDone?.(ctx.method, ctx.status, seconds)
      if (!ctx.path.startsWith('/assets/')) {
        ctx.state.log.info(
          { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(seconds * 1000), uid: ctx.state.user?.id },
          'request',
        )
      }
    }
  }
}
