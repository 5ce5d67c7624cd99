// The security activity log (issue 25): recording events, one reader's page of them, the CSV
// download and pruning. Knows nothing of Koa or Vue. Each event's details are sealed to its reader's
// X25519 public key (crypto.activityAad), so recording needs nobody's vault key (a failed sign-in)
// and only the reader opens them; what the queries need (reader, folder, kind, time) is in clear.
import { stringify } from 'csv-stringify/sync'
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize'
import * as crypto from '../lib/crypto.js'
import { EXPORT_CSV_OPTIONS } from './exporter.js'
import type { Models } from '../../models/index.js'
import type { ActivityEventInput, Viewer } from './types.js'
import {
  ACTIVITY_KINDS,
  ACTIVITY_LABELS,
  type ActivityDetails,
  type ActivityKind,
  type ActivityPage,
  type ActivityRow,
} from '../../shared/activity.js'

export interface ActivityDeps {
  sequelize: Sequelize
  models: Models
  /** How long an event is kept (listed, downloaded) before prune deletes it: 180 days when absent. */
  retentionMs?: number
  /** recordBounded's individual rows per reader, kind and window before its counter row: 10 when absent. */
  floodThreshold?: number
}

export const DEFAULT_RETENTION_MS = 180 * 24 * 60 * 60 * 1000
export const ACTIVITY_PER_PAGE = 100
/** The login failures' rate-limit window (SPEC section 4): one counter row per reader and kind in it. */
const DEFAULT_FLOOD_WINDOW_MS = 15 * 60 * 1000
const DEFAULT_FLOOD_THRESHOLD = 10
const PRUNE_BATCH = 5000
/** Bounds a sealed row whatever a caller passes (item names are <= 200, emails <= 254). */
const MAX_FIELD = 500

/** The kinds of event that show an item's secret to its actor (the exposure report's reveals). */
export const REVEAL_KINDS = ['item_revealed', 'item_copied'] as const satisfies readonly ActivityKind[]

/** One reveal or copy of a folder's item by one actor (folderReveals). */
export interface FolderReveal {
  itemId: string
  /** The item's name when it was revealed (the report names an item since deleted by it). */
  itemName?: string
  actorId: string
  kind: (typeof REVEAL_KINDS)[number]
  /** ISO time. */
  at: string
  /** 1, or the attempts a counter row stands for. */
  count: number
}

/** Which rows: some kinds (all when absent or empty), of one folder when folderId is set. */
export interface ActivityQuery {
  kinds?: readonly ActivityKind[]
  folderId?: string
}

interface StoredRow {
  id: string
  kind: ActivityKind
  at: Date
  count: number
  sealed: Buffer
}

export const ACTIVITY_CSV_COLUMNS = ['time', 'event', 'count', 'device', 'ip', 'item', 'folder', 'who', 'detail'] as const
type CsvRecord = Record<(typeof ACTIVITY_CSV_COLUMNS)[number], string | number>

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, or a tab or CR before one) gets a leading
 * apostrophe (OWASP's CSV injection advice). Unlike the vault export, which must round-trip exactly
 * (docs/features/export-and-vault-health.md), this file is a report for reading, and much of it is
 * written by others: a folder member's item names, an administrator's words.
 */
const defuse = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value)

function sealDetails(publicKey: Buffer, readerId: string, kind: ActivityKind, details: ActivityDetails): Buffer {
  const clipped = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, MAX_FIELD) : v]))
  return crypto.sealToPublicKey(publicKey, Buffer.from(JSON.stringify(clipped), 'utf8'), crypto.activityAad(readerId, kind))
}

export function createActivityService(deps: ActivityDeps) {
  const { sequelize, models } = deps
  const retentionMs = deps.retentionMs ?? DEFAULT_RETENTION_MS
  const floodThreshold = deps.floodThreshold ?? DEFAULT_FLOOD_THRESHOLD

  /**
   * The readers' public keys and the names of those who acted (details.actorId without a name):
   * the keys the events carry, the rest in one query (the cost of a caller that does not have them
   * at hand). A reader whose account is gone has no key.
   */
  async function people(events: readonly ActivityEventInput[], transaction?: Transaction) {
    const keys = new Map<string, Buffer>()
    const names = new Map<string, { name: string; email: string }>()
    for (const e of events) if (e.readerPublicKey) keys.set(e.readerId, e.readerPublicKey)
    const actors = events.filter((e) => e.details.actorId && !e.details.actorEmail).map((e) => e.details.actorId!)
    const missing = [...new Set([...events.filter((e) => !keys.has(e.readerId)).map((e) => e.readerId), ...actors])]
    if (missing.length) {
      const users = await models.User.findAll({ attributes: ['id', 'publicKey', 'name', 'email'], where: { id: missing }, transaction })
      for (const u of users) {
        if (!keys.has(u.id)) keys.set(u.id, u.publicKey)
        names.set(u.id, { name: u.name, email: u.email })
      }
    }
    return { keys, names }
  }

  /** The details to seal: who acted named, when only their id was given. */
  function withActor(details: ActivityDetails, names: Map<string, { name: string; email: string }>): ActivityDetails {
    const actor = details.actorId && !details.actorEmail ? names.get(details.actorId) : undefined
    return actor ? { ...details, actorName: actor.name, actorEmail: actor.email } : details
  }

  /**
   * Records events in one INSERT whatever their number (a folder event for its owner and its actor
   * is two rows of it), plus one SELECT when some reader's public key is not given. In the caller's
   * transaction if given: the events then exist only if what they describe happened. An event for a
   * reader whose account is gone is dropped.
   */
  async function record(events: readonly ActivityEventInput[], transaction?: Transaction): Promise<void> {
    if (!events.length) return
    const { keys, names } = await people(events, transaction)
    const now = new Date()
    const rows = events.flatMap((e) => {
      const key = keys.get(e.readerId)
      return key ? [{ e, sealed: sealDetails(key, e.readerId, e.kind, withActor(e.details, names)) }] : []
    })
    if (!rows.length) return
    // unnest: one statement text for any number of rows (one prepared plan, no parameter limit).
    await sequelize.query(
      `INSERT INTO activity_events (reader_id, folder_id, kind, at, sealed)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::bytea[])`,
      {
        bind: [
          rows.map((r) => r.e.readerId),
          rows.map((r) => r.e.folderId ?? null),
          rows.map((r) => r.e.kind),
          rows.map((r) => (r.e.at ?? now).toISOString()),
          rows.map((r) => r.sealed),
        ],
        type: QueryTypes.INSERT,
        transaction,
      },
    )
  }

  /**
   * Records one event of a flood (wrong passwords, wrong codes): up to `threshold` individual rows
   * per reader, kind and window, then a single counter row for the rest of the window (bucket = the
   * window's start, count = the attempts past the threshold, at = the latest, details those of the
   * first). Returns which attempt of its window this one was (1, 2, …; 0 when the reader's account
   * is gone): each number comes back once per reader, kind and window, so `=== n` is the caller's
   * cue for one alert per window.
   *
   * Atomic under parallel calls: a transaction takes an advisory lock per reader and kind, then one
   * statement counts the window's rows and inserts or upserts. The lock must come in an earlier
   * statement: in READ COMMITTED a statement's snapshot is taken when it starts, so a lock taken
   * inside the counting statement would not show the rows committed while it waited. Cost: BEGIN,
   * lock, one INSERT, COMMIT (and the key's SELECT when readerPublicKey is absent); on a request that
   * just ran scrypt.
   */
  async function recordBounded(event: ActivityEventInput, opts: { windowMs?: number; threshold?: number } = {}): Promise<number> {
    const windowMs = opts.windowMs ?? DEFAULT_FLOOD_WINDOW_MS
    const threshold = opts.threshold ?? floodThreshold
    const key = (await people([event])).keys.get(event.readerId)
    if (!key) return 0
    const at = event.at ?? new Date()
    const bucket = new Date(Math.floor(at.getTime() / windowMs) * windowMs)
    const sealed = sealDetails(key, event.readerId, event.kind, event.details)
    return sequelize.transaction(async (transaction) => {
      // Two int4 keys: a key space apart from the single bigint keys (the migrations' lock).
      await sequelize.query(`SELECT pg_advisory_xact_lock(hashtext($1::text), hashtext('activity:' || $2::text))`, {
        bind: [event.readerId, event.kind],
        type: QueryTypes.SELECT,
        transaction,
      })
      // Data-modifying CTEs run whether or not the final SELECT reads them: exactly one of the two
      // inserts has a row to insert.
      const [row] = await sequelize.query<{ single: number; counter: number | null }>(
        `WITH window_rows AS (
           SELECT count(*) AS n FROM activity_events
           WHERE reader_id = $1::uuid AND kind = $2::text AND bucket IS NULL AND at >= $4::timestamptz AND at < $5::timestamptz
         ), single AS (
           INSERT INTO activity_events (reader_id, folder_id, kind, at, sealed)
           SELECT $1::uuid, $3::uuid, $2::text, $6::timestamptz, $7::bytea FROM window_rows WHERE n < $8::int
         ), counter AS (
           INSERT INTO activity_events (reader_id, folder_id, kind, at, bucket, sealed)
           SELECT $1::uuid, $3::uuid, $2::text, $6::timestamptz, $4::timestamptz, $7::bytea FROM window_rows WHERE n >= $8::int
           ON CONFLICT (reader_id, kind, bucket) WHERE bucket IS NOT NULL
           DO UPDATE SET count = activity_events.count + 1, at = greatest(activity_events.at, excluded.at)
           RETURNING activity_events.count AS n
         )
         SELECT (SELECT n FROM window_rows)::int AS single, (SELECT n FROM counter) AS counter`,
        {
          bind: [
            event.readerId,
            event.kind,
            event.folderId ?? null,
            bucket.toISOString(),
            new Date(bucket.getTime() + windowMs).toISOString(),
            at.toISOString(),
            sealed,
            threshold,
          ],
          type: QueryTypes.SELECT,
          transaction,
        },
      )
      return row?.counter != null ? threshold + row.counter : (row?.single ?? 0) + 1
    })
  }

  /** The WHERE of a reader's rows (`e`), within retention (and before `before`, when given). */
  function whereRows(viewer: Viewer, query: ActivityQuery & { before?: Date }) {
    const kinds = query.kinds?.length ? query.kinds : ACTIVITY_KINDS
    // A kind this version does not know (a row from a newer one) is never listed: it has no label.
    const sql = `e.reader_id = :userId AND e.kind IN (:kinds) AND e.at >= :since${query.folderId ? ' AND e.folder_id = :folderId' : ''}${query.before ? ' AND e.at < :before' : ''}`
    return {
      sql,
      replacements: { userId: viewer.userId, kinds: [...kinds], since: new Date(Date.now() - retentionMs), folderId: query.folderId ?? null, before: query.before ?? null },
    }
  }

  /**
   * The reader's rows and their wrapped private key in one query: the users row is the outer side
   * of a lateral join, so it comes back even when there is no event (the event's columns null then).
   */
  async function readRows(viewer: Viewer, query: ActivityQuery & { before?: Date }, limit?: { limit: number; offset: number }) {
    const where = whereRows(viewer, query)
    type Joined = { privateKeyWrapped: Buffer; total: number } & (StoredRow | { id: null })
    const result = await sequelize.query<Joined>(
      `SELECT u.private_key_wrapped AS "privateKeyWrapped", e.*
       FROM users u LEFT JOIN LATERAL (
         SELECT e.id, e.kind, e.at, e.count, e.sealed, count(*) OVER ()::int AS total
         FROM activity_events e WHERE ${where.sql}
         ORDER BY e.at DESC, e.id DESC ${limit ? 'LIMIT :limit OFFSET :offset' : ''}
       ) e ON true
       WHERE u.id = :userId
       ORDER BY e.at DESC, e.id DESC`,
      { replacements: { ...where.replacements, ...limit }, type: QueryTypes.SELECT },
    )
    const rows = result.filter((r): r is Joined & StoredRow => r.id !== null)
    return { privateKeyWrapped: result[0]?.privateKeyWrapped, rows, total: rows[0]?.total }
  }

  /** Opens rows with the reader's private key, unwrapped once; a row that does not open is flagged, never thrown. */
  function openRows(viewer: Viewer, privateKeyWrapped: Buffer | undefined, rows: StoredRow[]): ActivityRow[] {
    let privateKey: crypto.OpenedPrivateKey | null = null
    // As keyRing.ts opens it (its opener is private to createKeyRing).
    if (privateKeyWrapped && rows.length) {
      try {
        privateKey = crypto.openPrivateKey(viewer.vaultKey, privateKeyWrapped)
      } catch (e) {
        if (!(e instanceof crypto.DecryptionError)) throw e
      }
    }
    return rows.map((r) => {
      const row = { id: r.id, at: new Date(r.at).toISOString(), kind: r.kind, label: ACTIVITY_LABELS[r.kind], count: r.count }
      const details = privateKey && openDetails(privateKey, viewer.userId, r)
      return details ? { ...row, details } : { ...row, details: {}, unreadable: true }
    })
  }

  function openDetails(privateKey: crypto.OpenedPrivateKey, readerId: string, r: StoredRow): ActivityDetails | null {
    try {
      const value: unknown = JSON.parse(crypto.openSealed(privateKey, r.sealed, crypto.activityAad(readerId, r.kind)).toString('utf8'))
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as ActivityDetails) : null
    } catch (e) {
      if (e instanceof crypto.DecryptionError || e instanceof SyntaxError) return null
      throw e
    }
  }

  /**
   * One page of the viewer's log, newest first: one query (rows, total and the wrapped private key),
   * plus a count when the page is past the last one.
   */
  async function list(viewer: Viewer, opts: ActivityQuery & { page: number; perPage?: number }): Promise<ActivityPage> {
    const perPage = Math.max(1, Math.min(Math.trunc(opts.perPage ?? ACTIVITY_PER_PAGE), ACTIVITY_PER_PAGE))
    const page = Math.max(1, Math.min(Math.trunc(opts.page) || 1, 100_000))
    const { privateKeyWrapped, rows, total: pageTotal } = await readRows(viewer, opts, { limit: perPage, offset: (page - 1) * perPage })
    const total = pageTotal ?? (page > 1 ? await count(viewer, opts) : 0)
    return { rows: openRows(viewer, privateKeyWrapped, rows), page, pages: Math.max(1, Math.ceil(total / perPage)), total }
  }

  async function count(viewer: Viewer, query: ActivityQuery): Promise<number> {
    const where = whereRows(viewer, query)
    const [row] = await sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM activity_events e WHERE ${where.sql}`, {
      replacements: where.replacements,
      type: QueryTypes.SELECT,
    })
    return row?.n ?? 0
  }

  /** Every row within retention as CSV (header, CRLF, as the vault export writes it), newest first. */
  async function csv(viewer: Viewer, query: ActivityQuery = {}): Promise<string> {
    const { privateKeyWrapped, rows } = await readRows(viewer, query)
    const records = openRows(viewer, privateKeyWrapped, rows).map((r): CsvRecord => {
      const d = r.details
      const who = d.actorName && d.actorEmail ? `${d.actorName} <${d.actorEmail}>` : (d.actorName ?? d.actorEmail ?? '')
      const detail = r.unreadable
        ? 'Details could not be opened'
        : [d.detail, d.targetEmail && `to ${d.targetEmail}`, d.permission && `permission: ${d.permission}`].filter(Boolean).join('; ')
      return {
        time: r.at,
        event: r.label,
        count: r.count,
        device: defuse(d.device ?? ''),
        ip: defuse(d.ip ?? ''),
        item: defuse(d.itemName ?? ''),
        folder: defuse(d.folderName ?? ''),
        who: defuse(who),
        detail: defuse(detail),
      }
    })
    return stringify(records, { ...EXPORT_CSV_OPTIONS, columns: [...ACTIVITY_CSV_COLUMNS] })
  }

  /**
   * The reveals and copies of a folder's items in the viewer's log (the folder's owner's: recording
   * writes them for the owner with the folder id set) by some actors, before a time: what the
   * exposure report (ADR 038) shows of a departed member. One query, whatever the number of actors;
   * the rows are opened with the viewer's key and matched on the sealed actorId, so PostgreSQL
   * never learns who revealed what. A row that does not open, or lacks an itemId or actorId, is
   * left out. Oldest first.
   */
  async function folderReveals(viewer: Viewer, folderId: string, opts: { actorIds: readonly string[]; before: Date }): Promise<FolderReveal[]> {
    if (opts.actorIds.length === 0) return []
    const actors = new Set(opts.actorIds)
    const { privateKeyWrapped, rows } = await readRows(viewer, { kinds: REVEAL_KINDS, folderId, before: opts.before })
    return openRows(viewer, privateKeyWrapped, rows)
      .flatMap((r): FolderReveal[] => {
        const { itemId, actorId, itemName } = r.details
        if (r.unreadable || !itemId || !actorId || !actors.has(actorId)) return []
        return [{ itemId, itemName, actorId, kind: r.kind as FolderReveal['kind'], at: r.at, count: r.count }]
      })
      .reverse()
  }

  /**
   * Deletes the rows older than the retention, in batches so that no statement holds many row locks
   * or a long transaction; returns how many. For a background job.
   */
  async function prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - retentionMs)
    let deleted = 0
    for (;;) {
      const [row] = await sequelize.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM activity_events WHERE id IN (SELECT id FROM activity_events WHERE at < :before LIMIT ${PRUNE_BATCH}) RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
        { replacements: { before }, type: QueryTypes.SELECT },
      )
      deleted += row?.n ?? 0
      if ((row?.n ?? 0) < PRUNE_BATCH) return deleted
    }
  }

  /** How many days an event is kept: what the activity page tells its reader. */
  const retentionDays = Math.round(retentionMs / (24 * 60 * 60 * 1000))

  return { record, recordBounded, list, csv, prune, folderReveals, retentionDays }
}

export type ActivityService = ReturnType<typeof createActivityService>
