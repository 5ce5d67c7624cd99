// Where /admin/unlock sends an administrator back to, the one rule for the server's redirect and
// the page's hidden field: a path of the admin area on this origin (safeNext), never the unlock
// page itself, else /admin.
import { safeNext } from './safeNext.js'

export const ADMIN_UNLOCK = '/admin/unlock'

export function adminNext(raw: unknown): string {
  if (raw === undefined) return '/admin'
  const next = safeNext(raw)
  return /^\/admin(?:[/?#]|$)/.test(next) && !next.startsWith(ADMIN_UNLOCK) ? next : '/admin'
}
