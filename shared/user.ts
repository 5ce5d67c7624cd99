// Who is logged in, as every session caches it and every page receives it (page context `user`):
// the one shape of the logged-in user, server and browser alike. No secrets.
import type { Theme } from '../models/User.js'

export type { Theme }

export interface SessionUser {
  id: string
  name: string
  email: string
  verified: boolean
  /** The chosen appearance: every page is rendered in it (<html data-theme>) with no SQL query. */
  theme: Theme
  /** The IANA time zone every date is written in (shared/formatDate.ts); null until known (UTC). */
  timeZone: string | null
  /** The admin role (issue 24): the nav shows "Admin"; /admin itself also needs twoFactor. */
  admin: boolean
  /** Two-factor is on: an administrator without it gets 404 on /admin (ADR 036). */
  twoFactor: boolean
}
