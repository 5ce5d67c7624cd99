import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface CurrentUser {
  id: string
  name: string
  email: string
  verified: boolean
}

/** The logged-in user (or null), set from the server on every render and client navigation. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<CurrentUser | null>(null)
  const setUser = (u: CurrentUser | null) => {
    user.value = u ? { ...u } : null
  }
  return { user, setUser }
})
