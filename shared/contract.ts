// What the browser receives: the shapes of the data the pages render (folders, members, shares,
// item lists and details, vault health, an import's result, two-factor status, a form's state, a
// flash), and the value lists those shapes are built from (list sorts and filters, permissions).
// The services return these shapes and the pages, stores and components import them from here,
// never from server/ (eslint.config.js forbids it). One file rather than a folder: it is types and
// a few constants with no imports, short enough to read in one go; split it into shared/contract/
// with an index when a part outgrows it. Shapes only the server sees (ServiceDeps, Viewer) stay in
// server/services/types.ts, and the logged-in user has a module of its own. Dates are Date as the
// services return them; a page's +data turns them into ISO text or numbers for the browser.

/** What a folder's member may do; an owner always has 'edit'. */
export const PERMISSIONS = ['view', 'edit'] as const
export type Permission = (typeof PERMISSIONS)[number]

/** The five text fields every item has (all encrypted). */
export interface ItemFields {
  name: string
  username: string
  password: string
  url: string
  note: string
}

/** What an item is (issue 23, ADR 035): the type decides its form, its page and its list line. */
export const ITEM_TYPES = ['login', 'note', 'card', 'identity', 'ssh'] as const
export type ItemType = (typeof ITEM_TYPES)[number]

/** A custom field's kind: plain text, a secret (behind a reveal), or a yes/no. */
export const FIELD_KINDS = ['text', 'hidden', 'checkbox'] as const
export type FieldKind = (typeof FIELD_KINDS)[number]

/** A custom field of any item, in the order the user gave them. A checkbox's value is 'true' or 'false'. */
export interface CustomField {
  name: string
  value: string
  kind: FieldKind
}

/** A payment card. Month and year are text as Bitwarden keeps them ('1'..'12', '2027'); brand from the number, or as imported. */
export interface CardData {
  cardholder: string
  number: string
  brand: string
  expMonth: string
  expYear: string
  code: string
}

/** An identity: a person's name, contacts, address and document numbers (the numbers are secrets). */
export interface IdentityData {
  title: string
  firstName: string
  middleName: string
  lastName: string
  company: string
  email: string
  phone: string
  address1: string
  address2: string
  address3: string
  city: string
  region: string
  postalCode: string
  country: string
  username: string
  passport: string
  licence: string
  nationalId: string
}

/** An SSH key pair; the fingerprint is computed from the public key, never typed. */
export interface SshKeyData {
  privateKey: string
  publicKey: string
  fingerprint: string
}

/** A password the item had before (Bitwarden's password history): when it stopped being used, ms since 1970. */
export interface PasswordHistoryEntry {
  password: string
  lastUsed: number
}

/**
 * What a writer gives an item (all of it encrypted): the five fields, and what a writer that has
 * none of it (an import of a format without them) leaves out: the login's authenticator key and
 * rotation period (issue 21); the type, further web addresses, the type's own data, custom fields
 * and password history (issue 23). Absent means login, none, null.
 */
export interface ItemInput extends ItemFields {
  type?: ItemType
  /** The authenticator key: a base32 secret or an otpauth:// URI as the user gave it ('' for none). */
  totp?: string
  /** "Change every N days"; null or absent for no reminder. */
  rotateDays?: number | null
  /** Web addresses after the first (`url`), in order. */
  moreUrls?: string[]
  card?: CardData | null
  identity?: IdentityData | null
  ssh?: SshKeyData | null
  fields?: CustomField[]
  /** Newest first. */
  passwordHistory?: PasswordHistoryEntry[]
}

export interface FolderSummary {
  id: string
  name: string
  isPersonal: boolean
  role: 'owner' | 'member'
  /** Effective permission: an owner always has 'edit'. */
  permission: Permission
  ownerName: string
  /** Someone other than the viewer is a member (accepted or invited). */
  shared: boolean
  /** How many people besides the owner have it (accepted) or are invited (pending, not expired). */
  memberCount: number
  itemCount: number
  /** Its items that need attention (weak, reused, no password, unreadable): summed beside "Health"
   *  in the sidebar. Only on the vault's folder list (listFolders, listVault), not on getFolder. */
  issues?: number
  /** The viewer's favourites among its items (issue 21): summed beside "Favourites" in the sidebar.
   *  Only on the vault's folder list, like issues. */
  favourites?: number
}

/** The sidebar of every vault page: the viewer's folders and their pending invitations. */
export interface FolderList {
  folders: FolderSummary[]
  /** Invitations to the viewer that are pending and not expired (the count beside "Shares"). */
  pendingInvitations: number
}

/** A person on a folder's member list. */
export interface FolderMember {
  userId: string
  name: string
  email: string
  role: 'owner' | 'member'
  permission: Permission
  status: 'pending' | 'accepted' | 'expired'
  /** Accepted: when they joined (the owner: when the folder was made). Pending or expired: when invited. */
  since: Date
  /** Pending: when the invitation lapses; expired: when it lapsed. */
  expiresAt: Date | null
}

/** A folder's page: who has it. Members see accepted members; the owner also sees invitations. */
export interface FolderMembers {
  members: FolderMember[]
  /** The viewer may invite, change permissions and remove (the owner of a folder other than Personal). */
  canManage: boolean
  /** The membersPerFolder limit, owner included. */
  limit: number
}

/** A folder shared with the viewer, on /dashboard/shares. */
export interface Share {
  folderId: string
  folderName: string
  ownerName: string
  ownerEmail: string
  permission: Permission
  /** Pending: when invited. Accepted: when accepted. */
  since: Date
  /** Pending only. */
  expiresAt: Date | null
}

export interface ShareList {
  pending: Share[]
  accepted: Share[]
}

/** A row of the item list. unreadable: the ciphertext failed to decrypt (name/username/host are ''). */
export interface ItemRow {
  id: string
  folderId: string
  folderName: string
  name: string
  username: string
  host: string
  weak: boolean
  reused: boolean
  /** The viewer starred it (per user, issue 21); absent means not. */
  favourite?: boolean
  /** What the item is (issue 23); `username` is this type's list line (a card's "•••• 4242"...). */
  type: ItemType
  /** A card's expiry month (shared/itemTypes.ts cardExpiry); absent for other items. */
  expiry?: number
  unreadable: boolean
  /** Its imported password waits for its strength score: "not checked yet" (ADR 024). Absent when not. */
  unscored?: boolean
  /** When the item was last written (created, edited or moved): the list's "last change" column. */
  updatedAt: Date
  /** When its password last changed (issue 21; its creation for older items, its last change when unreadable). */
  passwordChangedAt: Date
  /** "Change every N days", or null. */
  rotateDays: number | null
  /** The rotation reminder is due (computed when read). Absent when not. */
  overdue?: boolean
}

/** The item list's orders (GET parameter `sort`): by name, by folder (then name), by last change, by when the password last changed. */
export const LIST_SORTS = ['name', 'folder', 'changed', 'password'] as const
export type ListSort = (typeof LIST_SORTS)[number]
export type SortDirection = 'asc' | 'desc'
/** The item list narrowed to the items a count of the summary line stands for (GET parameter `filter`). */
export const LIST_FILTERS = ['weak', 'reused', 'unreadable', 'favourites'] as const
export type ListFilter = (typeof LIST_FILTERS)[number]

/**
 * One row of the item list as the page receives it: a tuple, so 100 rows cost the browser about
 * 12 KB of page context rather than 30 (issue 18's budget). `folder` is the row's folder's index
 * in the page's folder list (the sidebar's), `changed` the UTC day of its last change, in days
 * since 1970-01-01, `flags` the ROW_* bits. Built by toListRows (shared/vaultList.ts).
 */
export type ListRow = [id: string, name: string, username: string, host: string, folder: number, changed: number, flags: number]
export const ROW_WEAK = 1
export const ROW_REUSED = 2
export const ROW_UNREADABLE = 4
/** The password's strength is not checked yet (ADR 024). */
export const ROW_UNSCORED = 8
/** The viewer starred it (issue 21). */
export const ROW_FAVOURITE = 16
/** The item's type (issue 23): bits from here up hold its index in ITEM_TYPES (shared/itemTypes.ts TYPE_CODES). */
export const ROW_TYPE_SHIFT = 5

export interface VaultCounts {
  items: number
  folders: number
  weak: number
  reused: number
  unreadable: number
  /** Items with an empty password (vault health). */
  noPassword: number
  /** The viewer's favourites (issue 21): the count beside "Favourites" in the sidebar. */
  favourites: number
  /** Imported passwords whose strength is not checked yet (ADR 024); absent when none. */
  unscored?: number
  /** Items whose rotation reminder is due (issue 21); absent when none. */
  overdue?: number
  /** Items of each type (issue 23): the sidebar's type links; a type with none is absent. */
  types?: Partial<Record<ItemType, number>>
  /** Cards past their expiry month (issue 23); absent when none. */
  expired?: number
}

export interface VaultPage {
  items: ItemRow[]
  /** Items matching the filter (folder, q), over all pages. */
  total: number
  page: number
  pageCount: number
  pageSize: number
  /** Over ALL accessible items, whatever the filter and page. */
  counts: VaultCounts
  /** With a folderId: over that folder's items only (whatever q and page); else null. Reused
   *  still means "used again anywhere in the vault", as on the item's own row. */
  folderCounts: Omit<VaultCounts, 'folders'> | null
  /** The order and filter applied: what was asked for when valid, else the defaults (name, asc, none). */
  sort: ListSort
  dir: SortDirection
  filter: ListFilter | null
  /** The viewer's favourites come first (GET `favourites=first`, ADR 028). */
  favouritesFirst: boolean
  /** Only items of this type (GET `type`, issue 23), or null for all. */
  type: ItemType | null
}

export interface ItemDetail {
  id: string
  folderId: string
  folderName: string
  /** All '' when unreadable. */
  fields: ItemFields
  permission: Permission
  createdAt: Date
  updatedAt: Date
  unreadable: boolean
  host: string
  /** The URL when it is safe to link (http or https), else null. */
  href: string | null
  weak: boolean
  /** The password's strength is not checked yet (an import's, ADR 024). */
  unscored: boolean
  /** The authenticator key ('' for none; ADR 030): a secret, for the edit form and the code only. */
  totp: string
  /** The viewer starred it (issue 21). */
  favourite: boolean
  /** When the password last changed (issue 21): for items written before, when the item was created. */
  passwordChangedAt: Date
  /** "Change every N days" (issue 21), or null for no reminder. */
  rotateDays: number | null
  /** The reminder is due: passwordChangedAt + rotateDays days is past. */
  overdue: boolean
  /** Issue 23: what the item is, and what its type holds (secrets included: the page sends them only when asked for). */
  type: ItemType
  /** Web addresses after the first. */
  moreUrls: string[]
  card: CardData | null
  identity: IdentityData | null
  ssh: SshKeyData | null
  customFields: CustomField[]
  passwordHistory: PasswordHistoryEntry[]
}

/** An earlier version of an item on its history (issue 21). */
export interface ItemVersionSummary {
  id: string
  /** When this version was saved (it was the item from then until the next save). */
  savedAt: Date
  /** What the save that replaced it changed ("password", "name"...); [] when unknown. */
  changed: string[]
  unreadable: boolean
}

export interface ItemVersionList {
  itemId: string
  folderId: string
  folderName: string
  /** The item's name now ('' when unreadable). */
  name: string
  permission: Permission
  updatedAt: Date
  /** Newest first, at most 20. */
  versions: ItemVersionSummary[]
  /** A login's earlier passwords (Bitwarden's password history, issue 23), newest first: when each stopped being used; never the passwords. */
  earlierPasswords: Date[]
}

/** One earlier version's fields (secrets behind a reveal on its page). */
export interface ItemVersionDetail {
  id: string
  itemId: string
  savedAt: Date
  fields: ItemFields
  totp: string
  rotateDays: number | null
  permission: Permission
  /** What the item is (issue 23): the version page shows a login's fields; other types' are restored whole. */
  type: ItemType
}

export interface VaultHealth {
  counts: VaultCounts
  /** Items in at least one list below, each once: the count beside "Health" in the sidebar. */
  issues: number
  /** Each list sorted like the dashboard. */
  weak: ItemRow[]
  /** Groups of items that share one password (never shown): largest group first. */
  reused: ItemRow[][]
  noPassword: ItemRow[]
  unreadable: ItemRow[]
  /** Rotation reminders that are due (issue 21), the longest overdue first. */
  overdue: ItemRow[]
  /** Cards past their expiry month (issue 23). */
  expired: ItemRow[]
}

/** What an import did, shown once on its result page. Item names are secret: kept encrypted. */
export interface ImportResult {
  format: string
  imported: number
  /** Where the imported items went, in the order of first use. */
  folders: { id: string; name: string; count: number; created: boolean }[]
  skipped: { line: number; name: string; reason: string }[]
  /** Imported passwords whose strength is checked after the import (ADR 024). */
  unscored: number
  /** How many of them are checked so far (the result page; absent right after the import). */
  checked?: number
  /** Passkeys in the file, which are not imported (issue 23): each item's note says so. Absent when none. */
  passkeys?: number
  /** Items starred in the file, starred for the importing user (issue 23). Absent when none. */
  favourites?: number
}

export interface TwoFactorStatus {
  enabled: boolean
  /** When enabled: since when (ISO 8601). */
  enabledAt: string | null
  /** When not enabled: a fresh secret to confirm, as text and as a server-rendered QR code. */
  setup: { secret: string; otpauthUrl: string; qrSvg: string } | null
}

/**
 * What an action on several items did (bulk actions, issue 21): how many were done, and each one
 * that was not, with why ('view-only': the viewer may not change it; 'gone': not found, trashed
 * or no longer shared with the viewer). Names are secret: the page shows only the counts.
 */
export interface BulkResult {
  done: number
  /** 'unreadable': it does not decrypt, so it cannot be re-encrypted for a move. */
  refused: { id: string; reason: 'view-only' | 'gone' | 'full' | 'unreadable' }[]
}

/** The bulk bar's actions (POST /dashboard/items/bulk, field `bulk_action`). */
export const BULK_ACTIONS = ['move', 'trash', 'star', 'unstar'] as const
export type BulkAction = (typeof BULK_ACTIONS)[number]

/** A form's messages, by field name. */
export type FieldErrors = Record<string, string>

/** A form the server refused, rendered again with what was sent (pageContext.form). */
export interface FormState {
  /** The path the form posted to: the form on the page with that action shows this state. */
  action: string
  values: Record<string, string>
  /** Repeated fields as sent (several `url`, custom fields: issue 23), each the list of its values. */
  lists?: Record<string, string[]>
  errors: FieldErrors
  message?: string
  /** zxcvbn scores of submitted passwords, by field: the strength meter without JavaScript. */
  strength?: Record<string, number>
}

/** A one-time message shown on the next page (pageContext.flash). */
export interface Flash {
  type: 'success' | 'error' | 'info'
  message: string
}

// ---------------------------------------------------------------------------
// Attachments (issue 23, ADR 033): what the item page receives about an item's files.
// ---------------------------------------------------------------------------

/** One file attached to an item: its decrypted name and size, never its bytes or key. */
export interface AttachmentSummary {
  id: string
  /** '' when its key or name could not be decrypted (the row was tampered with). */
  name: string
  /** Bytes of the file as uploaded. */
  size: number
  /** ISO 8601. */
  createdAt: string
}

/** The item page's attachments part (components/ItemAttachments.vue). */
export interface ItemAttachmentList {
  attachments: AttachmentSummary[]
  /** The viewer may upload and delete (edit permission on the item's folder). */
  canEdit: boolean
  /** Bytes per file (LIMIT_ATTACHMENT_BYTES). */
  maxBytes: number
  /** Bytes in all per owner (LIMIT_ATTACHMENT_QUOTA_BYTES). */
  quotaBytes: number
}
