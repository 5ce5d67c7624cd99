// A POST that the proxy resends to another replica is carried out at most once.
//
// Why the proxy resends POSTs at all: when a replica stops, a connection that nginx opened in the
// instant between the app's last accept() and the closing of its listener sits in the kernel's
// accept queue, is reset when the listener closes, and nginx cannot tell that reset from one that
// follows a request the app did read. Without `non_idempotent` such a POST gets a 502; with it,
// nginx sends it again (docker/nginx.conf, ADR 010). This guard makes that resend safe: the
// proxy's request id, the same on every attempt of one client request, is claimed in Redis before
// anything else runs. A second attempt finds it claimed and gets 409 instead of a second write;
// a first attempt the app never saw claims nothing, so its resend is carried out normally.
import type { Middleware } from 'koa'
import { AppError, downDependency } from '../lib/errors.js'
import type { KeyValue } from '../lib/kv.js'

/** Longer than nginx may spend on one request's attempts (proxy_next_upstream_timeout 10s). */
const CLAIM_TTL_MS = 10 * 60_000

export const ALREADY_RECEIVED_MESSAGE =
  'This form reached the server twice (it was resent after a connection problem), and the second copy was not carried out, so nothing was done twice. Reload the page to see the result.'

export function resentPostGuard(kv: KeyValue, opts: { trustProxy: boolean }): Middleware {
  return async (ctx, next) => {
    // Without a trusted proxy nothing resends, and the id is whatever the client chose.
    if (ctx.method !== 'POST' || !opts.trustProxy || !ctx.state.requestIdFromClient) return next()
    const key = `attempt:${ctx.state.requestId}`
    if (!(await kv.claim(key, CLAIM_TTL_MS))) {
      ctx.state.log.warn('a resent request was refused: its first attempt reached a replica')
      throw new AppError(409, ALREADY_RECEIVED_MESSAGE)
    }
    // A 503 (PostgreSQL or Redis down) wrote nothing: its transaction rolled back. nginx resends
    // those too, and the resend must be free to run.
    const release = () => kv.del(key).catch(() => {})
    try {
      await next()
    } catch (err) {
      if (downDependency(err)) await release()
      throw err
    }
    if (ctx.status === 503) await release()
  }
}
