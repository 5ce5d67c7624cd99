import type { PageContextServer } from 'vike/types'
import { listOf, listQuery, vaultPageData } from './vaultData'
import { zoneOf } from '../../shared/formatDate'

export async function data(pageContext: PageContextServer) {
  const query = listQuery(pageContext)
  return vaultPageData(pageContext, async (vault) => {
    const [page, { folders }] = await Promise.all([vault.list(query), vault.folders()])
    return { list: listOf(page, folders, query.q, null, zoneOf(pageContext.user)) }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
