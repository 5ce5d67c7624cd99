import type { PageContextServer } from 'vike/types'
import { vaultPageData } from '../../vaultData'
import { totpCode } from '../../../../shared/totp'
import { showsSecret, typeView } from './typeView'
import { secretFieldLabel } from '../../../../shared/activity'

export async function data(pageContext: PageContextServer) {
  return vaultPageData(pageContext, async (vault, viewer) => {
    const id = pageContext.routeParams.id!
    // SPEC 3b: a secret leaves the server only when asked for (?reveal=password, ?reveal=card_number…);
    // each ask spends a point of the copy budget first (429 past it): a stolen session cannot read
    // the vault secret by secret.
    const reveal = pageContext.urlParsed.search.reveal
    if (reveal !== undefined) await pageContext.spendSecretRead()
    const [item, reusedBy, { folders }, history] = await Promise.all([
      pageContext.services.vault.getItem(viewer, id),
      vault.reusedBy(id),
      vault.folders(),
      pageContext.services.vault.recentVersions(viewer, id),
    ])
    const folder = folders.find((f) => f.id === item.folderId)
    const revealed = reveal === 'password'
    const { password, ...shown } = item.fields
    const view = typeView(item, reveal)
    // What left the server is recorded (issue 25): the folder's owner sees who revealed what.
    if (reveal !== undefined && ((revealed && password !== '') || showsSecret(view))) {
      await pageContext.services.vault.noteRevealed(viewer, id, secretFieldLabel(reveal))
    }
    return {
      // The type's own fields (issue 23): what is not secret, and each secret as "has one" plus its value only when revealed.
      view,
      item: {
        id: item.id,
        folderId: item.folderId,
        folderName: item.folderName,
        permission: item.permission,
        unreadable: item.unreadable,
        fields: shown,
        hasPassword: password !== '',
        password: revealed ? password : null,
        href: item.href,
        updatedAt: item.updatedAt.toISOString(),
        favourite: item.favourite,
      },
      // The warnings under the password: weak (zxcvbn < 3) and reused across the whole vault.
      health: { weak: item.weak, unscored: item.unscored, reusedBy },
      // Password last changed, rotation reminder and the latest versions (issue 21, components/ItemHistory.vue).
      history: {
        passwordChangedAt: item.passwordChangedAt.toISOString(),
        rotateDays: item.rotateDays,
        overdue: item.overdue,
        versions: history.versions.map((v) => ({ id: v.id, savedAt: v.savedAt.toISOString() })),
        total: history.total,
      },
      // Who shares the folder with the viewer (null for the viewer's own folders).
      sharedBy: folder?.role === 'member' ? folder.ownerName : null,
      // The current authenticator code, never the key (ADR 030); null without a key.
      totp: item.unreadable ? null : totpCode(item.totp),
      moveTargets: folders.filter((f) => f.permission === 'edit' && f.id !== item.folderId).map((f) => ({ id: f.id, name: f.name })),
      // Files on the item (issue 23, components/ItemAttachments.vue): names and sizes, never bytes.
      attachments: await pageContext.services.attachments.listAttachments(viewer, id),
    }
  })
}
export type Data = Awaited<ReturnType<typeof data>>
