// The shapes only the server sees: what the services are built from and who is asking. What they
// return to the pages is the browser's contract, shared/contract.ts.
import type { Sequelize, Transaction } from 'sequelize'
import type { Models } from '../../models/index.js'
import type { KdfParams } from '../lib/crypto.js'
import type { KeyValue } from '../lib/kv.js'
import type { SignupPolicy } from '../../models/InstanceSettings.js'
import type { ActivityDetails, ActivityKind } from '../../shared/activity.js'

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
  /** Where the item services record what happens to items (issue 25); nothing is recorded when absent. */
  activity?: ActivityRecorder
}

/** One event of the security activity log (issue 25, services/activity.ts), for one reader. */
export interface ActivityEventInput {
  /** Whose log it appears in. */
  readerId: string
  /** The reader's public key (DER) when the caller has it at hand: saves the query that fetches it. */
  readerPublicKey?: Buffer
  kind: ActivityKind
  /** Set for an event of a folder: the owner's view of that folder filters on it. */
  folderId?: string | null
  /** details.actorId is enough to name who acted: the recorder fills actorName and actorEmail. */
  details: ActivityDetails
  /** Now when absent. */
  at?: Date
}

/** What the item services need of the activity log: one INSERT, in their transaction. */
export interface ActivityRecorder {
  record(events: readonly ActivityEventInput[], transaction?: Transaction): Promise<void>
}

/** Who is asking: the session's user id and their unwrapped vault key. */
export interface Viewer {
  userId: string
  vaultKey: Buffer
}
