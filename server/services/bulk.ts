// Bulk actions on the list's selected rows (issue 21): move to a folder, move to the trash, star,
// unstar. The route parsed the form (schemas/bulk.ts); each action is its service's own (items.ts
// moveItems and trashItems: one transaction per folder touched, under its lock; favourites.ts).
// Ids that are not UUIDs never reach the database and are reported as gone, like foreign ones.
import type { BulkAction, BulkResult } from '../../shared/contract.js'
import { toId } from '../../schemas/vault.js'
import type { Viewer } from './types.js'

interface BulkDeps {
  moveItems(viewer: Viewer, ids: string[], folderId: string): Promise<BulkResult>
  trashItems(viewer: Viewer, ids: string[]): Promise<BulkResult>
  setFavourites(viewer: Viewer, ids: string[], on: boolean): Promise<BulkResult>
}

export function createBulkCommands(vault: BulkDeps) {
  async function bulkAction(viewer: Viewer, action: BulkAction, rawIds: string[], folderId?: string): Promise<BulkResult> {
    const ids = [...new Set(rawIds.map((raw) => toId(raw)).filter((id) => id !== null))]
    const malformed = new Set(rawIds.filter((raw) => toId(raw) === null))
    const result =
      action === 'move'
        ? await vault.moveItems(viewer, ids, folderId!)
        : action === 'trash'
          ? await vault.trashItems(viewer, ids)
          : await vault.setFavourites(viewer, ids, action === 'star')
    for (const raw of malformed) result.refused.push({ id: raw.slice(0, 64), reason: 'gone' })
    return result
  }
  return { bulkAction }
}

// In this order in the message, whatever order the items were refused in.
const REASONS: Record<BulkResult['refused'][number]['reason'], [one: string, many: string]> = {
  'view-only': ['you can only view it', 'you can only view them'],
  full: ['the folder is full', 'the folder is full'],
  unreadable: ['it could not be decrypted', 'they could not be decrypted'],
  gone: ['it is gone or no longer shared with you', 'they are gone or no longer shared with you'],
}
const DONE: Record<BulkAction, string> = { move: 'moved', trash: 'moved to the trash', star: 'starred', unstar: 'unstarred' }

/**
 * The result as the flash says it: counts and reasons, never an item's name (names are secret).
 * "3 items moved to Work. 1 was not: you can only view it."
 */
export function bulkMessage(action: BulkAction, result: BulkResult, folderName?: string): string {
  const n = result.done
  const done = `${n.toLocaleString('en-US')} ${n === 1 ? 'item' : 'items'} ${DONE[action]}${action === 'move' && folderName ? ` to ${folderName}` : ''}.`
  if (result.refused.length === 0) return done
  const counts = new Map<string, number>()
  for (const r of result.refused) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1)
  const byReason = new Map(Object.keys(REASONS).flatMap((reason) => (counts.has(reason) ? [[reason, counts.get(reason)!] as const] : [])))
  const parts = [...byReason].map(([reason, count]) => {
    const [one, many] = REASONS[reason as keyof typeof REASONS]
    return byReason.size === 1 ? (count === 1 ? one : many) : `${count.toLocaleString('en-US')} because ${count === 1 ? one : many}`
  })
  const m = result.refused.length
  return `${done} ${m.toLocaleString('en-US')} ${m === 1 ? 'was' : 'were'} not: ${parts.join('; ')}.`
}
