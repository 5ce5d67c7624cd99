// Names and options of every cookie the app sets, in one place.
import type { Context } from 'koa'

export const SESSION_COOKIE = 'nid.sid'
export const SESSION_KEY_COOKIE = 'nid.sk'
export const CSRF_COOKIE = 'nid.csrf'
export const FLASH_COOKIE = 'nid.flash'

export interface CookieSettings {
  secure: boolean
}

export function cookieOptions(settings: CookieSettings, maxAge?: number) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    signed: true,
    secure: settings.secure,
    overwrite: true,
    path: '/',
    ...(maxAge ? { maxAge } : {}),
  }
}

export function clearCookie(ctx: Context, name: string, settings: CookieSettings) {
  ctx.cookies.set(name, '', { ...cookieOptions(settings), maxAge: 0, expires: new Date(0) })
}
