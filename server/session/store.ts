// Session storage and the per-user session index.
// koa-session keeps only the session id in the `nid.sid` cookie; the data lives in Redis via
// koa-redis (or process memory in development). The index (user -> session ids, device -> session
// id) is what lets a device be revoked or every other session be ended.
import redisStore from 'koa-redis'
import type { DefaultState } from 'koa'
import type { KeyValue } from '../lib/kv.js'
import { AppError } from '../lib/errors.js'
import type { SessionUser } from '../../shared/user.js'

export const IDLE_TIMEOUT_MS = 12 * 60 * 60 * 1000
export const REMEMBER_MS = 30 * 24 * 60 * 60 * 1000
/** Absolute lifetime from the login, whatever the activity (ASVS 3.3.2). */
export const LIFETIME_MS = { remember: REMEMBER_MS, browser: 24 * 60 * 60 * 1000 }
export const LAST_SEEN_EVERY_MS = 60 * 1000

/**
 * What a logged-in session carries: enough to authenticate a request with no SQL query. The user
 * fields are the SessionUser's (its id as `uid`), flat: the stored format of sessions in Redis.
 */
export interface SessionData extends Partial<Omit<SessionUser, 'id'>> {
  uid?: string
  did?: string
  /** The vault key sealed under the per-session key from the `nid.sk` cookie (base64). */
  vk?: string
  /** A recovery code still to be shown once, sealed like vk (base64). */
  rc?: string
  seenAt?: number
  /** When the user logged in: the absolute lifetime counts from here. */
  createdAt?: number
  remember?: boolean
  /**
   * When the master password was last typed in this session: at login (the password step) and at
   * /admin/unlock. /admin is open for ADMIN_REAUTH_SECONDS after it (ADR 036).
   */
  pwAt?: number
  /**
   * 'pending': the password step of a login passed, the second factor (TOTP) not yet. Such a
   * session has no device (`did`) and authenticates no request (authenticate.ts): it
   * reaches only /login/2fa and /logout.
   */
  mfa?: 'pending'
  /** Pending only: where to go once the second factor is given (already checked by safeNext). */
  next?: string
}

/** koa-session's session object (ctx.session): our data, and the two members of its class we use. */
export type KoaSession = SessionData & {
  /** In ms, or 'session' for a cookie that ends with the browser. */
  maxAge: number | 'session'
  regenerate(): Promise<void>
}

/** A user field the sessions cache, changed in all of them at once (lifecycle.ts updateSessionUser). */
export type SessionUserPatch = Partial<Omit<SessionUser, 'id'>>

/** The user a session caches (defaults for a session written before a field existed). */
export function sessionUserOf(uid: string, s: SessionData): SessionUser {
  return {
    id: uid,
    name: s.name ?? '',
    email: s.email ?? '',
    verified: !!s.verified,
    theme: s.theme ?? 'system',
    timeZone: s.timeZone ?? null,
    admin: !!s.admin,
    twoFactor: !!s.twoFactor,
  }
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

/** The devices among `dids` whose session is still alive (settings lists only those as logged in). */
export async function liveDevices(kv: KeyValue, dids: readonly string[]): Promise<Set<string>> {
  const live = await Promise.all(
    dids.map(async (did) => {
      const sid = await kv.get(deviceSessionKey(did))
      return sid !== null && (await kv.exists(sessionKey(sid)))
    }),
  )
  return new Set(dids.filter((_, i) => live[i]))
}

/**
 * A regeneration of a logged-in session (lifecycle.ts) that must take the old id's place only
 * if the old id still exists: set in ctx.state before koa-session's regenerate(), which destroys
 * the old key and writes the new one in two steps. The store skips that destroy and makes the
 * write one atomic swap (rotateSession below), so a session revoked while its request was in
 * flight cannot come back under a new id.
 */
export interface SessionRotation {
  from: string
  uid: string
  did?: string
}

/** Thrown when a regeneration finds its old session already ended (revoked elsewhere). */
export class SessionEndedError extends AppError {
  constructor() {
    super(401, 'You were logged out (on this or another device) before this was saved. Log in again.')
  }
}

/** What koa-session passes to the store: the request, whose state says if the id is new. */
interface StoreOptions {
  ctx?: { state: DefaultState }
}

export interface SessionStoreShape {
  get(key: string): Promise<unknown>
  set(key: string, sess: unknown, maxAge?: unknown, opts?: StoreOptions): Promise<void>
  destroy(key: string, opts?: StoreOptions): Promise<void>
}

/**
 * koa-session writes the whole session back at the end of a request. Only an id created in this
 * request (a new or regenerated session, see `genid` in app.ts) may create a key, and only once:
 * every later write, and every write of an existing session, happens only while the key still
 * exists (SET ... XX). A request in flight while its session is revoked elsewhere therefore cannot
 * bring it back, under its old id or a new one.
 */
export function createSessionStore(kv: KeyValue, index: SessionIndex): SessionStoreShape {
  const write = async (sid: string, sess: unknown, opts?: StoreOptions) => {
    const state = opts?.ctx?.state
    const creates = state?.newSessionId === sid && state.newSessionWritten !== sid
    const value = JSON.stringify(sess)
    if (creates && state.sessionRotation) {
      const rotation = state.sessionRotation
      state.sessionRotation = undefined
      if (!(await index.rotate(rotation, sid, value, ttlOf(sess)))) throw new SessionEndedError()
    } else {
      await kv.set(sessionKey(sid), value, ttlOf(sess), { onlyIfExists: !creates })
    }
    if (creates) state.newSessionWritten = sid
  }
  const destroy = async (sid: string, opts?: StoreOptions) => {
    // The old id of a rotation is deleted by the rotation itself, atomically with the new write.
    if (opts?.ctx?.state.sessionRotation?.from === sid) return
    await kv.del(sessionKey(sid))
  }
  if (kv.redis) {
    const store = redisStore({ client: kv.redis })
    return {
      get: (sid) => store.get(sessionKey(sid), IDLE_TIMEOUT_MS, { rolling: false }),
      set: (sid, sess, _maxAge, opts) => write(sid, sess, opts),
      destroy,
    }
  }
  return {
    get: async (sid) => {
      const raw = await kv.get(sessionKey(sid))
      return raw ? JSON.parse(raw) : null
    },
    set: (sid, sess, _maxAge, opts) => write(sid, sess, opts),
    destroy,
  }
}

// The index's changes that race with each other (a regeneration against a revocation) are each one
// Lua script in Redis, so they apply in some order, whole. KEYS get ioredis' key prefix; keys a
// script builds from a set member are prefixed by hand (ARGV).
const ROTATE = `
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('SREM', KEYS[3], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
if KEYS[4] then redis.call('SET', KEYS[4], ARGV[4], 'PX', ARGV[5]) end
return 1`
const REVOKE_DEVICE = `
local sid = redis.call('GET', KEYS[1])
if not sid then return 0 end
redis.call('DEL', ARGV[1] .. 'sess:' .. sid, KEYS[1])
redis.call('SREM', KEYS[2], sid)
return 1`
const REVOKE_USER = `
local n = 0
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if sid ~= ARGV[2] then
    n = n + redis.call('DEL', ARGV[1] .. 'sess:' .. sid)
    redis.call('SREM', KEYS[1], sid)
  end
end
return n`

export function createSessionIndex(kv: KeyValue) {
  const redis = kv.redis
  // Process memory (development, one worker): the same steps, one at a time.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work)
    queue = run.catch(() => {})
    return run
  }

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
    /**
     * Replaces session `from` by `sid` (same user, new id) only if `from` still exists: deletes it,
     * writes the new one and moves the index entries, as one step. False when it was revoked.
     */
    async rotate(from: SessionRotation, sid: string, value: string, ttlMs: number): Promise<boolean> {
      const keys = [sessionKey(from.from), sessionKey(sid), userSessionsKey(from.uid), ...(from.did ? [deviceSessionKey(from.did)] : [])]
      if (redis) return (await redis.eval(ROTATE, keys.length, ...keys, value, ttlMs, from.from, sid, REMEMBER_MS)) === 1
      return serial(async () => {
        if (!(await kv.exists(keys[0]!))) return false
        await kv.del(keys[0]!)
        await kv.set(keys[1]!, value, ttlMs)
        await kv.sRem(keys[2]!, from.from)
        await kv.sAdd(keys[2]!, sid, REMEMBER_MS)
        if (from.did) await kv.set(keys[3]!, sid, REMEMBER_MS)
        return true
      })
    },
    /** Ends the session of one device at once. */
    async revokeDevice(uid: string, did: string) {
      if (redis) return void (await redis.eval(REVOKE_DEVICE, 2, deviceSessionKey(did), userSessionsKey(uid), kv.prefix))
      await serial(async () => {
        const sid = await kv.get(deviceSessionKey(did))
        if (!sid) return
        await kv.del(sessionKey(sid), deviceSessionKey(did))
        await kv.sRem(userSessionsKey(uid), sid)
      })
    },
    /**
     * Changes what every session of a user says about them (e.g. verified after the emailed link
     * was opened on another device), so no session needs a database query to learn it.
     */
    async updateUserSessions(uid: string, patch: SessionUserPatch) {
      for (const sid of await kv.sMembers(userSessionsKey(uid))) {
        const raw = await kv.get(sessionKey(sid))
        if (!raw) {
          await kv.sRem(userSessionsKey(uid), sid)
          continue
        }
        // The idle timeout is still enforced by seenAt (authenticate.ts). XX: a session
        // revoked between the read and this write stays revoked.
        const next = { ...JSON.parse(raw), ...patch }
        await kv.set(sessionKey(sid), JSON.stringify(next), ttlOf(next), { onlyIfExists: true })
      }
    },
    /**
     * Ends every session of a user except `keepSid` (password change, "log out other devices").
     * Returns how many were still alive (an expired session's id may linger in the set).
     */
    async revokeUserSessions(uid: string, keepSid?: string): Promise<number> {
      if (redis) return Number(await redis.eval(REVOKE_USER, 1, userSessionsKey(uid), kv.prefix, keepSid ?? ''))
      return serial(async () => {
        const doomed = (await kv.sMembers(userSessionsKey(uid))).filter((s) => s !== keepSid)
        let alive = 0
        for (const s of doomed) if (await kv.exists(sessionKey(s))) alive++
        if (doomed.length) await kv.del(...doomed.map(sessionKey))
        for (const s of doomed) await kv.sRem(userSessionsKey(uid), s)
        return alive
      })
    },
    /** Whether the session still exists (a request re-checks after reading its body, before writing). */
    exists: (sid: string) => kv.exists(sessionKey(sid)),
  }
}
export type SessionIndex = ReturnType<typeof createSessionIndex>
