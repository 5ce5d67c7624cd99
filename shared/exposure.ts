// What a departing member saw (issue 25, ADR 038): the report a shared folder's owner gets when a
// member leaves or is removed. Shapes and words only (server and browser alike).

/** How the member's access ended. */
export type DepartureHow = 'left' | 'removed'

/**
 * Where one item of the checklist stands:
 * - open: still to do;
 * - changed: its password changed after the departure (ticked by itself);
 * - dismissed: ticked off by hand;
 * - gone: no longer in the owner's vault (in the trash, deleted, or moved away).
 */
export type ExposureItemStatus = 'open' | 'changed' | 'dismissed' | 'gone'

export interface ExposureItem {
  id: string
  /** Null when the item is gone and no activity event recorded its name. */
  name: string | null
  status: ExposureItemStatus
  /** ISO time of the password change that ticked it (status changed). */
  changedAt?: string
  /** How often the member revealed or copied its secrets while a member (from the activity log). */
  revealed: number
  copied: number
  /** ISO time of the last reveal or copy, null when none. */
  lastSeenAt: string | null
}

export interface ExposureReportView {
  id: string
  folderId: string
  /** Null when the sealed name does not open (a changed key pair): the page says "a member". */
  member: { name: string; email: string } | null
  how: DepartureHow
  departedAt: string
  /** Every item they could read, revealed or copied ones first, then open ones, by name. */
  items: ExposureItem[]
  /** How many items the report covers (items may be cut to REPORT_ITEMS_SHOWN). */
  total: number
  /** How many are still open. */
  open: number
  /** How many of the items the member revealed or copied. */
  seen: number
}

/** At most this many rows of a report are sent to the page (SPEC 6: lists paginate at 100). */
export const REPORT_ITEMS_SHOWN = 100

export const DEPARTURE_WORDS: Record<DepartureHow, string> = { left: 'left', removed: 'was removed from' }
