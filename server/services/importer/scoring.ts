// Scoring imported passwords after the import (docs/decisions/024-import-now-score-later.md).
//
// An import writes its items at once with `score: null` inside the ciphertext ("not checked yet")
// and `items.score_due_at` set. This scorer then takes them a batch at a time, in the process that
// holds the folder keys in memory (the importing request's, or a later view's: SPEC 5 keeps every
// folder key sealed to its members, openable only with a session's vault key), scores them on the
// strength pool and writes each ciphertext again with its score. Nothing plaintext is stored while
// an item waits: not in a table, not in Redis, not in a log. What survives a restart is the clear
// flag; the next view of a member resumes the work with that viewer's keys.
//
// Several processes never score one item twice at once, and none loses another's work:
// - a batch is claimed in one statement (`score_due_at <= now()` ... FOR UPDATE SKIP LOCKED, moved
//   into the future by a lease), so a second scorer takes other items or none;
// - the score is written only over the very ciphertext that was scored (`ciphertext = <old>`), so
//   an edit, a move or a key rotation meanwhile wins and the stale score is dropped;
// - a scorer that dies leaves its lease to run out; the items are then taken again.
// Scoring is paid from the user's scoring budget (RATE_SCORING_PER_USER) before each batch; past
// it the batch is put back until the budget allows it: throttled, never refused.
import { QueryTypes } from 'sequelize'
import { queryMemberships } from '../access.js'
import { createKeyRing } from '../keyRing.js'
import { decryptItem, encryptItem, itemStrengthJob, type ItemPlaintext } from '../itemCrypto.js'
import { applyListIndexChanges, indexEntry, type IndexChange } from '../listIndex.js'
import { scoreInBackground, scoringPoints, spendForBackground, waitFor } from '../passwordStrength.js'
import type { ServiceDeps, Viewer } from '../types.js'

/** How long a claimed batch belongs to its scorer before another may take it. */
export const SCORE_LEASE_MS = 120_000
/** Items per claim: progress moves and each folder's list index is rewritten once per batch. */
const BATCH = 64
/** A view that finds unscored items resumes their scoring at most this often per user and process. */
const RESUME_EVERY_MS = 10_000

let report: (message: string) => void = (message) => console.warn(`background scoring: ${message}`)
/** Where a failed background scoring is reported (the server's logger); never with item contents. */
export function onBackgroundScoringError(fn: (message: string) => void) {
  report = fn
}

interface Job {
  /** Folder keys, in memory only, for as long as the job runs. */
  keys: Map<string, Buffer>
  /** Bumped by every start() that joins this job: new items may wait, so one more pass is due. */
  calls: number
  done: Promise<void>
}

interface Claimed {
  id: string
  folderId: string
  ciphertext: Buffer
  updatedAt: Date
}

const jobs = new Map<string, Job>()
const stopping = new AbortController()

/** Ends every background scoring of this process (shutdown): claimed items wait for their lease. */
export async function stopBackgroundScoring(): Promise<void> {
  stopping.abort(new Error('shutting down'))
  await Promise.allSettled([...jobs.values()].map((j) => j.done))
}

export function createBackgroundScorer(deps: ServiceDeps) {
  const { sequelize } = deps
  const lastResume = new Map<string, number>()

  /** Claims up to `limit` waiting items of these folders for SCORE_LEASE_MS. */
  async function claim(folderIds: string[], limit: number): Promise<Claimed[]> {
    if (folderIds.length === 0) return []
    return sequelize.query<Claimed>(
      `UPDATE items i SET score_due_at = now() + make_interval(secs => :leaseSeconds)
       WHERE i.id IN (
         SELECT id FROM items WHERE folder_id IN (:folderIds) AND score_due_at <= now() AND deleted_at IS NULL
         ORDER BY score_due_at, id LIMIT :limit FOR UPDATE SKIP LOCKED)
       RETURNING i.id, i.folder_id AS "folderId", i.ciphertext, i.updated_at AS "updatedAt"`,
      { replacements: { folderIds, limit, leaseSeconds: SCORE_LEASE_MS / 1000 }, type: QueryTypes.SELECT },
    )
  }

  /** Gives claimed items back, due again after `ms` (a batch the budget cannot pay for yet). */
  async function putBack(ids: string[], ms: number) {
    await sequelize.query(`UPDATE items SET score_due_at = now() + make_interval(secs => :seconds) WHERE id IN (:ids) AND score_due_at IS NOT NULL`, {
      replacements: { ids, seconds: ms / 1000 },
    })
  }

  /**
   * Writes the scored ciphertexts, each only over the ciphertext that was scored, and the folders'
   * list indexes, in one transaction with the folders locked (access.ts's convention, ADR 020).
   */
  async function write(done: { row: Claimed; key: Buffer; plain: ItemPlaintext; ciphertext: Buffer }[]) {
    if (done.length === 0) return
    await sequelize.transaction(async (transaction) => {
      const folderIds = [...new Set(done.map((d) => d.row.folderId))].sort()
      // FOR UPDATE of the folders (not through lockFolders: a member who left since loses nothing
      // by this, the write below is bound to the old ciphertext and the index stays the folder's).
      await sequelize.query('SELECT id FROM folders WHERE id IN (:folderIds) ORDER BY id FOR UPDATE', { replacements: { folderIds }, transaction })
      const written = await sequelize.query<{ id: string }>(
        `UPDATE items i SET ciphertext = v.ciphertext, score_due_at = NULL
         FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS v(id, old, ciphertext)
         WHERE i.id = v.id AND i.ciphertext = v.old AND i.score_due_at IS NOT NULL AND i.deleted_at IS NULL
         RETURNING i.id`,
        { bind: [done.map((d) => d.row.id), done.map((d) => d.row.ciphertext), done.map((d) => d.ciphertext)], type: QueryTypes.SELECT, transaction },
      )
      const ok = new Set(written.map((w) => w.id))
      // Changed meanwhile (moved, re-keyed, trashed): due again at once, to be taken as they are now.
      const changed = done.filter((d) => !ok.has(d.row.id)).map((d) => d.row.id)
      if (changed.length > 0) {
        await sequelize.query('UPDATE items SET score_due_at = now() WHERE id IN (:changed) AND score_due_at IS NOT NULL', { replacements: { changed }, transaction })
      }
      const changes = new Map<string, IndexChange>()
      for (const d of done) {
        if (!ok.has(d.row.id)) continue
        let c = changes.get(d.row.folderId)
        if (!c) changes.set(d.row.folderId, (c = { folderId: d.row.folderId, key: d.key, upserts: [] }))
        c.upserts!.push(indexEntry(d.row.id, d.ciphertext, d.row.updatedAt, d.plain))
      }
      if (changes.size > 0) await applyListIndexChanges(deps, transaction, [...changes.values()])
    })
  }

  async function run(userId: string, job: Job) {
    const signal = stopping.signal
    let limit = BATCH
    for (;;) {
      signal.throwIfAborted()
      const rows = await claim([...job.keys.keys()], limit)
      if (rows.length === 0) return
      const toScore: { row: Claimed; key: Buffer; plain: ItemPlaintext }[] = []
      const done: { row: Claimed; key: Buffer; plain: ItemPlaintext; ciphertext: Buffer }[] = []
      for (const row of rows) {
        const key = job.keys.get(row.folderId)!
        const plain = decryptItem(key, row.id, row.folderId, row.ciphertext)
        // Not with this key (re-keyed since, or tampered with): left to its lease and a later view.
        if (!plain) continue
        // Scored meanwhile (saved through the form): only the flag is left to clear.
        if (plain.score !== null) done.push({ row, key, plain, ciphertext: row.ciphertext })
        else toScore.push({ row, key, plain })
      }
      const points = toScore.reduce((sum, t) => sum + scoringPoints(t.plain.password), 0)
      const wait = await spendForBackground(userId, points)
      if (wait > 0) {
        // Throttled: the batch goes back until the budget allows it (smaller, should it never fit).
        await putBack(
          toScore.map((t) => t.row.id),
          wait,
        )
        await write(done)
        limit = Math.max(1, Math.floor(limit / 2))
        await waitFor(wait, signal)
        continue
      }
      const scores = await scoreInBackground(
        toScore.map((t) => itemStrengthJob(t.plain)),
        signal,
      )
      toScore.forEach((t, i) => {
        const plain = { ...t.plain, score: scores[i]! }
        done.push({ row: t.row, key: t.key, plain, ciphertext: encryptItem(t.key, t.row.id, t.row.folderId, plain) })
      })
      await write(done)
    }
  }

  /**
   * Scores the waiting items of these folders in the background with these keys (held in memory
   * until done). One job per user and process: a second call adds its keys to the running one.
   */
  function start(userId: string, keys: Map<string, Buffer>): Promise<void> {
    const running = jobs.get(userId)
    if (running) {
      for (const [id, key] of keys) running.keys.set(id, key)
      running.calls++
      return running.done
    }
    const job: Job = { keys: new Map(keys), calls: 0, done: Promise.resolve() }
    const runOnce = async () => {
      // Joined while the last claim found nothing (another import landed): one more pass, so that
      // none of its items is left for a later view.
      let seen = -1
      while (seen !== job.calls) {
        seen = job.calls
        await run(userId, job)
      }
    }
    job.done = runOnce()
      .catch((e: unknown) => {
        if (!stopping.signal.aborted) report((e as Error)?.message ?? String(e))
      })
      .finally(() => jobs.delete(userId))
    jobs.set(userId, job)
    return job.done
  }

  /**
   * A view found items not scored yet (a restart ended their job, or the budget held them): their
   * scoring resumes with this viewer's keys, unless it runs here already. Never throws.
   */
  function resume(viewer: Viewer): void {
    if (jobs.has(viewer.userId) || stopping.signal.aborted) return
    const now = Date.now()
    if (now - (lastResume.get(viewer.userId) ?? 0) < RESUME_EVERY_MS) return
    lastResume.set(viewer.userId, now)
    if (lastResume.size > 10_000) lastResume.clear()
    void (async () => {
      const memberships = await queryMemberships(deps, viewer.userId, { withKeys: true })
      const ring = createKeyRing(viewer)
      const keys = new Map<string, Buffer>()
      for (const m of memberships) {
        if (m.permission !== 'edit') continue // a view-only member cannot write the item
        const key = ring.folderKey(m)
        if (key) keys.set(m.folderId, key)
      }
      await start(viewer.userId, keys)
    })().catch((e: unknown) => report((e as Error)?.message ?? String(e)))
  }

  /** Resolves when this process's background scoring for `userId` (or everyone) is done (tests, bench). */
  async function idle(userId?: string): Promise<void> {
    while (userId ? jobs.has(userId) : jobs.size > 0) {
      await Promise.allSettled(userId ? [jobs.get(userId)!.done] : [...jobs.values()].map((j) => j.done))
    }
  }

  /**
   * How far the scoring of one import is: its items are those of `folderIds` created at `at` (an
   * import writes them all with one timestamp). Waiting ones are counted; the rest are checked.
   */
  async function waiting(folderIds: string[], at: Date): Promise<number> {
    if (folderIds.length === 0) return 0
    const [row] = await sequelize.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM items WHERE folder_id IN (:folderIds) AND created_at = :at AND score_due_at IS NOT NULL AND deleted_at IS NULL',
      { replacements: { folderIds, at }, type: QueryTypes.SELECT },
    )
    return row?.n ?? 0
  }

  return { start, resume, idle, waiting }
}

export type BackgroundScorer = ReturnType<typeof createBackgroundScorer>
