import type { PageContextServer } from 'vike/types'
import type { ItemRow } from '../../../shared/contract'
import { vaultPageData } from '../vaultData'
import { formatDay, zoneOf } from '../../../shared/formatDate'
import { expiryText } from '../../../shared/itemTypes'

/** The health lists, each entry trimmed to what a row shows and where it leads. One query when cached. */
export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault) => {
    const [{ counts, issues, weak, reused, noPassword, unreadable, overdue, expired }, { folders }] = await Promise.all([vault.health(), vault.folders()])
    const editable = new Set(folders.filter((f) => f.permission === 'edit').map((f) => f.id))
    // An entry leads to where it can be fixed: the edit page, or the item page when it is view-only
    // (nothing to change there) or unreadable (only deleting it is possible).
    const toEntry = (r: ItemRow) => {
      const canEdit = editable.has(r.folderId) && !r.unreadable
      return {
        id: r.id,
        name: r.name,
        username: r.username,
        folderName: r.folderName,
        href: canEdit ? `/dashboard/items/${r.id}/edit` : `/dashboard/items/${r.id}`,
        viewOnly: !editable.has(r.folderId),
        detail: undefined as string | undefined,
      }
    }
    const zone = zoneOf(pageContext.user)
    return {
      issues,
      // Imported passwords not checked yet (ADR 024): neither weak nor strong until they are.
      unscored: counts.unscored ?? 0,
      counts: { items: counts.items, weak: counts.weak, reused: counts.reused, noPassword: counts.noPassword, unreadable: counts.unreadable, overdue: counts.overdue ?? 0, expired: expired.length },
      weak: weak.map(toEntry),
      reused: reused.map((group) => group.map(toEntry)),
      noPassword: noPassword.map(toEntry),
      unreadable: unreadable.map(toEntry),
      // Rotation reminders that are due (issue 21): when it last changed and how often it should.
      overdue: overdue.map((r) => ({ ...toEntry(r), detail: `last changed ${formatDay(r.passwordChangedAt, zone)}, every ${r.rotateDays} days` })),
      // Cards past their expiry month (issue 23): the row's line is the card's "Visa •••• 4242".
      expired: expired.map((r) => ({ ...toEntry(r), detail: r.expiry === undefined ? undefined : `expired ${expiryText(r.expiry)}` })),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
export type HealthEntry = Data['weak'][number]
