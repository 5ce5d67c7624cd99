import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'
import { ITEM_TYPES } from '../../../../shared/contract'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault) => {
    const { folders } = await vault.folders()
    const editable = folders.filter((f) => f.permission === 'edit').map((f) => ({ id: f.id, name: f.name }))
    const { folder: wanted, type: wantedType } = pageContext.urlParsed.search
    const folderId = editable.some((f) => f.id === wanted) ? wanted! : (editable[0]?.id ?? '')
    // A re-rendered form names its type in its own field; an unknown type in the URL means login.
    const asked = pageContext.form?.values.type ?? wantedType
    const type = ITEM_TYPES.find((t) => t === asked) ?? 'login'
    return { editable, folderId, type }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
