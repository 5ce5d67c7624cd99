// Session storage and the per-user session index.
// koa-session keeps only the session id in the `nid.sid` cookie; the data lives in Redis via
// koa-redis (or process memory in development). The index (user -> session ids, device -> session
// id) is what lets a device be revoked or every other session be ended.
import redisStore from 'koa-redis'
import type { KeyValue } from './kv.js'
import type { Theme } from '../../models/User.js'

export const IDLE_TIMEOUT_MS = 12 * 60 * 60 * 1000
export const REMEMBER_MS = 30 * 24 * 60 * 60 * 1000
/** Absolute lifetime from the login, whatever the activity (ASVS 3.3.2). */
export const LIFETIME_MS = { remember: REMEMBER_MS, browser: 24 * 60 * 60 * 1000 }
export const LAST_SEEN_EVERY_MS = 60 * 1000

/** What a logged-in session carries: enough to authenticate a request with no SQL query. */
export interface SessionData {
  uid?: string
  did?: string
  name?: string
  email?: string
  verified?: boolean
  /** The chosen appearance, so every page is rendered in it with no SQL query (settings). */
  theme?: Theme
  /** The vault key sealed under the per-session key from the `nid.sk` cookie (base64). */
  vk?: string
  /** A recovery code still to be shown once, sealed like vk (base64). */
  rc?: string
  seenAt?: number
  /** When the user logged in: the absolute lifetime counts from here. */
  createdAt?: number
  remember?: boolean
  /**
   * 'pending': the password step of a login passed, the second factor (TOTP) not yet. Such a
   * session has no device (`did`) and authenticates no request (middleware/authenticate.ts): it
   * reaches only /login/2fa and /logout.
   */
  mfa?: 'pending'
  /** Pending only: where to go once the second factor is given (already checked by safeNext). */
  next?: string
}

/** How long the second step of a login may take before it has to start again. */
export const PENDING_MFA_MS = 10 * 60 * 1000

/** The session's end by its absolute lifetime (0 when it carries no login time: ended). */
export function sessionEndsAt(s: SessionData): number {
  if (!s.createdAt) return 0
  if (s.mfa === 'pending') return s.createdAt + PENDING_MFA_MS
  return s.createdAt + (s.remember ? LIFETIME_MS.remember : LIFETIME_MS.browser)
}

/** Redis TTL for a write: the idle timeout, never past the absolute end. */
function ttlOf(sess: unknown, now = Date.now()): number {
  const end = sessionEndsAt(sess as SessionData)
  return Math.max(1000, Math.min(IDLE_TIMEOUT_MS, end ? end - now : IDLE_TIMEOUT_MS))
}

const sessionKey = (sid: string) => `sess:${sid}`
const userSessionsKey = (uid: string) => `user-sessions:${uid}`
const deviceSessionKey = (did: string) => `device-session:${did}`

/** What koa-session passes to the store: the request, whose state says if the id is new. */
interface StoreOptions {
  ctx?: { state: { newSessionId?: string } }
}

export interface SessionStoreShape {
  get(key: string): Promise<unknown>
  set(key: string, sess: unknown, maxAge?: unknown, opts?: StoreOptions): Promise<void>
  destroy(key: string): Promise<void>
}

/**
 * koa-session writes the whole session back at the end of a request. Only an id created in this
 * request (a new or regenerated session, see `genid` in app.ts) may create a key; an existing
 * session is written only while it still exists (SET ... XX). A request in flight while its session
 * is revoked elsewhere therefore cannot bring it back outside the per-user index.
 */
export function createSessionStore(kv: KeyValue): SessionStoreShape {
  const write = async (sid: string, sess: unknown, opts?: StoreOptions) => {
    const isNew = opts?.ctx?.state.newSessionId === sid
    await kv.set(sessionKey(sid), JSON.stringify(sess), ttlOf(sess), { onlyIfExists: !isNew })
  }
  if (kv.redis) {
    const store = redisStore({ client: kv.redis })
    return {
      get: (sid) => store.get(sessionKey(sid), IDLE_TIMEOUT_MS, { rolling: false }),
      set: (sid, sess, _maxAge, opts) => write(sid, sess, opts),
      destroy: async (sid) => void (await store.destroy(sessionKey(sid))),
    }
  }
  return {
    get: async (sid) => {
      const raw = await kv.get(sessionKey(sid))
      return raw ? JSON.parse(raw) : null
    },
    set: (sid, sess, _maxAge, opts) => write(sid, sess, opts),
    destroy: (sid) => kv.del(sessionKey(sid)),
  }
}

export function createSessionIndex(kv: KeyValue) {
  return {
    /** `did` is absent for a login waiting for its second factor (it has no device yet). */
    async link(uid: string, sid: string, did?: string) {
      await kv.sAdd(userSessionsKey(uid), sid, REMEMBER_MS)
      if (did) await kv.set(deviceSessionKey(did), sid, REMEMBER_MS)
    },
    async unlink(uid: string, sid: string, did?: string) {
      await kv.sRem(userSessionsKey(uid), sid)
      if (did) await kv.del(deviceSessionKey(did))
    },
    /** Ends the session of one device at once. */
    async revokeDevice(uid: string, did: string) {
      const sid = await kv.get(deviceSessionKey(did))
      if (sid) {
        await kv.del(sessionKey(sid), deviceSessionKey(did))
        await kv.sRem(userSessionsKey(uid), sid)
      }
    },
    /**
     * Changes what every session of a user says about them (e.g. verified after the emailed link
     * was opened on another device), so no session needs a database query to learn it.
     */
    async updateUserSessions(uid: string, patch: Partial<SessionData>) {
      for (const sid of await kv.sMembers(userSessionsKey(uid))) {
        const raw = await kv.get(sessionKey(sid))
        if (!raw) {
          await kv.sRem(userSessionsKey(uid), sid)
          continue
        }
        // The idle timeout is still enforced by seenAt (middleware/authenticate.ts). XX: a session
        // revoked between the read and this write stays revoked.
        const next = { ...JSON.parse(raw), ...patch }
        await kv.set(sessionKey(sid), JSON.stringify(next), ttlOf(next), { onlyIfExists: true })
      }
    },
    /** Ends every session of a user except `keepSid` (password change, "log out other devices"). */
    async revokeUserSessions(uid: string, keepSid?: string) {
      const sids = await kv.sMembers(userSessionsKey(uid))
      const doomed = sids.filter((s) => s !== keepSid)
      if (doomed.length) await kv.del(...doomed.map(sessionKey))
      for (const s of doomed) await kv.sRem(userSessionsKey(uid), s)
    },
  }
}
export type SessionIndex = ReturnType<typeof createSessionIndex>
