// Names and options of every cookie the app sets, in one place.
// With Secure cookies every name carries the `__Host-` prefix: the browser then accepts the cookie
// only from this exact host, over HTTPS, for path `/` and without a Domain, so a sibling subdomain
// cannot plant or overwrite it.
import type { Context } from 'koa'

export interface CookieNames {
  session: string
  sessionKey: string
  csrf: string
  flash: string
}

export interface CookieSettings {
  secure: boolean
  names: CookieNames
}

export function cookieSettings(secure: boolean): CookieSettings {
  const prefix = secure ? '__Host-' : ''
  return {
    secure,
    names: { session: `${prefix}nid.sid`, sessionKey: `${prefix}nid.sk`, csrf: `${prefix}nid.csrf`, flash: `${prefix}nid.flash` },
  }
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
