import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault) => {
    const { folders } = await vault.folders()
    const editable = folders.filter((f) => f.permission === 'edit').map((f) => ({ id: f.id, name: f.name }))
    const wanted = pageContext.urlParsed.search.folder
    const folderId = editable.some((f) => f.id === wanted) ? wanted! : (editable[0]?.id ?? '')
    return { editable, folderId }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
