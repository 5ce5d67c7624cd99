// Who is making this request, from the Redis session alone: no SQL query. Enforces the idle
// timeout and the absolute lifetime from the login, and writes the device's "last seen" at most
// once a minute. Sets ctx.state.user, deviceId and viewer (the open vault key) once per request.
import type { Middleware } from 'koa'
import { IDLE_TIMEOUT_MS, LAST_SEEN_EVERY_MS, sessionEndsAt, sessionUserOf } from './store.js'
import { endSession, readSessionCookies, sessionVaultKey, type SessionDeps } from './lifecycle.js'
import type { DevicesService } from '../services/devices.js'
import { downDependency, isDependencyDown } from '../lib/errors.js'

export function authenticate(deps: SessionDeps & { devices: DevicesService }): Middleware {
  return async (ctx, next) => {
    readSessionCookies(ctx, deps.cookieSettings)
    // Only a request that carries a session cookie touches the store.
    const s = ctx.cookies.get(deps.cookieSettings.names.session) ? ctx.session : null
    if (s?.mfa === 'pending' && s.uid) {
      // Half logged in (password given, second factor not yet): no ctx.state.user, so every
      // guard refuses it; only /login/2fa and /logout look at ctx.state.pendingMfa.
      if (Date.now() >= sessionEndsAt(s)) await endSession(ctx, deps)
      else ctx.state.pendingMfa = { userId: s.uid }
    } else if (s?.uid && s.did) {
      const now = Date.now()
      const idle = now - (s.seenAt ?? 0) > IDLE_TIMEOUT_MS
      const over = now >= sessionEndsAt(s)
      // A session whose vault key cannot be opened (its nid.sk cookie lost or foreign) is over.
      // The key is unsealed here, once for the whole request.
      const vaultKey = idle || over ? null : sessionVaultKey(ctx)
      if (!vaultKey) {
        await endSession(ctx, deps)
      } else {
        ctx.state.user = sessionUserOf(s.uid, s)
        ctx.state.deviceId = s.did
        ctx.state.viewer = { userId: s.uid, vaultKey }
        if (now - (s.seenAt ?? 0) > LAST_SEEN_EVERY_MS) {
          s.seenAt = now // renews the idle timeout (the session is saved with a fresh TTL)
          // Best effort: an outage is already reported once by the error handler, so no stack here.
          deps.devices.touch(s.did, new Date(now)).catch((err) =>
            ctx.state.log?.warn(isDependencyDown(err) ? { dependency: downDependency(err) } : { err }, 'last seen update failed'),
          )
        }
      }
    }
    await next()
  }
}
