// Two-factor authentication (TOTP, RFC 6238). Placeholder of the contract the settings page uses;
// the implementation replaces it (issue 9).
import type { ServiceDeps, Viewer } from './types.js'

export interface TwoFactorStatus {
  enabled: boolean
  /** When not enabled: a fresh secret to confirm, as text and as a server-rendered QR code. */
  setup: { secret: string; otpauthUrl: string; qrSvg: string } | null
}

export function createTwoFactorService(_deps: ServiceDeps) {
  return {
    async status(_viewer: Viewer): Promise<TwoFactorStatus> {
      return { enabled: false, setup: null }
    },
  }
}
export type TwoFactorService = ReturnType<typeof createTwoFactorService>
