import { defineStore } from 'pinia'
import { markRaw, shallowRef } from 'vue'

export interface FolderSummary {
  id: string
  name: string
  isPersonal: boolean
  role: 'owner' | 'member'
  permission: 'view' | 'edit'
  ownerName: string
  shared: boolean
  itemCount: number
}
export interface ItemRow {
  id: string
  folderId: string
  folderName: string
  name: string
  username: string
  host: string
  weak: boolean
  reused: boolean
  broken: boolean
}
export interface VaultCounts {
  items: number
  folders: number
  weak: number
  reused: number
  broken: number
}
export interface VaultList {
  items: ItemRow[]
  total: number
  page: number
  pageCount: number
  pageSize: number
  counts: VaultCounts
  q: string
  folderId: string | null
}

/**
 * What the vault pages show: the folders (sidebar, pickers) and the current item list.
 * Lists are held shallowly (markRaw): a deep-reactive 1,000-row table renders many times slower.
 */
export const useVaultStore = defineStore('vault', () => {
  const folders = shallowRef<FolderSummary[]>([])
  const list = shallowRef<VaultList | null>(null)
  function setFolders(next: FolderSummary[]) {
    folders.value = markRaw(next)
  }
  function setList(next: VaultList | null) {
    list.value = next ? markRaw({ ...next, items: markRaw(next.items) }) : null
  }
  return { folders, list, setFolders, setList }
})
