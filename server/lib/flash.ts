// One-time messages carried in a short-lived signed cookie, so anonymous flows (logout, failed
// verification) need no server-side session.
import type { Context } from 'koa'
import { clearCookie, cookieOptions, type CookieSettings } from './cookies.js'
import type { Flash } from '../../shared/contract.js'

export function setFlash(ctx: Context, settings: CookieSettings, flash: Flash) {
  const value = Buffer.from(JSON.stringify(flash)).toString('base64url')
  ctx.cookies.set(settings.names.flash, value, cookieOptions(settings, 60_000))
}

export function takeFlash(ctx: Context, settings: CookieSettings): Flash | null {
  const raw = ctx.cookies.get(settings.names.flash, { signed: true })
  if (!raw) return null
  clearCookie(ctx, settings.names.flash, settings)
  try {
    const f = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
    if ((f.type === 'success' || f.type === 'error' || f.type === 'info') && typeof f.message === 'string') {
      return { type: f.type, message: f.message.slice(0, 500) }
    }
  } catch {
    // a tampered cookie fails the signature check before this; ignore anything odd
  }
  return null
}
