// What the administration pages receive (issue 24, ADR 036): the shapes the admin services return
// and the pages render, and the value lists they are built from. Dates are ISO text (the services
// build these for the page directly). No vault content is ever in any of them.
import type { SignupPolicy } from '../models/InstanceSettings.js'

export type { SignupPolicy }
export const SIGNUP_POLICY_LABELS: Record<SignupPolicy, string> = {
  open: 'Open: anyone can create an account',
  invite: 'Invitation only',
  closed: 'Closed: nobody can create an account',
}

/** The sections of /admin, in nav order: [path, label]. */
export const ADMIN_SECTIONS = [
  ['/admin', 'Overview'],
  ['/admin/users', 'Users'],
  ['/admin/invitations', 'Invitations'],
  ['/admin/settings', 'Sign-up'],
  ['/admin/mail', 'Mail'],
  ['/admin/diagnostics', 'Diagnostics'],
  ['/admin/log', 'Log'],
] as const

/** Who may create an account, as in force now, and where each part comes from. */
export interface SignupRules {
  policy: SignupPolicy
  /** Lowercase domains; empty: any domain. Applies to sign-up without an invitation. */
  domains: string[]
  /** 'env': the environment's default (SIGNUP_POLICY / SIGNUP_DOMAINS); 'admin': set on /admin/settings. */
  policySource: 'env' | 'admin'
  domainsSource: 'env' | 'admin'
}

export interface AdminOverview {
  users: number
  admins: number
  disabled: number
  pendingInvitations: number
  signup: SignupRules
}

export const USER_SORTS = ['created', 'name', 'email', 'last_active', 'items', 'storage'] as const
export type UserSort = (typeof USER_SORTS)[number]
export const USER_SORT_LABELS: Record<UserSort, string> = {
  created: 'Newest',
  name: 'Name',
  email: 'Email',
  last_active: 'Last active',
  items: 'Most items',
  storage: 'Most storage',
}

export interface AdminUserRow {
  id: string
  name: string
  email: string
  createdAt: string
  /** The latest "last seen" of any of their devices; null: never logged in since registering. */
  lastActiveAt: string | null
  /** Folders they own. */
  folders: number
  /** Items (not in the trash) in folders they own. */
  items: number
  /** Attachment bytes charged to them (folders they own). */
  storageBytes: number
  twoFactor: boolean
  verified: boolean
  disabled: boolean
  admin: boolean
}

export interface AdminUserPage {
  rows: AdminUserRow[]
  q: string
  sort: UserSort
  page: number
  pages: number
  total: number
}

export interface SignupInvitationRow {
  id: string
  email: string
  invitedBy: string | null
  sentAt: string
  expiresAt: string
  status: 'pending' | 'expired' | 'used' | 'revoked'
}

export interface AdminActionRow {
  id: string
  at: string
  actor: string
  action: string
  target: string | null
  detail: string | null
  ip: string | null
}

export interface AdminLogPage {
  rows: AdminActionRow[]
  page: number
  pages: number
}

/** The effective mail settings, secrets masked. */
export interface MailSettings {
  /** 'smtp' (SMTP_URL) or 'files' (written under MAIL_DIR). */
  transport: 'smtp' | 'files'
  /** SMTP_URL with its user and password replaced by ***; the folder for 'files'. */
  target: string
  from: string
}

/** The invitation link a register page opened with (?invite=): the address is fixed. */
export interface SignupInvitationView {
  valid: boolean
  email: string | null
}
