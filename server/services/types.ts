// The shapes of the domain: what the services take and return, and what they are built from.
// One module, imported as types by services, routes, pages and stores alike (erased from bundles).
import type { Sequelize } from 'sequelize'
import type { Models } from '../../models/index.js'
import type { KdfParams } from '../lib/crypto.js'
import type { KeyValue } from '../lib/kv.js'

export interface ServiceDeps {
  sequelize: Sequelize
  models: Models
  kdf: KdfParams
  /** Keys for email verification links: the first signs, every one verifies (rotation). */
  tokenKeys: Buffer[]
  limits: { foldersPerUser: number; itemsPerFolder: number; membersPerFolder: number }
  /** Short-lived per-user state (an import's result): the app's Redis; process memory if absent. */
  kv?: KeyValue
}

/** Who is asking: the session's user id and their unwrapped vault key. */
export interface Viewer {
  userId: string
  vaultKey: Buffer
}

export interface ItemFields {
  name: string
  username: string
  password: string
  url: string
  note: string
}

export interface FolderSummary {
  id: string
  name: string
  isPersonal: boolean
  role: 'owner' | 'member'
  /** Effective permission: an owner always has 'edit'. */
  permission: 'view' | 'edit'
  ownerName: string
  /** Someone other than the viewer is a member (accepted or invited). */
  shared: boolean
  /** How many people besides the owner have it (accepted) or are invited (pending, not expired). */
  memberCount: number
  itemCount: number
  /** Its items that need attention (weak, reused, no password, unreadable): summed beside "Health"
   *  in the sidebar. Only on the vault's folder list (listFolders, listVault), not on getFolder. */
  issues?: number
}

/** The sidebar of every vault page: the viewer's folders and their pending invitations. */
export interface FolderList {
  folders: FolderSummary[]
  /** Invitations to the viewer that are pending and not expired (the count beside "Shares"). */
  pendingInvitations: number
}

export type Permission = 'view' | 'edit'

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

/** A row of the item list. broken: the ciphertext failed to decrypt (name/username/host are ''). */
export interface ItemRow {
  id: string
  folderId: string
  folderName: string
  name: string
  username: string
  host: string
  weak: boolean
  reused: boolean
  broken: boolean
  /** When the item was last written (created, edited or moved): the list's "last change" column. */
  updatedAt: Date
}

/** The item list's orders: by name, by folder (then name), by last change. */
export type ListSort = 'name' | 'folder' | 'changed'
export type SortDirection = 'asc' | 'desc'
/** The item list narrowed to the items a count of the summary line stands for. */
export type ListFilter = 'weak' | 'reused' | 'unreadable'

export interface VaultCounts {
  items: number
  folders: number
  weak: number
  reused: number
  broken: number
  /** Items with an empty password (vault health). */
  noPassword: number
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
}

export interface ItemDetail {
  id: string
  folderId: string
  folderName: string
  /** All '' when broken. */
  fields: ItemFields
  permission: 'view' | 'edit'
  createdAt: Date
  updatedAt: Date
  broken: boolean
  host: string
  /** The URL when it is safe to link (http or https), else null. */
  href: string | null
  weak: boolean
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
  broken: ItemRow[]
}

/** The CSV layouts the importer reads (NucleusID's own export is Bitwarden's layout). */
export type ImportFormat = 'bitwarden' | 'chrome' | 'firefox' | 'lastpass' | 'keepassxc' | 'onepassword'
export type { ImportFormatChoice } from '../../schemas/import.js'

/** What an import did, shown once on its result page. Item names are secret: kept encrypted. */
export interface ImportResult {
  format: string
  imported: number
  /** Where the imported items went, in the order of first use. */
  folders: { id: string; name: string; count: number; created: boolean }[]
  skipped: { line: number; name: string; reason: string }[]
}
