// Isomorphic guard for redirect targets taken from the request (`next`): the server uses it for the
// 303 Location and the JSON `redirect` after login, the browser for the login form's hidden field
// and before following any `redirect` an enhanced form receives. Only a path on the app's own
// origin gets through; anything else becomes /dashboard.

const SAFE_NEXT_FALLBACK = '/dashboard'

const MAX_LENGTH = 2048
// The URL parser silently drops tab, CR and LF ("/\t/evil.example" parses as "//evil.example"),
// so control characters are refused on the raw string, before parsing.
const CONTROL = /[\u0000-\u001f\u007f]/
// Encoded slashes and backslashes in the path: a later decode (a proxy, a router, the user copying
// the URL) could turn them into "//" or "/\". In the query they are data (a search for "a/b", a
// nested `next`) and stay.
const ENCODED_SLASH = /%(2f|5c)/i
const pathOf = (next: string) => next.split(/[?#]/, 1)[0]!
// A fixed, never-resolvable base instead of APP_ORIGIN or window.location.origin: the origin only
// matters for the same-origin comparison, so a constant keeps the function pure and gives the
// same answer on the server, in the server render of the login page and in the browser.
const BASE = 'http://nucleusid.invalid'

/** The normalised `pathname + search + hash` of `next` if it is a path on this origin, else /dashboard. */
export function safeNext(next: unknown): string {
  if (
    typeof next !== 'string' ||
    next.length > MAX_LENGTH ||
    !next.startsWith('/') ||
    next.startsWith('//') ||
    next.includes('\\') ||
    CONTROL.test(next) ||
    ENCODED_SLASH.test(pathOf(next))
  ) {
    return SAFE_NEXT_FALLBACK
  }
  let url: URL
  try {
    url = new URL(next, BASE)
  } catch {
    return SAFE_NEXT_FALLBACK
  }
  if (url.origin !== BASE) return SAFE_NEXT_FALLBACK
  const path = url.pathname + url.search + url.hash
  // Dot segments collapse: "/.//evil.example", "/..//evil.example" and "/%2e//evil.example" all
  // resolve to the path "//evil.example", which a browser given it as a Location (or anyone who
  // applies this function once more) reads as another host.
  if (path.startsWith('//') || path.startsWith('/\\')) return SAFE_NEXT_FALLBACK
  return path
}
