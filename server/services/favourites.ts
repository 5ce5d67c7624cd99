// Favourites (issue 21): a star is per user, a row (user, item) in item_favourites beside the
// shared ciphertext, so starring a shared item stars it for the viewer only and view members may
// star too. Only live items the viewer can open may be starred or unstarred. Knows nothing of Koa
// or Vue. The list sees stars through the memberships query (access.ts favouritesIn): no query more.
import { QueryTypes } from 'sequelize'
import { NotFoundError } from '../lib/errors.js'
import { requireId } from './access.js'
import { toId } from '../../schemas/vault.js'
import type { BulkResult } from '../../shared/contract.js'
import type { ServiceDeps, Viewer } from './types.js'

export function createFavouriteCommands(deps: ServiceDeps) {
  const { sequelize } = deps

  /**
   * One statement: of `ids`, the live items the viewer can open (an accepted membership of their
   * folder), starred (on: INSERT ... ON CONFLICT DO NOTHING, so a repeat or a race of parallel
   * stars leaves one row) or unstarred (DELETE). The access check and the write are one statement:
   * nothing is starred that the same statement did not find open to the viewer. Returns the ids found.
   */
  async function apply(viewer: Viewer, ids: string[], on: boolean): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const write = on
      ? 'INSERT INTO item_favourites (user_id, item_id, created_at) SELECT :userId, ok.id, now() FROM ok ON CONFLICT DO NOTHING'
      : 'DELETE FROM item_favourites fv USING ok WHERE fv.user_id = :userId AND fv.item_id = ok.id'
    const rows = await sequelize.query<{ id: string }>(
      `WITH ok AS (
         SELECT i.id FROM items i
         JOIN folder_memberships m ON m.folder_id = i.folder_id AND m.user_id = :userId AND m.status = 'accepted'
         WHERE i.id IN (:ids) AND i.deleted_at IS NULL
       ), w AS (${write})
       SELECT id FROM ok`,
      { replacements: { userId: viewer.userId, ids }, type: QueryTypes.SELECT },
    )
    return new Set(rows.map((r) => r.id))
  }

  /** Stars (on) or unstars one item. Idempotent. NotFoundError unless a live item the viewer can open. */
  async function setFavourite(viewer: Viewer, rawItemId: string, on: boolean): Promise<void> {
    const id = requireId(rawItemId)
    const found = await apply(viewer, [id], on)
    if (!found.has(id)) throw new NotFoundError()
  }

  /** Bulk star/unstar: what the viewer cannot open (malformed, foreign, trashed, no longer shared) is 'gone'. */
  async function setFavourites(viewer: Viewer, rawIds: string[], on: boolean): Promise<BulkResult> {
    const ids = [...new Set(rawIds.map((raw) => toId(raw)).filter((id) => id !== null))]
    const found = await apply(viewer, ids, on)
    const result: BulkResult = { done: found.size, refused: [] }
    for (const id of ids) if (!found.has(id)) result.refused.push({ id, reason: 'gone' })
    return result
  }

  return { setFavourite, setFavourites }
}
