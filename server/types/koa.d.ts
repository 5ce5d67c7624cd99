// Every key a request keeps in ctx.state, typed, with the middleware that sets it; and ctx.session
// as this app stores it (koa-session leaves it untyped).
import type { Logger } from '../lib/logger.js'
import type { ServiceUnavailableError } from '../lib/errors.js'
import type { KoaSession, SessionRotation } from '../session/store.js'
import type { SessionUser } from '../../shared/user.js'
import type { Viewer } from '../services/types.js'

declare module 'koa' {
  interface DefaultState {
    // requestContext
    requestId: string
    /** The id came from the proxy's X-Request-Id (resentPosts.ts keys on it only then). */
    requestIdFromClient: boolean
    log: Logger
    // securityHeaders
    cspNonce: string
    // lib/csrf.ts: the anonymous forms' seed, read from its cookie once per request.
    csrfSeed?: string
    // The session (session/): its id (cookie, or `genid` in app.ts), per-session key and rotation.
    sessionId?: string
    /** An id created by this request: the only kind the store lets a write create (store.ts). */
    newSessionId?: string
    newSessionWritten?: string
    /** The per-session key from the nid.sk cookie (base64url), which opens the sealed vault key. */
    sessionKey?: string
    sessionRotation?: SessionRotation
    // session/authenticate.ts: who is asking, set once per request; absent when logged out.
    user?: SessionUser
    deviceId?: string
    /** The user with their open vault key, for the services. */
    viewer?: Viewer
    /** A login waiting for its second factor: no user, reaches only /login/2fa and /logout. */
    pendingMfa?: { userId: string }
    // render.ts: an outage met while rendering, for the error middleware's log.
    unavailable?: ServiceUnavailableError
  }
  interface DefaultContext {
    session: KoaSession | null
  }
}
