// The activity rows of an item event (issue 25): who reads them and what they say. Shared by the
// item services that record them (items, trash, copy) and the pages that record a reveal.
import type { ActivityDetails, ActivityKind } from '../../shared/activity.js'
import type { ActivityEventInput } from './types.js'

/** An item as its events name it. */
export interface EventItem {
  id: string
  name: string
  folderId: string
  folderName: string
  /** The folder's owner: they read every event of their folders. */
  ownerId: string
}

/** An item row (with its folder's columns) as its events name it. */
export const eventItem = (row: Omit<EventItem, 'name'>, name: string): EventItem => ({
  id: row.id,
  name,
  folderId: row.folderId,
  folderName: row.folderName,
  ownerId: row.ownerId,
})

/**
 * One row for the folder's owner and, when someone else acted, one for them: the owner's view of
 * a folder lists the first kind. Other members read neither.
 */
export function itemEvents(actorId: string, kind: ActivityKind, items: readonly EventItem[], extra: ActivityDetails = {}): ActivityEventInput[] {
  return items.flatMap((item) => {
    const details: ActivityDetails = { itemId: item.id, itemName: item.name, folderName: item.folderName, actorId, ...extra }
    return [...new Set([item.ownerId, actorId])].map((readerId) => ({ readerId, kind, folderId: item.folderId, details }))
  })
}
