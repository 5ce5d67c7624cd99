// Starting, continuing and ending a logged-in session, and what it holds sealed.
// The vault key is stored in the Redis session only sealed under a random per-session key that
// lives in the `nid.sk` cookie: the Redis data alone or the cookie alone cannot open the vault.
import { randomBytes } from 'node:crypto'
import type { Context } from 'koa'
import * as crypto from '../lib/crypto.js'
import { clearCookie, cookieOptions, type CookieSettings } from '../lib/cookies.js'
import { REMEMBER_MS, SessionEndedError, sessionUserOf, type KoaSession, type SessionData, type SessionIndex, type SessionUserPatch } from './store.js'
import type { SessionUser } from '../../shared/user.js'

const VK_AAD = crypto.sessionAad('vault-key')
const RC_AAD = crypto.sessionAad('recovery-code')

export interface SessionDeps {
  cookieSettings: CookieSettings
  sessionIndex: SessionIndex
}

/** Reads the session id and per-session key cookies into ctx.state (authenticate.ts). */
export function readSessionCookies(ctx: Context, settings: CookieSettings) {
  ctx.state.sessionId ??= ctx.cookies.get(settings.names.session, { signed: true })
  ctx.state.sessionKey ??= ctx.cookies.get(settings.names.sessionKey, { signed: true })
}

export function currentSessionId(ctx: Context): string | undefined {
  return ctx.state.sessionId
}

function sessionKey(ctx: Context): Buffer | null {
  const raw = ctx.state.sessionKey
  if (!raw) return null
  const key = Buffer.from(raw, 'base64url')
  return key.length === 32 ? key : null
}

export async function startSession(
  ctx: Context,
  deps: SessionDeps,
  args: {
    user: SessionUser
    /** Absent only with pendingMfa: the device is created once the second factor is given. */
    deviceId?: string
    vaultKey: Buffer
    remember: boolean
    recoveryCode?: string
    /** A login whose password step passed and whose second factor (TOTP) is still to come. */
    pendingMfa?: { next: string }
    /**
     * The new session continues the current one (a privilege change, or the second factor of a
     * login): it is created only if the current one still exists, in one atomic step, else
     * SessionEndedError. A fresh login from a password replaces whatever session was there.
     */
    continues?: boolean
  },
) {
  if (!args.deviceId && !args.pendingMfa) throw new Error('startSession needs a device for a full login')
  // A new id at every login: a session id planted before login (fixation) is worthless after.
  const old = ctx.session
  const oldSid = currentSessionId(ctx)
  if (args.continues) {
    if (!old?.uid || !oldSid) throw new SessionEndedError()
    ctx.state.sessionRotation = { from: oldSid, uid: old.uid, did: args.deviceId }
  } else {
    if (old?.uid) await deps.sessionIndex.unlink(old.uid, oldSid ?? '', old.did)
    // The request's viewer was the old session's (or none); it acts as nobody new until the next one.
    ctx.state.viewer = undefined
  }
  ctx.session = null
  // A fresh, empty session object: koa-session's setter wraps it in its Session class.
  ctx.session = {} as KoaSession

  const key = randomBytes(32)
  const maxAge = args.remember ? REMEMBER_MS : undefined
  const s = ctx.session
  const now = Date.now()
  const { id: uid, ...userFields } = args.user
  Object.assign(s, {
    uid,
    did: args.deviceId,
    ...userFields,
    vk: crypto.seal(key, args.vaultKey, VK_AAD).toString('base64'),
    rc: args.recoveryCode ? crypto.seal(key, Buffer.from(args.recoveryCode), RC_AAD).toString('base64') : undefined,
    seenAt: now,
    createdAt: now,
    // A session that continues another (second factor, privilege change) keeps when the password
    // was typed; every other start is a password (or recovery code) just given.
    pwAt: args.continues ? old?.pwAt : now,
    remember: args.remember,
    ...(args.pendingMfa ? { mfa: 'pending' as const, next: args.pendingMfa.next } : {}),
  } satisfies SessionData)
  s.maxAge = args.remember ? REMEMBER_MS : 'session'
  try {
    await s.regenerate()
  } catch (e) {
    if (e instanceof SessionEndedError) forgetSession(ctx, deps)
    throw e
  }
  // Only once the new session exists does the browser get its key.
  ctx.state.sessionKey = key.toString('base64url')
  ctx.cookies.set(deps.cookieSettings.names.sessionKey, ctx.state.sessionKey, cookieOptions(deps.cookieSettings, maxAge))
  const sid = ctx.state.sessionId!
  // A rotation moved the index entries with the session; a new login adds them.
  if (!args.continues) await deps.sessionIndex.link(args.user.id, sid, args.deviceId)
  return sid
}

/**
 * A new session id and per-session key for the same login, at a privilege change (password,
 * two-factor on or off, email change): an id or cookie stolen before is worthless after. Keeps the
 * login time, so the absolute lifetime is not extended. Only while the current session still
 * exists: a session revoked while this request was in flight throws SessionEndedError and stays ended.
 */
export async function regenerateSession(ctx: Context, deps: SessionDeps) {
  const old = { ...ctx.session }
  const vaultKey = ctx.state.viewer?.vaultKey
  if (!old.uid || !old.did || !vaultKey) throw new Error('regenerateSession needs a logged-in session')
  const user = sessionUserOf(old.uid, old)
  const sid = await startSession(ctx, deps, { user, deviceId: old.did, vaultKey, remember: !!old.remember, continues: true })
  ctx.session!.createdAt = old.createdAt
  return sid
}

/**
 * Changes a field every session of a user caches about them (a new name, email, verified, theme):
 * in the store for their other sessions, and in this request's own session and ctx.state.user
 * (koa-session writes this one back whole at the end of the request). No session then needs a SQL
 * query to learn it. Every route that changes such a field calls this, and nothing else writes it.
 */
export async function updateSessionUser(ctx: Context, deps: SessionDeps, userId: string, patch: SessionUserPatch) {
  await deps.sessionIndex.updateUserSessions(userId, patch)
  if (ctx.state.user?.id !== userId) return
  Object.assign(ctx.session!, patch)
  ctx.state.user = { ...ctx.state.user, ...patch }
}

/**
 * Re-checks, after a request's body was read (seconds may have passed), that its session was not
 * ended meanwhile (device revoked, logged out elsewhere, password changed). If it was, the request
 * continues logged out: no write is made in the name of an ended session. True while it is alive.
 */
export async function ensureSessionAlive(ctx: Context, deps: SessionDeps): Promise<boolean> {
  if (!ctx.state.user && !ctx.state.pendingMfa) return true
  const sid = currentSessionId(ctx)
  if (sid && (await deps.sessionIndex.exists(sid))) return true
  forgetSession(ctx, deps)
  return false
}

/** Drops the session of this request without touching the index (it is already gone). */
function forgetSession(ctx: Context, deps: SessionDeps) {
  clearCookie(ctx, deps.cookieSettings.names.sessionKey, deps.cookieSettings)
  ctx.state.sessionRotation = undefined
  ctx.session = null
  ctx.state.user = undefined
  ctx.state.deviceId = undefined
  ctx.state.viewer = undefined
  ctx.state.pendingMfa = undefined
  ctx.state.sessionKey = undefined
}

/** The half-made login of a session waiting for its second factor, with its open vault key. */
export interface PendingLogin {
  user: SessionUser
  vaultKey: Buffer
  remember: boolean
  next: string
}

/** Null unless the session is a pending login (authenticate.ts) whose vault key opens. */
export function pendingLogin(ctx: Context): PendingLogin | null {
  const s = ctx.session
  if (!ctx.state.pendingMfa || s?.mfa !== 'pending' || !s.uid) return null
  const vaultKey = sessionVaultKey(ctx)
  if (!vaultKey) return null
  return {
    user: sessionUserOf(s.uid, s),
    vaultKey,
    remember: !!s.remember,
    next: s.next ?? '/dashboard',
  }
}

export async function endSession(ctx: Context, deps: SessionDeps) {
  const s = ctx.session
  if (s?.uid) await deps.sessionIndex.unlink(s.uid, currentSessionId(ctx) ?? '', s.did)
  ctx.session = null
  ctx.state.viewer = undefined
  ctx.state.pendingMfa = undefined
  ctx.state.sessionKey = undefined
  clearCookie(ctx, deps.cookieSettings.names.sessionKey, deps.cookieSettings)
}

/** The vault key of the current session, or null when it cannot be opened (authenticate.ts). */
export function sessionVaultKey(ctx: Context): Buffer | null {
  const s = ctx.session
  const key = sessionKey(ctx)
  if (!s?.vk || !key) return null
  try {
    return crypto.open(key, Buffer.from(s.vk, 'base64'), VK_AAD)
  } catch {
    return null
  }
}

export function pendingRecoveryCode(ctx: Context): string | null {
  const s = ctx.session
  const key = sessionKey(ctx)
  if (!s?.rc || !key) return null
  try {
    return crypto.open(key, Buffer.from(s.rc, 'base64'), RC_AAD).toString('utf8')
  } catch {
    return null
  }
}

/** Keeps a freshly issued recovery code (settings) in the session, sealed, until it is shown once. */
export function holdRecoveryCode(ctx: Context, code: string) {
  const key = sessionKey(ctx)
  if (!key) throw new Error('holdRecoveryCode needs a logged-in session')
  ctx.session!.rc = crypto.seal(key, Buffer.from(code), RC_AAD).toString('base64')
}

export function clearRecoveryCode(ctx: Context) {
  if (ctx.session) delete ctx.session.rc
}

/** Whether this session's master password was typed recently enough for /admin (at login or /admin/unlock). */
export function adminUnlocked(ctx: Context, windowMs: number): boolean {
  return Date.now() - (ctx.session?.pwAt ?? 0) < windowMs
}
