// The shapes only the server sees: what the services are built from and who is asking. What they
// return to the pages is the browser's contract, shared/contract.ts.
import type { Sequelize } from 'sequelize'
import type { Models } from '../../models/index.js'
import type { KdfParams } from '../lib/crypto.js'
import type { KeyValue } from '../lib/kv.js'
import type { SignupPolicy } from '../../models/InstanceSettings.js'

export interface ServiceDeps {
  sequelize: Sequelize
  models: Models
  kdf: KdfParams
  /** Keys for email verification links: the first signs, every one verifies (rotation). */
  tokenKeys: Buffer[]
  limits: {
    foldersPerUser: number
    itemsPerFolder: number
    membersPerFolder: number
    /** Attachments (ADR 033): bytes per file and per owner; 10 MB and 250 MB when absent. */
    attachmentBytes?: number
    attachmentQuotaBytes?: number
  }
  /** Sign-up defaults from the environment (issue 24); open, 7 days when absent. */
  signup?: { policy: SignupPolicy; domains: string[]; inviteTtlMs: number }
  /** How mail goes out (issue 24, /admin/mail): SMTP_URL, or files under `dir`. */
  mail?: { smtpUrl?: string; from: string; dir: string }
  /** How long security activity is kept (issue 25); 180 days when absent. */
  activityRetentionMs?: number
  /** Short-lived per-user state (an import's result): the app's Redis; process memory if absent. */
  kv?: KeyValue
}

/** Who is asking: the session's user id and their unwrapped vault key. */
export interface Viewer {
  userId: string
  vaultKey: Buffer
}
