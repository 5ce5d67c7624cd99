// What a departing member saw (issue 25, ADR 038): when a member leaves a shared folder or is
// removed from it, the folder's owner gets a report of the items that member could read, which of
// them they revealed or copied (the owner's activity log), and a checklist of passwords to change,
// each ticked by itself once its password changes after the departure. Knows nothing of Koa or Vue.
//
// Recording (recordDeparture) runs inside the departure's transaction, with whoever acts: the
// member leaving holds nothing of the owner's. So what is stored needs no key of the owner's: the
// item ids (not secret) and the member's name and email sealed to the owner's public key. Reading
// (openReports) runs in the owner's session, which opens the name and reads the items' names and
// password dates from the vault it already loads for the folder page.
import { randomUUID } from 'node:crypto'
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { NotFoundError } from '../lib/errors.js'
import { requireId } from './access.js'
import { nameCollator } from './names.js'
import type { ActivityService, FolderReveal } from './activity.js'
import type { Viewer } from './types.js'
import { REPORT_ITEMS_SHOWN, type DepartureHow, type ExposureItem, type ExposureItemStatus, type ExposureReportView } from '../../shared/exposure.js'

/** A departure as removeAndRotate knows it, for one INSERT. */
export interface Departure {
  folderId: string
  owner: { id: string; name: string; email: string; publicKey: Buffer }
  member: { id: string; name: string; email: string }
  how: DepartureHow
  /** The folder's live items the member could read (they decrypted under the departing key). */
  itemIds: string[]
}

/** What the route needs after the commit to mail the owner: never an item's or the folder's name. */
export interface DepartureNotice {
  reportId: string
  folderId: string
  owner: { name: string; email: string }
  how: DepartureHow
  items: number
}

/** What the owner's session reads of an item, from the vault it loaded (no query of its own). */
export interface ExposedItemState {
  name: string
  passwordChangedAt: Date
  unreadable: boolean
}
export type ItemLookup = (ids: readonly string[]) => Promise<Map<string, ExposedItemState>>

/** The sealed part: who left (their id too, so reveals still match once their account is gone). */
interface SealedMember {
  id: string
  name: string
  email: string
}

/** At most this many open reports of one folder are shown at once (a busy folder's oldest wait). */
const OPEN_REPORTS_SHOWN = 20

/**
 * Inside the departure's transaction: one INSERT. The report exists only if the departure
 * committed; nothing in it is readable without the owner's private key but the item ids.
 */
export async function recordDeparture(deps: { sequelize: Sequelize }, transaction: Transaction, d: Departure): Promise<DepartureNotice> {
  const id = randomUUID()
  const sealed: SealedMember = { id: d.member.id, name: d.member.name, email: d.member.email }
  const memberSealed = crypto.sealToPublicKey(d.owner.publicKey, Buffer.from(JSON.stringify(sealed), 'utf8'), crypto.exposureMemberAad(id, d.owner.id, d.folderId))
  await deps.sequelize.query(
    `INSERT INTO exposure_reports (id, folder_id, owner_id, member_id, member_sealed, how, departed_at, item_ids)
     VALUES ($1, $2, $3, $4, $5, $6, now(), $7::uuid[])`,
    { bind: [id, d.folderId, d.owner.id, d.member.id, memberSealed, d.how, d.itemIds], type: QueryTypes.INSERT, transaction },
  )
  return { reportId: id, folderId: d.folderId, owner: { name: d.owner.name, email: d.owner.email }, how: d.how, items: d.itemIds.length }
}

interface StoredReport {
  id: string
  memberId: string | null
  memberSealed: Buffer
  how: DepartureHow
  departedAt: Date
  itemIds: string[]
  dismissedItemIds: string[]
}

/** Open before done; seen (revealed or copied) before unseen; then by name. */
function compareItems(a: ExposureItem, b: ExposureItem): number {
  const rank = (i: ExposureItem) => (i.status === 'open' ? 0 : 2) + (i.revealed + i.copied > 0 ? 0 : 1)
  return rank(a) - rank(b) || nameCollator.compare(a.name ?? '\uffff', b.name ?? '\uffff') || (a.id < b.id ? -1 : 1)
}

export function createExposureService(deps: { sequelize: Sequelize; activity: ActivityService }) {
  const { sequelize, activity } = deps

  function openMember(privateKey: crypto.OpenedPrivateKey | null, viewer: Viewer, folderId: string, r: StoredReport): SealedMember | null {
    if (!privateKey) return null
    try {
      const value = JSON.parse(crypto.openSealed(privateKey, r.memberSealed, crypto.exposureMemberAad(r.id, viewer.userId, folderId)).toString('utf8')) as Partial<SealedMember>
      return typeof value.name === 'string' && typeof value.email === 'string' && typeof value.id === 'string' ? { id: value.id, name: value.name, email: value.email } : null
    } catch (e) {
      if (e instanceof crypto.DecryptionError || e instanceof SyntaxError) return null
      throw e
    }
  }

  /**
   * The viewer's open reports of one folder, newest first: one query (the reports and the viewer's
   * wrapped private key), plus one for the reveals (activity.folderReveals) when there is a report.
   * The items' names and password dates come from `lookup` (the vault the page loaded). A viewer
   * who does not own the folder gets none: reports are only ever written for the folder's owner.
   */
  async function openReports(viewer: Viewer, folderId: string, lookup: ItemLookup): Promise<ExposureReportView[]> {
    type Joined = { privateKeyWrapped: Buffer } & (StoredReport | { id: null })
    const result = await sequelize.query<Joined>(
      `SELECT u.private_key_wrapped AS "privateKeyWrapped", r.*
       FROM users u LEFT JOIN LATERAL (
         SELECT r.id, r.member_id AS "memberId", r.member_sealed AS "memberSealed", r.how, r.departed_at AS "departedAt",
                r.item_ids::text[] AS "itemIds", r.dismissed_item_ids::text[] AS "dismissedItemIds"
         FROM exposure_reports r
         WHERE r.owner_id = u.id AND r.folder_id = :folderId AND r.closed_at IS NULL
         ORDER BY r.departed_at DESC, r.id LIMIT ${OPEN_REPORTS_SHOWN}
       ) r ON true
       WHERE u.id = :userId
       ORDER BY r."departedAt" DESC, r.id`,
      { replacements: { userId: viewer.userId, folderId }, type: QueryTypes.SELECT },
    )
    const reports = result.filter((r): r is Joined & StoredReport => r.id !== null)
    if (reports.length === 0) return []

    let privateKey: crypto.OpenedPrivateKey | null = null
    try {
      privateKey = crypto.openPrivateKey(viewer.vaultKey, result[0]!.privateKeyWrapped)
    } catch (e) {
      if (!(e instanceof crypto.DecryptionError)) throw e
    }
    const members = reports.map((r) => openMember(privateKey, viewer, folderId, r))
    // The member's id from the sealed copy first: it survives their account's deletion.
    const actorIds = reports.map((r, i) => members[i]?.id ?? r.memberId).filter((id): id is string => !!id)
    const latest = new Date(Math.max(...reports.map((r) => new Date(r.departedAt).getTime())))
    const [reveals, states] = await Promise.all([
      activity.folderReveals(viewer, folderId, { actorIds: [...new Set(actorIds)], before: latest }),
      lookup([...new Set(reports.flatMap((r) => r.itemIds))]),
    ])

    return reports.map((r, i) => {
      const member = members[i] ?? null
      const actorId = member?.id ?? r.memberId
      const departedAt = new Date(r.departedAt)
      const mine = reveals.filter((e) => e.actorId === actorId && new Date(e.at) < departedAt)
      const dismissed = new Set(r.dismissedItemIds)
      const items = r.itemIds.map((id) => toItem(id, states.get(id), dismissed.has(id), departedAt, mine.filter((e) => e.itemId === id)))
      items.sort(compareItems)
      return {
        id: r.id,
        folderId,
        member: member && { name: member.name, email: member.email },
        how: r.how,
        departedAt: departedAt.toISOString(),
        items: items.slice(0, REPORT_ITEMS_SHOWN),
        total: items.length,
        open: items.filter((x) => x.status === 'open').length,
        seen: items.filter((x) => x.revealed + x.copied > 0).length,
      }
    })
  }

  function toItem(id: string, state: ExposedItemState | undefined, dismissed: boolean, departedAt: Date, reveals: FolderReveal[]): ExposureItem {
    const changed = state && !state.unreadable && state.passwordChangedAt > departedAt
    const status: ExposureItemStatus = changed ? 'changed' : dismissed ? 'dismissed' : state ? 'open' : 'gone'
    const sum = (kind: FolderReveal['kind']) => reveals.filter((e) => e.kind === kind).reduce((n, e) => n + e.count, 0)
    const last = reveals.at(-1)
    // An unreadable item has no name the owner can read either; a gone one keeps the name its last reveal recorded.
    const name = state ? (state.unreadable ? null : state.name) : (last?.itemName ?? null)
    return {
      id,
      name,
      status,
      ...(changed ? { changedAt: state.passwordChangedAt.toISOString() } : {}),
      revealed: sum('item_revealed'),
      copied: sum('item_copied'),
      lastSeenAt: last?.at ?? null,
    }
  }

  /**
   * Ticks one item off by hand. NotFoundError for a malformed id, a report not the viewer's, or an
   * item the report does not list. Ticking twice changes nothing. Returns the report's folder.
   */
  async function dismissItem(viewer: Viewer, rawReportId: string, rawItemId: string): Promise<{ folderId: string }> {
    const reportId = requireId(rawReportId)
    const itemId = requireId(rawItemId)
    const [row] = await sequelize.query<{ folderId: string }>(
      `UPDATE exposure_reports
       SET dismissed_item_ids = CASE WHEN $3::uuid = ANY(dismissed_item_ids) THEN dismissed_item_ids ELSE array_append(dismissed_item_ids, $3::uuid) END
       WHERE id = $1 AND owner_id = $2 AND $3::uuid = ANY(item_ids)
       RETURNING folder_id AS "folderId"`,
      { bind: [reportId, viewer.userId, itemId], type: QueryTypes.SELECT },
    )
    if (!row) throw new NotFoundError()
    return row
  }

  /** Closes a report (done with it). NotFoundError as dismissItem; closing twice is harmless. */
  async function close(viewer: Viewer, rawReportId: string): Promise<{ folderId: string }> {
    const reportId = requireId(rawReportId)
    const [row] = await sequelize.query<{ folderId: string }>(
      `UPDATE exposure_reports SET closed_at = coalesce(closed_at, now())
       WHERE id = $1 AND owner_id = $2
       RETURNING folder_id AS "folderId"`,
      { bind: [reportId, viewer.userId], type: QueryTypes.SELECT },
    )
    if (!row) throw new NotFoundError()
    return row
  }

  return { openReports, dismissItem, close }
}

export type ExposureService = ReturnType<typeof createExposureService>
