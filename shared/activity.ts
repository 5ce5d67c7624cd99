// The security activity log (issue 25): its kinds of event, their wording, the groups of the page's
// `?kind=` filter, and the rows the page receives. Shapes and words only (server and browser alike).
import type { Permission } from './contract'

/**
 * Every kind of event, as stored in activity_events.kind (at most 40 characters). A folder event
 * (sharing, items of a shared folder) is recorded for the folder's owner and for whoever acted;
 * the details say who, so one kind reads right in both logs.
 */
export const ACTIVITY_KINDS = [
  'signin',
  'signin_failed_password',
  'signin_failed_code',
  'signin_limited',
  'device_new',
  'device_revoked',
  'password_changed',
  'email_changed',
  'two_factor_on',
  'two_factor_off',
  'recovery_code_new',
  'export',
  'import',
  'share_invited',
  'share_accepted',
  'share_declined',
  'share_left',
  'share_removed',
  'share_permission',
  'item_added',
  'item_changed',
  'item_moved',
  'item_revealed',
  'item_copied',
  'item_trashed',
  'item_restored',
  'item_purged',
  'admin_action',
] as const
export type ActivityKind = (typeof ACTIVITY_KINDS)[number]

export const ACTIVITY_LABELS: Record<ActivityKind, string> = {
  signin: 'Signed in',
  signin_failed_password: 'Sign-in failed: wrong password',
  signin_failed_code: 'Sign-in failed: wrong two-factor code',
  signin_limited: 'Sign-in refused: too many attempts',
  device_new: 'New device',
  device_revoked: 'Device revoked',
  password_changed: 'Master password changed',
  email_changed: 'Email address changed',
  two_factor_on: 'Two-factor turned on',
  two_factor_off: 'Two-factor turned off',
  recovery_code_new: 'New recovery code',
  export: 'Vault exported',
  import: 'Items imported',
  share_invited: 'Invitation to a folder',
  share_accepted: 'Invitation accepted',
  share_declined: 'Invitation declined',
  share_left: 'Member left a folder',
  share_removed: 'Member removed from a folder',
  share_permission: 'Permission changed',
  item_added: 'Item added',
  item_changed: 'Item changed',
  item_moved: 'Item moved',
  item_revealed: 'Secret revealed',
  item_copied: 'Secret copied',
  item_trashed: 'Item moved to the trash',
  item_restored: 'Item restored from the trash',
  item_purged: 'Item deleted forever',
  admin_action: 'Action by an administrator',
}

/** The page's filter (`?kind=signins`): each kind in exactly one group, in the page's order. */
export const ACTIVITY_FILTERS = {
  signins: { label: 'Sign-ins', kinds: ['signin', 'signin_failed_password', 'signin_failed_code', 'signin_limited'] },
  devices: { label: 'Devices', kinds: ['device_new', 'device_revoked'] },
  account: { label: 'Account', kinds: ['password_changed', 'email_changed', 'two_factor_on', 'two_factor_off', 'recovery_code_new'] },
  data: { label: 'Export and import', kinds: ['export', 'import'] },
  sharing: {
    label: 'Sharing',
    kinds: ['share_invited', 'share_accepted', 'share_declined', 'share_left', 'share_removed', 'share_permission'],
  },
  items: {
    label: 'Items',
    kinds: ['item_added', 'item_changed', 'item_moved', 'item_revealed', 'item_copied', 'item_trashed', 'item_restored', 'item_purged'],
  },
  administrator: { label: 'Administrator', kinds: ['admin_action'] },
} as const satisfies Record<string, { label: string; kinds: readonly ActivityKind[] }>
export type ActivityFilter = keyof typeof ACTIVITY_FILTERS

export const isActivityFilter = (value: unknown): value is ActivityFilter => typeof value === 'string' && Object.hasOwn(ACTIVITY_FILTERS, value)

/**
 * What a row may show, sealed to each reader: never in clear in the database. Every field is
 * optional; each kind fills what it has (a failed sign-in: ip and device; a folder event: the
 * folder, the item, who acted; an administrator's action: actorEmail and detail).
 */
export interface ActivityDetails {
  ip?: string
  /** The device's name ("Firefox on Linux"). */
  device?: string
  itemName?: string
  /** The item's id, for the exposure report (which items a departing member revealed or copied). */
  itemId?: string
  folderName?: string
  /** Who acted, when it was not the reader (a member, an administrator). */
  actorName?: string
  actorEmail?: string
  /** Who acted, as a user id: matches a departing member's reveals and copies. */
  actorId?: string
  /** Whom it was done to (the invitee, the member removed). */
  targetEmail?: string
  permission?: Permission
  /** Free text for what has no field (an administrator's action, an import's counts). */
  detail?: string
}

export interface ActivityRow {
  id: string
  /** ISO time; a counter row's latest attempt. */
  at: string
  kind: ActivityKind
  label: string
  /** 1, or the attempts a counter row stands for (a flood past its threshold in one window). */
  count: number
  details: ActivityDetails
  /** The details could not be opened (details is then empty): the row still shows its kind and time. */
  unreadable?: true
}

export interface ActivityPage {
  /** Newest first. */
  rows: ActivityRow[]
  page: number
  pages: number
  total: number
}

/** What a secret field is called in an event ("password", "card number"): the field names of copy and ?reveal= (server/services/itemText.ts fieldValue). */
export function secretFieldLabel(field: string): string {
  const named: Record<string, string> = {
    password: 'password',
    totp: 'authenticator code',
    card_number: 'card number',
    card_code: 'card security code',
    passport: 'passport number',
    licence: 'licence number',
    national_id: 'national ID number',
    private_key: 'SSH private key',
  }
  if (named[field]) return named[field]
  if (/^old_\d+$/.test(field)) return 'earlier password'
  if (/^field_\d+$/.test(field)) return 'hidden field'
  return 'field'
}
