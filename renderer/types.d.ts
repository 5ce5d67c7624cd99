import type { Services } from '../server/services/index.js'
import type { Flash, FormState } from '../shared/contract.js'
import type { Viewer } from '../server/services/types.js'
import type { SessionUser } from '../shared/user.js'
import type { DiagnosticsReport } from '../shared/diagnostics.js'

declare global {
  namespace Vike {
    interface PageContext {
      /** The logged-in user, the browser's one copy of it (null when logged out). */
      user: SessionUser | null
      csrfToken: string
      flash: Flash | null
      form: FormState | null
      /** Server only (not in passToClient). */
      services: Services
      /** Server only: the user with their open vault key (server/session/authenticate.ts), or null. */
      viewer: Viewer | null
      /** Server only: the device of this session (settings marks it). */
      deviceId: string | null
      /** /admin pages: the master password was typed within the last 10 minutes (ADR 036). */
      adminUnlocked: boolean
      /** Server only: /admin/diagnostics' report (issue 24). */
      diagnostics: () => Promise<DiagnosticsReport>
      /** Server only: spends a point of the per-user copy budget before a page shows a secret (?reveal=); a 429 abort past it. */
      spendSecretRead: () => Promise<void>
      /** Server only: a recovery code still to be shown once (sealed in the session), or null. */
      recoveryCode: () => string | null
      /** `back`: the form to return to (a 429 from /login, /register ...): the error page links to it. */
      appError: { status: number; message: string; back?: string } | null
      /** Server only: the session is a login waiting for its second factor (/login/2fa). */
      pendingMfa?: boolean
    }
  }
}
export {}
