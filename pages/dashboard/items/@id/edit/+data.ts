import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { itemToChange, vaultPageData } from '../../../vaultData'
import { itemFormValues } from '../../../../../shared/itemTypes'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault, viewer) => {
    const [item, { folders }] = await Promise.all([itemToChange(pageContext, viewer), vault.folders()])
    if (item.unreadable) throw render(403, 'This item could not be decrypted, so it cannot be edited.')
    // The folders it may be moved to on saving: only those the viewer may edit (its own is one).
    const editable = folders.filter((f) => f.permission === 'edit').map((f) => ({ id: f.id, name: f.name }))
    // The form is the one place an item's secrets are in the page unasked: editing them needs them.
    return { item: { id: item.id, folderId: item.folderId, folderName: item.folderName, name: item.fields.name, type: item.type, form: itemFormValues(item), rotateDays: item.rotateDays }, editable }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
