import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { FolderSummary, ListRow, VaultPage } from '../shared/contract'

/** A list page's list: the service's page with its rows as the page shows them (shared/vaultList.ts). */
export type VaultList = Omit<VaultPage, 'folders' | 'pendingInvitations' | 'items'> & { rows: ListRow[]; q: string; folderId: string | null }

/**
 * What the vault pages show: the folders (sidebar, pickers), the number of pending invitations
 * (the badge beside "Shares"), the current item list, and on an item's pages that item's folder
 * (marked in the sidebar).
 * Lists are held shallowly (markRaw): a deep-reactive 1,000-row table renders many times slower.
 */
export const useVaultStore = defineStore('vault', () => {
  const folders = shallowRef<FolderSummary[]>([])
  const pendingInvitations = ref(0)
  const list = shallowRef<VaultList | null>(null)
  const itemFolderId = ref<string | null>(null)
  function setFolders(next: FolderSummary[]) {
    folders.value = markRaw(next)
  }
  function setPendingInvitations(next: number) {
    pendingInvitations.value = next
  }
  function setList(next: VaultList | null) {
    list.value = next ? markRaw({ ...next, rows: markRaw(next.rows) }) : null
  }
  function setItemFolderId(next: string | null) {
    itemFolderId.value = next
  }
  /** The list may add to its folder (all items: always; a folder: unless view only). */
  const canAdd = computed(() => {
    const l = list.value
    return !!l && (l.folderId === null || folders.value.some((f) => f.id === l.folderId && f.permission === 'edit'))
  })
  /** The list is a whole empty vault, unsearched and unfiltered: its empty state holds the one
   *  "+ New item" of the page (the header's and the list's own step aside). */
  const offersFirstItem = computed(() => {
    const l = list.value
    return !!l && canAdd.value && l.counts.items === 0 && !l.q && !l.filter
  })
  return { folders, pendingInvitations, list, itemFolderId, canAdd, offersFirstItem, setFolders, setPendingInvitations, setList, setItemFolderId }
})
