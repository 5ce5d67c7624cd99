// `npm run dev` (--dev): Vite's dev server (transforms, HMR) inside Koa, in place of the built assets.
import type http from 'node:http'
import type { Middleware } from 'koa'

/** Vite's HMR websocket rides on `server` (otherwise it would take port 24678 of its own). */
export async function createViteDevMiddleware(server: http.Server): Promise<Middleware> {
  const { createDevMiddleware } = await import('vike/server')
  const { devMiddleware } = await createDevMiddleware({ root: process.cwd(), viteConfig: { server: { hmr: { server } } } })
  return connectToKoa(devMiddleware)
}

/** Vite's connect middleware inside Koa: done when it calls next() or finishes the response itself. */
function connectToKoa(connect: (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => void): Middleware {
  return async (ctx, next) => {
    const handled = await new Promise<boolean>((resolve, reject) => {
      ctx.res.once('finish', () => resolve(true))
      connect(ctx.req, ctx.res, (err) => (err ? reject(err) : resolve(false)))
    })
    if (handled) ctx.respond = false
    else await next()
  }
}
