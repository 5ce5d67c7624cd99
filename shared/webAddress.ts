// An item's web addresses as links: the host of one as typed, and a link only for http(s).

/** The host name of a URL as typed ("example.com/login" counts as https), or ''. */
export function hostOf(url: string): string {
  const u = parseUrl(url)
  return u ? u.hostname : ''
}

/** A link that is safe to put in an href: http(s) only, never javascript: or data:. */
export function safeHref(url: string): string | null {
  const u = parseUrl(url)
  return u && (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' ? u.href : null
}

function parseUrl(raw: string): URL | null {
  const url = raw.trim()
  if (url === '') return null
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^(mailto|tel|sms|javascript|vbscript|data|blob|about|file):/i.test(url) ? url : `https://${url}`
  try {
    return new URL(candidate)
  } catch {
    return null
  }
}
