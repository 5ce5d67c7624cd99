import type { Services } from '../server/services/index.js'
import type { Flash, FormState } from '../shared/contract.js'
import type { Viewer } from '../server/services/types.js'

declare global {
  namespace Vike {
    interface PageContext {
      user: { id: string; name: string; email: string; verified: boolean } | null
      csrfToken: string
      /** The user's appearance ('system' when logged out): see renderer/+htmlAttributes.ts. */
      theme: 'system' | 'light' | 'dark'
      flash: Flash | null
      form: FormState | null
      /** Server only (not in passToClient). */
      services: Services
      viewer: {
        userId: string
        deviceId: string
        /** The viewer with their open vault key (unsealed once per request), or null. */
        vault: () => Viewer | null
        recoveryCode: () => string | null
      } | null
      /** `back`: the form to return to (a 429 from /login, /register ...): the error page links to it. */
      appError: { status: number; message: string; back?: string } | null
      /** Server only: the session is a login waiting for its second factor (/login/2fa). */
      pendingMfa?: boolean
    }
  }
}
export {}
