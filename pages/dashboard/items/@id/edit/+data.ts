import type { PageContextServer } from 'vike/types'
import { render } from 'vike/abort'
import { itemToChange, vaultPageData } from '../../../vaultData'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault, viewer) => {
    const [item, { folders }] = await Promise.all([itemToChange(pageContext, viewer), vault.folders()])
    if (item.unreadable) throw render(403, 'This item could not be decrypted, so it cannot be edited.')
    // The folders it may be moved to on saving: only those the viewer may edit (its own is one).
    const editable = folders.filter((f) => f.permission === 'edit').map((f) => ({ id: f.id, name: f.name }))
    return { item: { id: item.id, folderId: item.folderId, folderName: item.folderName, fields: { ...item.fields, totp: item.totp }, rotateDays: item.rotateDays }, editable }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
