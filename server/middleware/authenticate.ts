// Who is making this request, from the Redis session alone: no SQL query. Enforces the idle
// timeout and writes the device's "last seen" at most once a minute.
import type { Middleware } from 'koa'
import { IDLE_TIMEOUT_MS, LAST_SEEN_EVERY_MS, type SessionData } from '../lib/sessions.js'
import { endSession, sessionVaultKey, type SessionDeps } from '../lib/authSession.js'
import type { DevicesService } from '../services/devices.js'

export interface CurrentUser {
  id: string
  name: string
  email: string
  verified: boolean
  deviceId: string
}

export function authenticate(deps: SessionDeps & { devices: DevicesService }): Middleware {
  return async (ctx, next) => {
    // Only a request that carries a session cookie touches the store.
    if (ctx.cookies.get('nid.sid')) {
      const s = ctx.session as unknown as SessionData
      if (s.uid && s.did) {
        const now = Date.now()
        const idle = now - (s.seenAt ?? 0) > IDLE_TIMEOUT_MS
        if (idle || !sessionVaultKey(ctx)) {
          await endSession(ctx, deps)
        } else {
          ctx.state.user = {
            id: s.uid,
            name: s.name ?? '',
            email: s.email ?? '',
            verified: !!s.verified,
            deviceId: s.did,
          } satisfies CurrentUser
          if (now - (s.seenAt ?? 0) > LAST_SEEN_EVERY_MS) {
            s.seenAt = now // renews the idle timeout (the session is saved with a fresh TTL)
            deps.devices.touch(s.did, new Date(now)).catch((err) => ctx.state.log?.warn({ err }, 'last seen update failed'))
          }
        }
      }
    }
    await next()
  }
}
