import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
// Type-only: the shapes are the domain's own (erased from the browser bundle).
import type { FolderSummary, ItemRow, VaultPage } from '../server/services/types'

export type { FolderSummary, ItemRow }
export type VaultList = Omit<VaultPage, 'folders' | 'pendingInvitations'> & { q: string; folderId: string | null }

/**
 * What the vault pages show: the folders (sidebar, pickers), the number of pending invitations
 * (the badge beside "Shares") and the current item list.
 * Lists are held shallowly (markRaw): a deep-reactive 1,000-row table renders many times slower.
 */
export const useVaultStore = defineStore('vault', () => {
  const folders = shallowRef<FolderSummary[]>([])
  const pendingInvitations = ref(0)
  const list = shallowRef<VaultList | null>(null)
  function setFolders(next: FolderSummary[]) {
    folders.value = markRaw(next)
  }
  function setPendingInvitations(next: number) {
    pendingInvitations.value = next
  }
  function setList(next: VaultList | null) {
    list.value = next ? markRaw({ ...next, items: markRaw(next.items) }) : null
  }
  return { folders, pendingInvitations, list, setFolders, setPendingInvitations, setList }
})
