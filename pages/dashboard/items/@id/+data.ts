import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'
import { totpCode } from '../../../../shared/totp'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault, viewer) => {
    const id = pageContext.routeParams.id!
    const [item, reusedBy, { folders }] = await Promise.all([pageContext.services.vault.getItem(viewer, id), vault.reusedBy(id), vault.folders()])
    const folder = folders.find((f) => f.id === item.folderId)
    return {
      item: {
        id: item.id,
        folderId: item.folderId,
        folderName: item.folderName,
        permission: item.permission,
        unreadable: item.unreadable,
        fields: item.fields,
        href: item.href,
        updatedAt: item.updatedAt.toISOString(),
      },
      // The warnings under the password: weak (zxcvbn < 3) and reused across the whole vault.
      health: { weak: item.weak, unscored: item.unscored, reusedBy },
      // Who shares the folder with the viewer (null for the viewer's own folders).
      sharedBy: folder?.role === 'member' ? folder.ownerName : null,
      // The current authenticator code, never the key (ADR 030); null without a key.
      totp: item.unreadable ? null : totpCode(item.totp),
      moveTargets: folders.filter((f) => f.permission === 'edit' && f.id !== item.folderId).map((f) => ({ id: f.id, name: f.name })),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
